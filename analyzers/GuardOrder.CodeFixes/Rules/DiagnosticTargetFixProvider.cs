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

        /// <summary>
        /// The fixed solution, or null when the current code shows no certain repair. Default: the
        /// solution of <see cref="FixAsync"/>'s document; a fix that edits other documents too (a new
        /// parameter and its callers) overrides this.
        /// </summary>
        protected virtual async Task<Solution?> FixSolutionAsync(Document document, SyntaxNode target, string plan, CancellationToken cancellationToken) =>
            (await FixAsync(document, target, plan, cancellationToken).ConfigureAwait(false))?.Project.Solution;

        public sealed override FixAllProvider GetFixAllProvider() => new SequentialFixAll(this);

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

                var fixedSolution = await FixSolutionAsync(context.Document, target, plan, context.CancellationToken).ConfigureAwait(false);
                if (fixedSolution is not null)
                {
                    context.RegisterCodeFix(CodeAction.Create(TitleOf(plan), _ => Task.FromResult(fixedSolution), Key), diagnostic);
                }
            }
        }

        /// <summary>
        /// Fix All (document, project or solution): every target is marked first, in every document,
        /// then fixed one after the other on the current solution, so that each edit sees the ones
        /// before it, also those in other documents (an edit that finds nothing left to do changes nothing).
        /// </summary>
        private sealed class SequentialFixAll : FixAllProvider
        {
            private readonly DiagnosticTargetFixProvider _owner;

            public SequentialFixAll(DiagnosticTargetFixProvider owner)
            {
                _owner = owner;
            }

            public override IEnumerable<FixAllScope> GetSupportedFixAllScopes() =>
                new[] { FixAllScope.Document, FixAllScope.Project, FixAllScope.Solution };

            public override async Task<CodeAction?> GetFixAsync(FixAllContext fixAllContext)
            {
                var byDocument = new List<(Document Document, ImmutableArray<Diagnostic> Diagnostics)>();
                switch (fixAllContext.Scope)
                {
                    case FixAllScope.Document when fixAllContext.Document is { } document:
                        byDocument.Add((document, await fixAllContext.GetDocumentDiagnosticsAsync(document).ConfigureAwait(false)));
                        break;
                    case FixAllScope.Project:
                        await AddProjectAsync(fixAllContext, fixAllContext.Project, byDocument).ConfigureAwait(false);
                        break;
                    case FixAllScope.Solution:
                        foreach (var project in fixAllContext.Solution.Projects)
                        {
                            await AddProjectAsync(fixAllContext, project, byDocument).ConfigureAwait(false);
                        }

                        break;
                }

                var solution = fixAllContext.Solution;
                return CodeAction.Create(
                    "Fix all: " + (fixAllContext.CodeActionEquivalenceKey ?? _owner.Key),
                    cancellationToken => _owner.FixAllAsync(solution, byDocument, cancellationToken),
                    fixAllContext.CodeActionEquivalenceKey);
            }

            private static async Task AddProjectAsync(FixAllContext context, Project project, List<(Document, ImmutableArray<Diagnostic>)> byDocument)
            {
                var diagnostics = await context.GetAllDiagnosticsAsync(project).ConfigureAwait(false);
                foreach (var group in diagnostics.Where(d => d.Location.IsInSource).GroupBy(d => d.Location.SourceTree))
                {
                    if (project.GetDocument(group.Key) is { } document)
                    {
                        byDocument.Add((document, group.ToImmutableArray()));
                    }
                }
            }
        }

        private async Task<Solution> FixAllAsync(Solution solution, List<(Document Document, ImmutableArray<Diagnostic> Diagnostics)> byDocument, CancellationToken cancellationToken)
        {
            // Mark every target in every document first: an edit may change other documents.
            var annotationKind = "GuardOrder." + Key + ".Target";
            var marked = new List<(DocumentId Document, SyntaxAnnotation Annotation, string Plan)>();
            foreach (var (document, diagnostics) in byDocument)
            {
                var root = await solution.GetDocument(document.Id)!.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
                if (root is null)
                {
                    continue;
                }

                var targets = new Dictionary<SyntaxNode, (SyntaxAnnotation Annotation, string Plan)>();
                foreach (var diagnostic in diagnostics.OrderBy(d => d.Location.SourceSpan.Start))
                {
                    if (PlanOf(diagnostic) is { } plan && TargetOf(root, diagnostic) is { } node && !targets.ContainsKey(node))
                    {
                        targets.Add(node, (new SyntaxAnnotation(annotationKind, marked.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) + "." + targets.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)), plan));
                    }
                }

                if (targets.Count == 0)
                {
                    continue;
                }

                solution = solution.WithDocumentSyntaxRoot(document.Id, root.ReplaceNodes(targets.Keys, (original, rewritten) => rewritten.WithAdditionalAnnotations(targets[original].Annotation)));
                marked.AddRange(targets.Values.Select(t => (document.Id, t.Annotation, t.Plan)));
            }

            foreach (var (documentId, annotation, plan) in marked)
            {
                var document = solution.GetDocument(documentId);
                var currentRoot = document is null ? null : await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
                if (currentRoot?.GetAnnotatedNodes(annotation).FirstOrDefault() is { } target)
                {
                    solution = await FixSolutionAsync(document!, target, plan, cancellationToken).ConfigureAwait(false) ?? solution;
                }
            }

            return solution;
        }
    }
}
