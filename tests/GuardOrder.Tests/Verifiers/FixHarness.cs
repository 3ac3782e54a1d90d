using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using GuardOrder.Analyzers;
using GuardOrder.CodeFixes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace GuardOrder.Tests.Verifiers
{
    /// <summary>
    /// Runs the sync analyzers (GO0002–GO0005) over one source and applies their fixes through the real
    /// providers, one diagnostic at a time, in a throw-away workspace (no exact-diagnostics verifier:
    /// for properties and sample-shaped sources).
    /// </summary>
    internal static class FixHarness
    {
        public static readonly ImmutableArray<DiagnosticAnalyzer> SyncAnalyzers = ImmutableArray.Create<DiagnosticAnalyzer>(
            new GO0002FaultPathSyncAnalyzer(), new GO0004LockDisciplineAnalyzer(), new GO0005SecurityBypassAnalyzer());

        public static readonly IReadOnlyDictionary<string, CodeFixProvider> Providers = new Dictionary<string, CodeFixProvider>
        {
            ["GO0002"] = new GO0002AddFaultPathChecksFix(),
            ["GO0003"] = new GO0003RecheckUnderLockFix(),
            ["GO0004"] = new GO0004ReleaseLockFix(),
            ["GO0005"] = new GO0005SecurityGuardFirstOnEveryRouteFix(),
        };

        /// <summary>The GO0002–GO0005 diagnostics of <paramref name="source"/>, in source order (an analyzer exception fails).</summary>
        public static async Task<List<Diagnostic>> AnalyzeAsync(string source)
        {
            var compilation = AnalyzerHarness.Compile(source);
            var run = await AnalyzerHarness.RunAsync(compilation, SyncAnalyzers);
            run.AssertNoAnalyzerException(source);
            return run.Diagnostics.Where(d => d.Id is "GO0002" or "GO0003" or "GO0004" or "GO0005").OrderBy(d => d.Location.SourceSpan.Start).ThenBy(d => d.Id).ToList();
        }

        /// <summary>
        /// The GO0002–GO0005 diagnostics of <paramref name="source"/> (as "Test0.cs") compiled together with
        /// <paramref name="companions"/> (e.g. the files of sample-mm), in source order. Only the source's
        /// tree is analysed (<see cref="AnalyzerHarness.RunOnTreeAsync"/>): the companions' own diagnostics
        /// are not computed.
        /// </summary>
        public static async Task<List<Diagnostic>> AnalyzeAsync(string source, IReadOnlyList<SyntaxTree> companions)
        {
            if (companions.Count == 0)
            {
                return await AnalyzeAsync(source);
            }

            var tree = CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest), path: "Test0.cs");
            var compilation = AnalyzerHarness.Compile(companions.Prepend(tree));
            var run = await AnalyzerHarness.RunOnTreeAsync(compilation, tree, SyncAnalyzers);
            run.AssertNoAnalyzerException(source);
            return run.Diagnostics
                .Where(d => (d.Id is "GO0002" or "GO0003" or "GO0004" or "GO0005") && d.Location.SourceTree == tree)
                .OrderBy(d => d.Location.SourceSpan.Start).ThenBy(d => d.Id).ToList();
        }

        /// <summary>The text after the first action the provider offers for <paramref name="diagnostic"/>, or null when it offers none.</summary>
        public static Task<string?> ApplyAsync(string source, Diagnostic diagnostic) =>
            ApplyAsync(source, diagnostic, System.Array.Empty<SyntaxTree>());

        /// <summary>
        /// As <see cref="ApplyAsync(string, Diagnostic)"/>, with <paramref name="companions"/> as further
        /// documents of the project (their text and paths); only the text of <paramref name="source"/> is returned.
        /// </summary>
        public static async Task<string?> ApplyAsync(string source, Diagnostic diagnostic, IReadOnlyList<SyntaxTree> companions)
        {
            if (!Providers.TryGetValue(diagnostic.Id, out var provider))
            {
                return null;
            }

            using var workspace = new AdhocWorkspace();
            var projectId = ProjectId.CreateNewId();
            var solution = workspace.CurrentSolution.AddProject(ProjectInfo.Create(
                projectId, VersionStamp.Default, "cases", "Cases", LanguageNames.CSharp,
                compilationOptions: new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable),
                parseOptions: new CSharpParseOptions(LanguageVersion.Latest),
                metadataReferences: AnalyzerHarness.References));
            var documentId = DocumentId.CreateNewId(projectId);
            solution = solution.AddDocument(documentId, "Test0.cs", SourceText.From(source), filePath: "Test0.cs");
            foreach (var companion in companions)
            {
                solution = solution.AddDocument(DocumentId.CreateNewId(projectId), System.IO.Path.GetFileName(companion.FilePath), companion.GetText(), filePath: companion.FilePath);
            }

            var document = solution.GetDocument(documentId)!;
            var actions = new List<CodeAction>();
            await provider.RegisterCodeFixesAsync(new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), CancellationToken.None));
            if (actions.Count == 0)
            {
                return null;
            }

            var operations = await actions[0].GetOperationsAsync(CancellationToken.None);
            var changed = operations.OfType<ApplyChangesOperation>().Single().ChangedSolution.GetDocument(documentId)!;
            return (await changed.GetTextAsync()).ToString();
        }
    }
}
