using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace GuardOrder.Benchmarks
{
    /// <summary>
    /// GuardOrder's own cost with the driver sequential (<c>concurrentAnalysis: false</c>): the process CPU of an
    /// analysis with GuardOrder's analyzers minus that of the no-op floor (the same registrations, empty
    /// callbacks), the bytes allocated above the floor's, and the callback time. With one analysis thread no
    /// callback waits for another thread's turn on the cores, so the difference is the work GuardOrder adds
    /// (its walks, the bodies it binds that the driver does not, and the collections its allocation causes).
    /// Next to the concurrent callback time, it tells how much of that time's growth with the code is
    /// GuardOrder's work and how much is its callbacks waiting (a collection triggered anywhere in the
    /// process, another thread on the core).
    /// </summary>
    internal static class SequentialCost
    {
        internal sealed class Row
        {
            public int Lines { get; set; }

            public int Runs { get; set; }

            public double GoCpu { get; set; }

            public double FloorCpu { get; set; }

            public double AboveFloorCpu => GoCpu - FloorCpu;

            public double CallbackMs { get; set; }

            public double AllocatedAboveMb { get; set; }
        }

        /// <summary>Medians over <paramref name="runs"/> interleaved GuardOrder/floor pairs, after one warm-up pair.</summary>
        public static Row Measure(Corpus corpus, ImmutableArray<DiagnosticAnalyzer> analyzers, ImmutableArray<DiagnosticAnalyzer> floor, int runs)
        {
            var go = new List<(double Cpu, double Callbacks, long Bytes)>();
            var fl = new List<(double Cpu, double Callbacks, long Bytes)>();
            _ = Once(corpus, analyzers);
            _ = Once(corpus, floor);
            for (var i = 0; i < runs; i++)
            {
                go.Add(Once(corpus, analyzers));
                fl.Add(Once(corpus, floor));
            }

            return new Row
            {
                Lines = corpus.Lines,
                Runs = runs,
                GoCpu = Median(go.Select(r => r.Cpu)),
                FloorCpu = Median(fl.Select(r => r.Cpu)),
                CallbackMs = Median(go.Select(r => r.Callbacks)),
                AllocatedAboveMb = (go.Min(r => r.Bytes) - fl.Min(r => r.Bytes)) / 1048576.0,
            };
        }

        private static (double Cpu, double Callbacks, long Bytes) Once(Corpus corpus, ImmutableArray<DiagnosticAnalyzer> analyzers)
        {
            var (cpu, telemetry, bytes) = Analyze(corpus, analyzers, concurrent: false);
            return (cpu, telemetry.Values.Sum(t => t.ExecutionTime.TotalMilliseconds), bytes);
        }

        /// <summary>One analysis of a fresh compilation from a collected heap: its process CPU, the analyzers' telemetry, the bytes allocated.</summary>
        /// <param name="logExecutionTime">False for a measure of allocation alone (`--alloc-seq`): the telemetry is then empty.</param>
        public static (double Cpu, ImmutableDictionary<DiagnosticAnalyzer, Microsoft.CodeAnalysis.Diagnostics.Telemetry.AnalyzerTelemetryInfo> Telemetry, long Bytes) Analyze(Corpus corpus, ImmutableArray<DiagnosticAnalyzer> analyzers, bool concurrent, bool logExecutionTime = true)
        {
            var options = new CompilationWithAnalyzersOptions(new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty), null, concurrentAnalysis: concurrent, logAnalyzerExecutionTime: logExecutionTime);
            var compilation = corpus.Fresh();
            GC.Collect();
            GC.WaitForPendingFinalizers();
            var bytes = GC.GetTotalAllocatedBytes(precise: true);
            var cpu = GuardOrder.Benchmarks.Measure.CpuNow();
            var result = compilation.WithAnalyzers(analyzers, options).GetAnalysisResultAsync(CancellationToken.None).GetAwaiter().GetResult();
            var spent = GuardOrder.Benchmarks.Measure.CpuNow() - cpu;
            var allocated = GC.GetTotalAllocatedBytes(precise: true) - bytes;
            return (spent, result.AnalyzerTelemetryInfo, allocated);
        }

        public static double Median(IEnumerable<double> values)
        {
            var sorted = values.OrderBy(v => v).ToList();
            return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
        }
    }
}
