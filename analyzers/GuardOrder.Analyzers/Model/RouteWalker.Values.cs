using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace GuardOrder.Analyzers.Model
{
    /// <summary>
    /// Symbolic evaluation of operations along one route: values of locals, parameters, member paths
    /// and calls as <see cref="Subject"/>s; comparisons, flag tests, patterns and null tests as
    /// conditions (<see cref="CondSym"/>), so every C# form of a condition gives the facts of its if-form.
    /// </summary>
    internal sealed partial class RouteWalker
    {
        private static readonly Few<(RouteState, Sym)> NoAlternatives = default;

        private static Few<(RouteState, Sym)> One(RouteState state, Sym value) => new Few<(RouteState, Sym)>((state, value));

        private Few<(RouteState State, Sym Value)> Evaluate(IOperation? operation, RouteState state, int depth)
        {
            if (operation is null || _aborted)
            {
                return operation is null ? One(state, UnknownSym.Plain) : NoAlternatives;
            }

            if (operation.ConstantValue.HasValue)
            {
                return One(state, ConstantOnce(operation));
            }

            // By kind, not by interface: a walk evaluates every operation of every step, and a chain of up to
            // fifteen interface type tests per operation costs more than one switch on an enum.
            switch (operation.Kind)
            {
                case OperationKind.Conversion:
                    return Evaluate(((IConversionOperation)operation).Operand, state, depth);
                case OperationKind.Parenthesized:
                    return Evaluate(((IParenthesizedOperation)operation).Operand, state, depth);
                case OperationKind.FlowCaptureReference:
                    return One(state, CaptureList.TryGetValue(state.Captures, ((IFlowCaptureReferenceOperation)operation).Id, out var captured) ? captured : UnknownSym.Plain);
                case OperationKind.FlowCapture:
                    return EvaluateCapture((IFlowCaptureOperation)operation, state, depth);
                case OperationKind.LocalReference or OperationKind.ParameterReference or OperationKind.InstanceReference:
                    return One(state, ValueOf(operation, state));
                case OperationKind.FieldReference:
                    var field = (IFieldReferenceOperation)operation;
                    return EvaluateMember(field, field.Field, field.Instance, field.Type, state, depth);
                case OperationKind.PropertyReference when ((IPropertyReferenceOperation)operation).Arguments.IsEmpty:
                    var property = (IPropertyReferenceOperation)operation;
                    return EvaluateMember(property, property.Property, property.Instance, property.Type, state, depth);
                case OperationKind.Invocation:
                    return EvaluateInvocation((IInvocationOperation)operation, state, depth);
                case OperationKind.Unary:
                    return EvaluateUnary((IUnaryOperation)operation, state, depth);
                case OperationKind.Binary:
                    return EvaluateBinary((IBinaryOperation)operation, state, depth);
                case OperationKind.IsNull:
                    return EvaluateIsNull((IIsNullOperation)operation, state, depth);
                case OperationKind.IsPattern:
                    return EvaluatePattern((IIsPatternOperation)operation, state, depth);
                case OperationKind.SimpleAssignment:
                    return EvaluateAssignment((ISimpleAssignmentOperation)operation, state, depth);
                case OperationKind.DefaultValue when operation.Type is { IsReferenceType: true } || operation.Type?.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T:
                    return One(state, new ConstSym(0, FactKind.Reference, false));
                case OperationKind.CompoundAssignment or OperationKind.Increment or OperationKind.Decrement:
                    return EvaluateUpdate(operation, state, depth);
                default:
                    return EvaluateOther(operation, state, depth);
            }
        }

        // The cases that need a lambda live in methods of their own: a lambda in Evaluate would make it
        // allocate a closure on every call, also for a constant or a local.
        private Few<(RouteState State, Sym Value)> EvaluateCapture(IFlowCaptureOperation capture, RouteState state, int depth)
        {
            var capturedKey = Key(capture.Value);
            var result = new Few<(RouteState, Sym)>();
            foreach (var (s, v) in Evaluate(capture.Value, state, depth))
            {
                result.Add((s.WithCapture(capture.Id, v, capturedKey), v));
            }

            return result;
        }

        private Few<(RouteState State, Sym Value)> EvaluateUnary(IUnaryOperation unary, RouteState state, int depth)
        {
            var result = new Few<(RouteState, Sym)>();
            foreach (var (s, v) in Evaluate(unary.Operand, state, depth))
            {
                result.Add((s, unary.OperatorKind == UnaryOperatorKind.Not ? Negate(v) : UnknownSym.Of(v.ReadsSecurity)));
            }

            return result;
        }

        private Few<(RouteState State, Sym Value)> EvaluateIsNull(IIsNullOperation isNull, RouteState state, int depth)
        {
            var result = new Few<(RouteState, Sym)>();
            foreach (var (s, v) in Evaluate(isNull.Operand, state, depth))
            {
                result.Add((s, Combine(BinaryOperatorKind.Equals, v, new ConstSym(0, FactKind.Reference, false))));
            }

            return result;
        }

        private Few<(RouteState State, Sym Value)> EvaluateUpdate(IOperation operation, RouteState state, int depth)
        {
            var target = operation is ICompoundAssignmentOperation compound ? compound.Target : ((IIncrementOrDecrementOperation)operation).Target;
            var key = Key(target);
            var result = new Few<(RouteState, Sym)>();
            foreach (var (s, security) in EvaluateChildren(operation, state, depth))
            {
                var value = UnknownSym.Of(security);
                result.Add((key is null ? s : s.WithValue(key, value), value));
            }

            return result;
        }

        private Few<(RouteState State, Sym Value)> EvaluateOther(IOperation operation, RouteState state, int depth)
        {
            var result = new Few<(RouteState, Sym)>();
            var here = -1;
            foreach (var (s, security) in EvaluateChildren(operation, state, depth))
            {
                if (!security && here < 0)
                {
                    here = ReadsSecurityHere(operation) ? 1 : 0;
                }

                result.Add((s, UnknownSym.Of(security || here == 1)));
            }

            return result;
        }

        /// <summary>Evaluates the children in order for their effects (calls, assignments) and combines their security flags.</summary>
        private Few<(RouteState State, bool Security)> EvaluateChildren(IOperation operation, RouteState state, int depth)
        {
            var current = new Few<(RouteState State, bool Security)>((state, false));
            foreach (var child in operation.ChildOperations)
            {
                if (child is null)
                {
                    continue;
                }

                var next = new Few<(RouteState, bool)>();
                foreach (var (s, security) in current)
                {
                    foreach (var (after, value) in Evaluate(child, s, depth))
                    {
                        next.Add((after, security || value.ReadsSecurity));
                    }
                }

                current = next;
            }

            return current;
        }

        private bool ReadsSecurityHere(IOperation operation) => SecurityReads.IsSecurityMember(operation, _symbols);

        private Sym Constant(IOperation operation)
        {
            var security = SecurityReads.ReadsSecurityCheck(operation, _symbols);
            var value = operation.ConstantValue.Value;
            switch (value)
            {
                case null:
                    return new ConstSym(0, FactKind.Reference, security);
                case bool b:
                    return new ConstSym(b ? 1 : 0, FactKind.Bool, security);
                case ulong u:
                    return new ConstSym(u > (ulong)IntSet.Max ? IntSet.Max : (long)u, FactKind.Integer, security, NamedConstants(operation));
                case sbyte or byte or short or ushort or int or uint or long or char:
                    var l = Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
                    return new ConstSym(Math.Max(IntSet.Min, Math.Min(IntSet.Max, l)), FactKind.Integer, security, NamedConstants(operation));
                default:
                    return UnknownSym.Of(security);
            }
        }

        /// <summary>The named constants (const fields, enum members) an integer constant expression is built from (once per walk and expression).</summary>
        private ImmutableArray<(long Value, IFieldSymbol Field)> NamedConstants(IOperation operation)
        {
            if (operation is ILiteralOperation)
            {
                return ImmutableArray<(long, IFieldSymbol)>.Empty;
            }

            if (!_namedConstants.TryGetValue(operation, out var names))
            {
                names = FindNamedConstants(operation);
                _namedConstants[operation] = names;
            }

            return names;
        }

        private static ImmutableArray<(long Value, IFieldSymbol Field)> FindNamedConstants(IOperation operation)
        {
            // A named constant alone (VM_WRITE) is the common case: no walk of descendants, one array.
            if (operation is IFieldReferenceOperation { Instance: null } alone)
            {
                return NamedConstant(alone) is { } only ? ImmutableArray.Create(only) : ImmutableArray<(long, IFieldSymbol)>.Empty;
            }

            // Otherwise the builder is made at the second name (most expressions have none or one).
            (long, IFieldSymbol) first = default;
            var count = 0;
            ImmutableArray<(long, IFieldSymbol)>.Builder? more = null;
            foreach (var node in operation.DescendantsAndSelf())
            {
                if (node is IFieldReferenceOperation field && NamedConstant(field) is { } named)
                {
                    if (count == 1)
                    {
                        more = ImmutableArray.CreateBuilder<(long, IFieldSymbol)>();
                        more.Add(first);
                    }

                    if (count == 0)
                    {
                        first = named;
                    }
                    else
                    {
                        more!.Add(named);
                    }

                    count++;
                }
            }

            return count == 0 ? ImmutableArray<(long, IFieldSymbol)>.Empty : count == 1 ? ImmutableArray.Create(first) : more!.ToImmutable();
        }

        /// <summary>A constant field's integer value (a const or an enum member; not a bool or a string).</summary>
        private static (long Value, IFieldSymbol Field)? NamedConstant(IFieldReferenceOperation field)
        {
            if (!field.Field.HasConstantValue || !field.ConstantValue.HasValue || field.ConstantValue.Value is not { } v || v is bool || v is string)
            {
                return null;
            }

            try
            {
                return (unchecked((long)Convert.ToUInt64(v, System.Globalization.CultureInfo.InvariantCulture)), field.Field);
            }
            catch (OverflowException)
            {
                return (Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture), field.Field);
            }
        }

        /// <summary>The value a local, parameter or <c>this</c> holds on the route; an unassigned input parameter is its input subject.</summary>
        private Sym ValueOf(IOperation reference, RouteState state)
        {
            var key = Key(reference);
            if (key is not null && state.Values.TryGetValue(key, out var value))
            {
                return value;
            }

            switch (Unwrap(reference))
            {
                case IParameterReferenceOperation parameter when parameter.Parameter.RefKind != RefKind.Out:
                {
                    var held = FirstHeld(state);
                    return TryRecall(reference, held, null, null, out var known)
                        ? known
                        : Remember(reference, held, null, null, new CheckSym(InputOf(parameter.Parameter), KindOf(parameter.Type), null, held, reference, false, null));
                }

                case IInstanceReferenceOperation instance when instance.Type is not null:
                {
                    var held = FirstHeld(state);
                    return TryRecall(reference, held, null, null, out var known)
                        ? known
                        : Remember(reference, held, null, null, new CheckSym(new InputSubject(instance.Type), FactKind.Reference, "this", held, reference, false, null));
                }

                default:
                    return UnknownSym.Of(ReadsSecurityHere(reference));
            }
        }

        /// <summary>A field or property read: its value on the route, else the member subject of its owner's subject.</summary>
        private Few<(RouteState State, Sym Value)> EvaluateMember(IOperation operation, ISymbol member, IOperation? instance, ITypeSymbol? type, RouteState state, int depth)
        {
            // Nullable<T>.Value is the value itself; HasValue is its null test.
            if (instance is not null && IsNullable(instance.Type) && member.Name is "Value" or "HasValue")
            {
                var nullable = new Few<(RouteState, Sym)>();
                foreach (var (s, v) in Evaluate(instance, state, depth))
                {
                    nullable.Add((s, member.Name == "Value" ? v : Combine(BinaryOperatorKind.NotEquals, v, new ConstSym(0, FactKind.Reference, false))));
                }

                return nullable;
            }

            var security = _symbols.IsSecurityCheck(member);
            var annotated = _symbols.IsFaultPathCheck(member) || security ? GuardOrderSymbols.Original(member) : null;
            var key = Key(operation);
            if (key is not null && state.Values.TryGetValue(key, out var known))
            {
                return One(state, known.WithSecurity(security));
            }

            if (member.IsStatic || instance is null)
            {
                var held = FirstHeld(state);
                return One(state, TryRecall(operation, held, null, null, out var remembered)
                    ? remembered
                    : Remember(operation, held, null, null, new CheckSym(new StaticSubject(member.OriginalDefinition), KindOf(type), null, held, operation, security, annotated)));
            }

            var result = new Few<(RouteState, Sym)>();
            foreach (var (s, owner) in Evaluate(instance, state, depth))
            {
                result.Add(owner is CheckSym { Subject: { } subject }
                    ? (s, MemberValue(operation, member, type, owner, subject, FirstHeld(s), security || owner.ReadsSecurity, annotated))
                    : (s, UnknownSym.Of(security || owner.ReadsSecurity)));
            }

            return result;
        }

        /// <summary>A member of an owner's subject as read at <paramref name="operation"/> (the same value object for the same owner and lock).</summary>
        private Sym MemberValue(IOperation operation, ISymbol member, ITypeSymbol? type, Sym owner, Subject subject, HeldLock? held, bool security, ISymbol? annotated) =>
            TryRecall(operation, owner, held, Flag(security), out var known)
                ? known
                : Remember(operation, owner, held, Flag(security), new CheckSym(MemberOf(subject, member, type), KindOf(type), null, held, operation, security, annotated));

        /// <summary>A try-lock's result assigned to a discard. Its own method: the message's closure captured the assignment, which made every assignment allocate one.</summary>
        private RouteState TryResultDropped(RouteState state, IOperation value) =>
            Issue(state, value, "try-ignored", () => Text(value) + " ignores whether the lock was taken: branch on its result before the code it guards")
                .WithPendingTries(ImmutableList<IOperation>.Empty);

        private Few<(RouteState State, Sym Value)> EvaluateAssignment(ISimpleAssignmentOperation assignment, RouteState state, int depth)
        {
            var result = new Few<(RouteState, Sym)>();
            foreach (var (s, v) in Evaluate(assignment.Value, state, depth))
            {
                var after = s;
                if (assignment.Target is IDiscardOperation && v is TrySym && depth == 0)
                {
                    after = TryResultDropped(after, assignment.Value);
                }

                var key = Key(assignment.Target) ??
                    (Unwrap(assignment.Target) is IFlowCaptureReferenceOperation captured && CaptureList.TryGetKey(after.Captures, captured.Id, out var capturedKey) ? capturedKey : null);
                if (key is not null)
                {
                    after = after.WithValue(key, v);
                }

                result.Add((after, v));
            }

            return result;
        }

        private Few<(RouteState State, Sym Value)> EvaluateBinary(IBinaryOperation binary, RouteState state, int depth)
        {
            var result = new Few<(RouteState, Sym)>();
            foreach (var (s1, left) in Evaluate(binary.LeftOperand, state, depth))
            {
                foreach (var (s2, right) in Evaluate(binary.RightOperand, s1, depth))
                {
                    // A comparison or logical operation is pure in its operands.
                    var combined = TryRecall(binary, left, right, null, out var known) ? known : Remember(binary, left, right, null, Combine(binary.OperatorKind, left, right));
                    result.Add((s2, combined));
                }
            }

            return result;
        }

        private Sym Combine(BinaryOperatorKind kind, Sym left, Sym right)
        {
            var security = left.ReadsSecurity || right.ReadsSecurity;
            if (!IsComparison(kind))
            {
                return CombineLogical(kind, left, right, security);
            }

            if (left is ConstSym && right is not ConstSym)
            {
                (left, right) = (right, left);
                kind = Flip(kind);
            }

            if (right is not ConstSym constant)
            {
                return UnknownSym.Of(security);
            }

            // A lifted comparison of null with a non-null constant (e?.IsStale == false on the null route).
            if (left is ConstSym { Kind: FactKind.Reference, Value: 0 } && constant.Kind != FactKind.Reference && kind is BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals)
            {
                return new ConstSym(kind == BinaryOperatorKind.NotEquals ? 1 : 0, FactKind.Bool, security);
            }

            switch (left)
            {
                case MaskSym mask when constant.Kind == FactKind.Integer:
                    return FlagTest(mask, kind, constant.Value, security);
                case CheckSym check when constant.Kind == FactKind.Reference:
                    // A null test of an object is its value's fact; of a value type (a Nullable from ?.) it is a
                    // fact of its own, apart from the value's (bool?: null, false, true are three values).
                    if (kind is not (BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals))
                    {
                        return UnknownSym.Of(security);
                    }

                    var allowedNull = kind == BinaryOperatorKind.Equals ? IntSet.Point(0) : IntSet.Point(1);
                    if (check.Kind != FactKind.Reference && IsNonNullableValue(check.Operation.Type))
                    {
                        // A bool or int read (lifted by ?. or ??) is never null itself.
                        return new ConstSym(kind == BinaryOperatorKind.NotEquals ? 1 : 0, FactKind.Bool, security);
                    }

                    return check.Kind == FactKind.Reference
                        ? CondSym.Single(new Literal(check, 0, null, allowedNull), security)
                        : CondSym.Single(new Literal(check, Literal.NullnessBit, null, allowedNull), security);
                case CheckSym check when check.Kind == constant.Kind || (check.Kind == FactKind.Bool && constant.Kind == FactKind.Integer):
                    var set = SetFor(kind, constant.Value, check.Kind);
                    return set is null ? UnknownSym.Of(security) : CondSym.Single(new Literal(check, 0, null, set), security);
                case CondSym or TrySym or TrustedSym or CheckSym { Kind: FactKind.Bool } when constant.Kind == FactKind.Bool && kind is BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals:
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

            return UnknownSym.Of(security);
        }

        private static bool IsNonNullableValue(ITypeSymbol? type) =>
            type is { IsValueType: true } && type.OriginalDefinition.SpecialType != SpecialType.System_Nullable_T;

        private static bool IsNullable(ITypeSymbol? type) => type?.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T;

        /// <summary>&amp;, |, &amp;&amp;, || over conditions and constants, and <c>value &amp; mask</c>.</summary>
        private Sym CombineLogical(BinaryOperatorKind kind, Sym left, Sym right, bool security)
        {
            var isAnd = kind is BinaryOperatorKind.And or BinaryOperatorKind.ConditionalAnd;
            var isOr = kind is BinaryOperatorKind.Or or BinaryOperatorKind.ConditionalOr;
            if (kind == BinaryOperatorKind.And)
            {
                if (left is ConstSym { Kind: FactKind.Integer } && right is CheckSym)
                {
                    (left, right) = (right, left);
                }

                if (left is CheckSym { Kind: FactKind.Integer } value && right is ConstSym { Kind: FactKind.Integer } mask)
                {
                    return new MaskSym(value, mask, security);
                }
            }

            if (left is ConstSym { Kind: FactKind.Integer } li && right is ConstSym { Kind: FactKind.Integer } ri && kind is BinaryOperatorKind.Or or BinaryOperatorKind.And)
            {
                return new ConstSym(kind == BinaryOperatorKind.Or ? li.Value | ri.Value : li.Value & ri.Value, FactKind.Integer, security, li.Names.AddRange(ri.Names));
            }

            if (!isAnd && !isOr)
            {
                return UnknownSym.Of(security);
            }

            if (left is ConstSym { Kind: FactKind.Bool } lc)
            {
                return isAnd ? (lc.Value == 0 ? lc.WithSecurity(security) : right.WithSecurity(security)) : (lc.Value != 0 ? lc.WithSecurity(security) : right.WithSecurity(security));
            }

            if (right is ConstSym { Kind: FactKind.Bool } rc)
            {
                return isAnd ? (rc.Value == 0 ? rc.WithSecurity(security) : left.WithSecurity(security)) : (rc.Value != 0 ? rc.WithSecurity(security) : left.WithSecurity(security));
            }

            if (AsCondition(left) is CondSym l && AsCondition(right) is CondSym r)
            {
                return isAnd ? CondSym.And(l, r, security) : CondSym.Or(l, r, security);
            }

            return UnknownSym.Of(security);
        }

        /// <summary>
        /// <c>(x &amp; M) op K</c> as literals on the single bits of M: <c>== 0</c> all clear, <c>!= 0</c>
        /// one set, <c>== M</c> all set, <c>== K</c> each bit as in K; anything else is unknown.
        /// </summary>
        private Sym FlagTest(MaskSym mask, BinaryOperatorKind kind, long k, bool security)
        {
            var bits = mask.Bits;
            if (bits.IsEmpty || bits.Length > CondSym.MaxDisjuncts)
            {
                return UnknownSym.Of(security);
            }

            Literal Bit(long bit, bool set) => new Literal(mask.Value, bit, mask.Mask.BitName(bit), IntSet.Point(set ? 1 : 0), AnnotatedField(mask.Mask.BitField(bit)));

            CondSym Equal(long value) =>
                (value & ~mask.Mask.Value) != 0
                    ? new CondSym(ImmutableArray<ImmutableArray<Literal>>.Empty, security) // never equal: false
                    : new CondSym(ImmutableArray.Create(bits.Select(b => Bit(b, (value & b) != 0)).ToImmutableArray()), security);

            switch (kind)
            {
                case BinaryOperatorKind.Equals:
                    return Equal(k);
                case BinaryOperatorKind.NotEquals:
                    return Equal(k).Negate();
                case BinaryOperatorKind.GreaterThan when k == 0:
                    return Equal(0).Negate();
                default:
                    return UnknownSym.Of(security);
            }
        }

        /// <summary>The constant naming a bit, when it is [FaultPathCheck] or [SecurityCheck] (the bit's test is then annotated).</summary>
        private IFieldSymbol? AnnotatedField(IFieldSymbol? field) =>
            field is not null && (_symbols.IsFaultPathCheck(field) || _symbols.IsSecurityCheck(field)) ? field : null;

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

        // ----- patterns ---------------------------------------------------------------------

        private Few<(RouteState State, Sym Value)> EvaluatePattern(IIsPatternOperation pattern, RouteState state, int depth)
        {
            var result = new Few<(RouteState, Sym)>();
            foreach (var (s, value) in Evaluate(pattern.Value, state, depth))
            {
                var bindings = new List<(ILocalSymbol, Sym)>();
                var matched = MatchPattern(value, pattern.Pattern, pattern.Value.Type, s, bindings);
                var after = s;
                foreach (var (local, bound) in bindings)
                {
                    after = after.WithValue(new SymbolKey(local), bound);
                }

                result.Add((after, matched));
            }

            return result;
        }

        /// <summary>
        /// The condition "<paramref name="value"/> matches <paramref name="pattern"/>": constants,
        /// relational, not/and/or, type and declaration patterns (a null test), property patterns
        /// (a null test and the sub-patterns on the members). Declared variables are bound.
        /// </summary>
        private Sym MatchPattern(Sym value, IPatternOperation pattern, ITypeSymbol? inputType, RouteState state, List<(ILocalSymbol, Sym)> bindings)
        {
            var security = value.ReadsSecurity;
            switch (pattern)
            {
                case IConstantPatternOperation constantPattern when constantPattern.Value.ConstantValue.HasValue:
                    return Combine(BinaryOperatorKind.Equals, value, Constant(constantPattern.Value));
                case IRelationalPatternOperation relational when relational.Value.ConstantValue.HasValue && Constant(relational.Value) is ConstSym bound:
                    return Combine(relational.OperatorKind, value, bound);
                case INegatedPatternOperation negated:
                    return Negate(MatchPattern(value, negated.Pattern, inputType, state, bindings));
                case IBinaryPatternOperation binary:
                    var left = MatchPattern(value, binary.LeftPattern, inputType, state, bindings);
                    var right = MatchPattern(value, binary.RightPattern, inputType, state, bindings);
                    return CombineLogical(binary.OperatorKind == BinaryOperatorKind.Or ? BinaryOperatorKind.ConditionalOr : BinaryOperatorKind.ConditionalAnd, left, right, security);
                case IDiscardPatternOperation:
                    return new ConstSym(1, FactKind.Bool, security);
                case IDeclarationPatternOperation declaration:
                    if (declaration.DeclaredSymbol is ILocalSymbol declared)
                    {
                        bindings.Add((declared, value));
                    }

                    return declaration.MatchesNull ? new ConstSym(1, FactKind.Bool, security) : NotNull(value, inputType, security);
                case ITypePatternOperation:
                    return NotNull(value, inputType, security);
                case IRecursivePatternOperation recursive:
                    if (recursive.DeclaredSymbol is ILocalSymbol local)
                    {
                        bindings.Add((local, value));
                    }

                    if (!recursive.DeconstructionSubpatterns.IsEmpty)
                    {
                        return UnknownSym.Of(security);
                    }

                    var condition = NotNull(value, inputType, security);
                    foreach (var property in recursive.PropertySubpatterns)
                    {
                        var member = property.Member switch
                        {
                            IFieldReferenceOperation f => (ISymbol)f.Field,
                            IPropertyReferenceOperation p when p.Arguments.IsEmpty => p.Property,
                            _ => null,
                        };
                        if (member is null || value is not CheckSym { Subject: { } owner })
                        {
                            return UnknownSym.Of(security);
                        }

                        var memberType = property.Member.Type;
                        var memberSecurity = _symbols.IsSecurityCheck(member);
                        var annotated = _symbols.IsFaultPathCheck(member) || memberSecurity ? GuardOrderSymbols.Original(member) : null;
                        var text = ((CheckSym)value).Text + "." + member.Name;
                        var memberValue = new CheckSym(MemberOf(owner, member, memberType), KindOf(memberType), text, FirstHeld(state), property.Member, memberSecurity, annotated);
                        var sub = MatchPattern(memberValue, property.Pattern, memberType, state, bindings);
                        condition = CombineLogical(BinaryOperatorKind.ConditionalAnd, condition, sub, security || memberSecurity);
                    }

                    return condition;
                default:
                    return UnknownSym.Of(security);
            }
        }

        /// <summary>"value is not null"; always true for a non-nullable value type.</summary>
        private Sym NotNull(Sym value, ITypeSymbol? inputType, bool security)
        {
            if (inputType is { IsValueType: true } && inputType.OriginalDefinition.SpecialType != SpecialType.System_Nullable_T)
            {
                return new ConstSym(1, FactKind.Bool, security);
            }

            return Combine(BinaryOperatorKind.NotEquals, value, new ConstSym(0, FactKind.Reference, false)).WithSecurity(security);
        }

        private static Sym AsCondition(Sym value) =>
            value is CheckSym { Kind: FactKind.Bool } check ? CondSym.Single(new Literal(check, 0, null, IntSet.Point(1)), check.ReadsSecurity) : value;

        private static Sym Negate(Sym value) => AsCondition(value) switch
        {
            ConstSym { Kind: FactKind.Bool } c => new ConstSym(1 - c.Value, FactKind.Bool, c.ReadsSecurity),
            CondSym cond => cond.Negate(),
            TrySym attempt => attempt.Negate(),
            TrustedSym trusted => trusted.Negate(),
            var other => UnknownSym.Of(other.ReadsSecurity),
        };

        /// <summary>
        /// The states in which <paramref name="value"/> is <paramref name="outcome"/>, with the facts that
        /// follow (one state per disjunct of a condition); empty when the route cannot go that way.
        /// An unknown value constrains nothing.
        /// </summary>
        public static List<RouteState> Assume(RouteState state, Sym value, bool outcome) => Alternatives(state, value, outcome).ToList();

        /// <summary><see cref="Assume"/> for the walk itself: the states held inline (a branch asks at every step).</summary>
        private static Few<RouteState> Alternatives(RouteState state, Sym value, bool outcome)
        {
            var result = new Few<RouteState>();
            switch (AsCondition(value))
            {
                case ConstSym c:
                    if ((c.Value != 0) == outcome)
                    {
                        result.Add(state);
                    }

                    return result;
                case CondSym cond:
                    var holding = outcome ? cond : cond.Negate();
                    if (holding is ConstSym k)
                    {
                        return Alternatives(state, k, true);
                    }

                    if (holding is not CondSym dnf)
                    {
                        result.Add(state);
                        return result;
                    }

                    foreach (var disjunct in dnf.Disjuncts)
                    {
                        RouteState? next = state;
                        foreach (var literal in disjunct)
                        {
                            next = next.WithFact(literal.ToFact());
                            if (next is null)
                            {
                                break;
                            }
                        }

                        if (next is not null)
                        {
                            result.Add(next);
                        }
                    }

                    return result;
                case TrySym attempt:
                    var pending = state.PendingTries.Remove(attempt.LockIfTaken.Acquire);
                    var after = state.WithPendingTries(pending);
                    if (outcome == attempt.Negated)
                    {
                        result.Add(after);
                        return result;
                    }

                    after = after.WithHeld(after.Held.Add(attempt.LockIfTaken));
                    if (after.WithFact(Fact.LockTaken(attempt.LockIfTaken)) is { } locked)
                    {
                        result.Add(locked);
                    }

                    return result;
                case TrustedSym trusted:
                    result.Add(outcome != trusted.Negated ? state.WithTrusted(trusted.Call) : state);
                    return result;
                default:
                    result.Add(state);
                    return result;
            }
        }
    }
}
