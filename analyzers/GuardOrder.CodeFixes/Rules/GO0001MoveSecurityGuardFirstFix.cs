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
    /// "Move the security check first" for GO0001: moves the run's misplaced security guards in
    /// front of the other guards (security guards keep their relative order; each guard takes its
    /// own comments along, blank lines stay where they were), or moves the security operands to
    /// the front of a &amp;&amp;/|| chain. The model is rebuilt from the current code and the
    /// move is only made when it provably keeps behaviour (see <see cref="GuardRun.Plan"/>).
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(GO0001MoveSecurityGuardFirstFix))]
    [Shared]
    public sealed class GO0001MoveSecurityGuardFirstFix : DiagnosticTargetFixProvider
    {
        public const string Title = "Move the security check first";

        public const string EquivalenceKey = "GO0001.MoveSecurityCheckFirst";

        public override ImmutableArray<string> FixableDiagnosticIds { get; } =
            ImmutableArray.Create(RuleIdentifiers.SecurityGuardFirst);

        protected override string Key => EquivalenceKey;

        protected override string? PlanOf(Diagnostic diagnostic) => diagnostic.Properties.TryGetValue(GO0001SecurityGuardFirstAnalyzer.FixableProperty, out var fixable) && fixable == "true" ? Kind(diagnostic) : null;

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
            var newRoot = TryMove(root, model, target, plan, cancellationToken);
            return newRoot is null ? null : document.WithSyntaxRoot(newRoot);
        }

        private static string Kind(Diagnostic diagnostic) =>
            diagnostic.Properties.TryGetValue(GO0001SecurityGuardFirstAnalyzer.KindProperty, out var kind) && kind is not null
                ? kind
                : GO0001SecurityGuardFirstAnalyzer.GuardKind;

        /// <summary>The root with the move made, or null when the model no longer shows a safe move for <paramref name="target"/>.</summary>
        internal static SyntaxNode? TryMove(SyntaxNode root, SemanticModel model, SyntaxNode target, string kind, CancellationToken cancellationToken)
        {
            var symbols = GuardOrderSymbols.TryCreate(model.Compilation);
            if (symbols?.SecurityCheck is null)
            {
                return null;
            }

            var purity = new Purity(model.Compilation);
            return kind == GO0001SecurityGuardFirstAnalyzer.ChainKind
                ? TryMoveOperand(root, model, target, symbols, purity, cancellationToken)
                : TryMoveGuard(root, model, target, symbols, purity, cancellationToken);
        }

        private static SyntaxNode? TryMoveGuard(SyntaxNode root, SemanticModel model, SyntaxNode target, GuardOrderSymbols symbols, Purity purity, CancellationToken cancellationToken)
        {
            var statement = target.AncestorsAndSelf().OfType<StatementSyntax>().FirstOrDefault(s => s.Parent is BlockSyntax);
            if (statement?.Parent is not BlockSyntax block ||
                model.GetOperation(block, cancellationToken) is not IBlockOperation body ||
                body.Parent is null ||
                GuardRun.BodyOf(body.Parent) != body)
            {
                return null;
            }

            var run = GuardRun.Build(body, symbols, purity, cancellationToken);
            var security = run.Misplaced.FirstOrDefault(m => m.StatementSyntax == statement);
            if (security is null)
            {
                return null;
            }

            var plan = run.Plan(purity, cancellationToken);
            if (!plan.Blockers.TryGetValue(security, out var blocker) || blocker is not null)
            {
                return null;
            }

            var replacements = new Dictionary<SyntaxNode, SyntaxNode>();
            for (var i = 0; i < run.Items.Length; i++)
            {
                var slot = run.Items[i].StatementSyntax;
                var mover = plan.NewOrder[i].StatementSyntax;
                if (slot != mover)
                {
                    replacements.Add(slot, mover.WithLeadingTrivia(SlotBlankLines(slot.GetLeadingTrivia()).AddRange(OwnLeadingTrivia(mover.GetLeadingTrivia()))));
                }
            }

            if (replacements.Count == 0)
            {
                return null;
            }

            var statements = block.Statements.Select(s => replacements.TryGetValue(s, out var replacement) ? (StatementSyntax)replacement : s);
            return root.ReplaceNode(block, block.WithStatements(SyntaxFactory.List(statements)));
        }

        private static SyntaxNode? TryMoveOperand(SyntaxNode root, SemanticModel model, SyntaxNode target, GuardOrderSymbols symbols, Purity purity, CancellationToken cancellationToken)
        {
            var operandSyntax = target.AncestorsAndSelf().OfType<ExpressionSyntax>().FirstOrDefault(e =>
                e.Parent is BinaryExpressionSyntax parent &&
                (parent.IsKind(SyntaxKind.LogicalAndExpression) || parent.IsKind(SyntaxKind.LogicalOrExpression)) &&
                (parent.Left == e || parent.Right == e));
            if (operandSyntax?.Parent is not BinaryExpressionSyntax top)
            {
                return null;
            }

            while (top.Parent is BinaryExpressionSyntax parent && parent.Left == top && parent.IsKind(top.Kind()))
            {
                top = parent;
            }

            if (model.GetOperation(top, cancellationToken) is not IBinaryOperation rootOperation ||
                ConditionChain.TryCreate(rootOperation, symbols) is not { } chain)
            {
                return null;
            }

            var security = chain.Misplaced.FirstOrDefault(o => o.Syntax == operandSyntax);
            if (security is null)
            {
                return null;
            }

            var (newOrder, blockers) = chain.Plan(purity, cancellationToken);
            if (!blockers.TryGetValue(security, out var blocker) || blocker is not null)
            {
                return null;
            }

            var replacements = new Dictionary<SyntaxNode, SyntaxNode>();
            for (var i = 0; i < chain.Operands.Length; i++)
            {
                var slot = chain.Operands[i].Syntax;
                var mover = newOrder[i].Syntax;
                if (slot != mover)
                {
                    replacements.Add(slot, mover.WithLeadingTrivia(slot.GetLeadingTrivia()).WithTrailingTrivia(slot.GetTrailingTrivia()));
                }
            }

            return replacements.Count == 0 ? null : root.ReplaceNodes(replacements.Keys, (original, _) => replacements[original]);
        }

        /// <summary>The blank lines at the start of a statement's leading trivia: they belong to the position, not to the guard.</summary>
        private static SyntaxTriviaList SlotBlankLines(SyntaxTriviaList leading)
        {
            var end = BlankLinesEnd(leading);
            return SyntaxFactory.TriviaList(leading.Take(end));
        }

        /// <summary>The rest of the leading trivia — the guard's own comment block and indentation — travels with it.</summary>
        private static SyntaxTriviaList OwnLeadingTrivia(SyntaxTriviaList leading)
        {
            var end = BlankLinesEnd(leading);
            return SyntaxFactory.TriviaList(leading.Skip(end));
        }

        /// <summary>Index just past the last end-of-line that comes before the first comment (or before the statement).</summary>
        private static int BlankLinesEnd(SyntaxTriviaList leading)
        {
            var end = 0;
            for (var i = 0; i < leading.Count; i++)
            {
                var trivia = leading[i];
                if (trivia.IsKind(SyntaxKind.EndOfLineTrivia))
                {
                    end = i + 1;
                }
                else if (!trivia.IsKind(SyntaxKind.WhitespaceTrivia))
                {
                    break;
                }
            }

            return end;
        }
    }
}
