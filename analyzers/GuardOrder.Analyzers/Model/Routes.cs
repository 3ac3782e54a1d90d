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
    /// <summary>How a route leaves the method.</summary>
    internal enum RouteEnd
    {
        /// <summary>A return (with or without value) or falling off the end.</summary>
        Return,

        /// <summary>The route reached a [WriteGrant] call (fault-path mode stops there).</summary>
        Grant,
    }

    /// <summary>One complete acyclic route through a method, with what was known at its end.</summary>
    internal sealed class Route
    {
        public Route(RouteState state, RouteEnd end)
        {
            State = state;
            End = end;
        }

        public RouteState State { get; }

        public RouteEnd End { get; }
    }

    /// <summary>What the walk is for: it decides where routes stop and which lock problems are recorded.</summary>
    internal enum RouteMode
    {
        /// <summary>Predicate (GO0002/GO0003/GO0005): routes run to their return; helpers are expanded.</summary>
        Predicate,

        /// <summary>Fault path (GO0002): a route stops at the first [WriteGrant] call; helpers are expanded.</summary>
        FaultPath,

        /// <summary>Lock discipline (GO0004): no helper expansion, lock problems are recorded.</summary>
        Locks,
    }

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
    internal sealed class RouteWalker
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

        // ----- values -----------------------------------------------------------------------

        private static readonly List<(RouteState, Sym)> NoAlternatives = new List<(RouteState, Sym)>();

        private static List<(RouteState, Sym)> One(RouteState state, Sym value) => new List<(RouteState, Sym)>(1) { (state, value) };

        private List<(RouteState State, Sym Value)> Evaluate(IOperation? operation, RouteState state, int depth)
        {
            if (operation is null || _aborted)
            {
                return operation is null ? One(state, UnknownSym.Plain) : NoAlternatives;
            }

            if (operation.ConstantValue.HasValue)
            {
                return One(state, Constant(operation));
            }

            switch (operation)
            {
                case IConversionOperation conversion:
                    return Evaluate(conversion.Operand, state, depth);
                case IParenthesizedOperation parenthesized:
                    return Evaluate(parenthesized.Operand, state, depth);
                case IFlowCaptureReferenceOperation reference:
                    return One(state, state.Captures.TryGetValue(reference.Id, out var captured) ? captured : UnknownSym.Plain);
                case IFlowCaptureOperation capture:
                    return Map(Evaluate(capture.Value, state, depth), (s, v) => (s.WithCapture(capture.Id, v), v));
                case ILocalReferenceOperation or IParameterReferenceOperation:
                    return One(state, ValueOf(operation, state));
                case IFieldReferenceOperation field:
                    if (_symbols.IsSecurityCheck(field.Field))
                    {
                        return One(state, UnknownSym.Security);
                    }

                    return One(state, ValueOf(operation, state));
                case IPropertyReferenceOperation property when property.Arguments.IsEmpty:
                    return EvaluateProperty(property, state, depth);
                case IInvocationOperation invocation:
                    return EvaluateInvocation(invocation, state, depth);
                case IUnaryOperation unary:
                    return Map(Evaluate(unary.Operand, state, depth), (s, v) => (s, unary.OperatorKind == UnaryOperatorKind.Not ? Negate(v) : UnknownSym.Of(v.ReadsSecurity)));
                case IBinaryOperation binary:
                    return EvaluateBinary(binary, state, depth);
                case IIsPatternOperation pattern:
                    return Map(Evaluate(pattern.Value, state, depth), (s, v) => (s, MatchPattern(v, pattern.Pattern)));
                case ISimpleAssignmentOperation assignment:
                    return EvaluateAssignment(assignment, state, depth);
                case ICompoundAssignmentOperation or IIncrementOrDecrementOperation:
                    return EvaluateChildren(operation, state, depth, (s, security) =>
                    {
                        var target = operation is ICompoundAssignmentOperation compound ? compound.Target : ((IIncrementOrDecrementOperation)operation).Target;
                        var key = KeyOf(target);
                        var value = UnknownSym.Of(security);
                        return (key is null ? s : s.WithValue(key, value), value);
                    });
                default:
                    return EvaluateChildren(operation, state, depth, (s, security) => (s, UnknownSym.Of(security || ReadsSecurityHere(operation))));
            }
        }

        private static List<(RouteState State, Sym Value)> Map(List<(RouteState State, Sym Value)> alternatives, Func<RouteState, Sym, (RouteState, Sym)> map)
        {
            var result = new List<(RouteState, Sym)>(alternatives.Count);
            foreach (var (s, v) in alternatives)
            {
                result.Add(map(s, v));
            }

            return result;
        }

        /// <summary>Evaluates the children in order for their effects (calls, assignments) and combines their security flags.</summary>
        private List<(RouteState State, Sym Value)> EvaluateChildren(IOperation operation, RouteState state, int depth, Func<RouteState, bool, (RouteState, Sym)> finish)
        {
            var current = new List<(RouteState State, bool Security)> { (state, false) };
            foreach (var child in operation.ChildOperations)
            {
                if (child is null)
                {
                    continue;
                }

                var next = new List<(RouteState, bool)>();
                foreach (var (s, security) in current)
                {
                    foreach (var (after, value) in Evaluate(child, s, depth))
                    {
                        next.Add((after, security || value.ReadsSecurity));
                    }
                }

                current = next;
            }

            var result = new List<(RouteState, Sym)>(current.Count);
            foreach (var (s, security) in current)
            {
                result.Add(finish(s, security));
            }

            return result;
        }

        private bool ReadsSecurityHere(IOperation operation) => operation switch
        {
            IFieldReferenceOperation field => _symbols.IsSecurityCheck(field.Field),
            IPropertyReferenceOperation property => _symbols.IsSecurityCheck(property.Property),
            IInvocationOperation invocation => _symbols.IsSecurityCheck(invocation.TargetMethod),
            IMemberReferenceOperation member => _symbols.IsSecurityCheck(member.Member),
            _ => false,
        };

        private Sym Constant(IOperation operation)
        {
            var security = ReadsSecurityHere(operation) || (operation is IConversionOperation conversion && ReadsSecurityHere(conversion.Operand));
            var value = operation.ConstantValue.Value;
            switch (value)
            {
                case null:
                    return new ConstSym(0, FactKind.Reference, security);
                case bool b:
                    return new ConstSym(b ? 1 : 0, FactKind.Bool, security);
                case ulong u:
                    return new ConstSym(u > (ulong)IntSet.Max ? IntSet.Max : (long)u, FactKind.Integer, security);
                case sbyte or byte or short or ushort or int or uint or long or char:
                    var l = Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
                    return new ConstSym(Math.Max(IntSet.Min, Math.Min(IntSet.Max, l)), FactKind.Integer, security);
                default:
                    return UnknownSym.Of(security);
            }
        }

        private Sym ValueOf(IOperation reference, RouteState state)
        {
            var key = KeyOf(reference);
            return key is not null && state.Values.TryGetValue(key, out var value) ? value : UnknownSym.Of(ReadsSecurityHere(reference));
        }

        private List<(RouteState State, Sym Value)> EvaluateProperty(IPropertyReferenceOperation property, RouteState state, int depth)
        {
            if (_symbols.IsFaultPathCheck(property.Property))
            {
                var check = new CheckSym(GuardOrderSymbols.Original(property.Property)!, KindOf(property.Type), Text(property), FirstHeld(state), property, _symbols.IsSecurityCheck(property.Property));
                return One(state, check);
            }

            var key = KeyOf(property);
            if (key is not null && state.Values.TryGetValue(key, out var known))
            {
                return One(state, known);
            }

            return One(state, UnknownSym.Of(_symbols.IsSecurityCheck(property.Property)));
        }

        private List<(RouteState State, Sym Value)> EvaluateAssignment(ISimpleAssignmentOperation assignment, RouteState state, int depth)
        {
            var result = new List<(RouteState, Sym)>();
            foreach (var (s, v) in Evaluate(assignment.Value, state, depth))
            {
                var after = s;
                if (assignment.Target is IDiscardOperation && v is TrySym && depth == 0)
                {
                    after = Issue(after, assignment.Value, "try-ignored", Text(assignment.Value) + " ignores whether the lock was taken: branch on its result before the code it guards");
                    after = after.WithPendingTries(ImmutableList<IOperation>.Empty);
                }

                var key = KeyOf(assignment.Target);
                if (key is not null)
                {
                    after = after.WithValue(key, v);
                }

                result.Add((after, v));
            }

            return result;
        }

        private List<(RouteState State, Sym Value)> EvaluateBinary(IBinaryOperation binary, RouteState state, int depth)
        {
            var result = new List<(RouteState, Sym)>();
            foreach (var (s1, left) in Evaluate(binary.LeftOperand, state, depth))
            {
                foreach (var (s2, right) in Evaluate(binary.RightOperand, s1, depth))
                {
                    result.Add((s2, Combine(binary.OperatorKind, left, right)));
                }
            }

            return result;
        }

        private static Sym Combine(BinaryOperatorKind kind, Sym left, Sym right)
        {
            var security = left.ReadsSecurity || right.ReadsSecurity;
            if (!IsComparison(kind))
            {
                if (left is ConstSym { Kind: FactKind.Bool } l && right is ConstSym { Kind: FactKind.Bool } r)
                {
                    switch (kind)
                    {
                        case BinaryOperatorKind.And:
                        case BinaryOperatorKind.ConditionalAnd:
                            return new ConstSym(l.Value & r.Value, FactKind.Bool, security);
                        case BinaryOperatorKind.Or:
                        case BinaryOperatorKind.ConditionalOr:
                            return new ConstSym(l.Value | r.Value, FactKind.Bool, security);
                    }
                }

                return UnknownSym.Of(security);
            }

            if (left is ConstSym && right is not ConstSym)
            {
                (left, right) = (right, left);
                kind = Flip(kind);
            }

            if (right is ConstSym constant)
            {
                switch (left)
                {
                    case CheckSym check when check.Kind == constant.Kind || (check.Kind == FactKind.Reference && constant.Kind == FactKind.Reference):
                        var set = SetFor(kind, constant.Value, check.Kind);
                        return set is null ? UnknownSym.Of(security) : new CondSym(check, set, security);
                    case CondSym or TrySym or CheckSym { Kind: FactKind.Bool } when constant.Kind == FactKind.Bool && kind is BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals:
                        var same = (kind == BinaryOperatorKind.Equals) == (constant.Value != 0);
                        var asBool = AsCondition(left);
                        return (same ? asBool : Negate(asBool)).WithSecurity(security);
                    case ConstSym other when other.Kind == constant.Kind:
                        var holds = kind switch
                        {
                            BinaryOperatorKind.Equals => other.Value == constant.Value,
                            BinaryOperatorKind.NotEquals => other.Value != constant.Value,
                            BinaryOperatorKind.LessThan => other.Value < constant.Value,
                            BinaryOperatorKind.LessThanOrEqual => other.Value <= constant.Value,
                            BinaryOperatorKind.GreaterThan => other.Value > constant.Value,
                            _ => other.Value >= constant.Value,
                        };
                        return new ConstSym(holds ? 1 : 0, FactKind.Bool, security);
                }
            }

            return UnknownSym.Of(security);
        }

        private static bool IsComparison(BinaryOperatorKind kind) => kind is BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals
            or BinaryOperatorKind.LessThan or BinaryOperatorKind.LessThanOrEqual or BinaryOperatorKind.GreaterThan or BinaryOperatorKind.GreaterThanOrEqual;

        private static BinaryOperatorKind Flip(BinaryOperatorKind kind) => kind switch
        {
            BinaryOperatorKind.LessThan => BinaryOperatorKind.GreaterThan,
            BinaryOperatorKind.LessThanOrEqual => BinaryOperatorKind.GreaterThanOrEqual,
            BinaryOperatorKind.GreaterThan => BinaryOperatorKind.LessThan,
            BinaryOperatorKind.GreaterThanOrEqual => BinaryOperatorKind.LessThanOrEqual,
            _ => kind,
        };

        private static IntSet? SetFor(BinaryOperatorKind kind, long value, FactKind factKind)
        {
            var domain = Fact.DomainOf(factKind);
            if (factKind != FactKind.Integer && kind is not (BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals))
            {
                return null;
            }

            return kind switch
            {
                BinaryOperatorKind.Equals => IntSet.Point(value).Intersect(domain),
                BinaryOperatorKind.NotEquals => IntSet.Point(value).ComplementWithin(domain),
                BinaryOperatorKind.LessThan => IntSet.Range(IntSet.Min, value - 1),
                BinaryOperatorKind.LessThanOrEqual => IntSet.Range(IntSet.Min, value),
                BinaryOperatorKind.GreaterThan => IntSet.Range(value + 1, IntSet.Max),
                BinaryOperatorKind.GreaterThanOrEqual => IntSet.Range(value, IntSet.Max),
                _ => null,
            };
        }

        private static Sym MatchPattern(Sym value, IPatternOperation pattern)
        {
            switch (pattern)
            {
                case IConstantPatternOperation constantPattern when constantPattern.Value.ConstantValue.HasValue:
                    var c = constantPattern.Value.ConstantValue.Value;
                    var constant = c is null ? new ConstSym(0, FactKind.Reference, false)
                        : c is bool b ? new ConstSym(b ? 1 : 0, FactKind.Bool, false)
                        : c is int i ? new ConstSym(i, FactKind.Integer, false)
                        : (Sym?)null;
                    return constant is null ? UnknownSym.Of(value.ReadsSecurity) : Combine(BinaryOperatorKind.Equals, value, constant);
                case INegatedPatternOperation negated:
                    return Negate(MatchPattern(value, negated.Pattern));
                case IRecursivePatternOperation recursive when recursive.PropertySubpatterns.IsEmpty && recursive.DeconstructionSubpatterns.IsEmpty && recursive.DeclaredSymbol is null && value is CheckSym { Kind: FactKind.Reference } check:
                    return new CondSym(check, IntSet.Point(1), value.ReadsSecurity);
                case IRelationalPatternOperation relational when relational.Value.ConstantValue.Value is int k:
                    return Combine(relational.OperatorKind, value, new ConstSym(k, FactKind.Integer, false));
                default:
                    return UnknownSym.Of(value.ReadsSecurity);
            }
        }

        private static Sym AsCondition(Sym value) =>
            value is CheckSym { Kind: FactKind.Bool } check ? new CondSym(check, IntSet.Point(1), check.ReadsSecurity) : value;

        private static Sym Negate(Sym value) => AsCondition(value) switch
        {
            ConstSym { Kind: FactKind.Bool } c => new ConstSym(1 - c.Value, FactKind.Bool, c.ReadsSecurity),
            CondSym cond => cond.Negate(),
            TrySym attempt => attempt.Negate(),
            var other => UnknownSym.Of(other.ReadsSecurity),
        };

        /// <summary>The route continues only if <paramref name="value"/> can be <paramref name="outcome"/>; the facts that follow are added.</summary>
        public static RouteState? Assume(RouteState state, Sym value, bool outcome)
        {
            switch (AsCondition(value))
            {
                case ConstSym c:
                    return (c.Value != 0) == outcome ? state : null;
                case CondSym cond:
                    var allowed = outcome ? cond.WhenTrue : cond.WhenTrue.ComplementWithin(Fact.DomainOf(cond.Check.Kind));
                    return state.WithFact(cond.Check.ToFact(allowed));
                case TrySym attempt:
                    var pending = state.PendingTries.Remove(attempt.LockIfTaken.Acquire);
                    var next = state.WithPendingTries(pending);
                    if (outcome == attempt.Negated)
                    {
                        return next;
                    }

                    next = next.WithHeld(next.Held.Add(attempt.LockIfTaken));
                    return next.WithFact(new Fact(attempt.Method, FactKind.Lock, attempt.LockIfTaken.AcquireText, IntSet.Point(1), null, attempt.LockIfTaken.Acquire));
                default:
                    return state;
            }
        }

        // ----- calls ------------------------------------------------------------------------

        private List<(RouteState State, Sym Value)> EvaluateInvocation(IInvocationOperation invocation, RouteState state, int depth)
        {
            var method = invocation.TargetMethod;

            // Arguments first (their own calls and captures), then the call itself.
            var current = new List<(RouteState State, ImmutableArray<Sym> Args)> { (state, ImmutableArray<Sym>.Empty) };
            if (invocation.Instance is { } instance)
            {
                var next = new List<(RouteState, ImmutableArray<Sym>)>();
                foreach (var (s, args) in current)
                {
                    foreach (var (after, _) in Evaluate(instance, s, depth))
                    {
                        next.Add((after, args));
                    }
                }

                current = next;
            }

            foreach (var argument in invocation.Arguments)
            {
                var next = new List<(RouteState, ImmutableArray<Sym>)>();
                foreach (var (s, args) in current)
                {
                    foreach (var (after, value) in Evaluate(argument.Value, s, depth))
                    {
                        next.Add((after, args.Add(value)));
                    }
                }

                current = next;
            }

            var result = new List<(RouteState, Sym)>();
            foreach (var (s, args) in current)
            {
                result.AddRange(Call(invocation, method, s, args, depth));
            }

            return result;
        }

        private List<(RouteState State, Sym Value)> Call(IInvocationOperation invocation, IMethodSymbol method, RouteState state, ImmutableArray<Sym> args, int depth)
        {
            var argsReadSecurity = args.Any(a => a.ReadsSecurity);
            var security = argsReadSecurity || _symbols.IsSecurityCheck(method);

            // [DoesNotReturnIf(b)] parameters: the call returns only when the argument is !b.
            for (int i = 0; i < invocation.Arguments.Length && i < args.Length; i++)
            {
                var parameter = invocation.Arguments[i].Parameter;
                var attribute = GuardOrderSymbols.GetAttribute(parameter, _symbols.DoesNotReturnIf);
                if (attribute is not null && attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is bool stopsWhen)
                {
                    if (args[i].ReadsSecurity)
                    {
                        state = state.WithSecurityPassed();
                    }

                    var assumed = Assume(state, args[i], !stopsWhen);
                    if (assumed is null)
                    {
                        return NoAlternatives;
                    }

                    state = assumed;
                }
            }

            if (GuardOrderSymbols.HasAttribute(GuardOrderSymbols.Original(method), _symbols.DoesNotReturn))
            {
                return NoAlternatives;
            }

            if (_symbols.IsWriteGrant(method))
            {
                return One(state.WithGrant(invocation), UnknownSym.Of(security));
            }

            if (_symbols.IsFaultPathCheck(method))
            {
                if (depth == 0)
                {
                    state = CheckPendingTries(state, invocation);
                }

                return One(state, new CheckSym(GuardOrderSymbols.Original(method)!, KindOf(method.ReturnType), Text(invocation), FirstHeld(state), invocation, security));
            }

            if (_symbols.IsTryAcquiresLock(method))
            {
                var held = LockOf(invocation);
                return One(state.WithPendingTries(state.PendingTries.Add(invocation)), new TrySym(held, GuardOrderSymbols.Original(method)!, negated: false, security));
            }

            if (_symbols.IsAcquiresLock(method))
            {
                var held = LockOf(invocation);
                var locked = state.WithHeld(state.Held.Add(held));
                locked = locked.WithFact(new Fact(GuardOrderSymbols.Original(method)!, FactKind.Lock, held.AcquireText, IntSet.Point(1), null, invocation)) ?? locked;
                return One(locked, UnknownSym.Of(security));
            }

            if (_symbols.IsReleasesLock(method))
            {
                return One(Release(state, invocation, depth), UnknownSym.Of(security));
            }

            if (ShouldExpand(method, depth) is { } helper)
            {
                var expanded = Expand(helper, invocation, state, args, depth);
                if (expanded is not null)
                {
                    return expanded;
                }
            }

            // A void helper is not expanded (its routes would only multiply the caller's), but a
            // [DoesNotReturnIf] assert on a [SecurityCheck] read at its top still guards the caller.
            if (method.ReturnsVoid && depth < _maxHelperDepth && AssertsSecurity(method))
            {
                state = state.WithSecurityPassed();
            }

            return One(state, UnknownSym.Of(security));
        }

        private bool AssertsSecurity(IMethodSymbol method)
        {
            var body = _bodies.GetBody((IMethodSymbol)GuardOrderSymbols.Original(method)!, _cancellationToken);
            var block = body?.BlockBody ?? body?.ExpressionBody;
            if (block is null)
            {
                return false;
            }

            foreach (var statement in block.Operations)
            {
                var call = statement is IExpressionStatementOperation expression ? expression.Operation as IInvocationOperation : null;
                if (call is null)
                {
                    return false;
                }

                foreach (var argument in call.Arguments)
                {
                    if (GuardOrderSymbols.HasAttribute(argument.Parameter, _symbols.DoesNotReturnIf) &&
                        SecurityReads.ReadsSecurityCheck(argument.Value, _symbols))
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        private (IMethodSymbol Method, ControlFlowGraph Cfg)? ShouldExpand(IMethodSymbol method, int depth)
        {
            if (depth >= _maxHelperDepth)
            {
                return null;
            }

            var original = (IMethodSymbol)GuardOrderSymbols.Original(method)!;
            var returnType = original.ReturnType;
            if (returnType.SpecialType != SpecialType.System_Boolean && !(returnType.IsReferenceType && returnType.SpecialType != SpecialType.System_String))
            {
                return null;
            }

            if (_symbols.IsSecurityCheck(original) || GuardOrderSymbols.HasAttribute(original, _symbols.MustMatchFaultPath))
            {
                return null;
            }

            foreach (var onStack in _inlineStack)
            {
                if (SymbolEqualityComparer.Default.Equals(onStack, original))
                {
                    return null;
                }
            }

            var cfg = _bodies.GetControlFlowGraph(original, _cancellationToken);
            return cfg is null ? null : (original, cfg);
        }

        /// <summary>Runs the helper's routes with its parameters bound to the arguments; each returning route is one alternative.</summary>
        private List<(RouteState State, Sym Value)>? Expand((IMethodSymbol Method, ControlFlowGraph Cfg) helper, IInvocationOperation invocation, RouteState state, ImmutableArray<Sym> args, int depth)
        {
            var values = state.Values;
            var bound = state;
            for (int i = 0; i < invocation.Arguments.Length && i < args.Length; i++)
            {
                if (invocation.Arguments[i].Parameter is { } parameter)
                {
                    var definition = parameter.Ordinal < helper.Method.Parameters.Length ? helper.Method.Parameters[parameter.Ordinal] : parameter;
                    bound = bound.WithValue(ParameterKey(definition), args[i]);
                }
            }

            var callerCaptures = state.Captures;
            bound = bound.WithCaptures(ImmutableDictionary<CaptureId, Sym>.Empty).WithReturn(null, null);

            _inlineStack.Add(helper.Method);
            List<Route> routes;
            try
            {
                routes = Run(helper.Cfg, bound, depth + 1);
            }
            finally
            {
                _inlineStack.RemoveAt(_inlineStack.Count - 1);
            }

            if (_aborted)
            {
                return NoAlternatives;
            }

            var result = new List<(RouteState, Sym)>(routes.Count);
            foreach (var route in routes)
            {
                _routes--; // helper routes are not complete routes of the analysed method
                var end = route.State;
                var value = end.ReturnValue ?? UnknownSym.Plain;
                var back = end.WithCaptures(callerCaptures).WithValues(values).WithReturn(state.ReturnValue, state.ReturnOperation);
                result.Add((back, value));
            }

            return result;
        }

        // ----- locks ------------------------------------------------------------------------

        private HeldLock LockOf(IInvocationOperation invocation)
        {
            var argument = invocation.Arguments.Length > 0 ? invocation.Arguments[0].Value : null;
            var key = argument is null ? string.Empty : KeyOf(Unwrap(argument)) ?? Text(argument);
            var method = GuardOrderSymbols.Original(invocation.TargetMethod) as IMethodSymbol;
            var family = method is { Parameters.Length: > 0 } ? method.Parameters[0].Type.ToDisplayString() : method?.Name ?? string.Empty;
            return new HeldLock(key, family, invocation, Text(invocation));
        }

        private RouteState Release(RouteState state, IInvocationOperation release, int depth)
        {
            var releasing = LockOf(release);
            if (depth == 0)
            {
                foreach (var pending in state.PendingTries)
                {
                    if (pending is IInvocationOperation attempt && LockOf(attempt).Family == releasing.Family)
                    {
                        state = Issue(state, pending, "try-unchecked", Text(pending) + " is not branched on before " + Text(release) + " releases the lock it may not hold");
                        state = state.WithPendingTries(state.PendingTries.Remove(pending));
                    }
                }
            }

            HeldLock? match = state.Held.FirstOrDefault(h => h.Key == releasing.Key) ?? state.Held.FirstOrDefault(h => h.Family == releasing.Family);
            if (match is null)
            {
                if (depth == 0 && _mode == RouteMode.Locks)
                {
                    state = Issue(state, release, "unheld-release", Text(release) + " releases a lock that is not held on the route through " + RouteText(state.Lines));
                }

                return state;
            }

            return state.WithHeld(state.Held.Remove(match));
        }

        private RouteState CheckPendingTries(RouteState state, IOperation guarded)
        {
            foreach (var pending in state.PendingTries)
            {
                state = Issue(state, pending, "try-unchecked", Text(pending) + " is not branched on before " + Text(guarded) + ", the code it guards");
            }

            return state.PendingTries.IsEmpty ? state : state.WithPendingTries(ImmutableList<IOperation>.Empty);
        }

        private RouteState CheckLocksAtExit(RouteState state)
        {
            foreach (var pending in state.PendingTries)
            {
                state = Issue(state, pending, "try-unchecked", Text(pending) + " is never branched on: the route through " + RouteText(state.Lines) + " does not know whether it holds the lock");
            }

            foreach (var held in state.Held)
            {
                state = Issue(state, held.Acquire, "leak", "the lock taken by " + held.AcquireText + " is not released on the route through " + RouteText(state.Lines));
            }

            return state;
        }

        private RouteState Issue(RouteState state, IOperation at, string kind, string message) =>
            _mode == RouteMode.Locks ? state.WithIssue(new LockIssue(at, kind, message)) : state;

        public static string RouteText(ImmutableList<int> lines)
        {
            if (lines.IsEmpty)
            {
                return "the method";
            }

            const int Shown = 12;
            var shown = lines.Count <= Shown ? lines : lines.Take(Shown / 2).Concat(lines.Skip(lines.Count - (Shown / 2))).ToImmutableList();
            var text = "lines " + string.Join(" → ", shown.Take(lines.Count <= Shown ? shown.Count : Shown / 2));
            if (lines.Count > Shown)
            {
                text += " → … → " + string.Join(" → ", shown.Skip(Shown / 2));
            }

            return text;
        }

        // ----- helpers ----------------------------------------------------------------------

        private static HeldLock? FirstHeld(RouteState state) => state.Held.IsEmpty ? null : state.Held[0];

        private static FactKind KindOf(ITypeSymbol? type)
        {
            if (type is null)
            {
                return FactKind.Integer;
            }

            if (type.SpecialType == SpecialType.System_Boolean)
            {
                return FactKind.Bool;
            }

            return type.IsReferenceType || type.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T ? FactKind.Reference : FactKind.Integer;
        }

        private static IOperation Unwrap(IOperation operation)
        {
            while (true)
            {
                switch (operation)
                {
                    case IConversionOperation conversion:
                        operation = conversion.Operand;
                        continue;
                    case IParenthesizedOperation parenthesized:
                        operation = parenthesized.Operand;
                        continue;
                    default:
                        return operation;
                }
            }
        }

        /// <summary>A stable key for a local, parameter, or a field/property path rooted at one (<c>vmf.page</c>); null otherwise.</summary>
        public string? KeyOf(IOperation? operation)
        {
            switch (operation is null ? null : Unwrap(operation))
            {
                case ILocalReferenceOperation local:
                    return "L:" + SymbolKey(local.Local);
                case IParameterReferenceOperation parameter:
                    return ParameterKey(parameter.Parameter);
                case IInstanceReferenceOperation:
                    return "this";
                case IFieldReferenceOperation field:
                    if (field.Field.IsStatic || field.Instance is null)
                    {
                        return "S:" + Display(field.Field);
                    }

                    var fieldOwner = KeyOf(field.Instance);
                    return fieldOwner is null ? null : fieldOwner + "." + field.Field.Name;
                case IPropertyReferenceOperation property when property.Arguments.IsEmpty:
                    if (property.Property.IsStatic || property.Instance is null)
                    {
                        return "S:" + Display(property.Property);
                    }

                    var propertyOwner = KeyOf(property.Instance);
                    return propertyOwner is null ? null : propertyOwner + "." + property.Property.Name;
                default:
                    return null;
            }
        }

        private string ParameterKey(IParameterSymbol parameter) =>
            "P:" + (parameter.ContainingSymbol is IMethodSymbol m ? Display(GuardOrderSymbols.Original(m) ?? m) : (parameter.ContainingSymbol is null ? null : Display(parameter.ContainingSymbol))) + "::" + parameter.Ordinal;

        private string SymbolKey(ISymbol symbol)
        {
            var location = symbol.Locations.Length > 0 ? symbol.Locations[0].SourceSpan.Start : -1;
            return (symbol.ContainingSymbol is null ? null : Display(symbol.ContainingSymbol)) + "::" + symbol.Name + "@" + location;
        }

        /// <summary>
        /// A symbol's display string, computed once per walk: keys are built on every read of a
        /// local, parameter or field path, and SymbolDisplay dominated the walk's profile.
        /// </summary>
        private string Display(ISymbol symbol)
        {
            if (!_displayKeys.TryGetValue(symbol, out var display))
            {
                display = symbol.ToDisplayString();
                _displayKeys[symbol] = display;
            }

            return display;
        }

        /// <summary>The operation's source text with whitespace runs collapsed.</summary>
        public static string Text(IOperation operation)
        {
            var text = operation.Syntax.ToString();
            var builder = new System.Text.StringBuilder(text.Length);
            var space = false;
            foreach (var ch in text)
            {
                if (char.IsWhiteSpace(ch))
                {
                    space = true;
                    continue;
                }

                if (space && builder.Length > 0)
                {
                    builder.Append(' ');
                }

                space = false;
                builder.Append(ch);
            }

            return builder.ToString();
        }
    }
}
