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

        /// <summary>Is the path just <paramref name="symbol"/> (a parameter or local, nothing read through it)?</summary>
        public bool IsSingle(ISymbol symbol) => symbols.Length == 1 && SymbolEqualityComparer.Default.Equals(symbols[0], symbol);

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

                        var value = PathsOfTested(isPattern.Value);
                        if (value is null)
                        {
                            return null;
                        }

                        if (pattern is IConstantPatternOperation constant && IsNullConstant(constant.Value))
                        {
                            trueWhenNull = !negated;
                            return value;
                        }

                        // `x is { }`, `x is object`, `x is { vma: { } }`: matches exactly when the paths are not null.
                        // (A `?.` input has no single root path: only patterns without subpatterns are taken there.)
                        var root = AccessPath.Of(isPattern.Value);
                        if (NonNullPattern(pattern, root ?? value.First(), isPattern.Value.Type) is { } nonNull && (root is not null || nonNull.Count == 1))
                        {
                            trueWhenNull = negated;
                            return value.Union(nonNull);
                        }

                        return null;
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
        public static ImmutableHashSet<AccessPath> Dereferenced(IOperation? operation) => Dereferenced(operation, calleeDepth: 1);

        private static ImmutableHashSet<AccessPath> Dereferenced(IOperation? operation, int calleeDepth)
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

                if (current is IInvocationOperation call && calleeDepth > 0)
                {
                    AddDereferencedArguments(call, calleeDepth, builder);
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

        /// <summary>
        /// <c>may_write(vma)</c> dereferences <c>vma</c> when the callee's source (in this compilation, one
        /// declaration) dereferences that parameter and never tests it for null itself.
        /// </summary>
        private static void AddDereferencedArguments(IInvocationOperation call, int calleeDepth, ImmutableHashSet<AccessPath>.Builder builder)
        {
            var method = (call.TargetMethod.ReducedFrom ?? call.TargetMethod).OriginalDefinition;
            if (method.DeclaringSyntaxReferences.Length != 1 || call.SemanticModel is not { } callerModel)
            {
                return;
            }

            var paths = call.Arguments
                .Select(a => (Argument: a, Path: a.Parameter is not null && a.Value.Type is { IsValueType: false } ? AccessPath.Of(a.Value) : null))
                .Where(p => p.Path is not null)
                .ToList();
            if (paths.Count == 0)
            {
                return;
            }

            var syntax = method.DeclaringSyntaxReferences[0].GetSyntax();
            var compilation = callerModel.Compilation;
            if (!compilation.ContainsSyntaxTree(syntax.SyntaxTree))
            {
                return;
            }

#pragma warning disable RS1030 // The callee may live in another tree; the driver caches semantic models.
            var model = compilation.GetSemanticModel(syntax.SyntaxTree);
#pragma warning restore RS1030
            var body = model.GetOperation(syntax);
            if (body is null)
            {
                return;
            }

            var dereferenced = Dereferenced(body, calleeDepth - 1);
            var tested = ImmutableHashSet.CreateRange<ISymbol>(SymbolEqualityComparer.Default, Reordering.VariablesTested(body));
            foreach (var (argument, path) in paths)
            {
                var parameter = argument.Parameter!.OriginalDefinition;
                if (method.Parameters.Length > parameter.Ordinal)
                {
                    parameter = method.Parameters[parameter.Ordinal];
                }

                if (!tested.Contains(parameter) && dereferenced.Any(d => d.IsSingle(parameter)))
                {
                    builder.Add(path!);
                }
            }
        }

        /// <summary>
        /// The paths a pattern requires to be non-null when it tests nothing else, or null: <c>{ }</c>,
        /// <c>not null</c>, a type pattern of the input's own type or <c>object</c>, and property patterns
        /// whose subpatterns are such patterns (<c>{ vma: { } }</c> requires <c>x</c> and <c>x.vma</c>).
        /// </summary>
        private static ImmutableHashSet<AccessPath>? NonNullPattern(IPatternOperation pattern, AccessPath path, ITypeSymbol? inputType)
        {
            switch (pattern)
            {
                case INegatedPatternOperation { Pattern: IConstantPatternOperation constant } when IsNullConstant(constant.Value):
                    return ImmutableHashSet.Create(path);
                case ITypePatternOperation type when IsOwnTypeOrObject(type.MatchedType, inputType):
                    return ImmutableHashSet.Create(path);
                case IRecursivePatternOperation { DeconstructSymbol: null, DeclaredSymbol: null } recursive
                    when recursive.DeconstructionSubpatterns.IsEmpty && IsOwnTypeOrObject(recursive.MatchedType, inputType):
                    {
                        var result = ImmutableHashSet.CreateBuilder<AccessPath>();
                        result.Add(path);
                        foreach (var subpattern in recursive.PropertySubpatterns)
                        {
                            var member = subpattern.Member switch
                            {
                                IFieldReferenceOperation { Instance: IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.PatternInput } } field => (ISymbol)field.Field,
                                IPropertyReferenceOperation { Instance: IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.PatternInput }, Arguments.IsEmpty: true } property => property.Property,
                                _ => null,
                            };
                            if (member is null || !CanBeNull(subpattern.Member.Type))
                            {
                                return null;
                            }

                            var inner = NonNullPattern(subpattern.Pattern, path.Append(member), subpattern.Member.Type);
                            if (inner is null)
                            {
                                return null;
                            }

                            result.UnionWith(inner);
                        }

                        return result.ToImmutable();
                    }

                default:
                    return null;
            }
        }

        private static bool IsOwnTypeOrObject(ITypeSymbol? matched, ITypeSymbol? input) =>
            matched is null || input is null ||
            matched.SpecialType == SpecialType.System_Object ||
            SymbolEqualityComparer.Default.Equals(matched, input) ||
            SymbolEqualityComparer.Default.Equals(matched, Underlying(input));

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
