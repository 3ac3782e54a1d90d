using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace GuardOrder.Analyzers.Model
{
    /// <summary>
    /// May an expression be evaluated earlier, later or not at all without anyone noticing? Pure
    /// means: reads of locals, parameters, fields, array elements and constants, operators,
    /// conversions, patterns, and calls to methods (or property getters, user-defined operators)
    /// whose source this compilation has and whose body is itself pure — an expression body, or
    /// statements made only of pure returns, pure <c>if</c>s and pure local declarations — checked
    /// transitively up to <see cref="MaxDepth"/> calls deep. Anything else (assignments, increments,
    /// object creation, lambdas, <c>throw</c>, ref/out arguments, virtual or metadata-only methods,
    /// recursion, invalid code) counts as a possible side effect.
    /// One instance per compilation; the method cache never outlives it.
    /// </summary>
    internal sealed class Purity
    {
        public const int MaxDepth = 4;

        private readonly Compilation compilation;
        /// <summary>Method → height of its (pure) call tree, or <see cref="Impure"/>. Only exact answers are stored, so
        /// the answer for a method never depends on which query reached it first (deterministic under concurrency).</summary>
        private readonly ConcurrentDictionary<IMethodSymbol, int> methodCache =
            new ConcurrentDictionary<IMethodSymbol, int>(SymbolEqualityComparer.Default);

        private const int Impure = -1;

        public Purity(Compilation compilation)
        {
            this.compilation = compilation;
        }

        /// <summary>Null when <paramref name="operation"/> is pure; otherwise the first operation that may have a side effect.</summary>
        public IOperation? FindSideEffect(IOperation? operation, CancellationToken cancellationToken)
        {
            if (operation is null)
            {
                return null;
            }

            var walk = new Walk(this, cancellationToken);
            return walk.Check(operation, depth: 0);
        }

        public bool IsPure(IOperation? operation, CancellationToken cancellationToken) =>
            FindSideEffect(operation, cancellationToken) is null;

        /// <summary>
        /// An operation that may throw although it writes nothing: evaluating it earlier (or at all)
        /// could turn a guard's return into an exception. Integer division or remainder by anything
        /// but a constant other than 0 and -1, checked arithmetic and conversions, unboxing and
        /// explicit reference conversions, array element access, and member access through a
        /// variable declared nullable (<c>T?</c>). References not annotated nullable are trusted.
        /// </summary>
        public static bool MayThrow(IOperation operation)
        {
            switch (operation)
            {
                case IBinaryOperation binary when binary.OperatorMethod is null:
                    if (binary.OperatorKind is BinaryOperatorKind.Divide or BinaryOperatorKind.Remainder && IsIntegral(binary.Type))
                    {
                        var divisor = binary.RightOperand.ConstantValue;
                        return !(divisor.HasValue && divisor.Value is not null && !IsZeroOrMinusOne(divisor.Value));
                    }

                    return binary.IsChecked && binary.OperatorKind is BinaryOperatorKind.Add or BinaryOperatorKind.Subtract or BinaryOperatorKind.Multiply;

                case IUnaryOperation { IsChecked: true, OperatorKind: UnaryOperatorKind.Minus, OperatorMethod: null }:
                    return true;

                case IConversionOperation conversion when conversion.OperatorMethod is null && !conversion.IsTryCast:
                    return (!conversion.Conversion.IsImplicit && conversion.Operand.Type is { IsReferenceType: true } && conversion.Type is { IsValueType: true }) ||
                        (conversion.Conversion.IsReference && !conversion.Conversion.IsImplicit) ||
                        (conversion.IsChecked && conversion.Conversion.IsNumeric && !conversion.Conversion.IsImplicit);

                case IArrayElementReferenceOperation:
                    return true;

                case IFieldReferenceOperation { Instance: { } instance }:
                    return IsDeclaredNullable(instance);
                case IPropertyReferenceOperation { Instance: { } instance }:
                    return IsDeclaredNullable(instance);
                case IInvocationOperation { Instance: { } instance }:
                    return IsDeclaredNullable(instance);

                default:
                    return false;
            }
        }

        private static bool IsIntegral(ITypeSymbol? type) =>
            type?.SpecialType is SpecialType.System_SByte or SpecialType.System_Byte or SpecialType.System_Int16 or SpecialType.System_UInt16 or
                SpecialType.System_Int32 or SpecialType.System_UInt32 or SpecialType.System_Int64 or SpecialType.System_UInt64 or
                SpecialType.System_IntPtr or SpecialType.System_UIntPtr or SpecialType.System_Char;

        private static bool IsZeroOrMinusOne(object value)
        {
            try
            {
                var number = System.Convert.ToDecimal(value, System.Globalization.CultureInfo.InvariantCulture);
                return number == 0 || number == -1;
            }
            catch (System.Exception e) when (e is System.FormatException or System.InvalidCastException or System.OverflowException)
            {
                return true;
            }
        }

        private static bool IsDeclaredNullable(IOperation instance)
        {
            while (instance is IConversionOperation { IsImplicit: true } conversion)
            {
                instance = conversion.Operand;
            }

            if (instance.Type is not { IsReferenceType: true })
            {
                return false;
            }

            var annotation = instance switch
            {
                ILocalReferenceOperation local => local.Local.NullableAnnotation,
                IParameterReferenceOperation parameter => parameter.Parameter.NullableAnnotation,
                IFieldReferenceOperation field => field.Field.NullableAnnotation,
                IPropertyReferenceOperation property => property.Property.NullableAnnotation,
                IInvocationOperation invocation => invocation.TargetMethod.ReturnNullableAnnotation,
                _ => NullableAnnotation.None,
            };
            return annotation == NullableAnnotation.Annotated;
        }

        private sealed class Walk
        {
            private readonly Purity owner;
            private readonly CancellationToken cancellationToken;
            private readonly HashSet<IMethodSymbol> inProgress = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);

            public Walk(Purity owner, CancellationToken cancellationToken)
            {
                this.owner = owner;
                this.cancellationToken = cancellationToken;
            }

            /// <summary>Set when an answer was cut short by the depth bound or a cycle: such answers are not cached.</summary>
            private bool truncated;

            /// <summary>The largest call-tree height among the pure callees seen in the body being checked.</summary>
            private int height;

            public IOperation? Check(IOperation operation, int depth)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (MayThrow(operation))
                {
                    return operation;
                }

                switch (operation)
                {
                    case INameOfOperation:
                    case ILiteralOperation:
                    case IDefaultValueOperation:
                    case ITypeOfOperation:
                    case ISizeOfOperation:
                    case ILocalReferenceOperation:
                    case IParameterReferenceOperation:
                    case IInstanceReferenceOperation:
                    case IConditionalAccessInstanceOperation:
                    case IDiscardPatternOperation:
                    case ITypePatternOperation:
                        return null;

                    case IFieldReferenceOperation:
                    case IArrayElementReferenceOperation:
                    case IConditionalOperation:
                    case ICoalesceOperation:
                    case IIsTypeOperation:
                    case IIsPatternOperation:
                    case IConstantPatternOperation:
                    case IRelationalPatternOperation:
                    case IDeclarationPatternOperation:
                    case INegatedPatternOperation:
                    case IBinaryPatternOperation:
                    case IPropertySubpatternOperation:
                    case IConditionalAccessOperation:
                    case ITupleOperation:
                    case IParenthesizedOperation:
                    case IBlockOperation:
                    case IReturnOperation { Kind: OperationKind.Return }:
                    case IVariableDeclarationGroupOperation:
                    case IVariableDeclarationOperation:
                    case IVariableDeclaratorOperation:
                    case IVariableInitializerOperation:
                    case IDeclarationExpressionOperation:
                        break;

                    case IRecursivePatternOperation recursive:
                        if (recursive.DeconstructSymbol is IMethodSymbol deconstruct && !IsPureMethod(deconstruct, depth))
                        {
                            return operation;
                        }

                        break;

                    case IArgumentOperation argument:
                        if (argument.Parameter is { RefKind: RefKind.Ref or RefKind.Out })
                        {
                            return operation;
                        }

                        if (argument.InConversion.MethodSymbol is { } inMethod && !IsPureMethod(inMethod, depth))
                        {
                            return operation;
                        }

                        break;

                    case IUnaryOperation unary:
                        if (unary.OperatorMethod is { } unaryMethod && !IsPureMethod(unaryMethod, depth))
                        {
                            return operation;
                        }

                        break;

                    case IBinaryOperation binary:
                        if (binary.OperatorMethod is { } binaryMethod && !IsPureMethod(binaryMethod, depth))
                        {
                            return operation;
                        }

                        break;

                    case IConversionOperation conversion:
                        if (conversion.OperatorMethod is { } conversionMethod && !IsPureMethod(conversionMethod, depth))
                        {
                            return operation;
                        }

                        break;

                    case IPropertyReferenceOperation property:
                        if (!IsPureMethod(property.Property.GetMethod, depth))
                        {
                            return operation;
                        }

                        break;

                    case IInvocationOperation invocation:
                        if (!IsPureMethod(invocation.TargetMethod, depth))
                        {
                            return operation;
                        }

                        break;

                    default:
                        // Assignments, increments, object creation, lambdas, throw, await, invalid code, ...
                        return operation;
                }

                foreach (var child in operation.ChildOperations)
                {
                    if (child is null)
                    {
                        continue;
                    }

                    var found = Check(child, depth);
                    if (found is not null)
                    {
                        return found;
                    }
                }

                return null;
            }

            private bool IsPureMethod(IMethodSymbol? method, int depth)
            {
                if (method is null)
                {
                    return false;
                }

                method = (method.ReducedFrom ?? method).OriginalDefinition;
                if (method.PartialImplementationPart is { } implementation)
                {
                    method = implementation;
                }

                var budget = MaxDepth - depth;
                if (owner.methodCache.TryGetValue(method, out var cachedHeight))
                {
                    if (cachedHeight == Impure)
                    {
                        return false;
                    }

                    if (cachedHeight <= budget)
                    {
                        height = System.Math.Max(height, cachedHeight);
                        return true;
                    }

                    truncated = true;
                    return false;
                }

                if (budget <= 0 || inProgress.Contains(method))
                {
                    truncated = true;
                    return false;
                }

                var outerTruncated = truncated;
                var outerHeight = height;
                truncated = false;
                height = 0;
                inProgress.Add(method);
                bool pure;
                try
                {
                    pure = ComputeIsPureMethod(method, depth + 1);
                }
                finally
                {
                    inProgress.Remove(method);
                }

                // A pure answer is exact: it holds for every budget of at least its call-tree height.
                // An impure answer is cached only when no cut (depth bound, recursion) produced it.
                var methodHeight = height + 1;
                if (pure)
                {
                    owner.methodCache.TryAdd(method, methodHeight);
                }
                else if (!truncated)
                {
                    owner.methodCache.TryAdd(method, Impure);
                }

                height = pure ? System.Math.Max(outerHeight, methodHeight) : outerHeight;
                truncated |= outerTruncated;
                return pure;
            }

            private bool ComputeIsPureMethod(IMethodSymbol method, int depth)
            {
                if (method.IsAbstract || method.IsExtern || method.IsVirtual || method.IsAsync || method.IsPartialDefinition)
                {
                    return false;
                }

                if (method.IsOverride && !method.IsSealed && !method.ContainingType.IsSealed && !method.ContainingType.IsValueType)
                {
                    return false;
                }

                if (method.ReturnsByRef || method.ReturnsByRefReadonly || method.Parameters.Any(p => p.RefKind == RefKind.Ref || p.RefKind == RefKind.Out))
                {
                    return false;
                }

                if (method.DeclaringSyntaxReferences.Length != 1)
                {
                    // Metadata-only (no source) or spread over several declarations: unknown.
                    return false;
                }

                var syntax = method.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken);
                SyntaxNode? body;
                switch (syntax)
                {
                    case MethodDeclarationSyntax declaration:
                        body = (SyntaxNode?)declaration.ExpressionBody?.Expression ?? declaration.Body;
                        break;
                    case LocalFunctionStatementSyntax localFunction:
                        body = (SyntaxNode?)localFunction.ExpressionBody?.Expression ?? localFunction.Body;
                        break;
                    case OperatorDeclarationSyntax op:
                        body = (SyntaxNode?)op.ExpressionBody?.Expression ?? op.Body;
                        break;
                    case ConversionOperatorDeclarationSyntax conversion:
                        body = (SyntaxNode?)conversion.ExpressionBody?.Expression ?? conversion.Body;
                        break;
                    case ArrowExpressionClauseSyntax arrow:
                        // `int P => expr;`
                        body = arrow.Expression;
                        break;
                    case AccessorDeclarationSyntax accessor:
                        body = (SyntaxNode?)accessor.ExpressionBody?.Expression ?? accessor.Body;
                        if (body is null)
                        {
                            // Auto-property getter: a field read.
                            return method.MethodKind == MethodKind.PropertyGet;
                        }

                        break;
                    default:
                        return false;
                }

                if (body is null || !owner.compilation.ContainsSyntaxTree(body.SyntaxTree))
                {
                    return false;
                }

#pragma warning disable RS1030 // The callee may live in another tree; the analyzer driver's semantic model provider caches these models.
                var model = owner.compilation.GetSemanticModel(body.SyntaxTree);
#pragma warning restore RS1030
                var operation = model.GetOperation(body, cancellationToken);
                if (operation is null)
                {
                    return false;
                }

                return Check(operation, depth) is null;
            }
        }
    }
}
