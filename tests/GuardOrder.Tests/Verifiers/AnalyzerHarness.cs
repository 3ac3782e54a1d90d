using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace GuardOrder.Tests.Verifiers
{
    /// <summary>What one direct analyzer run produced: diagnostics and the exceptions analyzers threw (AD0001).</summary>
    internal sealed class AnalyzerRun
    {
        public AnalyzerRun(CompilationWithAnalyzers withAnalyzers, ImmutableArray<Diagnostic> diagnostics, IReadOnlyList<string> exceptions)
        {
            WithAnalyzers = withAnalyzers;
            Diagnostics = diagnostics;
            Exceptions = exceptions;
        }

        public CompilationWithAnalyzers WithAnalyzers { get; }

        public ImmutableArray<Diagnostic> Diagnostics { get; }

        /// <summary>"Analyzer: exception" for every exception an analyzer threw.</summary>
        public IReadOnlyList<string> Exceptions { get; }

        /// <summary>Fails when an analyzer threw, naming <paramref name="context"/> (e.g. the source analysed).</summary>
        public void AssertNoAnalyzerException(string context)
        {
            Assert.True(Exceptions.Count == 0, "analyzer exception (AD0001) on:\n" + context + "\n" + string.Join("\n", Exceptions));
            Assert.DoesNotContain(Diagnostics, d => d.Id == "AD0001");
        }
    }

    /// <summary>
    /// Runs analyzers directly over a compilation that may not compile (the verifiers insist on exact
    /// compiler diagnostics, which half-typed code makes noisy) with the offline references.
    /// </summary>
    internal static class AnalyzerHarness
    {
        public static readonly ImmutableArray<MetadataReference> References = GuardOrder.Robustness.Shared.GuardOrderAssemblies.References;

        public static readonly ImmutableArray<MetadataReference> ReferencesWithoutAnnotations =
            Basic.Reference.Assemblies.Net100.References.All.Cast<MetadataReference>().ToImmutableArray();

        public static CSharpCompilation Compile(IEnumerable<SyntaxTree> trees, bool withAnnotations = true, string assemblyName = "Test") =>
            CSharpCompilation.Create(
                assemblyName,
                trees,
                withAnnotations ? References : ReferencesWithoutAnnotations,
                new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

        public static CSharpCompilation Compile(params string[] sources) =>
            Compile(sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, new CSharpParseOptions(LanguageVersion.Latest), path: "Test" + i + ".cs")));

        /// <summary>All of sample-mm's sources (the 2021 as-posted predicates included), as one compilation.</summary>
        public static CSharpCompilation CompileSampleMm()
        {
            var root = System.IO.Path.Combine(Documentation.RuleCatalog.RepoRoot, "sample-mm");
            var separator = System.IO.Path.DirectorySeparatorChar;
            var options = new CSharpParseOptions(LanguageVersion.Latest, preprocessorSymbols: new[] { "AS_POSTED" });
            var trees = System.IO.Directory.EnumerateFiles(root, "*.cs", System.IO.SearchOption.AllDirectories)
                .Where(f => !f.Contains(separator + "obj" + separator, StringComparison.Ordinal)
                         && !f.Contains(separator + "bin" + separator, StringComparison.Ordinal))
                .OrderBy(f => f, StringComparer.Ordinal)
                .Select(f => CSharpSyntaxTree.ParseText(System.IO.File.ReadAllText(f), options, f))
                .ToList();
            return Compile(trees, assemblyName: "SampleMm");
        }

        public static async Task<AnalyzerRun> RunAsync(
            Compilation compilation,
            ImmutableArray<DiagnosticAnalyzer> analyzers,
            bool concurrent = false,
            bool logAnalyzerExecutionTime = false,
            CancellationToken cancellationToken = default)
        {
            var exceptions = new ConcurrentQueue<string>();
            var options = new CompilationWithAnalyzersOptions(
                new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
                (exception, analyzer, _) => exceptions.Enqueue(analyzer.GetType().Name + ": " + exception),
                concurrentAnalysis: concurrent,
                logAnalyzerExecutionTime: logAnalyzerExecutionTime,
                reportSuppressedDiagnostics: false);
            var withAnalyzers = compilation.WithAnalyzers(analyzers, options);
            var diagnostics = await withAnalyzers.GetAnalyzerDiagnosticsAsync(cancellationToken);
            return new AnalyzerRun(withAnalyzers, diagnostics, exceptions.ToList());
        }

        /// <summary>
        /// The analyzers over one tree of <paramref name="compilation"/> only (as an IDE analyses an open
        /// document): its syntax and semantic diagnostics, with the compilation's other trees bound only
        /// as far as the analyzers look into them. For analyzers without compilation-end actions this is
        /// every diagnostic they report in <paramref name="tree"/>.
        /// </summary>
        public static async Task<AnalyzerRun> RunOnTreeAsync(
            Compilation compilation,
            SyntaxTree tree,
            ImmutableArray<DiagnosticAnalyzer> analyzers,
            CancellationToken cancellationToken = default)
        {
            var exceptions = new ConcurrentQueue<string>();
            var options = new CompilationWithAnalyzersOptions(
                new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
                (exception, analyzer, _) => exceptions.Enqueue(analyzer.GetType().Name + ": " + exception),
                concurrentAnalysis: false,
                logAnalyzerExecutionTime: false,
                reportSuppressedDiagnostics: false);
            var withAnalyzers = compilation.WithAnalyzers(analyzers, options);
            var syntax = await withAnalyzers.GetAnalyzerSyntaxDiagnosticsAsync(tree, cancellationToken);
            var semantic = await withAnalyzers.GetAnalyzerSemanticDiagnosticsAsync(compilation.GetSemanticModel(tree), null, cancellationToken);
            return new AnalyzerRun(withAnalyzers, syntax.AddRange(semantic), exceptions.ToList());
        }

        /// <summary>
        /// One analyzer over <paramref name="sources"/>; its diagnostics plus an AD0001 for every
        /// exception it threw, so a test can assert on both at once.
        /// </summary>
        public static Task<ImmutableArray<Diagnostic>> RunAsync(DiagnosticAnalyzer analyzer, params string[] sources) =>
            RunAsync(analyzer, concurrent: false, sources);

        public static async Task<ImmutableArray<Diagnostic>> RunAsync(DiagnosticAnalyzer analyzer, bool concurrent, params string[] sources)
        {
            var run = await RunAsync(Compile(sources), ImmutableArray.Create(analyzer), concurrent);
            var thrown = run.Exceptions.Select(e => Diagnostic.Create(
                new DiagnosticDescriptor("AD0001", "Analyzer threw", "{0}", "Compiler", DiagnosticSeverity.Warning, isEnabledByDefault: true),
                Location.None,
                e));
            return run.Diagnostics.AddRange(thrown);
        }
    }
}
