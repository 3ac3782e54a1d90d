using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace GuardOrder.Analyzers.Model
{
    /// <summary>
    /// A bool method whose first statement is <c>if (C) return false;</c> (no else), where C reads a
    /// [SecurityCheck] member without any control flow of its own: every route of the method runs that
    /// statement first, takes the branch on C (a security read on every route, since nothing in C can
    /// branch, call a helper the walk would expand, or lose the read), and can return true only from its
    /// false side. So GO0005's walk would find every true return gated by that branch: the rule need not
    /// build the method's control-flow graph nor walk it (on the mixed corpus the walks of such
    /// guard-first methods were a quarter of GuardOrder's allocation).
    /// <para>
    /// Deliberately narrow: C is built only of <c>!</c>, non-short-circuit binary operators, built-in
    /// conversions, literals, parameters, fields (through such receivers), and calls of a
    /// [SecurityCheck] method or of a method without a body in this compilation (which the walk does not
    /// expand); the read it counts is one the walk counts too (a [SecurityCheck] field or constant, a
    /// [SecurityCheck] method, or an argument that reads one). Anything else (a local, a property, a
    /// <c>&amp;&amp;</c>, <c>?.</c>, <c>??</c>, a pattern, a helper of this compilation) leaves the method
    /// to the walk.
    /// </para>
    /// </summary>
    internal static class LeadingSecurityGate
    {
        /// <summary>True when <paramref name="body"/>'s first statement gates every route that returns true (see the class).</summary>
        public static bool GatesEveryTrueRoute(IMethodBodyOperation body, GuardOrderSymbols symbols)
        {
            if (symbols.SecurityCheck is null ||
                body.BlockBody is not { Operations.Length: > 0 } block ||
                block.Operations[0] is not IConditionalOperation { WhenFalse: null, Type: null } first ||
                first.Condition.ConstantValue.HasValue ||
                !ReturnsFalse(first.WhenTrue))
            {
                return false;
            }

            return Read(first.Condition, symbols) == Kind.Security;
        }

        /// <summary><c>return false;</c>, alone or as the only statement of a block without locals.</summary>
        private static bool ReturnsFalse(IOperation operation)
        {
            if (operation is IBlockOperation { Operations.Length: 1, Locals.IsEmpty: true } block)
            {
                operation = block.Operations[0];
            }

            return operation is IReturnOperation { Kind: OperationKind.Return, ReturnedValue: ILiteralOperation { ConstantValue: { HasValue: true, Value: false } } };
        }

        private enum Kind
        {
            /// <summary>A form this check does not read: the method is left to the walk.</summary>
            Other,

            /// <summary>Branch-free, no [SecurityCheck] read.</summary>
            Plain,

            /// <summary>Branch-free, reads a [SecurityCheck] member on every evaluation.</summary>
            Security,
        }

        private static Kind Both(Kind a, Kind b) =>
            a == Kind.Other || b == Kind.Other ? Kind.Other : a == Kind.Security || b == Kind.Security ? Kind.Security : Kind.Plain;

        private static Kind Read(IOperation? operation, GuardOrderSymbols symbols)
        {
            switch (operation)
            {
                case ILiteralOperation:
                case IParameterReferenceOperation:
                    return Kind.Plain;

                case IUnaryOperation { OperatorKind: UnaryOperatorKind.Not, OperatorMethod: null } not:
                    return Read(not.Operand, symbols);

                case IConversionOperation { OperatorMethod: null } conversion:
                    return Read(conversion.Operand, symbols);

                case IBinaryOperation { OperatorMethod: null } binary
                    when binary.OperatorKind is not (BinaryOperatorKind.ConditionalAnd or BinaryOperatorKind.ConditionalOr):
                    return Both(Read(binary.LeftOperand, symbols), Read(binary.RightOperand, symbols));

                case IFieldReferenceOperation field:
                    var receiver = field.Instance is null ? Kind.Plain : Read(field.Instance, symbols);
                    return receiver == Kind.Other ? Kind.Other : symbols.IsSecurityCheck(field.Field) ? Kind.Security : receiver;

                case IInvocationOperation invocation:
                    return ReadCall(invocation, symbols);

                default:
                    return Kind.Other;
            }
        }

        /// <summary>
        /// A call of a [SecurityCheck] method (nothing else annotated on it: the walk reads it as a value), or
        /// of a method with no body here (not expanded): the walk counts the method's annotation and the
        /// arguments' reads, not the receiver's.
        /// </summary>
        private static Kind ReadCall(IInvocationOperation invocation, GuardOrderSymbols symbols)
        {
            var method = invocation.TargetMethod;
            var annotations = symbols.AnnotationsOf(method);
            var security = annotations == Annotation.SecurityCheck;
            if (!security && (annotations != Annotation.None || HasBodyHere(method, invocation.SemanticModel?.Compilation)))
            {
                return Kind.Other;
            }

            if (invocation.Instance is { } instance && Read(instance, symbols) == Kind.Other)
            {
                return Kind.Other;
            }

            var result = security ? Kind.Security : Kind.Plain;
            foreach (var argument in invocation.Arguments)
            {
                if (argument.ArgumentKind != ArgumentKind.Explicit || argument.Parameter?.RefKind is not RefKind.None)
                {
                    return Kind.Other; // a params array, a default value, a ref or out argument
                }

                result = Both(result, Read(argument.Value, symbols));
                if (result == Kind.Other)
                {
                    return Kind.Other;
                }
            }

            return result;
        }

        private static bool HasBodyHere(IMethodSymbol method, Compilation? compilation)
        {
            if (compilation is null)
            {
                return true; // not known: treated as a helper the walk may expand
            }

            foreach (var reference in GuardOrderSymbols.Original(method)!.DeclaringSyntaxReferences)
            {
                if (compilation.ContainsSyntaxTree(reference.SyntaxTree))
                {
                    return true;
                }
            }

            return false;
        }
    }
}
