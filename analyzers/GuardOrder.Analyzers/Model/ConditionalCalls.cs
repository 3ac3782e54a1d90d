using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace GuardOrder.Analyzers.Model
{
    /// <summary>
    /// Calls the compiler removes: a method marked <c>[Conditional("SYMBOL")]</c> (Debug.Assert,
    /// a VM_BUG_ON port) is called only where one of its symbols is defined, by the project
    /// (<c>DefineConstants</c>) or by a <c>#define</c> / <c>#undef</c> above the call in its file.
    /// </summary>
    internal static class ConditionalCalls
    {
        public static bool IsRemoved(IInvocationOperation invocation)
        {
            var method = invocation.TargetMethod.ReducedFrom ?? invocation.TargetMethod;
            if (!method.ReturnsVoid)
            {
                return false;
            }

            // Asked at every call on every route: no list, no LINQ, until a [Conditional] is found.
            var conditional = false;
            foreach (var attribute in method.OriginalDefinition.GetAttributes())
            {
                if (attribute.AttributeClass is not { Name: "ConditionalAttribute", ContainingNamespace: { Name: "Diagnostics", ContainingNamespace: { Name: "System" } } })
                {
                    continue;
                }

                conditional = true;
                var syntax = invocation.Syntax;
                if (attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is string name &&
                    IsDefined(syntax.SyntaxTree, name, syntax.SpanStart))
                {
                    return false;
                }
            }

            return conditional;
        }

        private static bool IsDefined(SyntaxTree tree, string name, int position)
        {
            var defined = tree.Options is CSharpParseOptions options && options.PreprocessorSymbolNames.Contains(name);
            for (var directive = ((CSharpSyntaxNode)tree.GetRoot()).GetFirstDirective(); directive is not null; directive = directive.GetNextDirective())
            {
                if (directive.SpanStart >= position)
                {
                    break;
                }

                switch (directive)
                {
                    case DefineDirectiveTriviaSyntax define when define.Name.ValueText == name:
                        defined = true;
                        break;
                    case UndefDirectiveTriviaSyntax undef when undef.Name.ValueText == name:
                        defined = false;
                        break;
                }
            }

            return defined;
        }
    }
}
