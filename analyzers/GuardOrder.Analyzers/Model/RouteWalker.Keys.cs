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

        /// <summary>
        /// <see cref="KeyOf"/> once per operation and walk: a walk asks at every read of a local on every
        /// route, and a new key each time was a tenth of its allocations. Keys are pure in the operation.
        /// </summary>
        private ValueKey? Key(IOperation? operation)
        {
            if (operation is null)
            {
                return null;
            }

            if (!_keys.TryGetValue(operation, out var key))
            {
                key = KeyOf(operation);
                _keys[operation] = key;
            }

            return key;
        }

        /// <summary>Where the value of a local, parameter, or field/property path rooted at one (<c>vmf.page</c>) lives; null otherwise.</summary>
        public static ValueKey? KeyOf(IOperation? operation)
        {
            switch (operation is null ? null : Unwrap(operation))
            {
                case ILocalReferenceOperation local:
                    return new SymbolKey(local.Local);
                case IParameterReferenceOperation parameter:
                    return new SymbolKey(parameter.Parameter.OriginalDefinition);
                case IInstanceReferenceOperation:
                    return SymbolKey.This;
                case IFieldReferenceOperation field:
                    if (field.Field.IsStatic || field.Instance is null)
                    {
                        return new SymbolKey(field.Field.OriginalDefinition);
                    }

                    var fieldOwner = KeyOf(field.Instance);
                    return fieldOwner is null ? null : new PathKey(fieldOwner, field.Field.OriginalDefinition);
                case IPropertyReferenceOperation property when property.Arguments.IsEmpty:
                    if (property.Property.IsStatic || property.Instance is null)
                    {
                        return new SymbolKey(property.Property.OriginalDefinition);
                    }

                    var propertyOwner = KeyOf(property.Instance);
                    return propertyOwner is null ? null : new PathKey(propertyOwner, property.Property.OriginalDefinition);
                default:
                    return null;
            }
        }

        /// <summary>
        /// The subject of an input parameter that holds no value on this route: "the input of this
        /// type" when it is an object whose type is unique among the method's parameters, the parameter
        /// itself otherwise (then it maps to nothing in another method).
        /// </summary>
        private static Subject InputOf(IParameterSymbol parameter)
        {
            // A number, flag word or bool is not an object: two methods' `ulong` parameters (cp_flags,
            // address) are not the same value because their types match.
            if (IsPrimitive(parameter.Type))
            {
                return new ParameterSubject(parameter.OriginalDefinition);
            }

            if (parameter.ContainingSymbol is IMethodSymbol method)
            {
                var same = 0;
                foreach (var other in method.Parameters)
                {
                    if (Subject.SameType(other.Type, parameter.Type))
                    {
                        same++;
                    }
                }

                if (same > 1)
                {
                    return new ParameterSubject(parameter.OriginalDefinition);
                }
            }

            return new InputSubject(parameter.Type);
        }

        /// <summary>The input types a method can name: its parameters of unique type (and its containing type for instance methods).</summary>
        public static ImmutableArray<ITypeSymbol> InputsOf(IMethodSymbol method)
        {
            var inputs = ImmutableArray.CreateBuilder<ITypeSymbol>();
            foreach (var parameter in method.Parameters)
            {
                if (InputOf(parameter) is InputSubject input)
                {
                    inputs.Add(input.Type);
                }
            }

            if (!method.IsStatic && method.ContainingType is not null)
            {
                inputs.Add(method.ContainingType);
            }

            return inputs.ToImmutable();
        }

        /// <summary>True for values compared as values, not as objects (numbers, bool, enums, strings).</summary>
        private static bool IsPrimitive(ITypeSymbol? type)
        {
            if (type is null)
            {
                return true;
            }

            if (type.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T && type is INamedTypeSymbol { TypeArguments.Length: 1 } nullable)
            {
                type = nullable.TypeArguments[0];
            }

            return type.SpecialType != SpecialType.None || type.TypeKind == TypeKind.Enum || type.TypeKind == TypeKind.Pointer;
        }

        /// <summary>
        /// The subject of <c>owner.member</c>: an object member of an input (of another type) is the
        /// input of its own type (<c>vmf.vma</c> is the vm_area_struct the predicate gets as <c>vma</c>);
        /// any other member is a path.
        /// </summary>
        private static Subject MemberOf(Subject owner, ISymbol member, ITypeSymbol? type)
        {
            if (owner is InputSubject input && type is not null && !IsPrimitive(type) && !Subject.SameType(type, input.Type))
            {
                return new InputSubject(type);
            }

            return new MemberSubject(owner, member.OriginalDefinition);
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
