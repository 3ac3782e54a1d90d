using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Threading;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using GuardOrder.Robustness.Shared;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace GuardOrder.Benchmarks
{
    /// <summary>
    /// BenchmarkDotNet for the small cases (10k lines whole-compilation, and the IDE document),
    /// in-process (no generated project to build) with a short fixed job so it fits the time budget
    /// on 2 shared cores. The 100k / 1M sizes use the simple harness in Program.
    /// </summary>
    [MemoryDiagnoser]
    public class IdeAndSmallBenchmarks
    {
        private Corpus _corpus = null!;
        private Corpus _ideCorpus = null!;
        private ImmutableArray<DiagnosticAnalyzer> _analyzers;
        private ImmutableArray<DiagnosticAnalyzer> _floor;
        private CompilationWithAnalyzers _cwa = null!;
        private SemanticModel _model = null!;

        public static int RunBdn(string[] args)
        {
            var job = Job.Default
                .WithToolchain(InProcessEmitToolchain.Instance)
                .WithLaunchCount(1)
                .WithWarmupCount(1)
                .WithIterationCount(6)
                .WithInvocationCount(1)
                .WithUnrollFactor(1);
            var config = ManualConfig.Create(DefaultConfig.Instance)
                .AddJob(job)
                .WithOptions(ConfigOptions.DisableOptimizationsValidator | ConfigOptions.JoinSummary)
                .WithArtifactsPath(Path.Combine(Path.GetTempPath(), "guardorder-bdn"));
            var summary = BenchmarkRunner.Run<IdeAndSmallBenchmarks>(config);
            return summary.HasCriticalValidationErrors ? 1 : 0;
        }

        [GlobalSetup]
        public void Setup()
        {
            _corpus = new Corpus(10_000, 20210630);
            _ideCorpus = new Corpus(10_000, 20210630, fileLines: 2000);
            _analyzers = GuardOrderAssemblies.CreateAnalyzers();
            _floor = _analyzers.Select(a => (DiagnosticAnalyzer)new NoOpMirrorAnalyzer(a)).ToImmutableArray();
        }

        [Benchmark(Baseline = true, Description = "compile 10k (emit)")]
        public int Compile10k() => Measure.CompileMs(_corpus, out var errors) > 0 ? errors : -1;

        [Benchmark(Description = "GuardOrder 10k")]
        public double GuardOrder10k() => Measure.Analyze(_corpus, _analyzers).Milliseconds;

        [Benchmark(Description = "no-op floor 10k")]
        public double NoOp10k() => Measure.Analyze(_corpus, _floor).Milliseconds;

        [IterationSetup(Target = nameof(IdeGuardOrder))]
        public void SetupIdeGuardOrder() => PrepareIde(_analyzers);

        [IterationSetup(Target = nameof(IdeNoOp))]
        public void SetupIdeNoOp() => PrepareIde(_floor);

        [Benchmark(Description = "IDE 2k-line document, GuardOrder")]
        public int IdeGuardOrder() => _cwa.GetAnalyzerSemanticDiagnosticsAsync(_model, null, CancellationToken.None).GetAwaiter().GetResult().Length;

        [Benchmark(Description = "IDE 2k-line document, no-op floor")]
        public int IdeNoOp() => _cwa.GetAnalyzerSemanticDiagnosticsAsync(_model, null, CancellationToken.None).GetAwaiter().GetResult().Length;

        private void PrepareIde(ImmutableArray<DiagnosticAnalyzer> analyzers)
        {
            var compilation = _ideCorpus.Fresh();
            _cwa = compilation.WithAnalyzers(analyzers, new CompilationWithAnalyzersOptions(
                new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty), null, concurrentAnalysis: true, logAnalyzerExecutionTime: false));
            var warm = _cwa.Compilation.GetSemanticModel(_ideCorpus.Trees[2]);
            _ = _cwa.GetAnalyzerSemanticDiagnosticsAsync(warm, null, CancellationToken.None).GetAwaiter().GetResult();
            _model = _cwa.Compilation.GetSemanticModel(_ideCorpus.Trees[1]);
            _ = _model.GetDiagnostics();
        }
    }
}
