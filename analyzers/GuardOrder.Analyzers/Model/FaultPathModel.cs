using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;

namespace GuardOrder.Analyzers.Model
{
    /// <summary>The grant routes of one fault path: where it calls a [WriteGrant] member, and what it knew there.</summary>
    internal sealed class FaultPathRoutes
    {
        private FaultPathRoutes(IMethodSymbol method, ImmutableArray<Route> grantRoutes, bool hitLimit)
        {
            Method = method;
            GrantRoutes = grantRoutes;
            HitLimit = hitLimit;
        }

        public IMethodSymbol Method { get; }

        public ImmutableArray<Route> GrantRoutes { get; }

        /// <summary>The walk of the fault path itself stopped at a bound (reported as GO0008 on its predicates).</summary>
        public bool HitLimit { get; }

        public static FaultPathRoutes? Compute(IMethodSymbol faultPath, GuardOrderSymbols symbols, MethodBodies bodies, int depth, CancellationToken cancellationToken)
        {
            var cfg = bodies.GetControlFlowGraph(faultPath, cancellationToken);
            if (cfg is null)
            {
                return null;
            }

            var walker = new RouteWalker(symbols, bodies, RouteMode.FaultPath, depth, cancellationToken);
            var routes = walker.Walk(cfg, faultPath);
            cancellationToken.ThrowIfCancellationRequested();
            if (routes is null)
            {
                return walker.HitLimit ? new FaultPathRoutes(faultPath, ImmutableArray<Route>.Empty, hitLimit: true) : null;
            }

            var grants = routes.Value.Where(r => r.End == RouteEnd.Grant).ToImmutableArray();
            return grants.IsEmpty ? null : new FaultPathRoutes(faultPath, grants, hitLimit: false);
        }

        /// <summary>
        /// The grant routes as a predicate with <paramref name="inputs"/> must establish them. A fact on
        /// state the predicate cannot name (the fault's own mode, e.g. its fault flags) is taken at its
        /// granting value and listed in <see cref="PredicateView.Assumed"/> (GO0007); a fact on a
        /// [FaultPathCheck] member it cannot name stays required (it can then never be established:
        /// reported, not assumed).
        /// </summary>
        public PredicateView ForPredicate(IReadOnlyCollection<ITypeSymbol> inputs) =>
            _views.GetOrAdd(new InputSet(inputs), key => new Lazy<PredicateView>(() => View(key.Types), LazyThreadSafetyMode.ExecutionAndPublication)).Value;

        /// <summary>
        /// Views already made, per set of input types (most predicates of a fault path take the same
        /// inputs). Lazy: GO0002 and GO0007 ask for the same view at the same time, and made it twice.
        /// </summary>
        private readonly ConcurrentDictionary<InputSet, Lazy<PredicateView>> _views = new ConcurrentDictionary<InputSet, Lazy<PredicateView>>();

        private PredicateView View(IReadOnlyCollection<ITypeSymbol> inputs)
        {
            var sets = ImmutableArray.CreateBuilder<FactSet>(GrantRoutes.Length);
            var assumed = new List<Fact>();
            var gaps = new List<Fact>();
            var unread = new HashSet<IOperation>(OperationIdentity.Instance);
            var unreadInOrder = new List<IOperation>();
            var observable = new Dictionary<Subject, bool>(); // one answer per subject: the routes share their subjects
            foreach (var route in GrantRoutes)
            {
                var facts = route.State.Facts;
                ImmutableArray<Fact>.Builder? kept = null; // made when the first fact is dropped: most routes keep all
                var index = 0;
                foreach (var fact in facts)
                {
                    if (fact.Kind != FactKind.Lock && fact.Annotated is null && !Observable(fact.Var.Subject))
                    {
                        if (!ContainsAssumed(assumed, fact))
                        {
                            assumed.Add(fact);
                        }

                        if (kept is null)
                        {
                            kept = ImmutableArray.CreateBuilder<Fact>(facts.Length);
                            for (var i = 0; i < index; i++)
                            {
                                kept.Add(facts[i]);
                            }
                        }

                        index++;
                        continue;
                    }

                    if (fact.Kind != FactKind.Lock && fact.Annotated is null && !ContainsSameValue(gaps, fact))
                    {
                        gaps.Add(fact);
                    }

                    kept?.Add(fact);
                    index++;
                }

                sets.Add(FactSet.From(kept is null ? facts : kept.ToImmutable()));
                foreach (var condition in route.State.Unread)
                {
                    if (unread.Add(condition))
                    {
                        unreadInOrder.Add(condition);
                    }
                }
            }

            // The texts of the distinct conditions (one condition is unread on many routes), then distinct texts.
            var texts = unreadInOrder.Select(o => RouteWalker.Text(o)).Distinct().ToImmutableArray();
            return new PredicateView(this, sets.ToImmutable(), assumed.ToImmutableArray(), gaps.ToImmutableArray(), texts);

            bool Observable(Subject subject)
            {
                if (!observable.TryGetValue(subject, out var answer))
                {
                    answer = subject.IsObservableFrom(inputs);
                    observable[subject] = answer;
                }

                return answer;
            }
        }

