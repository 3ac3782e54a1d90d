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
    /// Enumerates the acyclic routes of a method's <see cref="ControlFlowGraph"/> (back edges and
    /// revisits are cut, so a loop body is walked at most once per route) and records along each
    /// route the facts of the [FaultPathCheck] members it branches on, the locks it holds, the
    /// symbolic values of locals and flow captures, and whether it passed a [SecurityCheck] read.
    /// Calls to bool- or reference-returning source methods of the compilation are expanded into
    /// their own routes with their parameters bound to the arguments (up to
    /// <see cref="GuardOrderOptions.MaxHelperDepth"/> levels; recursion is cut).
    /// <para>
    /// Scale: the number of routes grows with the product of independent branches. The walk stops
    /// after <see cref="MaxRoutes"/> complete routes or <see cref="MaxSteps"/> block visits and then
    /// returns null: the rules report NOTHING for that method rather than guess. Exceptional routes
    /// (throw, catch) are not enumerated.
    /// </para>
    /// </summary>
    internal sealed partial class RouteWalker
    {
        public const int MaxRoutes = 4096;
        public const int MaxSteps = 200_000;

        private readonly GuardOrderSymbols _symbols;
        private readonly MethodBodies _bodies;
        private readonly RouteMode _mode;
        private readonly int _maxHelperDepth;
        private readonly CancellationToken _cancellationToken;
        private readonly List<IMethodSymbol> _inlineStack = new List<IMethodSymbol>();
        private readonly Dictionary<ISymbol, string> _displayKeys = new Dictionary<ISymbol, string>(SymbolEqualityComparer.Default);
        private int _steps;
        private int _routes;
        private bool _aborted;

        public RouteWalker(GuardOrderSymbols symbols, MethodBodies bodies, RouteMode mode, int maxHelperDepth, CancellationToken cancellationToken)
        {
            _symbols = symbols;
            _bodies = bodies;
            _mode = mode;
            _maxHelperDepth = mode == RouteMode.Locks ? 0 : maxHelperDepth;
            _cancellationToken = cancellationToken;
        }

        /// <summary>The routes of <paramref name="cfg"/>, or null when the walk gave up (too many routes).</summary>
        public ImmutableArray<Route>? Walk(ControlFlowGraph cfg, IMethodSymbol? method)
        {
            if (method is not null)
            {
                _inlineStack.Add(method);
            }

            var routes = Run(cfg, RouteState.Initial, depth: 0);
            if (method is not null)
            {
                _inlineStack.RemoveAt(_inlineStack.Count - 1);
            }

            return _aborted ? null : routes.ToImmutableArray();
        }

        private List<Route> Run(ControlFlowGraph cfg, RouteState start, int depth)
        {
            var frame = new Frame(cfg, depth);
            if (cfg.Blocks.Length > 0)
            {
                Visit(frame, cfg.Blocks[0], start, ImmutableStack<FinallyContinuation>.Empty);
            }

            return frame.Results;
        }

        private sealed class Frame
        {
            public Frame(ControlFlowGraph cfg, int depth)
            {
                Cfg = cfg;
                Depth = depth;
                OnRoute = new bool[cfg.Blocks.Length];
            }

            public ControlFlowGraph Cfg { get; }

            public int Depth { get; }

            public bool[] OnRoute { get; }

            public List<Route> Results { get; } = new List<Route>();
        }

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

            frame.Results.Add(new Route(state, end));
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

            if (frame.OnRoute[block.Ordinal])
            {
                return;
            }

            frame.OnRoute[block.Ordinal] = true;
            try
            {
                VisitBody(frame, block, state, finallies);
            }
            finally
            {
                frame.OnRoute[block.Ordinal] = false;
            }
        }

        private void VisitBody(Frame frame, BasicBlock block, RouteState state, ImmutableStack<FinallyContinuation> finallies)
        {
            if (frame.Depth == 0)
            {
                var first = block.Operations.Length > 0 ? block.Operations[0] : block.BranchValue;
                if (first?.Syntax is { } syntax)
                {
                    state = state.WithLine(syntax.GetLocation().GetLineSpan().StartLinePosition.Line + 1);
                }
            }

            var states = new List<RouteState> { state };
            foreach (var operation in block.Operations)
            {
                var next = new List<RouteState>();
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
                            var ignored = Issue(after, invocation, "try-ignored", Text(invocation) + " ignores whether the lock was taken: branch on its result before the code it guards");
                            next.Add(ignored.WithPendingTries(ignored.PendingTries.Remove(invocation)));
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

            var branchLine = frame.Depth == 0 && block.BranchValue?.Syntax is { } branchSyntax
                ? branchSyntax.GetLocation().GetLineSpan().StartLinePosition.Line + 1
                : 0;
            foreach (var current in states)
            {
                Branch(frame, block, branchLine > 0 ? current.WithLine(branchLine) : current, finallies);
            }
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

                        Follow(frame, branch, next, finallies);
                    }
                }
                else
                {
                    Follow(frame, branch, state, finallies);
                }

                return;
            }

            var whenTrue = block.ConditionKind == ControlFlowConditionKind.WhenTrue;
            foreach (var (after, sym) in Evaluate(block.BranchValue, state, frame.Depth))
            {
                if (_mode == RouteMode.FaultPath && after.Grant is not null && frame.Depth == 0)
                {
                    Finish(frame, after, RouteEnd.Grant);
                    continue;
                }

                var decided = sym.ReadsSecurity ? after.WithSecurityPassed() : after;
                if (Assume(decided, sym, whenTrue) is { } taken)
                {
                    Follow(frame, block.ConditionalSuccessor, taken, finallies);
                }

                if (Assume(decided, sym, !whenTrue) is { } notTaken)
                {
                    Follow(frame, block.FallThroughSuccessor, notTaken, finallies);
                }
            }
        }

        private void Follow(Frame frame, ControlFlowBranch? branch, RouteState state, ImmutableStack<FinallyContinuation> finallies)
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

            if (branch.Semantics is ControlFlowBranchSemantics.Throw or ControlFlowBranchSemantics.Rethrow
                or ControlFlowBranchSemantics.ProgramTermination or ControlFlowBranchSemantics.Error)
            {
                // Exceptional and erroneous routes are not enumerated.
                return;
            }

            Continue(frame, branch.FinallyRegions, branch.Destination, state, finallies);
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
