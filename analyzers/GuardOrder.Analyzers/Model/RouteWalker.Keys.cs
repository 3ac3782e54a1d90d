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
    /// <summary>Keys of values along a route, and operation text for messages.</summary>
    internal sealed partial class RouteWalker
    {
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
