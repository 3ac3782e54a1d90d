using System.Collections.Generic;
using System.Linq;

namespace GuardOrder.Analyzers.Model
{
    /// <summary>
    /// A fault path's grant routes (as one predicate sees them) prepared once for the implication
    /// search: the variables in search order (most constrained first), each route's constraint per
    /// variable as an array slot, the routes' boundary points per variable, and the position after
    /// which each route is fully assigned. Every predicate route of the predicate, and every trial of
    /// the "which facts are needed" minimisation, searches against the same index.
    /// </summary>
    internal sealed class GrantIndex
    {
        public GrantIndex(IReadOnlyList<FactSet> routes)
        {
            Routes = routes;
            // Counted in one dictionary, in order of first appearance, then a stable sort by count: the
            // order a GroupBy gave, without a group per variable.
            var counts = new Dictionary<FactVar, int>();
            var firstSeen = new List<FactVar>();
            foreach (var route in routes)
            {
                foreach (var pair in route.Constraints)
                {
                    var key = pair.Key;
                    if (counts.TryGetValue(key, out var count))
                    {
                        counts[key] = count + 1;
                    }
                    else
                    {
                        counts[key] = 1;
                        firstSeen.Add(key);
                    }
                }
            }

            Variables = firstSeen.OrderByDescending(k => counts[k]).ToArray();
            var position = new Dictionary<FactVar, int>(Variables.Length);
            for (int i = 0; i < Variables.Length; i++)
            {
                position[Variables[i]] = i;
            }

            Domains = new IntSet[Variables.Length];
            Constraints = new IntSet?[routes.Count][];
            LastPosition = new int[routes.Count];
            var points = new HashSet<long>[Variables.Length];
            for (int i = 0; i < Variables.Length; i++)
            {
                points[i] = new HashSet<long>();
            }

            for (int r = 0; r < routes.Count; r++)
            {
                var slots = new IntSet?[Variables.Length];
                var last = -1;
                foreach (var pair in routes[r].Constraints)
                {
                    var p = position[pair.Key];
                    slots[p] = pair.Value;
                    IntSet.AddBoundaryPoints(pair.Value, points[p]);
                    Domains[p] = Fact.DomainOf(routes[r].Representatives[pair.Key].Kind);
                    last = System.Math.Max(last, p);
                }

                Constraints[r] = slots;
                LastPosition[r] = last;
            }

            Points = points;
        }

        public IReadOnlyList<FactSet> Routes { get; }

        /// <summary>The variables of all routes, most constrained first (the search assigns them in this order).</summary>
        public FactVar[] Variables { get; }

        /// <summary>Per variable: its domain.</summary>
        public IntSet[] Domains { get; }

        /// <summary>Per route, per variable: the values the route allows (null: unconstrained).</summary>
        public IntSet?[][] Constraints { get; }

        /// <summary>Per route: the last variable position it constrains (-1: none), after which it is satisfied.</summary>
        public int[] LastPosition { get; }

        /// <summary>Per variable: the routes' bounds and their neighbours.</summary>
        public HashSet<long>[] Points { get; }
    }
}
