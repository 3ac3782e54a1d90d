using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;

namespace GuardOrder.Analyzers.Model
{
    /// <summary>
    /// The operation tree of a code block action's block, bound on demand on the driver's semantic model
    /// (the one every analyzer of the tree shares, so the rules that bind the same block share its tree).
    /// GO0001, GO0002, GO0004 and GO0005 register code block actions, not operation actions: an operation
    /// action makes the driver bind every body of the compilation before any rule can look at it, a code
    /// block action binds nothing, and the rules bind only the blocks they can act on
    /// (<see cref="AnnotatedNames"/>, or a [MustMatchFaultPath] owner).
    /// </summary>
    internal static class CodeBlocks
    {
        /// <summary>
        /// The root of the block's operations: a method's, accessor's, operator's or top-level program's
        /// <see cref="Microsoft.CodeAnalysis.Operations.IMethodBodyOperation"/>, a constructor's
        /// <see cref="Microsoft.CodeAnalysis.Operations.IConstructorBodyOperation"/> (its initializer
        /// included), an expression-bodied property's block, or a field's or property's initializer; null
        /// when the block has none (an enum member's constant, a declaration without a body).
        /// </summary>
        public static IOperation? Root(SemanticModel model, SyntaxNode block, ISymbol owner, CancellationToken cancellationToken)
        {
            if (model.GetOperation(block, cancellationToken) is { } whole)
            {
                return whole;
            }

            // A field's or property's initializer: the declaration is the block (one declarator per field).
            EqualsValueClauseSyntax? initializer = block switch
            {
                PropertyDeclarationSyntax property => property.Initializer,
                VariableDeclaratorSyntax declarator => declarator.Initializer,
                BaseFieldDeclarationSyntax field => Declarator(field, owner)?.Initializer,
                _ => null,
            };
            return initializer is null ? null : model.GetOperation(initializer, cancellationToken);
        }

        /// <inheritdoc cref="Root(SemanticModel, SyntaxNode, ISymbol, CancellationToken)"/>
        public static IOperation? Root(CodeBlockAnalysisContext context) =>
            Root(context.SemanticModel, context.CodeBlock, context.OwningSymbol, context.CancellationToken);

        private static VariableDeclaratorSyntax? Declarator(BaseFieldDeclarationSyntax field, ISymbol owner)
        {
            foreach (var variable in field.Declaration.Variables)
            {
                if (variable.Identifier.ValueText == owner.Name)
                {
                    return variable;
                }
            }

            return null;
        }
    }
}
