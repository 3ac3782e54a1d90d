using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using GuardOrder.Analyzers;
using GuardOrder.Analyzers.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace GuardOrder.CodeFixes
{
    /// <summary>
    /// "Check the security condition first on every route" for GO0005: puts the method's security
    /// guard at the start of its body, so the bypassing route passes it too. The plan
    /// (<see cref="GO0005GuardRepair"/>) is rebuilt from the current document; the guard is moved
    /// (with its comments) when only pure constant-returning guards stood before it, copied otherwise.
    /// Either way the fix only adds a <c>return false</c>: it never widens a grant.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(GO0005SecurityGuardFirstOnEveryRouteFix))]
    [Shared]
    public sealed class GO0005SecurityGuardFirstOnEveryRouteFix : DiagnosticTargetFixProvider
    {
        public const string Title = "Check the security condition first on every route";

        public const string EquivalenceKey = "GO0005.SecurityGuardFirstOnEveryRoute";

        public override ImmutableArray<string> FixableDiagnosticIds { get; } =
            ImmutableArray.Create(RuleIdentifiers.SecurityCheckBypassed);

        protected override string Key => EquivalenceKey;

        protected override string? PlanOf(Diagnostic diagnostic) => diagnostic.Properties.ContainsKey(GO0005GuardRepair.FixProperty) ? GO0005GuardRepair.FixProperty : null;

        protected override string TitleOf(string plan) => Title;

        /// <summary>The node at the diagnostic (the outermost one with its span: the statement, not its expression).</summary>
        protected override SyntaxNode? TargetOf(SyntaxNode root, Diagnostic diagnostic) => root.FindNode(diagnostic.Location.SourceSpan);

        protected override async Task<Document?> FixAsync(Document document, SyntaxNode target, string plan, CancellationToken cancellationToken)
        {
            var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
            var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
            if (root is null || model is null)
            {
                return null;
            }

            // A later diagnostic of a method may find the work done by an earlier one (Fix All): null, nothing to do.
            var newRoot = TryFix(root, model, target, cancellationToken);
            return newRoot is null ? null : document.WithSyntaxRoot(newRoot);
        }

        /// <summary>The root with the guard run first, or null when the current code shows no certain repair.</summary>
        internal static SyntaxNode? TryFix(SyntaxNode root, SemanticModel model, SyntaxNode target, CancellationToken cancellationToken)
        {
            var declaration = target.AncestorsAndSelf().OfType<BaseMethodDeclarationSyntax>().FirstOrDefault();
            var symbols = GuardOrderSymbols.TryCreate(model.Compilation);
            if (declaration is null || symbols?.SecurityCheck is null ||
                model.GetOperation(declaration, cancellationToken) is not IMethodBodyOperation body)
            {
                return null;
            }

            var plan = GO0005GuardRepair.Plan(body, symbols, new Purity(model.Compilation), cancellationToken);
            if (plan.Kind is null || plan.Guard is null || plan.Block is null)
            {
                return null;
            }

            var block = plan.Block;
            var first = block.Statements.First();
            StatementSyntax guard;
            IEnumerable<StatementSyntax> rest;
            if (plan.Kind == GO0005GuardRepair.MoveKind)
            {
                // The guard travels with its own comments; the blank lines before it stay in its old place.
                var leading = plan.Guard.GetLeadingTrivia();
                var blank = leading.TakeWhile(t => t.IsKind(SyntaxKind.EndOfLineTrivia) || t.IsKind(SyntaxKind.WhitespaceTrivia) && NextIsEndOfLine(leading, t)).ToList();
                guard = plan.Guard.WithLeadingTrivia(leading.Skip(blank.Count));
                var index = block.Statements.IndexOf(plan.Guard);
                rest = block.Statements.Where(s => s != plan.Guard).Select(s =>
                    blank.Count > 0 && index + 1 < block.Statements.Count && s == block.Statements[index + 1]
                        ? s.WithLeadingTrivia(SyntaxFactory.TriviaList(blank).AddRange(s.GetLeadingTrivia()))
                        : s);
            }
            else
            {
                var eol = EndOfLine(root);
                var indent = Indentation(first);
                // Copy: the guard's condition; Extract: its security alternative only.
                var text = "if (" + plan.Condition + ")" + eol + indent + "    return false;";
                guard = SyntaxFactory.ParseStatement(text)
                    .WithLeadingTrivia(SyntaxFactory.Whitespace(indent))
                    .WithTrailingTrivia(SyntaxFactory.EndOfLine(eol));
                rest = block.Statements;
            }

            var statements = new[] { guard }.Concat(rest);
            return root.ReplaceNode(block, block.WithStatements(SyntaxFactory.List(statements)));
        }

        private static bool NextIsEndOfLine(SyntaxTriviaList list, SyntaxTrivia trivia)
        {
            var index = list.IndexOf(trivia);
            return index + 1 < list.Count && list[index + 1].IsKind(SyntaxKind.EndOfLineTrivia);
        }

        private static string Indentation(SyntaxNode node)
        {
            var text = node.SyntaxTree.GetText();
            var line = text.Lines.GetLineFromPosition(node.SpanStart).ToString();
            return line.Substring(0, line.Length - line.TrimStart().Length);
        }

        private static string EndOfLine(SyntaxNode root)
        {
            var trivia = root.DescendantTrivia().FirstOrDefault(t => t.IsKind(SyntaxKind.EndOfLineTrivia));
            return trivia.IsKind(SyntaxKind.EndOfLineTrivia) ? trivia.ToFullString() : "\n";
        }
    }
}
