using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace GuardOrder.Analyzers.Model
{
    /// <summary>
    /// Does an expression read a <c>[SecurityCheck]</c> symbol? Looks at the operation tree, not at
    /// constant values, so a folded constant (<c>(flags &amp; VM_WRITE) == 0</c>), an enum member
    /// (<c>flags.HasFlag(VmFlags.Write)</c>), a member read through <c>using static</c> or an alias,
    /// a constant inside a pattern and an argument of a wrapper call (<c>WARN_ON_ONCE(...)</c>) are all
    /// seen. <c>nameof(...)</c> is not a read.
    /// </summary>
    internal static class SecurityReads
    {
        /// <summary>The first [SecurityCheck] symbol <paramref name="operation"/> reads, or null.</summary>
        public static ISymbol? FindSecurityRead(IOperation? operation, GuardOrderSymbols symbols)
        {
            if (operation is null || symbols.SecurityCheck is null)
            {
                return null;
            }

            return Find(operation, symbols);
        }

        public static bool ReadsSecurityCheck(IOperation? operation, GuardOrderSymbols symbols) =>
            FindSecurityRead(operation, symbols) is not null;

        /// <summary>Does <paramref name="operation"/> itself (not its operands) read a [SecurityCheck] symbol?</summary>
        public static bool IsSecurityMember(IOperation operation, GuardOrderSymbols symbols) =>
            symbols.SecurityCheck is not null && ReadSymbol(operation) is { } symbol && symbols.IsSecurityCheck(symbol);

        /// <summary>Every [SecurityCheck] symbol <paramref name="operation"/> reads, in tree order.</summary>
        public static System.Collections.Generic.IEnumerable<ISymbol> AllSecurityReads(IOperation operation, GuardOrderSymbols symbols)
        {
            if (symbols.SecurityCheck is null)
            {
                yield break;
            }

            foreach (var node in operation.DescendantsAndSelf())
            {
                if (node is not INameOfOperation && ReadSymbol(node) is { } symbol && symbols.IsSecurityCheck(symbol) && !IsInNameOf(node))
                {
                    yield return symbol;
                }
            }
        }

        private static bool IsInNameOf(IOperation operation)
        {
            for (var parent = operation.Parent; parent is not null; parent = parent.Parent)
            {
                if (parent is INameOfOperation)
                {
                    return true;
                }
            }

            return false;
        }

        private static ISymbol? Find(IOperation operation, GuardOrderSymbols symbols)
        {
            if (operation is INameOfOperation)
            {
                return null;
            }

            var symbol = ReadSymbol(operation);
            if (symbol is not null && symbols.IsSecurityCheck(symbol))
            {
                return symbol;
            }

            foreach (var child in operation.ChildOperations)
            {
                if (child is null)
                {
                    continue;
                }

                var found = Find(child, symbols);
                if (found is not null)
                {
                    return found;
                }
            }

            return null;
        }

        private static ISymbol? ReadSymbol(IOperation operation) =>
            operation switch
            {
                IFieldReferenceOperation field => field.Field,
                IPropertyReferenceOperation property => property.Property,
                IInvocationOperation invocation => invocation.TargetMethod,
                IMethodReferenceOperation method => method.Method,
                IEventReferenceOperation @event => @event.Event,
                IUnaryOperation unary => unary.OperatorMethod,
                IBinaryOperation binary => binary.OperatorMethod,
                IConversionOperation conversion => conversion.OperatorMethod,
                _ => null,
            };
    }
}
