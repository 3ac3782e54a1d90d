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
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace GuardOrder.CodeFixes
{
    /// <summary>
    /// "Release the lock on this route" for GO0004: inserts the method's own release of the lock
    /// (<c>unlock_page(page);</c>) before every <c>return</c> the lock leaks through, or every
    /// <c>continue</c> of the loop it is still held at (an embedded exit becomes a block), or turns an ignored try-lock into
    /// <c>if (!trylock_page(page)) return false;</c>. The plan (<see cref="GO0004LockRepair"/>) is
    /// rebuilt from the current document, and the edit is kept only when a fresh lock walk of the
    /// edited method shows the problem gone and no new one.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(GO0004ReleaseLockFix))]
    [Shared]
    public sealed class GO0004ReleaseLockFix : DiagnosticTargetFixProvider
    {
        public const string Title = "Release the lock on this route";

        public const string BranchTitle = "Return false when the lock is not taken";

        public const string EquivalenceKey = "GO0004.ReleaseLock";

        private const string AnnotationKind = "GuardOrder.GO0004.Target";

        public override ImmutableArray<string> FixableDiagnosticIds { get; } =
            ImmutableArray.Create(RuleIdentifiers.LockDiscipline);

        protected override string Key => EquivalenceKey;

        /// <summary>The repair's kind; the plan is rebuilt from the current document.</summary>
        protected override string? PlanOf(Diagnostic diagnostic) =>
            diagnostic.Properties.TryGetValue(GO0004LockRepair.FixProperty, out var kind) ? kind : null;

        protected override string TitleOf(string plan) => plan == GO0004LockRepair.BranchKind ? BranchTitle : Title;

        protected override Task<Document?> FixAsync(Document document, SyntaxNode target, string plan, CancellationToken cancellationToken) =>
            TryFixAsync(document, target, plan, cancellationToken);

        /// <summary>The document with the repair made, or null when the current code shows no certain repair for <paramref name="target"/>.</summary>
        internal static async Task<Document?> TryFixAsync(Document document, SyntaxNode target, string kind, CancellationToken cancellationToken)
        {
            var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
            var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
            var call = target.AncestorsAndSelf().OfType<InvocationExpressionSyntax>().FirstOrDefault();
            var declaration = target.AncestorsAndSelf().OfType<BaseMethodDeclarationSyntax>().FirstOrDefault();
            if (root is null || model is null || call is null || declaration is null)
            {
                return null;
            }

            var before = Walk(model, declaration, cancellationToken);
            if (before is null)
            {
                return null;
            }

            var (routes, backEdge, body, method, symbols) = before.Value;
            var issueKind = kind == GO0004LockRepair.BranchKind ? "try-ignored" : "leak"; // Release and Wrap repair a leak
            var issue = routes.SelectMany(r => r.State.Issues).Concat(backEdge).FirstOrDefault(i => i.Kind == issueKind && i.Operation.Syntax == call);
            if (issue is null)
            {
                return null;
            }

            var plan = GO0004LockRepair.Plan(issue, backEdge.Any(b => b.Kind == "leak" && b.Operation.Syntax == call), routes, body, method, symbols);
            if (plan.Kind != kind)
            {
                return null;
            }

            var methodAnnotation = new SyntaxAnnotation(AnnotationKind + ".Method");
            var eol = EndOfLine(root);
            SyntaxNode newRoot;
            if (kind == GO0004LockRepair.ReleaseKind)
            {
                newRoot = root.TrackNodes(plan.Exits.Cast<SyntaxNode>().Append(declaration));
                var release = plan.Release!.WithoutTrivia().ToFullString();
                foreach (var exit in plan.Exits)
                {
                    newRoot = InsertRelease(newRoot, newRoot.GetCurrentNode(exit)!, release, eol);
                }

                var current = newRoot.GetCurrentNode(declaration)!;
                newRoot = newRoot.ReplaceNode(current, current.WithAdditionalAnnotations(methodAnnotation));
            }
            else if (kind == GO0004LockRepair.WrapKind)
            {
                newRoot = root.ReplaceNode(declaration, Wrap(declaration, plan, eol).WithAdditionalAnnotations(methodAnnotation));
            }
            else
            {
                var statement = plan.Ignored!;
                var indent = Indentation(statement);
                var text = "if (!" + plan.TryCall!.WithoutTrivia().ToFullString() + ")" + eol + indent + "    return false;";
                var branch = SyntaxFactory.ParseStatement(text).WithLeadingTrivia(statement.GetLeadingTrivia()).WithTrailingTrivia(statement.GetTrailingTrivia());
                newRoot = root.ReplaceNode(declaration, declaration.ReplaceNode(statement, branch).WithAdditionalAnnotations(methodAnnotation));
            }

            // Keep the edit only if a fresh walk shows the problem gone and nothing new.
            var fixedDocument = document.WithSyntaxRoot(newRoot);
            var fixedRoot = await fixedDocument.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
            var fixedModel = await fixedDocument.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
            if (fixedRoot?.GetAnnotatedNodes(methodAnnotation).FirstOrDefault() is not BaseMethodDeclarationSyntax fixedDeclaration || fixedModel is null ||
                fixedModel.GetDiagnostics(fixedDeclaration.Span, cancellationToken).Any(d => d.Severity == DiagnosticSeverity.Error))
            {
                return null;
            }

            var after = Walk(fixedModel, fixedDeclaration, cancellationToken);
            if (after is null)
            {
                return null;
            }

            var old = Signatures(before.Value.Routes, before.Value.BackEdge);
            var now = Signatures(after.Value.Routes, after.Value.BackEdge);
            var remaining = old.ToList();
            // Branching on an ignored try-lock adds 'return false' only where the lock was not taken; where
            // it was taken, every route is as before. So a leak of that lock the fresh walk now reports
            // (an exit after it that does not release it) was there before, on the routes that took it,
            // hidden while the result was ignored: it is shown, not made (GO0004 then offers to release it).
            var exposed = (Kind: "leak", Text: call.ToString());
            foreach (var signature in now)
            {
                if (!remaining.Remove(signature) && !(kind == GO0004LockRepair.BranchKind && signature == exposed))
                {
                    return null; // a new lock problem
                }
            }

            var fixedSignature = (issueKind, call.ToString());
            return old.Count(s => s == fixedSignature) > now.Count(s => s == fixedSignature) ? fixedDocument : null;
        }

        /// <summary>
        /// The method with the locked region in <c>try { region } finally { release; }</c> (the release that
        /// ended it moves into the finally), or moved to the start of the try whose finally releases the lock.
        /// </summary>
        private static BaseMethodDeclarationSyntax Wrap(BaseMethodDeclarationSyntax declaration, GO0004LockRepair plan, string eol)
        {
            var region = plan.Region;
            var block = (BlockSyntax)region[0].Parent!;
            var indent = Indentation(region[0]);
            var regionText = Indent(string.Concat(region.Select(r => r.ToFullString())), "    ", eol);
            var first = block.Statements.IndexOf(region[0]);
            var statements = block.Statements.ToList();
            if (plan.RegionTry is { } existing)
            {
                var openBrace = existing.Block.OpenBraceToken;
                var inner = SyntaxFactory.ParseStatement("{" + eol + regionText + string.Concat(existing.Block.Statements.Select(st => st.ToFullString())) + existing.Block.CloseBraceToken.LeadingTrivia.ToFullString() + "}");
                var newTry = existing.WithBlock(((BlockSyntax)inner).WithOpenBraceToken(openBrace).WithCloseBraceToken(existing.Block.CloseBraceToken));
                statements.RemoveRange(first, region.Length);
                statements[first] = newTry;
            }
            else
            {
                var release = (plan.RegionRelease ?? plan.Release!).WithoutTrivia().ToFullString();
                var text = "try" + eol + indent + "{" + eol + regionText + indent + "}" + eol + indent + "finally" + eol + indent + "{" + eol + indent + "    " + release + eol + indent + "}";
                var wrapped = SyntaxFactory.ParseStatement(text).WithLeadingTrivia(SyntaxFactory.Whitespace(indent)).WithTrailingTrivia(SyntaxFactory.EndOfLine(eol));
                var count = region.Length + (plan.RegionRelease is null ? 0 : 1);
                statements.RemoveRange(first, count);
                statements.Insert(first, wrapped);
            }

            return declaration.ReplaceNode(block, block.WithStatements(SyntaxFactory.List(statements)));
        }

        /// <summary>Every non-empty line of <paramref name="text"/> with <paramref name="more"/> in front.</summary>
        private static string Indent(string text, string more, string eol)
        {
            var lines = text.Replace("\r\n", "\n").Split('\n');
            return string.Join(eol, lines.Select(l => l.Trim().Length == 0 ? l : more + l));
        }

        private static SyntaxNode InsertRelease(SyntaxNode root, StatementSyntax exit, string release, string eol)
        {
            if (exit.Parent is BlockSyntax or SwitchSectionSyntax)
            {
                var releaseStatement = SyntaxFactory.ParseStatement(release)
                    .WithLeadingTrivia(exit.GetLeadingTrivia())
                    .WithTrailingTrivia(SyntaxFactory.EndOfLine(eol));
                var indented = exit.WithLeadingTrivia(SyntaxFactory.Whitespace(Indentation(exit)));
                return root.ReplaceNode(exit, new SyntaxNode[] { releaseStatement, indented });
            }

            // An embedded return (if / else body) becomes a block: { release; return ...; }
            var owner = exit.Parent!;
            var indent = Indentation(owner is ElseClauseSyntax ? owner : owner);
            var inner = indent + "    ";
            var lead = exit.GetLeadingTrivia().ToFullString();
            if (string.IsNullOrWhiteSpace(lead))
            {
                lead = inner;
            }

            var text = "{" + eol + inner + release + eol + lead + exit.WithoutTrivia().ToFullString() + eol + indent + "}";
            var block = SyntaxFactory.ParseStatement(text)
                .WithLeadingTrivia(SyntaxFactory.Whitespace(indent))
                .WithTrailingTrivia(exit.GetTrailingTrivia());
            SyntaxNode replacement = owner switch
            {
                IfStatementSyntax ifStatement => ifStatement
                    .WithCloseParenToken(EndLine(ifStatement.CloseParenToken, eol))
                    .WithStatement(block),
                ElseClauseSyntax elseClause => elseClause
                    .WithElseKeyword(EndLine(elseClause.ElseKeyword, eol))
                    .WithStatement(block),
                _ => owner,
            };
            return root.ReplaceNode(owner, replacement);
        }

        /// <summary>The token followed by a line end: kept when its trailing trivia already ends the line (a comment may be there).</summary>
        private static SyntaxToken EndLine(SyntaxToken token, string eol) =>
            token.TrailingTrivia.Any(t => t.IsKind(SyntaxKind.EndOfLineTrivia)) ? token : token.WithTrailingTrivia(SyntaxFactory.EndOfLine(eol));

        /// <summary>The whitespace the node's first line starts with.</summary>
        internal static string Indentation(SyntaxNode node)
        {
            var text = node.SyntaxTree.GetText();
            var line = text.Lines.GetLineFromPosition(node.SpanStart).ToString();
            return line.Substring(0, line.Length - line.TrimStart().Length);
        }

        internal static string EndOfLine(SyntaxNode root)
        {
            var trivia = root.DescendantTrivia().FirstOrDefault(t => t.IsKind(SyntaxKind.EndOfLineTrivia));
            return trivia.IsKind(SyntaxKind.EndOfLineTrivia) ? trivia.ToFullString() : "\n";
        }

        internal static (ImmutableArray<Route> Routes, IReadOnlyList<LockIssue> BackEdge, IMethodBodyOperation Body, IMethodSymbol Method, GuardOrderSymbols Symbols)? Walk(SemanticModel model, BaseMethodDeclarationSyntax declaration, CancellationToken cancellationToken)
        {
            var symbols = GuardOrderSymbols.TryCreate(model.Compilation);
            if (symbols is null ||
                model.GetDeclaredSymbol(declaration, cancellationToken) is not IMethodSymbol method ||
                model.GetOperation(declaration, cancellationToken) is not IMethodBodyOperation body)
            {
                return null;
            }

            var cfg = ControlFlowGraph.Create(body, cancellationToken);
            var walker = new RouteWalker(symbols, new MethodBodies(model.Compilation), RouteMode.Locks, 0, cancellationToken);
            var routes = walker.Walk(cfg, method);
            return routes is null ? null : (routes.Value, walker.BackEdgeIssues, body, method, symbols);
        }

        /// <summary>The problems as the analyzer reports them (once per operation and kind), by kind and text.</summary>
        internal static List<(string Kind, string Text)> Signatures(ImmutableArray<Route> routes, IReadOnlyList<LockIssue> backEdge)
        {
            var seen = new HashSet<(int, string)>();
            var result = new List<(string, string)>();
            foreach (var issue in routes.SelectMany(r => r.State.Issues).Concat(backEdge))
            {
                if (seen.Add((issue.Operation.Syntax.SpanStart, issue.Kind)))
                {
                    result.Add((issue.Kind, issue.Operation.Syntax.ToString()));
                }
            }

            return result;
        }
    }
}
