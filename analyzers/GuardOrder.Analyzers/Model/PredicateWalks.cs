using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace GuardOrder.Analyzers.Model
{
    /// <summary>
    /// A predicate's walk, made once for GO0002 and GO0005. Both walk every [MustMatchFaultPath] predicate
    /// in predicate mode at the same helper depth; GO0002 trusts the calls of other predicates of its fault
    /// path, GO0005 trusts none, and a walk that meets no call of a predicate at all
    /// (<see cref="RouteWalker.MetFaultPathPredicate"/>) is the same walk either way. The first rule to walk
    /// a body leaves its walk here; the second takes it (and it is gone). Kept per predicate and taken only
    /// for the very body it was made of (the operations the routes refer to): a walk left by a rule whose
    /// partner is disabled stays until the compilation goes, one per predicate at most (a later walk of the
    /// predicate replaces it). Keyed by symbol, not weakly by body: the weak table's lock was a third of this
    /// class's time. A cancelled walk is not left. Two rules walking one body at the same moment both walk
    /// (a lost saving, never a wrong walk).
    /// </summary>
    internal sealed class PredicateWalks
    {
        private readonly ConcurrentDictionary<IMethodSymbol, Slot> _left =
            new ConcurrentDictionary<IMethodSymbol, Slot>(SymbolEqualityComparer.Default);

        /// <summary>The routes of <paramref name="body"/>'s walk (null past a bound: <see cref="Walked.HitLimit"/>, or cancelled).</summary>
        public Walked Walk(IMethodBodyOperation body, ControlFlowGraph cfg, IMethodSymbol method, GuardOrderSymbols symbols, MethodBodies bodies, int depth, IMethodSymbol? trustedFaultPath, CancellationToken cancellationToken)
        {
            var trusted = trustedFaultPath?.OriginalDefinition;
            var key = method.OriginalDefinition;
            if (!_left.TryGetValue(key, out var slot))
            {
                slot = _left.GetOrAdd(key, new Slot());
            }

            lock (slot)
            {
                if (slot.Left is { } left && slot.Body == body && left.Depth == depth &&
                    (!left.MetFaultPathPredicate || SymbolEqualityComparer.Default.Equals(left.Trusted, trusted)))
                {
                    slot.Left = null;
                    slot.Body = null;
                    return left;
                }
            }

            var walker = new RouteWalker(symbols, bodies, RouteMode.Predicate, depth, cancellationToken, trustedFaultPath: trusted);
            var routes = walker.Walk(cfg, method);
            var walked = new Walked(routes, walker.HitLimit, walker.MetFaultPathPredicate, trusted, depth);
            if (routes is not null || walker.HitLimit)
            {
                lock (slot)
                {
                    slot.Left = walked;
                    slot.Body = body;
                }
            }

            return walked;
        }

        /// <summary>The walk left for the other rule, if any (its monitor guards the take).</summary>
        private sealed class Slot
        {
            public Walked? Left { get; set; }

            /// <summary>The body <see cref="Left"/> was made of.</summary>
            public IMethodBodyOperation? Body { get; set; }
        }

        /// <summary>A finished walk and what it was made with.</summary>
        internal sealed class Walked
        {
            public Walked(ImmutableArray<Route>? routes, bool hitLimit, bool metFaultPathPredicate, IMethodSymbol? trusted, int depth)
            {
                Routes = routes;
                HitLimit = hitLimit;
                MetFaultPathPredicate = metFaultPathPredicate;
                Trusted = trusted;
                Depth = depth;
            }

            /// <summary>The routes, or null when the walk stopped at a bound (<see cref="HitLimit"/>) or was cancelled.</summary>
            public ImmutableArray<Route>? Routes { get; }

            public bool HitLimit { get; }

            public bool MetFaultPathPredicate { get; }

            public IMethodSymbol? Trusted { get; }

            public int Depth { get; }
        }
    }
}
