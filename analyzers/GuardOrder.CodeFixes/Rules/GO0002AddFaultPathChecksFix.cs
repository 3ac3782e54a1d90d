using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using GuardOrder.Analyzers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FindSymbols;
using Microsoft.CodeAnalysis.Operations;

namespace GuardOrder.CodeFixes
{
    /// <summary>
    /// "Add the checks the fault path makes" for GO0002: inserts, before the granting return, the
    /// checks the analyzer planned (<see cref="GO0002CheckRepair"/>: the closest grant route's checks
    /// the routes to this return lack, in the fault path's order, written in the predicate's values)
    /// as early <c>return false</c> exits; checks the fault path makes under a lock are made under it,
    /// taken as the fault path takes it and released on every route out. The edit is kept only when
    /// the method still compiles and a fresh lock walk shows no new GO0004 problem. It only adds
    /// <c>return false</c> exits: it never widens a grant.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(GO0002AddFaultPathChecksFix))]
    [Shared]
    public sealed class GO0002AddFaultPathChecksFix : DiagnosticTargetFixProvider
    {
        public const string Title = "Add the checks the fault path makes";

        public const string EquivalenceKey = "GO0002.AddFaultPathChecks";

        private const string AnnotationKind = "GuardOrder.GO0002.Target";

        public override ImmutableArray<string> FixableDiagnosticIds { get; } =
            ImmutableArray.Create(RuleIdentifiers.FaultPathMissingCheck);

        protected override string Key => EquivalenceKey;

        /// <summary>The analyzer's planned statements (<see cref="GO0002CheckRepair.ChecksProperty"/>).</summary>
        protected override string? PlanOf(Diagnostic diagnostic) =>
            diagnostic.Properties.TryGetValue(GO0002CheckRepair.ChecksProperty, out var encoded) && !GO0002CheckRepair.Decode(encoded).IsEmpty ? encoded : null;

        protected override string TitleOf(string plan) =>
            GO0002CheckRepair.Decode(plan) is { IsEmpty: false } statements && statements[0].Kind == GO0002CheckRepair.ParameterKind
                ? Title + " (with a new parameter '" + statements[0].Text + "' its callers pass)"
                : Title;

