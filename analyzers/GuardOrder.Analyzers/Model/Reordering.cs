using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace GuardOrder.Analyzers.Model
{
    /// <summary>Why a security check cannot be moved first (null when it can).</summary>
    internal sealed class MoveBlocker
    {
        private MoveBlocker(string? crossedText, string reason)
        {
            CrossedText = crossedText;
            Reason = reason;
        }

        /// <summary>The guard, declaration or operand it cannot be moved above; null for a reason that is not about one (syntax errors, directives).</summary>
        public string? CrossedText { get; }

        public string Reason { get; }

        public static MoveBlocker Crossing(string crossedText, string reason) => new MoveBlocker(crossedText, reason);

        public static MoveBlocker General(string reason) => new MoveBlocker(null, reason);

        /// <summary>The tail of the GO0001 message ("" is used when the fix is offered).</summary>
        public string MessageSuffix =>
            CrossedText is null
                ? "; it is not moved automatically (" + Reason + ")"
                : "; it cannot be moved above '" + CrossedText + "' without changing the result (" + Reason + ")";
    }

    /// <summary>Shared checks for moving one condition in front of others (guard runs and &amp;&amp;/|| chains).</summary>
    internal static class Reordering
    {
        /// <summary>Locals, parameters, fields and properties an expression reads.</summary>
        public static ImmutableHashSet<ISymbol> VariablesRead(IOperation? operation)
        {
            var builder = ImmutableHashSet.CreateBuilder<ISymbol>(SymbolEqualityComparer.Default);
            if (operation is null)
            {
                return builder.ToImmutable();
            }

            foreach (var descendant in operation.DescendantsAndSelf())
            {
                switch (descendant)
                {
                    case ILocalReferenceOperation { IsDeclaration: false } local:
                        builder.Add(local.Local);
                        break;
                    case IParameterReferenceOperation parameter:
                        builder.Add(parameter.Parameter);
                        break;
                    case IFieldReferenceOperation field:
                        // A field read through `this` or statically: the anchor of a tested path such as `this.vma`.
                        builder.Add(field.Field);
                        break;
                    case IPropertyReferenceOperation property:
                        builder.Add(property.Property);
                        break;
                }
            }

            return builder.ToImmutable();
        }

        /// <summary>Locals an expression or declaration introduces (declarators, pattern and out variables).</summary>
        public static IEnumerable<ILocalSymbol> DeclaredLocals(IOperation? operation)
        {
            if (operation is null)
            {
                yield break;
            }

            foreach (var descendant in operation.DescendantsAndSelf())
            {
                switch (descendant)
                {
                    case IVariableDeclaratorOperation declarator:
                        yield return declarator.Symbol;
                        break;
                    case ILocalReferenceOperation { IsDeclaration: true } local:
                        yield return local.Local;
                        break;
                    case IDeclarationPatternOperation { DeclaredSymbol: ILocalSymbol declared }:
                        yield return declared;
                        break;
                    case IRecursivePatternOperation { DeclaredSymbol: ILocalSymbol declared }:
                        yield return declared;
                        break;
                    case IListPatternOperation { DeclaredSymbol: ILocalSymbol declared }:
                        yield return declared;
                        break;
                }
            }
        }

        /// <summary>
        /// The variables under the paths the condition tests (null/type/pattern tests): <c>vma</c> for
        /// <c>vma == null</c>, <c>vmf?.vma == null</c> and <c>vmf.vma is null</c>; the field for
        /// <c>this.vma == null</c>. A later read may rely on them.
        /// </summary>
        public static IEnumerable<ISymbol> VariablesTested(IOperation? operation)
        {
            if (operation is null)
            {
                yield break;
            }

            foreach (var descendant in operation.DescendantsAndSelf())
            {
                switch (descendant)
                {
                    case IBinaryOperation { OperatorKind: BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals } binary:
                        if (IsNullConstant(binary.RightOperand) && VariableOf(binary.LeftOperand) is { } left)
                        {
                            yield return left;
                        }
                        else if (IsNullConstant(binary.LeftOperand) && VariableOf(binary.RightOperand) is { } right)
                        {
                            yield return right;
                        }

                        break;
                    case IIsPatternOperation isPattern when VariableOf(isPattern.Value) is { } tested:
                        yield return tested;
                        break;
                    case IIsTypeOperation isType when VariableOf(isType.ValueOperand) is { } typeTested:
                        yield return typeTested;
                        break;
                }
            }
        }

        /// <summary>Why <paramref name="mover"/> (read-set and declared-set given) cannot be evaluated before <paramref name="crossed"/>, ignoring exits; null when it can.</summary>
        public static string? DataReason(IOperation? mover, IOperation? crossed, Purity purity, CancellationToken cancellationToken, string moverName = "the security check")
        {
            var sideEffect = purity.FindSideEffect(crossed, cancellationToken);
            if (sideEffect is not null)
            {
                return DescribeSideEffect(sideEffect);
            }

            var read = VariablesRead(mover);
            foreach (var local in DeclaredLocals(crossed))
            {
                if (read.Contains(local))
                {
                    return moverName + " reads '" + local.Name + "', declared there";
                }
            }

            foreach (var tested in VariablesTested(crossed))
            {
                if (read.Contains(tested))
                {
                    return "it tests '" + tested.Name + "' before " + moverName + " reads it";
                }
            }

            return null;
        }

        public static string DescribeSideEffect(IOperation operation)
        {
            if (operation is IInvalidOperation || operation.Syntax.ContainsDiagnostics)
            {
                return "'" + GuardText.Of(operation.Syntax) + "' is not complete code";
            }

            return "'" + GuardText.Of(operation.Syntax) + (Purity.MayThrow(operation) ? "' may throw" : "' may have side effects");
        }

        /// <summary>Why the code between the items cannot be rewritten safely (syntax errors, directives); null when it can.</summary>
        public static string? SyntaxReason(IEnumerable<SyntaxNode> nodes)
        {
            foreach (var node in nodes)
            {
                if (node.ContainsDiagnostics || node.IsMissing)
                {
                    return "the code has syntax errors";
                }

                if (node.ContainsDirectives || node.GetLeadingTrivia().Any(t => t.IsDirective))
                {
                    return "a preprocessor directive sits between them";
                }
            }

            return null;
        }

        private static bool IsNullConstant(IOperation operation) =>
            operation.ConstantValue.HasValue && operation.ConstantValue.Value is null;

        private static ISymbol? VariableOf(IOperation operation)
        {
            while (operation is IConversionOperation conversion)
            {
                operation = conversion.Operand;
            }

            // Only a test that can fail on null protects a later dereference.
            var type = operation.Type;
            if (type is null || !(type.IsReferenceType || type.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T || type.TypeKind == TypeKind.TypeParameter))
            {
                return null;
            }

            // `x?.y` tests x (and x.y); `x.y` tests x.y, which a read of x.y.z relies on.
            while (operation is IConditionalAccessOperation access)
            {
                operation = access.Operation;
                while (operation is IConversionOperation inner)
                {
                    operation = inner.Operand;
                }
            }

            return AccessPath.Of(operation)?.Anchor;
        }
    }
}
