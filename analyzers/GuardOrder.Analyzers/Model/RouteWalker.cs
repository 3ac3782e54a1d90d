using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace GuardOrder.Analyzers.Model
{
    /// <summary>
    /// Enumerates the routes of a method's <see cref="ControlFlowGraph"/> (each block entered at most
    /// <see cref="Limits.LoopVisits"/> times per route) and records along each route the facts of the
    /// conditions it branches on, the locks it holds, the symbolic values of locals and flow captures,
    /// and the security reads that gate it. Calls to bool- or reference-returning source methods of the
    /// compilation are expanded into their own routes with their parameters bound to the arguments (up
    /// to <see cref="GuardOrderOptions.MaxHelperDepth"/> levels; recursion is cut); on a fault path, so
    /// is every helper that may reach a grant (<see cref="GrantCalls"/>), and a route that can no longer
    /// reach one ends (<see cref="GrantReach"/>).
    /// <para>
    /// Scale: the number of routes grows with the product of independent branches. The walk stops
    /// after <see cref="MaxRoutes"/> complete routes or <see cref="MaxSteps"/> block visits and then
    /// returns null with <see cref="HitLimit"/> set: the rules report GO0008 for that method, never
    /// silence. Exceptional routes are followed only for the lock rule (a throw is an exit after the
    /// enclosing finally regions).
    /// </para>
    /// </summary>
    internal sealed partial class RouteWalker
    {
        public const int MaxRoutes = Limits.MaxRoutes;
        public const int MaxSteps = Limits.MaxSteps;

        private readonly GuardOrderSymbols _symbols;
        private readonly MethodBodies _bodies;
        private readonly RouteMode _mode;
        private readonly int _maxHelperDepth;
        private readonly CancellationToken _cancellationToken;
        private readonly List<IMethodSymbol> _inlineStack = new List<IMethodSymbol>();
        private readonly List<LockIssue> _backEdgeIssues = new List<LockIssue>();

        // The per-operation tables of the walk in progress (rented per walk, WalkTables).
        private WalkTables? _tables;

        private Dictionary<IOperation, ValueKey?> _keys => _tables!.Keys;

        private Dictionary<IOperation, ImmutableArray<(long Value, IFieldSymbol Field)>> _namedConstants => _tables!.NamedConstants;
        private int _steps;

        /// <summary>
        /// The lines of the lock walk's current route (its own frame's blocks), kept by the depth-first
        /// walk itself: set when a block is entered, restored when the walk backs out of it. A route state
        /// copied per block to carry them was a fifth of the lock walk's allocation.
        /// </summary>
        private LineTrail _trail = LineTrail.Empty;
        private int _routes;
        private bool _aborted;

        private readonly IMethodSymbol? _trustedFaultPath;
        private readonly bool _pruneLockFreeTails;
        private readonly bool _routeLines;
        private readonly bool _mergeJoins;

        /// <param name="trustedFaultPath">In predicate mode: the fault path the predicate is checked against; calls to other predicates of it are trusted.</param>
        /// <param name="pruneLockFreeTails">
        /// In lock mode: a route ends (<see cref="RouteEnd.LockFree"/>) on entering a block where it holds no
        /// lock, has no try-lock result pending and can reach no lock call (<see cref="LockReach"/>). Its
        /// problems are all found before that point, so the walk finds the same problems, with the same
        /// first route of each; what it no longer knows is where such a route leaves the method, which the
        /// lock repair reads (GO0004 walks again without pruning for a method it reports).
        /// </param>
        /// <param name="routeLines">
        /// In lock mode: the lines each route passes are kept for the problems' messages ("on the route through
        /// lines …"). A walk that only decides whether a method has a problem (GO0004's first walk: a method with
        /// one is walked again) does not pay for them; its messages then name no lines.
        /// </param>
        /// <param name="mergeJoins">
        /// In lock mode without route lines, for an acyclic method: the blocks are walked in order, and the routes
        /// arriving at a block with the same state but for their facts go on as one, with only the facts both hold
        /// when no fact set is exactly both (<see cref="Merge"/>). The walk then follows
        /// a superset of the routes' futures (fewer facts rule out fewer branches) in far fewer steps: it
        /// misses no problem, and may find one on a route no execution takes. Only for a walk that decides
        /// whether a method has a problem, never for one whose routes are reported (GO0004 walks again,
        /// exactly, a method this walk finds a problem in).
        /// </param>
        public RouteWalker(GuardOrderSymbols symbols, MethodBodies bodies, RouteMode mode, int maxHelperDepth, CancellationToken cancellationToken, IMethodSymbol? trustedFaultPath = null, bool pruneLockFreeTails = false, bool routeLines = true, bool mergeJoins = false)
        {
            _mergeJoins = mergeJoins && mode == RouteMode.Locks && !routeLines;
            _pruneLockFreeTails = pruneLockFreeTails && mode == RouteMode.Locks;
            _routeLines = routeLines;
            _trustedFaultPath = trustedFaultPath?.OriginalDefinition;
            _symbols = symbols;
            _bodies = bodies;
            _mode = mode;
            _maxHelperDepth = mode == RouteMode.Locks ? 0 : maxHelperDepth;
            _cancellationToken = cancellationToken;
        }

        /// <summary>The walk stopped at <see cref="MaxRoutes"/> or <see cref="MaxSteps"/> (not cancelled): the rules report that (GO0008), never silence.</summary>
        public bool HitLimit { get; private set; }

        /// <summary>
        /// The walk met a call of a [MustMatchFaultPath] predicate (at any depth): the only call whose handling
        /// depends on the trusted fault path. A walk that met none is the same walk for any trusted fault path.
        /// </summary>
        public bool MetFaultPathPredicate { get; private set; }

        /// <summary>GO0004 problems found at back edges (they end no route, so they are not on a route's state).</summary>
        public IReadOnlyList<LockIssue> BackEdgeIssues => _backEdgeIssues;

        /// <summary>The routes of <paramref name="cfg"/>, or null when the walk gave up (too many routes, or cancelled).</summary>
        public ImmutableArray<Route>? Walk(ControlFlowGraph cfg, IMethodSymbol? method)
        {
            if (method is not null)
            {
                _inlineStack.Add(method);
            }

            _trail = LineTrail.Empty;
            var outer = _tables;
            _tables = outer ?? WalkTables.Rent();
            List<Route> routes;
            try
            {
                routes = Run(cfg, RouteState.Initial, depth: 0);
            }
            finally
            {
                if (outer is null)
                {
                    WalkTables.Return(_tables);
                    _tables = null;
                }
            }

            if (method is not null)
            {
                _inlineStack.RemoveAt(_inlineStack.Count - 1);
            }

            return _aborted ? null : routes.ToImmutableArray();
        }

        private List<Route> Run(ControlFlowGraph cfg, RouteState start, int depth)
        {
            var frame = new Frame(cfg, depth, tracksLocks: _mode == RouteMode.Locks && depth == 0);
            if (_mode == RouteMode.FaultPath && depth == 0)
            {
                // Only grant routes of a fault path are compared: a route that can no longer grant ends.
                frame.MayGrant = GrantReach.Compute(cfg, MayGrant);
            }

            if (_pruneLockFreeTails && depth == 0)
            {
                frame.MayLock = LockReach.Compute(cfg, _symbols);
            }

            if (_mergeJoins && depth == 0 && IsAcyclic(cfg))
            {
                // GO0004's deciding walk: arrivals merge, over-approximately, before any of them is walked on.
                frame.Pending = new object?[cfg.Blocks.Length];
                frame.CommonFacts = true;
            }

            if (_mode != RouteMode.Locks && Mergeable(cfg, frame.HasFinally))
            {
                frame.Pending = new object?[cfg.Blocks.Length];
            }

            if (cfg.Blocks.Length > 0)
            {
                Visit(frame, cfg.Blocks[0], start, ImmutableStack<FinallyContinuation>.Empty);
            }

            if (frame.Pending is { } pending)
            {
                // Blocks in ordinal order: in an acyclic graph every arrival at a block is made before it is walked on.
                for (var ordinal = 0; ordinal < pending.Length && !_aborted; ordinal++)
                {
                    var arrived = pending[ordinal];
                    pending[ordinal] = null;
                    frame.Current = ordinal;
                    if (arrived is RouteState one)
                    {
                        Enter(frame, cfg.Blocks[ordinal], one, ImmutableStack<FinallyContinuation>.Empty);
                    }
                    else if (arrived is List<RouteState> arrivals)
                    {
                        foreach (var arrival in arrivals)
                        {
                            Enter(frame, cfg.Blocks[ordinal], arrival, ImmutableStack<FinallyContinuation>.Empty);
                        }
                    }
                }
            }

            return frame.Results;
        }

        private sealed class Frame
        {
            /// <param name="tracksLocks">The lock walk's own frame: it checks back edges and writes route lines (a helper's frame, expanded once per call on every route, does neither).</param>
            public Frame(ControlFlowGraph cfg, int depth, bool tracksLocks)
            {
                Cfg = cfg;
                Depth = depth;
                HasFinally = HasFinallyRegion(cfg.Root);
                OnRoute = new int[cfg.Blocks.Length];
                EntryHeld = tracksLocks ? new ImmutableList<HeldLock>?[cfg.Blocks.Length] : null;
            }

            private Dictionary<SyntaxNode, int>? _lines;

            /// <summary>The 1-based line of a node, computed once per walk (line maps are costly to query per route).</summary>
            public int LineOf(SyntaxNode syntax)
            {
                _lines ??= new Dictionary<SyntaxNode, int>();
                if (!_lines.TryGetValue(syntax, out var line))
                {
                    // The tree's text lines (what GetLocation().GetLineSpan() reads, without a Location per node).
                    line = syntax.SyntaxTree.GetText().Lines.GetLineFromPosition(syntax.SpanStart).LineNumber + 1;
                    _lines[syntax] = line;
                }

                return line;
            }

            /// <summary>The locks held when the current route entered each block on it (the lock walk's own frame only).</summary>
            public ImmutableList<HeldLock>?[]? EntryHeld { get; }

            public ControlFlowGraph Cfg { get; }

            /// <summary>The graph has a finally region: only then can a branch run one on its way (whose list each branch computes on first read).</summary>
            public bool HasFinally { get; }

            public int Depth { get; }

            /// <summary>More than zero while the route walks a loop again (only the first back edge of a route is checked for locks).</summary>
            public int Unrolling { get; set; }

            /// <summary>How many times the current route has entered each block (loops are unrolled <see cref="Limits.LoopVisits"/> times).</summary>
            public int[] OnRoute { get; }

            public List<Route> Results { get; } = new List<Route>();

            /// <summary>FaultPath mode, top level: per block, whether a grant may still be reached from it (<see cref="GrantReach"/>).</summary>
            public bool[]? MayGrant { get; set; }

            /// <summary>A pruning lock walk, top level: per block, whether a lock call may still be reached from it (<see cref="LockReach"/>).</summary>
            public bool[]? MayLock { get; set; }

            /// <summary>
            /// A merging lock walk (<see cref="_mergeJoins"/>), top level: arrivals in <see cref="Pending"/> that do not
            /// merge exactly merge into one with the facts both hold (<see cref="Arrive"/>).
            /// </summary>
            public bool CommonFacts { get; set; }

            /// <summary>
            /// A merging frame: a fault-path or predicate frame of an acyclic graph that enters no finally region, or
            /// GO0004's deciding walk of an acyclic method (<see cref="CommonFacts"/>; the lock walks that report routes
            /// never merge). Per block, the states that arrived at it and are not walked on yet, merged
            /// (<see cref="Arrive"/>): null, the one state that arrived, or a list of them (most blocks get one).
            /// Blocks are walked in ordinal order.
            /// </summary>
            public object?[]? Pending { get; set; }

            /// <summary>With <see cref="Pending"/>: the block being walked (an arrival at a later block waits for its turn).</summary>
            public int Current { get; set; } = -1;
        }

        /// <summary>A call at the top of a fault path may grant: a [WriteGrant] member, or a helper the walk expands whose routes may.</summary>
        private bool MayGrant(IInvocationOperation invocation) =>
            GrantCalls.MayGrant(invocation.TargetMethod, _maxHelperDepth, _symbols, _bodies, _cancellationToken);

        /// <summary>Finally regions still to run before a branch reaches its destination.</summary>
        private sealed class FinallyContinuation
        {
            public FinallyContinuation(ImmutableArray<ControlFlowRegion> remaining, BasicBlock? destination)
            {
                Remaining = remaining;
                Destination = destination;
            }

            public ImmutableArray<ControlFlowRegion> Remaining { get; }

            public BasicBlock? Destination { get; }
        }

        private bool Budget()
        {
            if (_aborted)
            {
                return false;
            }

            if (++_steps > MaxSteps || _routes > MaxRoutes)
            {
                _aborted = true;
                HitLimit = true;
                return false;
            }

            if ((_steps & 0xFF) == 0 && _cancellationToken.IsCancellationRequested)
            {
                _aborted = true;
                return false;
            }

            return true;
        }

        private void Finish(Frame frame, RouteState state, RouteEnd end)
        {
            _routes++;
            if (frame.Depth == 0 && _mode == RouteMode.Locks && end == RouteEnd.Return)
            {
                state = CheckLocksAtExit(state);
            }

            frame.Results.Add(new Route(state, end, frame.Depth == 0 ? _trail : LineTrail.Empty));
        }

        /// <summary>
        /// Adds a state arriving at a block of a merging walk (<see cref="Frame.Pending"/>). Two arrivals
        /// with the same state but for facts become one when one state stands for exactly both
        /// (<see cref="RouteState.Disjoin"/>): the walk then follows one route where it followed two, and the routes'
        /// disjunction, which is all the rules decide on, is unchanged. The merged arrival is merged again with the
        /// others until none merges (among the latest <see cref="MergeCandidates"/>).
        /// </summary>
        private static void Arrive(object?[] pending, int ordinal, RouteState state, bool commonFacts)
        {
            List<RouteState> arrivals;
            switch (pending[ordinal])
            {
                case null:
                    pending[ordinal] = state; // the first: no list until a second arrives
                    return;
                case RouteState first:
                    if (Merge(first, state, commonFacts) is { } both)
                    {
                        pending[ordinal] = both;
                        return;
                    }

                    arrivals = new List<RouteState>(2) { first };
                    pending[ordinal] = arrivals;
                    break;
                default:
                    arrivals = (List<RouteState>)pending[ordinal]!;
                    break;
            }

            for (var i = Math.Max(0, arrivals.Count - MergeCandidates); i < arrivals.Count; i++)
            {
                var earlier = arrivals[i];
                if (Merge(earlier, state, commonFacts) is not { } merged)
                {
                    continue;
                }

                if (ReferenceEquals(merged, earlier))
                {
                    return; // the earlier arrival allows all this one does
                }

                arrivals.RemoveAt(i);
                state = merged;
                i = Math.Max(0, arrivals.Count - MergeCandidates) - 1; // again: the merged state may now merge with another
            }

            arrivals.Add(state);
        }

        /// <summary>
        /// One state for two arrivals with the same state but for facts: exactly both (<see cref="RouteState.Disjoin"/>),
        /// or, for GO0004's deciding walk (<paramref name="commonFacts"/>), the earlier with only the facts both hold.
        /// Fewer facts rule out fewer branches, so that walk follows every route's future and maybe more: it misses
        /// no lock problem and may find one on a route no execution takes (the exact walk then decides what is
        /// reported). A block is walked on once per state but for facts, after all its arrivals are in.
        /// </summary>
        private static RouteState? Merge(RouteState earlier, RouteState state, bool commonFacts)
        {
            if (!earlier.SameButFacts(state))
            {
                return null;
            }

            return RouteState.Disjoin(earlier, state) ?? (commonFacts ? earlier.WithCommonFacts(state) : null);
        }

        /// <summary>
        /// How many of a block's latest arrivals a new one is compared with. Routes that can merge arrive close
        /// together (the two sides of a branch, walked one after the other); comparing each arrival with all of a
        /// block's thousands of distinct ones made a walk that cannot merge quadratic before it reached its bound.
        /// Not merging is always exact, so the window only bounds the cost.
        /// </summary>
        private const int MergeCandidates = 16;

        /// <summary>
        /// Whether a fault-path or predicate frame of <paramref name="cfg"/> merges its arrivals (<see cref="Frame.Pending"/>:
        /// acyclic, no finally region entered). Decided per frame: one pass over the blocks, as the frame's own arrays
        /// are; a per-walk table of the answers cost more in its lookups (each graph's first identity hash) than it saved.
        /// </summary>
        private static bool Mergeable(ControlFlowGraph cfg, bool hasFinally) => IsAcyclic(cfg) && !(hasFinally && EntersFinally(cfg));

        /// <summary>
        /// Some branch of the graph runs a finally region on its way (its routes carry finally continuations). Asked only
        /// of a graph with a finally region (<see cref="HasFinallyRegion"/>): a branch's finally regions are computed on
        /// first read, which for every branch of every graph walked was a twentieth of the walks' time on the mixed corpus.
        /// </summary>
        private static bool EntersFinally(ControlFlowGraph cfg)
        {
            foreach (var block in cfg.Blocks)
            {
                if ((block.ConditionalSuccessor is { } conditional && !conditional.FinallyRegions.IsDefaultOrEmpty) ||
                    (block.FallThroughSuccessor is { } fallThrough && !fallThrough.FinallyRegions.IsDefaultOrEmpty))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>The region or one nested in it is a finally region.</summary>
        internal static bool HasFinallyRegion(ControlFlowRegion region)
        {
            if (region.Kind == ControlFlowRegionKind.Finally)
            {
                return true;
            }

            foreach (var nested in region.NestedRegions)
            {
                if (HasFinallyRegion(nested))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>No branch of the graph goes back to its own block or an earlier one (so no block is entered twice on a route).</summary>
        private static bool IsAcyclic(ControlFlowGraph cfg)
        {
            foreach (var block in cfg.Blocks)
            {
                if ((block.ConditionalSuccessor?.Destination is { } conditional && conditional.Ordinal <= block.Ordinal) ||
                    (block.FallThroughSuccessor?.Destination is { } fallThrough && fallThrough.Ordinal <= block.Ordinal))
                {
                    return false;
                }
            }

            return true;
        }

        private void Visit(Frame frame, BasicBlock block, RouteState state, ImmutableStack<FinallyContinuation> finallies)
        {
            if (!Budget())
            {
                return;
            }

            if (block.Kind == BasicBlockKind.Exit)
            {
                Finish(frame, state, RouteEnd.Return);
                return;
            }

            if (frame.MayGrant is { } mayGrant && !mayGrant[block.Ordinal])
            {
                return; // a fault-path route that can no longer grant is not compared with anything
            }

            if (frame.MayLock is { } mayLock && !mayLock[block.Ordinal] && state.Held.IsEmpty && state.PendingTries.IsEmpty)
            {
                // Nothing held, nothing pending, no lock call ahead: the rest of the route cannot add a lock
                // problem (a release ahead would be one, an acquisition could leak; neither is reachable).
                Finish(frame, state, RouteEnd.LockFree);
                return;
            }

            if (frame.Pending is { } pending && finallies.IsEmpty && block.Ordinal > frame.Current)
            {
                Arrive(pending, block.Ordinal, state, frame.CommonFacts);
                return;
            }

            Enter(frame, block, state, finallies);
        }

        /// <summary>Walks a block on a route: counts it on the route (loops are walked <see cref="Limits.LoopVisits"/> times), then its operations and branch.</summary>
        private void Enter(Frame frame, BasicBlock block, RouteState state, ImmutableStack<FinallyContinuation> finallies)
        {
            var visits = frame.OnRoute[block.Ordinal];
            if (visits > 0)
            {
                // A back edge (loop, continue, goto backwards). A lock taken since the route first entered
                // this block is still held when the next iteration starts (GO0004).
                if (frame.Unrolling == 0 && frame.EntryHeld is { } entryHeld)
                {
                    CheckLocksAtBackEdge(state, entryHeld[block.Ordinal]);
                }

                // The loop runs again (values it changed are unknown by now), so that the routes leaving it
                // after more than one iteration are walked too; past Limits.LoopVisits the route ends.
                if (visits >= Limits.LoopVisits)
                {
                    return;
                }
            }
            else if (frame.EntryHeld is { } entryHeld)
            {
                entryHeld[block.Ordinal] = state.Held;
            }

            frame.OnRoute[block.Ordinal] = visits + 1;
            if (visits > 0)
            {
                frame.Unrolling++;
            }

            try
            {
                VisitBody(frame, block, state, finallies);
            }
            finally
            {
                frame.OnRoute[block.Ordinal] = visits;
                if (visits > 0)
                {
                    frame.Unrolling--;
                }
            }
        }

        private void VisitBody(Frame frame, BasicBlock block, RouteState state, ImmutableStack<FinallyContinuation> finallies)
        {
            var trail = _trail;
            try
            {
                VisitBlock(frame, block, state, finallies);
            }
            finally
            {
                _trail = trail; // back out of the block: the route's lines before it
            }
        }

        /// <summary>Adds a line to the current route's lines (a block's first line repeats its predecessor's when both are on one line).</summary>
        private void AddLine(int line)
        {
            if (_trail.IsEmpty || _trail.Last != line)
            {
                _trail = _trail.Add(line);
            }
        }

        private void VisitBlock(Frame frame, BasicBlock block, RouteState state, ImmutableStack<FinallyContinuation> finallies)
        {
            // The lines a route passes are only written in GO0004's messages: other walks do not pay for them.
            var tracksLines = frame.Depth == 0 && _mode == RouteMode.Locks && _routeLines;
            if (tracksLines)
            {
                var first = block.Operations.Length > 0 ? block.Operations[0] : block.BranchValue;
                if (first?.Syntax is { } syntax)
                {
                    AddLine(frame.LineOf(syntax));
                }
            }

            var states = new Few<RouteState>(state);
            foreach (var operation in block.Operations)
            {
                var next = new Few<RouteState>();
                foreach (var current in states)
                {
                    foreach (var (after, _) in Evaluate(operation, current, frame.Depth))
                    {
                        if (_mode == RouteMode.FaultPath && after.Grant is not null && frame.Depth == 0)
                        {
                            Finish(frame, after, RouteEnd.Grant);
                            continue;
                        }

                        if ((operation is IExpressionStatementOperation { Operation: IInvocationOperation invocation } || (invocation = (operation as IInvocationOperation)!) is not null) &&
                            _symbols.IsTryAcquiresLock(invocation.TargetMethod) && frame.Depth == 0)
                        {
                            next.Add(TryIgnored(after, invocation));
                            continue;
                        }

                        next.Add(after);
                    }
                }

                states = next;
                if (states.Count == 0 || _aborted)
                {
                    return;
                }
            }

            if (tracksLines && block.BranchValue?.Syntax is { } branchSyntax)
            {
                AddLine(frame.LineOf(branchSyntax));
            }

            foreach (var current in states)
            {
                Branch(frame, block, current, finallies);
            }
        }

        /// <summary>
        /// A try-lock whose result is dropped. Its own method: the message's closure, in VisitBody, made
        /// the compiler allocate a closure object on every operation of every block.
        /// </summary>
        private RouteState TryIgnored(RouteState after, IInvocationOperation invocation)
        {
            var ignored = Issue(after, invocation, "try-ignored", () => Text(invocation) + " ignores whether the lock was taken: branch on its result before the code it guards");
            return ignored.WithPendingTries(ignored.PendingTries.Remove(invocation));
        }

        private void Branch(Frame frame, BasicBlock block, RouteState state, ImmutableStack<FinallyContinuation> finallies)
        {
            if (block.ConditionKind == ControlFlowConditionKind.None)
            {
                var branch = block.FallThroughSuccessor;
                if (block.BranchValue is { } value)
                {
                    foreach (var (after, sym) in Evaluate(value, state, frame.Depth))
                    {
                        if (_mode == RouteMode.FaultPath && after.Grant is not null && frame.Depth == 0)
                        {
                            Finish(frame, after, RouteEnd.Grant);
                            continue;
                        }

                        var next = after;
                        if (branch?.Semantics == ControlFlowBranchSemantics.Return)
                        {
                            next = next.WithReturn(sym, value);
                        }

                        Follow(frame, block, branch, next, finallies);
                    }
                }
                else
                {
                    Follow(frame, block, branch, state, finallies);
                }

                return;
            }

            var whenTrue = block.ConditionKind == ControlFlowConditionKind.WhenTrue;
            foreach (var (evaluated, sym) in Evaluate(block.BranchValue, state, frame.Depth))
            {
                var after = evaluated;
                if (_mode == RouteMode.FaultPath && after.Grant is not null && frame.Depth == 0)
                {
                    Finish(frame, after, RouteEnd.Grant);
                    continue;
                }

                // A condition the evaluator cannot read constrains nothing; on a fault path that is said (GO0007).
                if (_mode == RouteMode.FaultPath && sym is UnknownSym && block.BranchValue is not null)
                {
                    after = after.WithUnread(block.BranchValue);
                }

                // A branch on a [SecurityCheck] read: each side is recorded (GO0005 decides which side gates).
                var gated = sym.ReadsSecurity && block.BranchValue is not null;
                foreach (var taken in Alternatives(gated ? after.WithGate(new SecurityGate(block.BranchValue!, whenTrue, always: false)) : after, sym, whenTrue))
                {
                    Follow(frame, block, block.ConditionalSuccessor, taken, finallies);
                }

                foreach (var notTaken in Alternatives(gated ? after.WithGate(new SecurityGate(block.BranchValue!, !whenTrue, always: false)) : after, sym, !whenTrue))
                {
                    Follow(frame, block, block.FallThroughSuccessor, notTaken, finallies);
                }
            }
        }

        private void Follow(Frame frame, BasicBlock from, ControlFlowBranch? branch, RouteState state, ImmutableStack<FinallyContinuation> finallies)
        {
            if (branch is null)
            {
                return;
            }

            if (branch.Semantics == ControlFlowBranchSemantics.StructuredExceptionHandling)
            {
                // End of a finally region: continue with the next finally or the original destination.
                if (finallies.IsEmpty)
                {
                    return;
                }

                var continuation = finallies.Peek();
                var rest = finallies.Pop();
                Continue(frame, continuation.Remaining, continuation.Destination, state, rest);
                return;
            }

            if (branch.Semantics is ControlFlowBranchSemantics.Throw or ControlFlowBranchSemantics.Rethrow)
            {
                // An exception leaves the method (unless a catch in it takes it): for the lock rule it is
                // an exit like a return, after the enclosing finally regions. The other rules do not
                // follow exceptional routes (a throw never returns true nor grants).
                if (_mode == RouteMode.Locks && frame.Depth == 0 && !state.Held.IsEmpty)
                {
                    ExceptionalExit(frame, from, state, finallies);
                }

                return;
            }

            if (branch.Semantics is ControlFlowBranchSemantics.ProgramTermination or ControlFlowBranchSemantics.Error)
            {
                return;
            }

            Continue(frame, frame.HasFinally ? branch.FinallyRegions : ImmutableArray<ControlFlowRegion>.Empty, branch.Destination, state, finallies);
        }

        /// <summary>Runs the finally regions around <paramref name="from"/> and ends the route at the exit, unless a catch region of the method takes the exception.</summary>
        private void ExceptionalExit(Frame frame, BasicBlock from, RouteState state, ImmutableStack<FinallyContinuation> finallies)
        {
            var finallyRegions = ImmutableArray.CreateBuilder<ControlFlowRegion>();
            for (var region = from.EnclosingRegion; region is not null; region = region.EnclosingRegion)
            {
                if (region.Kind == ControlFlowRegionKind.Try && region.EnclosingRegion is { } parent)
                {
                    if (parent.Kind is ControlFlowRegionKind.TryAndCatch)
                    {
                        return; // caught in the method: the route continues in a catch (not enumerated)
                    }

                    if (parent.Kind == ControlFlowRegionKind.TryAndFinally && parent.NestedRegions.Length > 1)
                    {
                        finallyRegions.Add(parent.NestedRegions[1]);
                    }
                }
            }

            var exit = frame.Cfg.Blocks[frame.Cfg.Blocks.Length - 1];
            Continue(frame, finallyRegions.ToImmutable(), exit, state, finallies);
        }

        private void Continue(Frame frame, ImmutableArray<ControlFlowRegion> finallyRegions, BasicBlock? destination, RouteState state, ImmutableStack<FinallyContinuation> finallies)
        {
            if (!finallyRegions.IsDefaultOrEmpty)
            {
                var region = finallyRegions[0];
                var continuation = new FinallyContinuation(finallyRegions.RemoveAt(0), destination);
                Visit(frame, frame.Cfg.Blocks[region.FirstBlockOrdinal], state, finallies.Push(continuation));
                return;
            }

            if (destination is not null)
            {
                Visit(frame, destination, state, finallies);
            }
        }

    }
}
