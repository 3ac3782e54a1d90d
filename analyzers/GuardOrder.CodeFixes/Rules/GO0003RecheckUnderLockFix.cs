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
    /// "Re-check under the lock" for GO0003: repeats the unlocked guard's check right after the
    /// predicate's <c>if (!trylock(x)) return false;</c>, releasing the lock on the new exit
    /// (<c>if (PageKsm(page)) { unlock_page(page); return false; }</c>); the early test stays. The plan
    /// (<see cref="GO0003RecheckRepair"/>) is rebuilt from the current document with the lock kind from
    /// the diagnostic; the edit is kept only when a fresh lock walk of the method shows no new GO0004
    /// problem. It only adds a <c>return false</c>: it never widens a grant.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(GO0003RecheckUnderLockFix))]
    [Shared]
    public sealed class GO0003RecheckUnderLockFix : DiagnosticTargetFixProvider
    {
        public const string Title = "Re-check under the lock";

        public const string EquivalenceKey = "GO0003.RecheckUnderLock";

        private const string AnnotationKind = "GuardOrder.GO0003.Target";

        public override ImmutableArray<string> FixableDiagnosticIds { get; } =
            ImmutableArray.Create(RuleIdentifiers.FaultPathCheckOutsideLock);

        protected override string Key => EquivalenceKey;

        /// <summary>The lock's kind; the plan is rebuilt from the current document.</summary>
        protected override string? PlanOf(Diagnostic diagnostic) =>
            diagnostic.Properties.TryGetValue(GO0003RecheckRepair.LockProperty, out var family) ? family : null;

        protected override string TitleOf(string plan) => Title;

        protected override Task<Document?> FixAsync(Document document, SyntaxNode target, string plan, CancellationToken cancellationToken) =>
            TryFixAsync(document, target, plan, cancellationToken);

        internal static async Task<Document?> TryFixAsync(Document document, SyntaxNode target, string familyId, CancellationToken cancellationToken)
        {
            var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
            var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
            var declaration = target.AncestorsAndSelf().OfType<BaseMethodDeclarationSyntax>().FirstOrDefault();
            var symbols = model is null ? null : GuardOrderSymbols.TryCreate(model.Compilation);
            if (root is null || model is null || declaration is null || symbols is null ||
                DocumentationCommentId.GetFirstSymbolForDeclarationId(familyId, model.Compilation) is not ITypeSymbol family ||
                model.GetOperation(declaration, cancellationToken) is not IMethodBodyOperation body)
            {
                return null;
            }

            var plan = GO0003RecheckRepair.Plan(target, family, body, symbols, new Purity(model.Compilation), cancellationToken);
            if (plan.Refusal is not null || plan.Check is null || plan.LockGuard?.Parent is not BlockSyntax block || plan.Release is null)
            {
                return null;
            }

            var before = GO0004ReleaseLockFix.Walk(model, declaration, cancellationToken);
            if (before is null)
            {
                return null;
            }

            var eol = GO0004ReleaseLockFix.EndOfLine(root);
            var indent = GO0004ReleaseLockFix.Indentation(plan.LockGuard);
            var text = "if (" + plan.Check.Condition.WithoutTrivia().ToFullString() + ")" + eol +
                indent + "{" + eol +
                indent + "    " + plan.Release.WithoutTrivia().ToFullString() + eol +
                indent + "    return false;" + eol +
                indent + "}";
            var recheck = SyntaxFactory.ParseStatement(text)
                .WithLeadingTrivia(SyntaxFactory.Whitespace(indent))
                .WithTrailingTrivia(SyntaxFactory.EndOfLine(eol));
            var methodAnnotation = new SyntaxAnnotation(AnnotationKind + ".Method");
            var newBlock = block.WithStatements(block.Statements.Insert(block.Statements.IndexOf(plan.LockGuard) + 1, recheck));
            var newDeclaration = declaration.ReplaceNode(block, newBlock).WithAdditionalAnnotations(methodAnnotation);
            var fixedDocument = document.WithSyntaxRoot(root.ReplaceNode(declaration, newDeclaration));

            // No new lock problem (the new exit releases what it took).
            var fixedRoot = await fixedDocument.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
            var fixedModel = await fixedDocument.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
            if (fixedRoot?.GetAnnotatedNodes(methodAnnotation).FirstOrDefault() is not BaseMethodDeclarationSyntax fixedDeclaration || fixedModel is null ||
                fixedModel.GetDiagnostics(fixedDeclaration.Span, cancellationToken).Any(d => d.Severity == DiagnosticSeverity.Error) ||
                GO0004ReleaseLockFix.Walk(fixedModel, fixedDeclaration, cancellationToken) is not { } after)
            {
                return null;
            }

            var remaining = GO0004ReleaseLockFix.Signatures(before.Value.Routes, before.Value.BackEdge);
            foreach (var signature in GO0004ReleaseLockFix.Signatures(after.Routes, after.BackEdge))
            {
                if (!remaining.Remove(signature))
                {
                    return null;
                }
            }

            return fixedDocument;
        }
    }
}
