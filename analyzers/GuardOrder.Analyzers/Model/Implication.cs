using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;

namespace GuardOrder.Analyzers.Model
{
    /// <summary>The facts one route establishes, as one constraint (a set of allowed values) per variable.</summary>
    internal sealed class FactSet : System.IEquatable<FactSet>
    {
        private int _hash;

        // One entry per variable, in the order of the route's first fact about it. An array searched by hash: a
        // route constrains a few dozen variables at most, and two dictionaries per set (constraints and their
        // representatives) were 6 % of what GuardOrder allocated above the no-op floor.
        private readonly FactEntry[] _entries;
        private readonly int _count;

        private FactSet(FactEntry[] entries, int count, ImmutableArray<Fact> facts)
        {
            _entries = entries;
            _count = count;
            Facts = facts;
        }

        /// <summary>Variable → values the route allows.</summary>
        public FactConstraints Constraints => new FactConstraints(_entries, _count);

        /// <summary>Variable → the first fact the route established about it (for messages and locations).</summary>
        public FactRepresentatives Representatives => new FactRepresentatives(_entries, _count);

        public ImmutableArray<Fact> Facts { get; }

        public static FactSet From(ImmutableArray<Fact> facts)
        {
            // Sized for every fact on its own variable (the usual case).
            var entries = facts.IsEmpty ? System.Array.Empty<FactEntry>() : new FactEntry[facts.Length];
            var count = 0;
            foreach (var fact in facts)
            {
                var key = fact.Var;
                var at = FactEntry.Find(entries, count, key);
                if (at >= 0)
                {
                    // The walk drops infeasible routes, so the intersection is never empty here.
                    var both = entries[at].Allowed.Intersect(fact.Allowed);
                    if (!both.IsEmpty)
                    {
                        entries[at].Allowed = both;
                    }
                }
                else
                {
                    entries[count++] = new FactEntry(key, fact.Allowed, fact);
                }
            }

            return new FactSet(entries, count, facts);
        }