        /// <summary>
        /// With a <see cref="GO0002CheckRepair.ParameterKind"/> first: the parameter is appended to the
        /// predicate (unless an earlier fix added it), every call of the predicate in the solution passes
        /// the caller's own local or parameter of that name and type (the analyzer's condition, checked
        /// again over the whole solution), then the checks are inserted. Declined when a caller has no
        /// such value or anything no longer compiles.
        /// </summary>
        protected override async Task<Solution?> FixSolutionAsync(Document document, SyntaxNode target, string plan, CancellationToken cancellationToken)
        {
            var statements = GO0002CheckRepair.Decode(plan);
            if (statements.IsEmpty || statements[0].Kind != GO0002CheckRepair.ParameterKind)
            {
                return await base.FixSolutionAsync(document, target, plan, cancellationToken).ConfigureAwait(false);
            }

            var rest = GO0002CheckRepair.Encode(statements.RemoveAt(0));
            var parts = statements[0].Text.Split(' ');
            var name = parts[parts.Length - 1];
            var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
            var declaration = target.AncestorsAndSelf().OfType<MethodDeclarationSyntax>().FirstOrDefault();
            if (model is null || declaration is null || model.GetDeclaredSymbol(declaration, cancellationToken) is not { } predicate)
            {
                return null;
            }

            var existing = predicate.Parameters.FirstOrDefault(p => p.Name == name);
            if (existing is not null)
            {
                // An earlier fix of another return added it (and updated the callers).
                return existing.Type.ToMinimalDisplayString(model, declaration.SpanStart) + " " + name == statements[0].Text
                    ? await base.FixSolutionAsync(document, target, rest, cancellationToken).ConfigureAwait(false)
                    : null;
            }

            var parameter = SyntaxFactory.ParseParameterList("(" + statements[0].Text + ")");
            if (parameter.ContainsDiagnostics || parameter.Parameters.Count != 1)
            {
                return null;
            }

            var plannedType = parameter.Parameters[0].Type is { } typeSyntax
                ? model.GetSpeculativeTypeInfo(declaration.SpanStart, typeSyntax, SpeculativeBindingOption.BindAsTypeOrNamespace).Type
                : null;
            if (plannedType is null || plannedType.TypeKind == TypeKind.Error)
            {
                return null;
            }

            // Every call, in every document of the solution, gets the caller's value of that name.
            var solution = document.Project.Solution;
            var callsByDocument = new Dictionary<DocumentId, List<InvocationExpressionSyntax>>();
            foreach (var reference in await SymbolFinder.FindReferencesAsync(predicate, solution, cancellationToken).ConfigureAwait(false))
            {
                foreach (var location in reference.Locations)
                {
                    var root = await location.Document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
                    var node = root?.FindNode(location.Location.SourceSpan, getInnermostNodeForTie: true);
                    if (node is null || node.AncestorsAndSelf().Any(a => a is CrefSyntax))
                    {
                        continue;
                    }

                    var callerModel = await location.Document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
                    if (callerModel is null || node.Ancestors().OfType<InvocationExpressionSyntax>().Any(i => callerModel.GetOperation(i, cancellationToken) is INameOfOperation))
                    {
                        continue;
                    }

                    var callee = node.Parent is MemberAccessExpressionSyntax access && access.Name == node ? (ExpressionSyntax)access : node as ExpressionSyntax;
                    if (callee?.Parent is not InvocationExpressionSyntax invocation || invocation.Expression != callee ||
                        (location.Document.Id == document.Id && declaration.Span.Contains(invocation.Span)))
                    {
                        return null;
                    }

                    var values = callerModel.LookupSymbols(invocation.SpanStart, name: name);
                    var type = values.Length == 1 ? (values[0] as ILocalSymbol)?.Type ?? (values[0] as IParameterSymbol)?.Type : null;
                    if (type is null || type.ToDisplayString() != plannedType.ToDisplayString())
                    {
                        return null;
                    }

                    if (!callsByDocument.TryGetValue(location.Document.Id, out var calls))
                    {
                        callsByDocument[location.Document.Id] = calls = new List<InvocationExpressionSyntax>();
                    }

                    calls.Add(invocation);
                }
            }

            // The target and the method are marked so they are found again after the edit.
            var targetAnnotation = new SyntaxAnnotation(AnnotationKind + ".ParameterTarget");
            var callAnnotation = new SyntaxAnnotation(AnnotationKind + ".Call");
            foreach (var documentId in callsByDocument.Keys.Append(document.Id).Distinct().ToList())
            {
                var current = solution.GetDocument(documentId)!;
                var root = await current.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
                if (root is null)
                {
                    return null;
                }

                var replacements = new Dictionary<SyntaxNode, SyntaxNode>();
                if (callsByDocument.TryGetValue(documentId, out var calls))
                {
                    foreach (var call in calls)
                    {
                        var named = call.ArgumentList.Arguments.Any(a => a.NameColon is not null);
                        var argument = named
                            ? SyntaxFactory.Argument(SyntaxFactory.NameColon(name), default, SyntaxFactory.IdentifierName(name))
                            : SyntaxFactory.Argument(SyntaxFactory.IdentifierName(name));
                        replacements[call.ArgumentList] = call.ArgumentList.WithArguments(Append(call.ArgumentList.Arguments, argument)).WithAdditionalAnnotations(callAnnotation);
                    }
                }

                if (documentId == document.Id)
                {
                    var parameters = declaration.ParameterList.Parameters;
                    var added = (ParameterSyntax)parameter.Parameters[0].WithoutTrivia();
                    replacements[declaration.ParameterList] = declaration.ParameterList.WithParameters(Append(parameters, added));
                    replacements[target] = target.WithAdditionalAnnotations(targetAnnotation);
                }

                // The target is inside the method, not inside its parameter list: the replaced nodes do not nest.
                solution = solution.WithDocumentSyntaxRoot(documentId, root.ReplaceNodes(replacements.Keys, (original, _) => replacements[original]));
            }

            var updated = solution.GetDocument(document.Id)!;
            var updatedRoot = await updated.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
            if (updatedRoot?.GetAnnotatedNodes(targetAnnotation).FirstOrDefault() is not { } updatedTarget)
            {
                return null;
            }

            var result = await base.FixSolutionAsync(updated, updatedTarget, rest, cancellationToken).ConfigureAwait(false);
            if (result is null)
            {
                return null;
            }

            // Every updated call compiles.
            foreach (var documentId in callsByDocument.Keys)
            {
                var caller = result.GetDocument(documentId)!;
                var callerRoot = await caller.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
                var callerModel = await caller.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
                if (callerRoot is null || callerModel is null ||
                    callerRoot.GetAnnotatedNodes(callAnnotation).Any(n => callerModel.GetDiagnostics(n.Parent!.Span, cancellationToken).Any(d => d.Severity == DiagnosticSeverity.Error)))
                {
                    return null;
                }
            }

            return result;
        }

