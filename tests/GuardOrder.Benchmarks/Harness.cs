using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using GuardOrder.Robustness.Shared;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Diagnostics.Telemetry;

namespace GuardOrder.Benchmarks
{
    /// <summary>A parsed corpus of N lines.</summary>
    internal sealed class Corpus
    {
        public Corpus(int requestedLines, int seed, int fileLines = 1500, double plainShare = CorpusGenerator.DefaultPlainShare, bool unannotated = false, bool referenceAnnotations = true)
        {
            _template = referenceAnnotations ? Template : PlainTemplate;
            var generator = new CorpusGenerator(seed, fileLines, plainShare, unannotated);
            Files = generator.Generate(requestedLines);
            Stats = generator.Stats;
            Trees = Files
                .Select(f => CSharpSyntaxTree.ParseText(f.Text, GuardOrderAssemblies.ParseOptions, path: f.Name))
                .ToImmutableArray();
        }

        /// <summary>A corpus of given files (the real-shaped corpus, sample-mm for the IDE row), parsed with <paramref name="parseOptions"/>.</summary>
        public Corpus(List<CorpusFile> files, CSharpParseOptions parseOptions, int annotatedLines = 0)
        {
            _template = Template;
            Files = files;
            Stats = new CorpusStats { Files = files.Count, Lines = files.Sum(f => f.Lines), AnnotatedLines = annotatedLines };
            Trees = Files
                .Select(f => CSharpSyntaxTree.ParseText(f.Text, parseOptions, path: f.Name))
                .ToImmutableArray();
        }

        public List<CorpusFile> Files { get; }
        public CorpusStats Stats { get; }
        public ImmutableArray<SyntaxTree> Trees { get; }
        public int Lines => Stats.Lines;

        /// <summary>
        /// A new compilation over the parsed trees (nothing bound yet). It is derived from a template
        /// whose references are already resolved, as in the compiler server and the IDE, so that
        /// every sample does not re-read ~160 reference assemblies.
        /// </summary>
        public CSharpCompilation Fresh() => _template.AddSyntaxTrees(Trees);

        private readonly CSharpCompilation _template;

        private static readonly CSharpCompilation Template = CreateTemplate(withAnnotations: true);

        /// <summary>No GuardOrder.Annotations reference: the attribute types do not exist (compile-start bail-out).</summary>
        private static readonly CSharpCompilation PlainTemplate = CreateTemplate(withAnnotations: false);

        private static CSharpCompilation CreateTemplate(bool withAnnotations)
        {
            var template = GuardOrderAssemblies.CreateCompilation(System.Array.Empty<SyntaxTree>());
            if (!withAnnotations)
            {
                template = template.WithReferences(Basic.Reference.Assemblies.Net100.References.All);
            }

            _ = template.GetTypeByMetadataName("GuardOrder.SecurityCheckAttribute");
            _ = template.GetSpecialType(SpecialType.System_Object).GetMembers();
            return template;
        }
    }

    internal sealed class AnalyzerRun
    {
        public double Milliseconds;
        public double CpuMilliseconds;
        public ImmutableDictionary<DiagnosticAnalyzer, AnalyzerTelemetryInfo> Telemetry = ImmutableDictionary<DiagnosticAnalyzer, AnalyzerTelemetryInfo>.Empty;
        public int Diagnostics;
        public Dictionary<string, int> ById = new Dictionary<string, int>();
        public List<Exception> Exceptions = new List<Exception>();

        /// <summary>Info-level diagnostics by id (not in Reported).</summary>
        public Dictionary<string, int> InfoById = new Dictionary<string, int>();

        /// <summary>Every reported diagnostic of severity Warning or above as (file path, id, line, message), for the real corpus's self-check.</summary>
        public List<(string Path, string Id, int Line, string Message)> Reported = new List<(string Path, string Id, int Line, string Message)>();
    }

    internal static class Measure
    {
        /// <summary>CPU time of this process (all threads, GC included): robust to other processes on shared cores.</summary>
        public static double CpuNow() => Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds;

        public static double CompileMs(Corpus corpus, out int errors) => CompileMs(corpus, out errors, out _);

        public static double CompileMs(Corpus corpus, out int errors, out double cpuMs)
        {
            var cpu = CpuNow();
            var sw = Stopwatch.StartNew();
            var compilation = corpus.Fresh();
            using var pe = new MemoryStream();
            var result = compilation.Emit(pe);
            sw.Stop();
            cpuMs = CpuNow() - cpu;
            errors = result.Diagnostics.Count(d => d.Severity == DiagnosticSeverity.Error);
            return sw.Elapsed.TotalMilliseconds;
        }

