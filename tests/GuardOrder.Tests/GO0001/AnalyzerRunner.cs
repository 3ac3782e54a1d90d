using System.Collections.Immutable;
using System.Linq;
using System.Threading.Tasks;
using GuardOrder.Tests.Verifiers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace GuardOrder.Tests.GO0001
{
    /// <summary>
    /// Runs an analyzer directly over a compilation that may not compile, and returns its
    /// diagnostics plus an AD0001 for every exception it threw (the verifiers insist on exact
    /// compiler diagnostics, which half-typed code makes noisy).
    /// </summary>
    internal static class AnalyzerRunner
    {
        public static Task<ImmutableArray<Diagnostic>> RunAsync(DiagnosticAnalyzer analyzer, params string[] sources) =>
            RunAsync(analyzer, concurrent: false, sources);

        public static async Task<ImmutableArray<Diagnostic>> RunAsync(DiagnosticAnalyzer analyzer, bool concurrent, params string[] sources)
        {
            var trees = sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, new CSharpParseOptions(LanguageVersion.Latest), path: "Test" + i + ".cs"));
            var compilation = CSharpCompilation.Create(
                "HalfTyped",
                trees,
                Basic.Reference.Assemblies.Net100.References.All.Cast<MetadataReference>().Append(TestReferences.Annotations),
                new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
            var exceptions = ImmutableArray.CreateBuilder<Diagnostic>();
            var options = new CompilationWithAnalyzersOptions(
                new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
                (exception, _, diagnostic) => exceptions.Add(diagnostic),
                concurrentAnalysis: concurrent,
                logAnalyzerExecutionTime: false,
                reportSuppressedDiagnostics: false);
            var withAnalyzers = compilation.WithAnalyzers(ImmutableArray.Create(analyzer), options);
            var diagnostics = await withAnalyzers.GetAnalyzerDiagnosticsAsync();
            return diagnostics.AddRange(exceptions);
        }
    }
}
