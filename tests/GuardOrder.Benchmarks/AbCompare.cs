using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using GuardOrder.Robustness.Shared;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace GuardOrder.Benchmarks
{
    /// <summary>
    /// <c>--ab BASE.dll [N] [--mixed LINES | --replicas R]</c>: a change to the analyzers measured against
    /// a base build of them in the same process. The base GuardOrder.Analyzers.dll is loaded into its own
    /// load context (the compiler and everything else are shared); base, current and the no-op floor are
    /// analysed sequentially (no concurrency), interleaved, N rounds each on a fresh compilation; the
    /// report is the process CPU of each above the floor (median and smallest) and the current / base
    /// ratio of that per round. Ratios within one run: this machine's speed moves by a third between
    /// runs, so two runs' totals cannot be compared, but a round's base and current sit side by side.
    /// </summary>
    internal static class AbCompare
    {
        public static int Run(string baseDll, int rounds, Corpus corpus)
        {
            var context = new AssemblyLoadContext("guardorder-base", isCollectible: false);
            var baseAssembly = context.LoadFromAssemblyPath(System.IO.Path.GetFullPath(baseDll));
            var baseAnalyzers = Instantiate(baseAssembly);
            var current = GuardOrderAssemblies.CreateAnalyzers();
            var floor = current.Select(a => (DiagnosticAnalyzer)new NoOpMirrorAnalyzer(a)).ToImmutableArray();
            Console.WriteLine($"{corpus.Lines:N0} lines; base: {baseAnalyzers.Length} analyzers from {baseDll}; current: {current.Length}; {rounds} rounds");
            if (baseAnalyzers.Length != current.Length)
            {
                Console.WriteLine("the base and the current build do not have the same analyzers");
            }

            // Warm-up: every variant's code jitted and tiered up before the rounds are timed.
            for (var i = 0; i < 3; i++)
            {
                Analyze(corpus, baseAnalyzers);
                Analyze(corpus, current);
                Analyze(corpus, floor);
            }

            var baseCpu = new List<double>();
            var currentCpu = new List<double>();
            var floorCpu = new List<double>();
            var baseAbove = new List<double>();
            var currentAbove = new List<double>();
            var ratios = new List<double>();
            var baseCallbacks = new List<double>();
            var currentCallbacks = new List<double>();
            var baseDiagnostics = 0;
            var currentDiagnostics = 0;
            for (var round = 0; round < rounds; round++)
            {
                // Alternate the order so neither variant always runs after the floor's garbage.
                var (b, bd) = round % 2 == 0 ? Analyze(corpus, baseAnalyzers) : default;
                var bcb = LastCallbacks;
                var (c, cd) = Analyze(corpus, current);
                var ccb = LastCallbacks;
                if (round % 2 == 1)
                {
                    (b, bd) = Analyze(corpus, baseAnalyzers);
                    bcb = LastCallbacks;
                }

                baseCallbacks.Add(bcb);
                currentCallbacks.Add(ccb);

                var (f, _) = Analyze(corpus, floor);
                baseCpu.Add(b);
                currentCpu.Add(c);
                floorCpu.Add(f);
                baseAbove.Add(b - f);
                currentAbove.Add(c - f);
                ratios.Add((c - f) / Math.Max(1, b - f));
                baseDiagnostics = bd;
                currentDiagnostics = cd;
                Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "round {0}: base {1:F0} ms, current {2:F0} ms, floor {3:F0} ms (process CPU); above the floor {4:F0} / {5:F0} ms; callback time {6:F0} / {7:F0} ms", round + 1, b, c, f, b - f, c - f, bcb, ccb));
            }

            Console.WriteLine(string.Format(
                CultureInfo.InvariantCulture,
                "above the floor, median (smallest): base {0:F0} ({1:F0}) ms, current {2:F0} ({3:F0}) ms; current / base per round: median {4:F2}, range {5:F2}–{6:F2}; diagnostics base {7}, current {8}",
                Median(baseAbove), baseAbove.Min(), Median(currentAbove), currentAbove.Min(), Median(ratios), ratios.Min(), ratios.Max(), baseDiagnostics, currentDiagnostics));
            // Each variant's fastest round: the run least disturbed by the machine's other load (on a shared
            // host a round's CPU time moves by a third), so the differences of the smallest are the steadiest measure.
            Console.WriteLine(string.Format(
                CultureInfo.InvariantCulture,
                "process CPU, smallest of the rounds: base {0:F0} ms, current {1:F0} ms, floor {2:F0} ms; above the floor base {3:F0} ms, current {4:F0} ms",
                baseCpu.Min(), currentCpu.Min(), floorCpu.Min(), baseCpu.Min() - floorCpu.Min(), currentCpu.Min() - floorCpu.Min()));
            var callbackRatios = baseCallbacks.Zip(currentCallbacks, (x, y) => y / Math.Max(1, x)).ToList();
            Console.WriteLine(string.Format(
                CultureInfo.InvariantCulture,
                "callback time, median (smallest): base {0:F0} ({1:F0}) ms, current {2:F0} ({3:F0}) ms; current / base per round: median {4:F2}, range {5:F2}–{6:F2}",
                Median(baseCallbacks), baseCallbacks.Min(), Median(currentCallbacks), currentCallbacks.Min(), Median(callbackRatios), callbackRatios.Min(), callbackRatios.Max()));
            return baseDiagnostics == currentDiagnostics ? 0 : 2;
        }

        private static ImmutableArray<DiagnosticAnalyzer> Instantiate(Assembly assembly) =>
            GuardOrderAssemblies.InstantiateAll<DiagnosticAnalyzer>(assembly, typeof(DiagnosticAnalyzerAttribute));

        private static (double CpuMs, int Diagnostics) Analyze(Corpus corpus, ImmutableArray<DiagnosticAnalyzer> analyzers)
        {
            var compilation = corpus.Fresh();
            var options = new CompilationWithAnalyzersOptions(new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty), null, concurrentAnalysis: false, logAnalyzerExecutionTime: true);
            GC.Collect();
            GC.WaitForPendingFinalizers();
            var before = Process.GetCurrentProcess().TotalProcessorTime;
            var result = compilation.WithAnalyzers(analyzers, options).GetAnalysisResultAsync(System.Threading.CancellationToken.None).GetAwaiter().GetResult();
            var cpu = (Process.GetCurrentProcess().TotalProcessorTime - before).TotalMilliseconds;
            var callbacks = result.AnalyzerTelemetryInfo.Values.Sum(t => t.ExecutionTime.TotalMilliseconds);
            LastCallbacks = callbacks;
            return (cpu, result.GetAllDiagnostics().Count(d => d.Id.StartsWith("GO", StringComparison.Ordinal)));
        }

        /// <summary>The callback time (Σ ExecutionTime, sequential: no waiting on the other core) of the last analysis.</summary>
        private static double LastCallbacks;

        private static double Median(List<double> values)
        {
            var sorted = values.OrderBy(v => v).ToList();
            return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
        }
    }
}