        public static AnalyzerRun Analyze(Corpus corpus, ImmutableArray<DiagnosticAnalyzer> analyzers)
        {
            var run = new AnalyzerRun();
            var exceptions = new List<Exception>();
            var cpu = CpuNow();
            var sw = Stopwatch.StartNew();
            var compilation = corpus.Fresh();
            var options = new CompilationWithAnalyzersOptions(
                new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
                (e, a, d) => { lock (exceptions) { exceptions.Add(e); } },
                concurrentAnalysis: true,
                logAnalyzerExecutionTime: true);
            var cwa = compilation.WithAnalyzers(analyzers, options);
            var result = cwa.GetAnalysisResultAsync(CancellationToken.None).GetAwaiter().GetResult();
            sw.Stop();
            run.CpuMilliseconds = CpuNow() - cpu;
            run.Milliseconds = sw.Elapsed.TotalMilliseconds;
            run.Telemetry = result.AnalyzerTelemetryInfo;
            foreach (var d in result.GetAllDiagnostics())
            {
                run.Diagnostics++;
                run.ById[d.Id] = run.ById.TryGetValue(d.Id, out var n) ? n + 1 : 1;
                var span = d.Location.GetLineSpan();
                if (d.Severity < DiagnosticSeverity.Warning)
                {
                    // Info / hidden (IDE suggestions): counted, not part of the self-check.
                    run.InfoById[d.Id] = run.InfoById.TryGetValue(d.Id, out var k) ? k + 1 : 1;
                    continue;
                }

                run.Reported.Add((span.Path ?? "", d.Id, span.StartLinePosition.Line + 1, d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)));
            }

            run.Exceptions = exceptions;
            return run;
        }

        /// <summary>
        /// IDE latency: the steady state of an IDE analysing one document. A fresh
        /// CompilationWithAnalyzers (it caches per-file results, so reusing it would time a cache hit);
        /// untimed: the driver is initialised and the compilation-start actions have run (another
        /// document, <paramref name="warmDocument"/>, is analysed first, as the IDE does for the open
        /// files), and the document's semantic model is ready (declarations and bodies bound). Timed:
        /// GetAnalyzerSemanticDiagnosticsAsync(model, span: null) for the document.
        /// </summary>
        public static double IdeMs(Corpus corpus, SyntaxTree document, SyntaxTree warmDocument, ImmutableArray<DiagnosticAnalyzer> analyzers, out int diagnostics) =>
            IdeMs(corpus, document, warmDocument, analyzers, out diagnostics, out _);

        public static double IdeMs(Corpus corpus, SyntaxTree document, SyntaxTree warmDocument, ImmutableArray<DiagnosticAnalyzer> analyzers, out int diagnostics, out double callbackMs) =>
            IdeMs(corpus, document, warmDocument, analyzers, out diagnostics, out callbackMs, out _);

        /// <param name="allocatedBytes">Bytes the process allocated during the timed call (nearly deterministic: a load-independent measure of the work).</param>
        public static double IdeMs(Corpus corpus, SyntaxTree document, SyntaxTree warmDocument, ImmutableArray<DiagnosticAnalyzer> analyzers, out int diagnostics, out double callbackMs, out long allocatedBytes)
        {
            var compilation = corpus.Fresh();
            var options = new CompilationWithAnalyzersOptions(
                new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
                onAnalyzerException: null,
                concurrentAnalysis: true,
                logAnalyzerExecutionTime: true);
            var cwa = compilation.WithAnalyzers(analyzers, options);
            var warm = cwa.Compilation.GetSemanticModel(warmDocument);
            _ = cwa.GetAnalyzerSemanticDiagnosticsAsync(warm, null, CancellationToken.None).GetAwaiter().GetResult();
            var model = cwa.Compilation.GetSemanticModel(document);
            _ = model.GetDiagnostics();
            foreach (var body in document.GetRoot().DescendantNodes().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.BaseMethodDeclarationSyntax>())
            {
                _ = model.GetOperation(body); // bound trees cached in the model the driver will use
            }

            var before = analyzers.Sum(a => cwa.GetAnalyzerTelemetryInfoAsync(a, CancellationToken.None).GetAwaiter().GetResult().ExecutionTime.TotalMilliseconds);
            var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
            var sw = Stopwatch.StartNew();
            var result = cwa.GetAnalyzerSemanticDiagnosticsAsync(model, null, CancellationToken.None).GetAwaiter().GetResult();
            sw.Stop();
            allocatedBytes = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
            callbackMs = analyzers.Sum(a => cwa.GetAnalyzerTelemetryInfoAsync(a, CancellationToken.None).GetAwaiter().GetResult().ExecutionTime.TotalMilliseconds) - before;
            diagnostics = result.Length;
            return sw.Elapsed.TotalMilliseconds;
        }

        public static void Collect()
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        }

        public static double Median(IReadOnlyList<double> xs)
        {
            var s = xs.OrderBy(x => x).ToArray();
            return s.Length == 0 ? double.NaN : s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
        }

        /// <summary>Least-squares slope of log(y) over log(x).</summary>
        public static double Exponent(IReadOnlyList<double> x, IReadOnlyList<double> y)
        {
            var n = x.Count;
            if (n < 2)
            {
                return double.NaN;
            }

            var lx = x.Select(v => Math.Log(v)).ToArray();
            var ly = y.Select(v => Math.Log(Math.Max(v, 1e-6))).ToArray();
            var mx = lx.Average();
            var my = ly.Average();
            var num = 0.0;
            var den = 0.0;
            for (var i = 0; i < n; i++)
            {
                num += (lx[i] - mx) * (ly[i] - my);
                den += (lx[i] - mx) * (lx[i] - mx);
            }

            return num / den;
        }
    }
}
