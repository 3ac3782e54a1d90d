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
    /// <summary>Symbolic evaluation of operations along one route (values, conditions, patterns).</summary>
    internal sealed partial class RouteWalker
    {
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

    }
}
