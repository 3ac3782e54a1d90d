using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;

namespace GuardOrder.Analyzers.Model
{
    /// <summary>The facts one route establishes, as one constraint (a set of allowed values) per variable.</summary>
    internal sealed class FactSet
    {
        private FactSet(Dictionary<string, IntSet> constraints, Dictionary<string, Fact> representatives, ImmutableList<Fact> facts)
        {
            Constraints = constraints;
            Representatives = representatives;
            Facts = facts;
        }

        /// <summary>Variable (<see cref="Fact.VariableKey"/>) → values the route allows.</summary>
        public Dictionary<string, IntSet> Constraints { get; }

        /// <summary>Variable → the first fact the route established about it (for messages and locations).</summary>
        public Dictionary<string, Fact> Representatives { get; }

        public ImmutableList<Fact> Facts { get; }

        public static FactSet From(ImmutableList<Fact> facts)
        {
            var constraints = new Dictionary<string, IntSet>();
            var representatives = new Dictionary<string, Fact>();
            foreach (var fact in facts)
            {
                var key = fact.VariableKey;
                if (constraints.TryGetValue(key, out var known))
                {
                    var both = known.Intersect(fact.Allowed);

                    // Two different arguments of the same member (PageKsm(a), PageKsm(b)) can
                    // disagree; facts are matched by member, so keep the first one then.
                    if (!both.IsEmpty)
                    {
                        constraints[key] = both;
                    }
                }
                else
                {
                    constraints[key] = fact.Allowed;
                    representatives[key] = fact;
                }
            }

            return new FactSet(constraints, representatives, facts);
        }

        /// <summary>
        /// What this (predicate) route guarantees about <paramref name="variable"/>. A check made
        /// under a lock also satisfies the same check required without the lock.
        /// </summary>
        public IntSet Effective(string variable, IntSet domain)
        {
            var set = Constraints.TryGetValue(variable, out var own) ? own : domain;
            if (variable.EndsWith("|", System.StringComparison.Ordinal))
            {
                foreach (var pair in Constraints)
                {
                    if (pair.Key.Length > variable.Length && pair.Key.StartsWith(variable, System.StringComparison.Ordinal))
                    {
                        var narrowed = set.Intersect(pair.Value);
                        if (!narrowed.IsEmpty)
                        {
                            set = narrowed;
                        }
                    }
                }
            }

            return set;
        }

        /// <summary>True when the route says anything about the member of <paramref name="fact"/> (locked or not).</summary>
        public bool Mentions(Fact fact) => Facts.Any(f => f.MemberOnlyKey == fact.MemberOnlyKey);
    }

    /// <summary>The answer for one predicate route.</summary>
    internal sealed class ImplicationResult
    {
        public ImplicationResult(bool implied, int closest, int shared, ImmutableArray<Fact> missing, ImmutableArray<(Fact Required, Fact Unlocked)> outsideLock)
        {
            Implied = implied;
            Shared = shared;
            Closest = closest;
            Missing = missing;
            OutsideLock = outsideLock;
        }

        /// <summary>True when the predicate route implies (the disjunction of) the fault path's grant routes.</summary>
        public bool Implied { get; }

        /// <summary>How many facts of the closest route the predicate route establishes.</summary>
        public int Shared { get; }

        /// <summary>Index of the closest fault-path grant route (-1 when implied).</summary>
        public int Closest { get; }

        /// <summary>Facts the closest route requires that the predicate route does not establish at all (GO0002).</summary>
        public ImmutableArray<Fact> Missing { get; }

        /// <summary>Facts the closest route requires under a lock that the predicate route reads without it (GO0003).</summary>
        public ImmutableArray<(Fact Required, Fact Unlocked)> OutsideLock { get; }
    }

    /// <summary>
    /// "Does predicate route P imply some grant route of the fault path?" decided exactly over the
    /// small fact domain. Every fact constrains one variable (member + the lock it was read under)
    /// to a set of integers, so P implies F_1 ∨ … ∨ F_n unless some assignment satisfies P and
    /// falsifies every F_i. The search tries, per variable, only the bounds of all constraints on it
    /// and their neighbours (one value per region the bounds cut the line into), which makes it
    /// exact. One matching route is enough (a fast-path-only predicate is accepted); routes that
    /// differ only in a check the predicate does not care about cover each other through the
    /// disjunction. Scale: the search visits at most <see cref="MaxNodes"/> partial assignments;
    /// beyond that it answers "implied" (the rules then report nothing for that route).
    /// </summary>
    internal static class Implication
    {
        public const int MaxNodes = 100_000;

