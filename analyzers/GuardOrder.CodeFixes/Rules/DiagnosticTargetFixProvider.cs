using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;

namespace GuardOrder.CodeFixes
{
    /// <summary>
    /// What GuardOrder's fixes (GO0001–GO0005) share: a diagnostic offers its fix through one
    /// property (the analyzer's plan, or what to rebuild it from); the fix edits the node at the
    /// diagnostic's location. Fix All marks every target first, then fixes them one after the other on
    /// the current document, so that each edit sees the ones before it (an edit that finds nothing
    /// left to do leaves the document as it is).
    /// </summary>
    public abstract class DiagnosticTargetFixProvider : CodeFixProvider
    {
        /// <summary>The code action's equivalence key (one per provider: Fix All groups by it).</summary>
        protected abstract string Key { get; }

        /// <summary>The value that carries the fix for <paramref name="diagnostic"/>, or null when it offers none.</summary>
        protected abstract string? PlanOf(Diagnostic diagnostic);

        /// <summary>The code action's title for a plan.</summary>
        protected abstract string TitleOf(string plan);

        /// <summary>The node the fix works on, from the diagnostic's location (default: the innermost node there).</summary>
        protected virtual SyntaxNode? TargetOf(SyntaxNode root, Diagnostic diagnostic) =>
            root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);

        /// <summary>The fixed document, or null when the current code shows no certain repair.</summary>
        protected abstract Task<Document?> FixAsync(Document document, SyntaxNode target, string plan, CancellationToken cancellationToken);

        public sealed override FixAllProvider GetFixAllProvider() => FixAllProvider.Create(FixAllInDocumentAsync);

        public sealed override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            if (root is null)
            {
                return;
            }

            foreach (var diagnostic in context.Diagnostics)
            {
                if (PlanOf(diagnostic) is not { } plan || TargetOf(root, diagnostic) is not { } target)
                {
                    continue;
                }

                var fixedDocument = await FixAsync(context.Document, target, plan, context.CancellationToken).ConfigureAwait(false);
                if (fixedDocument is not null)
                {
                    context.RegisterCodeFix(CodeAction.Create(TitleOf(plan), _ => Task.FromResult(fixedDocument), Key), diagnostic);
                }
            }
        }

        private async Task<Document?> FixAllInDocumentAsync(FixAllContext context, Document document, ImmutableArray<Diagnostic> diagnostics)
        {
            var cancellationToken = context.CancellationToken;
            var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
            if (root is null)
            {
                return document;
            }

            var annotationKind = "GuardOrder." + Key + ".Target";
            var targets = new Dictionary<SyntaxNode, (SyntaxAnnotation Annotation, string Plan)>();
            foreach (var diagnostic in diagnostics.OrderBy(d => d.Location.SourceSpan.Start))
            {
                if (PlanOf(diagnostic) is { } plan && TargetOf(root, diagnostic) is { } node && !targets.ContainsKey(node))
                {
                    targets.Add(node, (new SyntaxAnnotation(annotationKind, targets.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)), plan));
                }
            }

            if (targets.Count == 0)
            {
                return document;
            }

            document = document.WithSyntaxRoot(root.ReplaceNodes(targets.Keys, (original, rewritten) => rewritten.WithAdditionalAnnotations(targets[original].Annotation)));
            foreach (var (annotation, plan) in targets.Values)
            {
                var currentRoot = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
                if (currentRoot?.GetAnnotatedNodes(annotation).FirstOrDefault() is { } target)
                {
                    document = await FixAsync(document, target, plan, cancellationToken).ConfigureAwait(false) ?? document;
                }
            }

            return document;
        }
    }
}