        // Loops, not Any with a lambda: asked per fact of every grant route (a closure each time).
        private static bool ContainsAssumed(List<Fact> assumed, Fact fact)
        {
            foreach (var a in assumed)
            {
                if (a.Var.Equals(fact.Var) && a.Allowed.Equals(fact.Allowed))
                {
                    return true;
                }
            }

            return false;
        }

        private static bool ContainsSameValue(List<Fact> gaps, Fact fact)
        {
            foreach (var g in gaps)
            {
                if (g.Var.SameValueAs(fact.Var))
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>A set of input types, compared as a set of symbols.</summary>
    internal sealed class InputSet : IEquatable<InputSet>
    {
        public InputSet(IReadOnlyCollection<ITypeSymbol> types)
        {
            Types = types;
            foreach (var type in types)
            {
                Hash ^= Subject.TypeHash(type);
            }
        }

        public IReadOnlyCollection<ITypeSymbol> Types { get; }

        private int Hash { get; }

        public bool Equals(InputSet? other) =>
            other is not null && other.Hash == Hash && other.Types.Count == Types.Count &&
            Types.All(t => other.Types.Any(o => Subject.SameType(t, o))) &&
            other.Types.All(o => Types.Any(t => Subject.SameType(t, o)));

        public override bool Equals(object? obj) => Equals(obj as InputSet);

        public override int GetHashCode() => Hash;
    }

    /// <summary>A fault path's grant routes as one predicate sees them.</summary>
    internal sealed class PredicateView
    {
        private GrantIndex? _index;

        /// <summary>The grant routes indexed for the implication search (built once, shared by the predicates with these inputs).</summary>
        public GrantIndex Index => _index ??= new GrantIndex(FactSets);

        public PredicateView(FaultPathRoutes routes, ImmutableArray<FactSet> factSets, ImmutableArray<Fact> assumed, ImmutableArray<Fact> gaps, ImmutableArray<string> unread)
        {
            Unread = unread;
            Routes = routes;
            FactSets = factSets;
            Assumed = assumed;
            Gaps = gaps;
        }

        public FaultPathRoutes Routes { get; }

        /// <summary>One per grant route (same order as <see cref="FaultPathRoutes.GrantRoutes"/>).</summary>
        public ImmutableArray<FactSet> FactSets { get; }

        /// <summary>Conditions on state the predicate cannot name, taken at their granting value.</summary>
        public ImmutableArray<Fact> Assumed { get; }

        /// <summary>Conditions on the grant routes the evaluator could not read (both sides followed).</summary>
        public ImmutableArray<string> Unread { get; }

        /// <summary>Required conditions on members and calls that carry no GuardOrder annotation.</summary>
        public ImmutableArray<Fact> Gaps { get; }
    }

    /// <summary>
    /// Fault-path routes, computed once per compilation and helper depth. One caller computes while
    /// the others wait for its result (GO0002 and GO0007 ask for the same fault path at the same time;
    /// computing it twice was a third of their cost). The computation runs with the computing caller's
    /// own cancellation token and a cancelled one is never kept: the next waiter computes instead. A
    /// waiter honours its own token while it waits.
    /// </summary>
    internal sealed class FaultPathCache
    {
        private readonly ConcurrentDictionary<(IMethodSymbol Method, int Depth), Entry> _routes =
            new ConcurrentDictionary<(IMethodSymbol, int), Entry>(new KeyComparer());

        private readonly GuardOrderSymbols _symbols;
        private readonly MethodBodies _bodies;

        public FaultPathCache(GuardOrderSymbols symbols, MethodBodies bodies)
        {
            _symbols = symbols;
            _bodies = bodies;
        }

        public FaultPathRoutes? Get(IMethodSymbol faultPath, int depth, CancellationToken cancellationToken)
        {
            var key = (faultPath.OriginalDefinition, depth);
            var entry = _routes.GetOrAdd(key, _ => new Entry());
            if (entry.Done)
            {
                return entry.Value;
            }

            // Wait for the caller computing it, checking this caller's token now and then.
            while (!Monitor.TryEnter(entry, 20))
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            try
            {
                if (!entry.Done)
                {
                    entry.Value = FaultPathRoutes.Compute(key.OriginalDefinition, _symbols, _bodies, depth, cancellationToken);
                    entry.Done = true;
                }

                return entry.Value;
            }
            finally
            {
                Monitor.Exit(entry);
            }
        }

        /// <summary>One fault path's routes once computed; its monitor is held while they are computed.</summary>
        private sealed class Entry
        {
            private volatile bool _done;

            public bool Done
            {
                get => _done;
                set => _done = value;
            }

            public FaultPathRoutes? Value { get; set; }
        }

        private sealed class KeyComparer : IEqualityComparer<(IMethodSymbol Method, int Depth)>
        {
            public bool Equals((IMethodSymbol Method, int Depth) x, (IMethodSymbol Method, int Depth) y) =>
                x.Depth == y.Depth && SymbolEqualityComparer.Default.Equals(x.Method, y.Method);

            public int GetHashCode((IMethodSymbol Method, int Depth) obj) =>
                unchecked((SymbolEqualityComparer.Default.GetHashCode(obj.Method) * 31) + obj.Depth);
        }
    }

    /// <summary>
    /// Declared assumptions: bool methods marked [FaultPathAssumption] next to the fault path or the
    /// predicate. Their true routes are alternatives conjoined with each predicate route before the
    /// implication is decided ("a VM_SHARED mapping holds no PageAnon page").
    /// </summary>
    internal static class FaultPathAssumptions
    {
        /// <summary>The assumption methods that apply, or empty.</summary>
        public static ImmutableArray<IMethodSymbol> Find(IMethodSymbol predicate, IMethodSymbol faultPath, GuardOrderSymbols symbols)
        {
            if (symbols.FaultPathAssumption is null)
            {
                return ImmutableArray<IMethodSymbol>.Empty;
            }

            var found = ImmutableArray.CreateBuilder<IMethodSymbol>();
            foreach (var type in new[] { faultPath.ContainingType, predicate.ContainingType }.Distinct<INamedTypeSymbol?>(SymbolEqualityComparer.Default))
            {
                if (type is null)
                {
                    continue;
                }

                foreach (var member in type.GetMembers())
                {
                    if (member is IMethodSymbol { ReturnType.SpecialType: SpecialType.System_Boolean } method && GuardOrderSymbols.HasAttribute(method, symbols.FaultPathAssumption))
                    {
                        found.Add(method);
                    }
                }
            }

            return found.ToImmutable();
        }

        /// <summary>
        /// The alternatives the assumptions allow: one fact set per combination of their true routes
        /// (an empty set when there are none); null when a walk or the combination exceeds its bound.
        /// </summary>
        public static ImmutableArray<FactSet>? Alternatives(ImmutableArray<IMethodSymbol> methods, GuardOrderSymbols symbols, MethodBodies bodies, int depth, CancellationToken cancellationToken)
        {
            var alternatives = new List<ImmutableArray<Fact>> { ImmutableArray<Fact>.Empty };
            foreach (var method in methods)
            {
                var cfg = bodies.GetControlFlowGraph(method, cancellationToken);
                if (cfg is null)
                {
                    continue;
                }

                var routes = new RouteWalker(symbols, bodies, RouteMode.Predicate, depth, cancellationToken).Walk(cfg, method);
                if (routes is null)
                {
                    return null;
                }

                var trueRoutes = routes.Value
                    .Where(r => r.End == RouteEnd.Return)
                    .SelectMany(r => RouteWalker.Assume(r.State, r.State.ReturnValue ?? UnknownSym.Plain, outcome: true))
                    .Select(s => s.Facts)
                    .ToList();
                var next = new List<ImmutableArray<Fact>>();
                foreach (var soFar in alternatives)
                {
                    foreach (var facts in trueRoutes)
                    {
                        next.Add(soFar.AddRange(facts));
                        if (next.Count > Limits.MaxAssumptionCombinations)
                        {
                            return null;
                        }
                    }
                }

                alternatives = next;
            }

            return alternatives.Select(FactSet.From).ToImmutableArray();
        }
    }
}

namespace GuardOrder.Analyzers.Model
{
    /// <summary>
    /// What the GuardOrder analyzers of one compilation share: method bodies and CFGs, the fault
    /// paths' grant routes and the predicates' walks, so that a fault path or a predicate is walked and a
    /// helper bound once per compilation, not once per analyzer. Keyed weakly by the compilation (it dies with it); nothing outlives it.
    /// </summary>
    internal sealed class SharedModel
    {
        private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Compilation, SharedModel> Models =
            new System.Runtime.CompilerServices.ConditionalWeakTable<Compilation, SharedModel>();

        private SharedModel(GuardOrderSymbols symbols, Compilation compilation)
        {
            Bodies = new MethodBodies(compilation);
            FaultPaths = new FaultPathCache(symbols, Bodies);
        }

        public MethodBodies Bodies { get; }

        public FaultPathCache FaultPaths { get; }

        /// <summary>A predicate's walk, made once for GO0002 and GO0005.</summary>
        public PredicateWalks PredicateWalks { get; } = new PredicateWalks();

        public static SharedModel For(Compilation compilation, GuardOrderSymbols symbols) =>
            Models.GetValue(compilation, c => new SharedModel(symbols, c));
    }
}
