using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace GuardOrder.Analyzers.Model
{
    /// <summary>
    /// A variable and the fields/properties read through it: <c>vma</c>, <c>vmf.vma</c>, <c>this.vma</c>.
    /// Two paths are equal when they name the same symbols in the same order (a property is taken to
    /// return the same object on every read).
    /// </summary>
    internal sealed class AccessPath : System.IEquatable<AccessPath>
    {
        private readonly ImmutableArray<ISymbol> symbols;

        private AccessPath(ImmutableArray<ISymbol> symbols)
        {
            this.symbols = symbols;
        }

        /// <summary>The variable the path starts from: the local or parameter, or the first field/property for a path through <c>this</c>.</summary>
        public ISymbol Anchor => symbols.FirstOrDefault(s => s is not ITypeSymbol) ?? symbols[0];

        public string Text => string.Join(".", symbols.Select(s => s is ITypeSymbol ? "this" : s.Name));

        /// <summary>The path an expression denotes, or null (calls, element access, <c>?.</c> and anything else that is not a plain path).</summary>
        public static AccessPath? Of(IOperation? operation)
        {
            var parts = new List<ISymbol>();
            while (true)
            {
                switch (operation)
                {
                    case IConversionOperation { IsImplicit: true } conversion:
                        operation = conversion.Operand;
                        continue;
                    case IParenthesizedOperation parenthesized:
                        operation = parenthesized.Operand;
                        continue;
                    case ILocalReferenceOperation local:
                        parts.Add(local.Local);
                        break;
                    case IParameterReferenceOperation parameter:
                        parts.Add(parameter.Parameter);
                        break;
                    case IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance } instance when instance.Type is not null:
                        parts.Add(instance.Type);
                        break;
                    case IFieldReferenceOperation field:
                        parts.Add(field.Field);
                        if (field.Instance is null)
                        {
                            break;
                        }

                        operation = field.Instance;
                        continue;
                    case IPropertyReferenceOperation property when property.Arguments.IsEmpty:
                        parts.Add(property.Property);
                        if (property.Instance is null)
                        {
                            break;
                        }

                        operation = property.Instance;
                        continue;
                    default:
                        return null;
                }

                parts.Reverse();
                return new AccessPath(parts.ToImmutableArray());
            }
        }

        public AccessPath Append(ISymbol member) => new AccessPath(symbols.Add(member));

        public bool Equals(AccessPath? other) =>
            other is not null && other.symbols.Length == symbols.Length &&
            symbols.Zip(other.symbols, (a, b) => SymbolEqualityComparer.Default.Equals(a, b)).All(e => e);

        public override bool Equals(object? obj) => Equals(obj as AccessPath);

        public override int GetHashCode()
        {
            var hash = 17;
            foreach (var symbol in symbols)
            {
                hash = (hash * 31) + SymbolEqualityComparer.Default.GetHashCode(symbol);
            }

            return hash;
        }

        public override string ToString() => Text;
    }

    /// <summary>
    /// Preconditions of a security check: null tests of what it dereferences, and argument
    /// validation (<c>ArgumentNullException.ThrowIfNull(x)</c>, <c>_ = x ?? throw new ArgumentNullException(...)</c>,
    /// <c>if (...) throw new ArgumentException(...)</c>, <c>Debug.Assert(x != null)</c>).
    /// </summary>
    internal static class Preconditions
    {
        /// <summary>
        /// The paths a condition tests for null, when the condition is nothing but null tests:
        /// <c>x == null</c>, <c>null == x</c>, <c>x is null</c>, <c>x is not { }</c>, <c>x?.y == null</c>
        /// (tests <c>x</c> and <c>x.y</c>), <c>!(x != null)</c>, and <c>||</c> of such tests (<c>&amp;&amp;</c> of
        /// the non-null forms). <paramref name="trueWhenNull"/> says which way round: true for
        /// <c>x == null</c>, false for <c>x != null</c>. Null when the condition tests anything else.
        /// </summary>
        public static ImmutableHashSet<AccessPath>? NullTested(IOperation? condition, out bool trueWhenNull)
        {
            trueWhenNull = false;
            switch (condition)
            {
                case IConversionOperation { IsImplicit: true } conversion:
                    return NullTested(conversion.Operand, out trueWhenNull);
                case IParenthesizedOperation parenthesized:
                    return NullTested(parenthesized.Operand, out trueWhenNull);
                case IUnaryOperation { OperatorKind: UnaryOperatorKind.Not, OperatorMethod: null } not:
                    {
                        var inner = NullTested(not.Operand, out var innerWhenNull);
                        trueWhenNull = !innerWhenNull;
                        return inner;
                    }

                case IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalOr or BinaryOperatorKind.ConditionalAnd, OperatorMethod: null } chain:
                    {
                        var left = NullTested(chain.LeftOperand, out var leftWhenNull);
                        var right = NullTested(chain.RightOperand, out var rightWhenNull);
                        var wanted = chain.OperatorKind == BinaryOperatorKind.ConditionalOr;
                        if (left is null || right is null || leftWhenNull != wanted || rightWhenNull != wanted)
                        {
                            return null;
                        }

                        trueWhenNull = wanted;
                        return left.Union(right);
                    }

                case IBinaryOperation { OperatorKind: BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals } binary
                    when binary.OperatorMethod is null || IsObjectEquality(binary):
                    {
                        var tested = IsNullConstant(binary.RightOperand) ? binary.LeftOperand : IsNullConstant(binary.LeftOperand) ? binary.RightOperand : null;
                        trueWhenNull = binary.OperatorKind == BinaryOperatorKind.Equals;
                        return PathsOfTested(tested);
                    }

                case IIsPatternOperation isPattern:
                    {
                        var pattern = isPattern.Pattern;
                        var negated = false;
                        while (pattern is INegatedPatternOperation negation)
                        {
                            negated = !negated;
                            pattern = negation.Pattern;
                        }

                        bool matchesNull;
                        switch (pattern)
                        {
                            case IConstantPatternOperation constant when IsNullConstant(constant.Value):
                                matchesNull = true;
                                break;
                            case IRecursivePatternOperation { DeconstructSymbol: null, DeclaredSymbol: null } recursive
                                when recursive.PropertySubpatterns.IsEmpty && recursive.DeconstructionSubpatterns.IsEmpty &&
                                     (isPattern.Value.Type is null || SymbolEqualityComparer.Default.Equals(recursive.MatchedType, isPattern.Value.Type) ||
                                      SymbolEqualityComparer.Default.Equals(recursive.MatchedType, Underlying(isPattern.Value.Type))):
                                // `x is { }`: not null, nothing else.
                                matchesNull = false;
                                break;
                            default:
                                return null;
                        }

                        trueWhenNull = matchesNull != negated;
                        return PathsOfTested(isPattern.Value);
                    }

                default:
                    return null;
            }
        }

        /// <summary>
        /// The paths an expression dereferences when it is evaluated: <c>vma</c> for <c>vma.vm_flags</c>;
        /// <c>vmf</c> and <c>vmf.vma</c> for <c>vmf.vma.vm_flags</c>; the receiver of an instance call or
        /// indexer; an array. <c>?.</c> dereferences nothing, and neither do lambdas (not run there).
        /// </summary>
        public static ImmutableHashSet<AccessPath> Dereferenced(IOperation? operation)
        {
            var builder = ImmutableHashSet.CreateBuilder<AccessPath>();
            if (operation is null)
            {
                return builder.ToImmutable();
            }

            var stack = new Stack<IOperation>();
            stack.Push(operation);
            while (stack.Count > 0)
            {
                var current = stack.Pop();
                if (current is IAnonymousFunctionOperation or ILocalFunctionOperation or INameOfOperation)
                {
                    continue;
                }

                var receiver = current switch
                {
                    IFieldReferenceOperation { Field.IsStatic: false } field => field.Instance,
                    IPropertyReferenceOperation { Property.IsStatic: false } property => property.Instance,
                    IInvocationOperation { TargetMethod.IsStatic: false } invocation => invocation.Instance,
                    IEventReferenceOperation { Event.IsStatic: false } @event => @event.Instance,
                    IArrayElementReferenceOperation element => element.ArrayReference,
                    _ => null,
                };
                if (receiver is not null && receiver is not IConditionalAccessInstanceOperation && receiver.Type is { IsValueType: false } &&
                    AccessPath.Of(receiver) is { } path)
                {
                    builder.Add(path);
                }

                foreach (var child in current.ChildOperations)
                {
                    if (child is not null)
                    {
                        stack.Push(child);
                    }
                }
            }

            return builder.ToImmutable();
        }

        /// <summary>Is the exception type <c>System.ArgumentException</c> or derived from it (ArgumentNullException, ArgumentOutOfRangeException, ...)?</summary>
        public static bool IsArgumentException(ITypeSymbol? type)
        {
            for (var current = type; current is not null; current = current.BaseType)
            {
                if (current.Name == "ArgumentException" && current.ContainingNamespace is { Name: "System", ContainingNamespace.IsGlobalNamespace: true })
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>
        /// A BCL argument-validation helper: a static <c>ThrowIf*</c> method of <c>ArgumentException</c>,
        /// <c>ArgumentNullException</c> or <c>ArgumentOutOfRangeException</c>
        /// (<c>ThrowIfNull</c>, <c>ThrowIfNullOrEmpty</c>, <c>ThrowIfNullOrWhiteSpace</c>, <c>ThrowIfNegative</c>, <c>ThrowIfZero</c>, <c>ThrowIfGreaterThan</c>, ...).
        /// </summary>
        public static bool IsThrowHelper(IMethodSymbol method) =>
            method.IsStatic && method.Name.StartsWith("ThrowIf", System.StringComparison.Ordinal) && IsArgumentException(method.ContainingType);

        /// <summary>What a <see cref="IsThrowHelper"/> tests for null: its first argument for the <c>ThrowIfNull*</c> helpers, nothing for the others.</summary>
        public static ImmutableHashSet<AccessPath> NullTestedByThrowHelper(IInvocationOperation invocation)
        {
            if (!invocation.TargetMethod.Name.StartsWith("ThrowIfNull", System.StringComparison.Ordinal))
            {
                return ImmutableHashSet<AccessPath>.Empty;
            }

            var first = invocation.Arguments.FirstOrDefault(a => a.Parameter?.Ordinal == 0);
            return PathsOfTested(first?.Value) ?? ImmutableHashSet<AccessPath>.Empty;
        }

        /// <summary>The paths a null test of <paramref name="tested"/> tests: <c>x</c>; for <c>x?.y</c> also <c>x.y</c> when it can be null.</summary>
        public static ImmutableHashSet<AccessPath>? PathsOfTested(IOperation? tested)
        {
            while (tested is IConversionOperation { IsImplicit: true } or IParenthesizedOperation)
            {
                tested = tested is IConversionOperation conversion ? conversion.Operand : ((IParenthesizedOperation)tested).Operand;
            }

            if (tested is null || !CanBeNull(tested.Type))
            {
                return null;
            }

            if (AccessPath.Of(tested) is { } plain)
            {
                return ImmutableHashSet.Create(plain);
            }

            if (tested is IConditionalAccessOperation access)
            {
                var paths = ImmutableHashSet.CreateBuilder<AccessPath>();
                if (!AddConditionalAccessPaths(access, paths))
                {
                    return null;
                }

                return paths.ToImmutable();
            }

            return null;
        }

        private static bool AddConditionalAccessPaths(IConditionalAccessOperation access, ImmutableHashSet<AccessPath>.Builder paths)
        {
            var receiver = AccessPath.Of(access.Operation);
            if (receiver is null)
            {
                return false;
            }

            paths.Add(receiver);
            return AddNestedPaths(receiver, access.WhenNotNull, paths);
        }

        /// <summary>The member chain of a <c>?.</c> link read on <paramref name="receiver"/>: <c>x?.y?.z</c> tests <c>x</c>, <c>x.y</c> and (when it can be null) <c>x.y.z</c>.</summary>
        private static bool AddNestedPaths(AccessPath receiver, IOperation whenNotNull, ImmutableHashSet<AccessPath>.Builder paths)
        {
            var members = new List<ISymbol>();
            var current = whenNotNull;
            IConditionalAccessOperation? nested = null;
            if (current is IConditionalAccessOperation inner)
            {
                nested = inner;
                current = inner.Operation;
            }

            while (current is not IConditionalAccessInstanceOperation)
            {
                switch (current)
                {
                    case IFieldReferenceOperation field:
                        members.Add(field.Field);
                        current = field.Instance;
                        continue;
                    case IPropertyReferenceOperation property when property.Arguments.IsEmpty:
                        members.Add(property.Property);
                        current = property.Instance;
                        continue;
                    default:
                        return false;
                }
            }

            members.Reverse();
            var path = receiver;
            for (var i = 0; i < members.Count; i++)
            {
                path = path.Append(members[i]);
                var type = members[i] is IFieldSymbol f ? f.Type : (members[i] as IPropertySymbol)?.Type;
                if (i < members.Count - 1 || nested is not null || CanBeNull(type))
                {
                    paths.Add(path);
                }
            }

            return nested is null || AddNestedPaths(path, nested.WhenNotNull, paths);
        }

        private static bool CanBeNull(ITypeSymbol? type) =>
            type is not null && (type.IsReferenceType || type.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T || type.TypeKind == TypeKind.TypeParameter && !type.IsValueType);

        private static ITypeSymbol? Underlying(ITypeSymbol type) =>
            type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable ? nullable.TypeArguments[0] : type;

        private static bool IsNullConstant(IOperation operation)
        {
            while (operation is IConversionOperation { IsImplicit: true } conversion)
            {
                operation = conversion.Operand;
            }

            return operation.ConstantValue.HasValue && operation.ConstantValue.Value is null;
        }

        /// <summary><c>x == null</c> on a type with a user-defined <c>==</c> is not a plain null test, except for <c>string</c> and delegates.</summary>
        private static bool IsObjectEquality(IBinaryOperation binary) =>
            binary.OperatorMethod is { ContainingType.SpecialType: SpecialType.System_String or SpecialType.System_Delegate or SpecialType.System_MulticastDelegate };
    }
}