        /// <summary>The list with <paramref name="item"/> appended after a ", " separator (a comment after the last item stays with it).</summary>
        private static SeparatedSyntaxList<T> Append<T>(SeparatedSyntaxList<T> list, T item)
            where T : SyntaxNode
        {
            if (list.Count == 0)
            {
                return SyntaxFactory.SingletonSeparatedList(item);
            }

            var items = list.GetWithSeparators().ToList();
            items.Add(SyntaxFactory.Token(SyntaxKind.CommaToken).WithTrailingTrivia(SyntaxFactory.Space));
            items.Add(item);
            return SyntaxFactory.SeparatedList<T>(items);
        }

        /// <summary>The granting return the diagnostic is on, or the method's expression body.</summary>
        protected override SyntaxNode? TargetOf(SyntaxNode root, Diagnostic diagnostic)
        {
            var node = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
            return (SyntaxNode?)node.AncestorsAndSelf().OfType<ReturnStatementSyntax>().FirstOrDefault() ??
                node.AncestorsAndSelf().OfType<ArrowExpressionClauseSyntax>().FirstOrDefault(a => a.Parent is MethodDeclarationSyntax);
        }

        protected override async Task<Document?> FixAsync(Document document, SyntaxNode target, string plan, CancellationToken cancellationToken)
        {
            var statements = GO0002CheckRepair.Decode(plan);
            switch (target)
            {
                case ReturnStatementSyntax statement:
                    return await TryFixAsync(document, statement, statements, cancellationToken).ConfigureAwait(false);
                case ArrowExpressionClauseSyntax { Parent: MethodDeclarationSyntax method } arrow:
                    // '=> expr;' becomes '{ return expr; }', then the checks go before that return.
                    var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
                    if (root is null)
                    {
                        return null;
                    }

                    var eol = GO0004ReleaseLockFix.EndOfLine(root);
                    var indent = GO0004ReleaseLockFix.Indentation(method);
                    var annotation = new SyntaxAnnotation(AnnotationKind + ".Return");
                    var block = SyntaxFactory.ParseStatement("{" + eol + indent + "    return " + arrow.Expression.WithoutTrivia().ToFullString() + ";" + eol + indent + "}") as BlockSyntax;
                    if (block is null || block.ContainsDiagnostics)
                    {
                        return null;
                    }

                    var before = arrow.GetFirstToken().GetPreviousToken();
                    var withBlock = method.ReplaceToken(before, before.WithTrailingTrivia(SyntaxFactory.EndOfLine(eol)));
                    withBlock = withBlock
                        .WithExpressionBody(null)
                        .WithSemicolonToken(default)
                        .WithBody(block.ReplaceNode(block.Statements[0], block.Statements[0].WithAdditionalAnnotations(annotation))
                            .WithLeadingTrivia(SyntaxFactory.Whitespace(indent)).WithTrailingTrivia(method.SemicolonToken.TrailingTrivia));
                    var converted = document.WithSyntaxRoot(root.ReplaceNode(method, withBlock));
                    var convertedRoot = await converted.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
                    return convertedRoot?.GetAnnotatedNodes(annotation).FirstOrDefault() is ReturnStatementSyntax created
                        ? await TryFixAsync(converted, created, statements, cancellationToken).ConfigureAwait(false)
                        : null;
                default:
                    return null;
            }
        }