        public static ImplicationResult Check(FactSet predicate, IReadOnlyList<FactSet> faultRoutes)
        {
            if (faultRoutes.Count == 0 || IsImplied(predicate, faultRoutes))
            {
                return new ImplicationResult(true, -1, 0, ImmutableArray<Fact>.Empty, ImmutableArray<(Fact, Fact)>.Empty);
            }

            // The closest route: most shared facts (facts of the route the predicate route already
            // establishes), ties by fewest missing; with nothing shared, fewest missing.
            int best = -1, bestShared = -1, bestMissing = int.MaxValue;
            for (int i = 0; i < faultRoutes.Count; i++)
            {
                var shared = 0;
                var missing = 0;
                foreach (var pair in faultRoutes[i].Constraints)
                {
                    var fact = faultRoutes[i].Representatives[pair.Key];
                    if (predicate.Effective(pair.Key, Fact.DomainOf(fact.Kind)).IsSubsetOf(pair.Value))
                    {
                        shared++;
                    }
                    else
                    {
                        missing++;
                    }
                }

                if (shared > bestShared || (shared == bestShared && missing < bestMissing))
                {
                    best = i;
                    bestShared = shared;
                    bestMissing = missing;
                }
            }

            var route = faultRoutes[best];
            var required = new List<Fact>();
            foreach (var pair in route.Constraints)
            {
                if (!predicate.Effective(pair.Key, Fact.DomainOf(route.Representatives[pair.Key].Kind)).IsSubsetOf(pair.Value))
                {
                    required.Add(route.Representatives[pair.Key].WithAllowed(pair.Value));
                }
            }

            // Keep only the additions that are needed: a fact of the closest route that the other
            // routes cover anyway (userfaultfd_wp true/false around pte_uffd_wp) is dropped.
            for (int i = required.Count - 1; i >= 0 && required.Count > 1; i--)
            {
                var without = predicate.Facts.AddRange(required.Where((_, j) => j != i));
                if (IsImplied(FactSet.From(without), faultRoutes))
                {
                    required.RemoveAt(i);
                }
            }

            var missingFacts = ImmutableArray.CreateBuilder<Fact>();
            var outside = ImmutableArray.CreateBuilder<(Fact, Fact)>();
            foreach (var fact in required)
            {
                var unlocked = fact.UnderLock is null ? null : predicate.Facts.FirstOrDefault(f =>
                    f.MemberOnlyKey == fact.MemberOnlyKey &&
                    f.UnderLock?.Family != fact.UnderLock.Family &&
                    f.Allowed.IsSubsetOf(fact.Allowed));
                if (unlocked is not null)
                {
                    outside.Add((fact, unlocked));
                }
                else
                {
                    missingFacts.Add(fact);
                }
            }

            return new ImplicationResult(false, best, bestShared, missingFacts.ToImmutable(), outside.ToImmutable());
        }

        private static bool IsImplied(FactSet predicate, IReadOnlyList<FactSet> faultRoutes)
        {
            // Variables, most constrained first.
            var variables = faultRoutes.SelectMany(r => r.Constraints.Keys)
                .GroupBy(k => k)
                .OrderByDescending(g => g.Count())
                .Select(g => g.Key)
                .ToList();
            var domains = new Dictionary<string, IntSet>();
            foreach (var route in faultRoutes)
            {
                foreach (var pair in route.Representatives)
                {
                    domains[pair.Key] = Fact.DomainOf(pair.Value.Kind);
                }
            }

            var candidates = new List<long[]>(variables.Count);
            foreach (var variable in variables)
            {
                var allowed = predicate.Effective(variable, domains[variable]);
                var points = new HashSet<long>();
                IntSet.AddBoundaryPoints(allowed, points);
                foreach (var route in faultRoutes)
                {
                    if (route.Constraints.TryGetValue(variable, out var set))
                    {
                        IntSet.AddBoundaryPoints(set, points);
                    }
                }

                var values = points.Where(allowed.Contains).OrderBy(v => v).ToArray();
                if (values.Length == 0)
                {
                    return true; // the predicate route itself is infeasible
                }

                candidates.Add(values);
            }

            // A route is satisfied for sure once all its variables are assigned (none falsified it).
            var lastPosition = new int[faultRoutes.Count];
            for (int i = 0; i < faultRoutes.Count; i++)
            {
                lastPosition[i] = faultRoutes[i].Constraints.Count == 0 ? -1 : faultRoutes[i].Constraints.Keys.Max(k => variables.IndexOf(k));
            }

            var nodes = 0;
            var alive = Enumerable.Range(0, faultRoutes.Count).ToList();
            var counterexample = Search(0, alive);
            return !counterexample;

            bool Search(int position, List<int> stillSatisfiable)
            {
                if (stillSatisfiable.Count == 0)
                {
                    return true;
                }

                if (++nodes > MaxNodes)
                {
                    return false; // undecided: treated as implied (no report)
                }

                foreach (var index in stillSatisfiable)
                {
                    if (lastPosition[index] < position)
                    {
                        return false; // this fault route is already fully satisfied
                    }
                }

                if (position == variables.Count)
                {
                    return false;
                }

                var variable = variables[position];
                foreach (var value in candidates[position])
                {
                    var next = new List<int>(stillSatisfiable.Count);
                    foreach (var index in stillSatisfiable)
                    {
                        if (!faultRoutes[index].Constraints.TryGetValue(variable, out var set) || set.Contains(value))
                        {
                            next.Add(index);
                        }
                    }

                    if (Search(position + 1, next))
                    {
                        return true;
                    }
                }

                return false;
            }
        }
    }
}