        /// <summary>
        /// What this (predicate) route guarantees about <paramref name="variable"/>. A check made
        /// under a lock also satisfies the same check required without the lock.
        /// </summary>
        public IntSet Effective(FactVar variable, IntSet domain)
        {
            var constraints = Constraints;
            var set = constraints.TryGetValue(variable, out var own) ? own : domain;
            if (variable.LockFamily is null)
            {
                foreach (var pair in constraints)
                {
                    if (pair.Key.LockFamily is not null && pair.Key.SameValueAs(variable))
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
        public bool Mentions(Fact fact) => Facts.Any(f => f.Var.SameValueAs(fact.Var));

        /// <summary>Both routes' facts, or null when they contradict each other.</summary>
        public FactSet? Conjoin(FactSet other)
        {
            foreach (var pair in other.Constraints)
            {
                if (Constraints.TryGetValue(pair.Key, out var mine) && mine.Intersect(pair.Value).IsEmpty)
                {
                    return null;
                }
            }

            return other.Facts.IsEmpty ? this : From(Facts.AddRange(other.Facts));
        }

        /// <summary>Same variables with the same allowed values (the facts' texts and locations are not compared).</summary>
        public bool Equals(FactSet? other)
        {
            if (other is null || other.Constraints.Count != Constraints.Count || other.GetHashCode() != GetHashCode())
            {
                return false;
            }

            foreach (var pair in Constraints)
            {
                if (!other.Constraints.TryGetValue(pair.Key, out var theirs) || !theirs.Equals(pair.Value))
                {
                    return false;
                }
            }

            return true;
        }

        public override bool Equals(object? obj) => Equals(obj as FactSet);

        public override int GetHashCode()
        {
            if (_hash == 0)
            {
                var hash = 0;
                foreach (var pair in Constraints)
                {
                    hash ^= unchecked((pair.Key.GetHashCode() * 397) + pair.Value.GetHashCode());
                }

                _hash = hash | 1;
            }

            return _hash;
        }

        /// <summary>A copy without the facts <paramref name="drop"/> selects (assumed conditions).</summary>
        public FactSet Without(System.Func<Fact, bool> drop) => From(Facts.RemoveAll(f => drop(f)));
    }

    /// <summary>The answer for one predicate route.</summary>
    internal sealed class ImplicationResult
    {
        public static readonly ImplicationResult Undecided = new ImplicationResult(false, -1, 0, ImmutableArray<Fact>.Empty, ImmutableArray<(Fact, Fact)>.Empty) { IsUndecided = true };

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

        /// <summary>The search hit <see cref="Implication.MaxNodes"/>: neither proven nor refuted (reported as such, never as "in sync").</summary>
        public bool IsUndecided { get; private set; }

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
    /// beyond that it answers "undecided", which the rules report (GO0008), never "implied".
    /// </summary>
    internal static class Implication
    {
        public const int MaxNodes = Limits.MaxImplicationNodes;

        public static ImplicationResult Check(FactSet predicate, IReadOnlyList<FactSet> faultRoutes) => Check(predicate, new GrantIndex(faultRoutes));

        /// <summary>As <see cref="Check(FactSet, IReadOnlyList{FactSet})"/>, against routes indexed once for many predicate routes.</summary>
        public static ImplicationResult Check(FactSet predicate, GrantIndex index)
        {
            var faultRoutes = index.Routes;
            if (faultRoutes.Count == 0)
            {
                return new ImplicationResult(true, -1, 0, ImmutableArray<Fact>.Empty, ImmutableArray<(Fact, Fact)>.Empty);
            }

            var implied = IsImplied(predicate, index);
            if (implied is null)
            {
                return ImplicationResult.Undecided;
            }

            if (implied.Value)
            {
                return new ImplicationResult(true, -1, 0, ImmutableArray<Fact>.Empty, ImmutableArray<(Fact, Fact)>.Empty);
            }

            // The closest route: the one the author meant to mirror. Routes the predicate route
            // contradicts (it knows PageAnon is true; the route needs it false) come last; then most
            // shared facts (facts of the route the predicate route already establishes); then fewest missing.
            int best = -1, bestConflicts = int.MaxValue, bestShared = -1, bestMissing = int.MaxValue;
            for (int i = 0; i < faultRoutes.Count; i++)
            {
                var shared = 0;
                var missing = 0;
                var conflicts = 0;
                foreach (var pair in faultRoutes[i].Constraints)
                {
                    var fact = faultRoutes[i].Representatives[pair.Key];
                    var effective = predicate.Effective(pair.Key, Fact.DomainOf(fact.Kind));
                    if (effective.IsSubsetOf(pair.Value))
                    {
                        shared++;
                    }
                    else
                    {
                        // A near miss (the same check made on another object: PageKsm(pte_page(pte)) for
                        // PageKsm(vm_normal_page(...))) still says which route the author meant.
                        if (HasSameCheck(predicate, pair.Key))
                        {
                            shared++;
                        }

                        missing++;
                        if (effective.Intersect(pair.Value).IsEmpty)
                        {
                            conflicts++;
                        }
                    }
                }

                if (conflicts < bestConflicts ||
                    (conflicts == bestConflicts && (shared > bestShared || (shared == bestShared && missing < bestMissing))))
                {
                    best = i;
                    bestConflicts = conflicts;
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
                if (IsImplied(FactSet.From(without), index) == true)
                {
                    required.RemoveAt(i);
                }
            }

            var missingFacts = ImmutableArray.CreateBuilder<Fact>();
            var outside = ImmutableArray.CreateBuilder<(Fact, Fact)>();
            foreach (var fact in required)
            {
                var unlocked = fact.UnderLock is null ? null : predicate.Facts.FirstOrDefault(f =>
                    f.Var.SameValueAs(fact.Var) &&
                    !Subject.SameType(f.Var.LockFamily, fact.Var.LockFamily) &&
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

        // A loop, not Any with a lambda: asked per fault route and constraint (a closure each time).
        private static bool HasSameCheck(FactSet predicate, FactVar required)
        {
            foreach (var f in predicate.Facts)
            {
                if (SameCheck(f.Var.Subject, required.Subject) && f.Var.Bit == required.Bit)
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>The same check (method or member) on possibly different objects.</summary>
        private static bool SameCheck(Subject a, Subject b) => (a, b) switch
        {
            (ProducedSubject x, ProducedSubject y) => Microsoft.CodeAnalysis.SymbolEqualityComparer.Default.Equals(x.Method, y.Method),
            (MemberSubject x, MemberSubject y) => Microsoft.CodeAnalysis.SymbolEqualityComparer.Default.Equals(x.Member, y.Member),
            _ => false,
        };

        /// <summary>True: implied; false: a counterexample exists; null: undecided within <see cref="MaxNodes"/>.</summary>
        private static bool? IsImplied(FactSet predicate, GrantIndex index)
        {
            var variables = index.Variables;
            var candidates = new long[variables.Length][];
            var values = new List<long>();
            for (int position = 0; position < variables.Length; position++)
            {
                // The fault routes' points and the predicate's own bounds (with their neighbours) that it
                // allows, sorted, each once (the index's set is read, not copied per check).
                var allowed = predicate.Effective(variables[position], index.Domains[position]);
                var indexPoints = index.Points[position];
                values.Clear();
                foreach (var point in indexPoints)
                {
                    if (allowed.Contains(point))
                    {
                        values.Add(point);
                    }
                }

                foreach (var (lo, hi) in allowed.Intervals)
                {
                    AddOwn(lo, indexPoints, allowed, values);
                    AddOwn(hi, indexPoints, allowed, values);
                    if (lo > IntSet.Min)
                    {
                        AddOwn(lo - 1, indexPoints, allowed, values);
                    }

                    if (hi < IntSet.Max)
                    {
                        AddOwn(hi + 1, indexPoints, allowed, values);
                    }
                }

                if (values.Count == 0)
                {
                    return true; // the predicate route itself is infeasible
                }

                values.Sort();
                var distinct = 1;
                for (var i = 1; i < values.Count; i++)
                {
                    if (values[i] != values[distinct - 1])
                    {
                        values[distinct++] = values[i];
                    }
                }

                var array = new long[distinct];
                values.CopyTo(0, array, 0, distinct);
                candidates[position] = array;

                static void AddOwn(long point, HashSet<long> indexPoints, IntSet allowed, List<long> values)
                {
                    if (!indexPoints.Contains(point) && allowed.Contains(point))
                    {
                        values.Add(point);
                    }
                }
            }

            var faultRoutes = index.Routes;
            var lastPosition = index.LastPosition;

            var nodes = 0;
            var gaveUp = false;

            // The fault routes still satisfiable at each depth of the search: one buffer per depth, reused,
            // made when the search first gets there and only as large as the routes alive above it (they
            // thin out fast: a buffer of every route at every depth was most of a check's allocation).
            var buffers = new int[variables.Length + 1][];
            buffers[0] = new int[faultRoutes.Count];
            for (int i = 0; i < faultRoutes.Count; i++)
            {
                buffers[0][i] = i;
            }

            var counterexample = Search(0, faultRoutes.Count);
            return gaveUp ? null : !counterexample;

            bool Search(int position, int aliveCount)
            {
                if (aliveCount == 0)
                {
                    return true;
                }

                var alive = buffers[position];

                if (++nodes > MaxNodes)
                {
                    gaveUp = true;
                    return true; // stop searching: undecided
                }

                for (int k = 0; k < aliveCount; k++)
                {
                    if (lastPosition[alive[k]] < position)
                    {
                        return false; // this fault route is already fully satisfied
                    }
                }

                if (position == variables.Length)
                {
                    return false;
                }

                var next = buffers[position + 1];
                if (next is null || next.Length < aliveCount)
                {
                    next = buffers[position + 1] = new int[aliveCount];
                }

                foreach (var value in candidates[position])
                {
                    var count = 0;
                    for (int k = 0; k < aliveCount; k++)
                    {
                        var route = alive[k];
                        var set = index.Constraints[route][position];
                        if (set is null || set.Contains(value))
                        {
                            next[count++] = route;
                        }
                    }

                    if (Search(position + 1, count))
                    {
                        return true;
                    }
                }

                return false;
            }
        }
    }
}