        /// <summary>The document with <paramref name="statements"/> inserted before <paramref name="target"/>, or null when that is not certain to be right.</summary>
        internal static async Task<Document?> TryFixAsync(Document document, ReturnStatementSyntax target, ImmutableArray<(string Kind, string Text)> statements, CancellationToken cancellationToken)
        {
            var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
            var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
            var declaration = target.AncestorsAndSelf().OfType<BaseMethodDeclarationSyntax>().FirstOrDefault();
            if (root is null || model is null || declaration?.Body is null)
            {
                return null;
            }

            var before = GO0004ReleaseLockFix.Walk(model, declaration, cancellationToken);
            if (before is null)
            {
                return null;
            }

            var eol = GO0004ReleaseLockFix.EndOfLine(root);
            var braces = declaration.Body.DescendantNodes().OfType<IfStatementSyntax>().Any(i => i.Statement is BlockSyntax);
            var embedded = target.Parent is IfStatementSyntax or ElseClauseSyntax;
            var outer = embedded ? GO0004ReleaseLockFix.Indentation(target.Parent!) : GO0004ReleaseLockFix.Indentation(target);
            var indent = embedded ? outer + "    " : outer;
            var release = statements.FirstOrDefault(s => s.Kind == GO0002CheckRepair.ReleaseKind).Text;
            var inserted = new List<StatementSyntax>();
            foreach (var (kind, text) in statements)
            {
                var statementText = kind switch
                {
                    GO0002CheckRepair.CheckKind => Exit("if (" + text + ")", null, indent, eol, braces),
                    GO0002CheckRepair.TryLockKind => Exit("if (!" + text + ")", null, indent, eol, braces),
                    GO0002CheckRepair.LockKind or GO0002CheckRepair.ReleaseKind => text + ";",
                    GO0002CheckRepair.LockedCheckKind when release is not null => Exit("if (" + text + ")", release, indent, eol, braces: true),
                    _ => null,
                };
                if (statementText is null)
                {
                    return null;
                }

                var statement = SyntaxFactory.ParseStatement(statementText);
                if (statement.ContainsDiagnostics)
                {
                    return null;
                }

                inserted.Add(statement.WithLeadingTrivia(SyntaxFactory.Whitespace(indent)).WithTrailingTrivia(SyntaxFactory.EndOfLine(eol)));
            }

            var methodAnnotation = new SyntaxAnnotation(AnnotationKind + ".Method");
            BaseMethodDeclarationSyntax newDeclaration;
            switch (target.Parent)
            {
                case BlockSyntax block:
                    newDeclaration = declaration.ReplaceNode(block, block.WithStatements(block.Statements.InsertRange(block.Statements.IndexOf(target), inserted)));
                    break;
                case SwitchSectionSyntax section:
                    newDeclaration = declaration.ReplaceNode(section, section.WithStatements(section.Statements.InsertRange(section.Statements.IndexOf(target), inserted)));
                    break;
                case IfStatementSyntax or ElseClauseSyntax:
                    // return as an if/else branch: the branch becomes a block of the checks and the return.
                    var body = SyntaxFactory.Block(
                        SyntaxFactory.Token(SyntaxKind.OpenBraceToken).WithLeadingTrivia(SyntaxFactory.Whitespace(outer)).WithTrailingTrivia(SyntaxFactory.EndOfLine(eol)),
                        SyntaxFactory.List(inserted.Append(target.WithLeadingTrivia(Reindent(target.GetLeadingTrivia(), indent)).WithTrailingTrivia(SyntaxFactory.EndOfLine(eol)))),
                        SyntaxFactory.Token(SyntaxKind.CloseBraceToken).WithLeadingTrivia(SyntaxFactory.Whitespace(outer)).WithTrailingTrivia(target.GetTrailingTrivia()));
                    // The branch starts on a line of its own ('if (x) return true;' on one line included).
                    var owner = target.Parent!;
                    var ended = owner switch
                    {
                        IfStatementSyntax ifStatement => (SyntaxNode)ifStatement.WithCloseParenToken(EndLine(ifStatement.CloseParenToken, eol)).WithStatement(body),
                        ElseClauseSyntax elseClause => elseClause.WithElseKeyword(EndLine(elseClause.ElseKeyword, eol)).WithStatement(body),
                        _ => owner,
                    };
                    newDeclaration = declaration.ReplaceNode(owner, ended);
                    break;
                default:
                    return null;
            }

            var fixedDocument = document.WithSyntaxRoot(root.ReplaceNode(declaration, newDeclaration.WithAdditionalAnnotations(methodAnnotation)));

            // It compiles, and no new lock problem (every exit after the lock releases it).
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

        /// <summary>The token followed by a line end: kept when its trailing trivia already ends the line (a comment may be there).</summary>
        private static SyntaxToken EndLine(SyntaxToken token, string eol) =>
            token.TrailingTrivia.Any(t => t.IsKind(SyntaxKind.EndOfLineTrivia)) ? token : token.WithTrailingTrivia(SyntaxFactory.EndOfLine(eol));

        /// <summary><c>if (...) return false;</c>, with the release first when <paramref name="release"/> is given.</summary>
        private static string Exit(string head, string? release, string indent, string eol, bool braces)
        {
            var text = new StringBuilder(head).Append(eol);
            if (!braces)
            {
                return text.Append(indent).Append("    return false;").ToString();
            }

            text.Append(indent).Append('{').Append(eol);
            if (release is not null)
            {
                text.Append(indent).Append("    ").Append(release).Append(';').Append(eol);
            }

            return text.Append(indent).Append("    return false;").Append(eol).Append(indent).Append('}').ToString();
        }

        /// <summary>The trivia with its last run of indentation replaced by <paramref name="indent"/> (comments kept).</summary>
        private static SyntaxTriviaList Reindent(SyntaxTriviaList trivia, string indent)
        {
            var kept = trivia.Where(t => !t.IsKind(SyntaxKind.WhitespaceTrivia) || t != trivia.Last()).ToList();
            if (trivia.Count > 0 && trivia.Last().IsKind(SyntaxKind.WhitespaceTrivia))
            {
                kept.Add(SyntaxFactory.Whitespace(indent));
                return SyntaxFactory.TriviaList(kept);
            }

            return trivia.Count == 0 ? SyntaxFactory.TriviaList(SyntaxFactory.Whitespace(indent)) : trivia;
        }
    }
}
