using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace GuardOrder.Analyzers.Model
{
    /// <summary>
    /// Whether a method's body may begin with a call statement, read from its syntax without binding it.
    /// A walk asks of every void helper it does not expand whether the helper asserts a [SecurityCheck] read
    /// at its top (<see cref="MethodBodies.AssertsSecurity"/>): a leading run of call statements, one of
    /// them passing a security read to a <c>[DoesNotReturnIf]</c> parameter. A body whose first statement
    /// is not a call statement never does, and binding it to find that out was a fifth of GuardOrder's
    /// binding in a real build (136 of 730 bodies bound at 100k real-shaped lines, 70–90 ms of csc CPU).
    /// <para>
    /// Only a "no" is used: the first body this compilation declares for the method (the one
    /// <see cref="MethodBodies.GetBody"/> binds) begins with a statement that is not an expression statement
    /// of an invocation expression, or, expression-bodied, is not an invocation expression. A statement of
    /// any other syntax cannot bind to the <c>IInvocationOperation</c> statement the check looks for
    /// (<c>x?.F()</c> binds to a conditional access, <c>await F()</c> to an await, a declaration, label,
    /// local function or block to none of them). Any other declaration form is a "maybe" and is bound.
    /// </para>
    /// </summary>
    internal static class LeadingCallSyntax
    {
        public static bool MayBeginWithCall(IMethodSymbol method, Compilation compilation, CancellationToken cancellationToken)
        {
            foreach (var reference in method.OriginalDefinition.DeclaringSyntaxReferences)
            {
                var syntax = reference.GetSyntax(cancellationToken);
                if (!compilation.ContainsSyntaxTree(syntax.SyntaxTree))
                {
                    continue;
                }

                BlockSyntax? block;
                ArrowExpressionClauseSyntax? arrow;
                switch (syntax)
                {
                    case BaseMethodDeclarationSyntax declaration:
                        block = declaration.Body;
                        arrow = declaration.ExpressionBody;
                        break;
                    case AccessorDeclarationSyntax accessor:
                        block = accessor.Body;
                        arrow = accessor.ExpressionBody;
                        break;
                    default:
                        return true; // a form not read here: bind it
                }

                if (block is not null)
                {
                    return block.Statements.Count > 0 &&
                        block.Statements[0] is ExpressionStatementSyntax { Expression: InvocationExpressionSyntax };
                }

                if (arrow is not null)
                {
                    return arrow.Expression is InvocationExpressionSyntax;
                }

                // No body here (a partial or abstract declaration): binding would look at the next one too.
            }

            // No body in this compilation: there is nothing to bind (GetBody answers null).
            return false;
        }
    }
}
