using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis.Diagnostics;

namespace GuardOrder.Benchmarks
{
    /// <summary>
    /// <c>--callbacks N [--mixed]</c>: the callback time (Σ ExecutionTime) per analyzer with the driver concurrent, as
    /// in a build, and sequential, next to the process CPU of each run and of the no-op floor's (medians of 3, after
    /// one warm-up): how much of the callback time is GuardOrder's own work and how much is its callbacks waiting
    /// (another thread's turn on the cores, a collection triggered anywhere in the process).
    /// </summary>
    internal static class CallbackProbe
    {
        public static void Run(Corpus corpus, ImmutableArray<DiagnosticAnalyzer> analyzers, ImmutableArray<DiagnosticAnalyzer> floor)
        {
            foreach (var concurrent in new[] { true, false })
            {
                _ = SequentialCost.Analyze(corpus, analyzers, concurrent);
                var runs = Enumerable.Range(0, 3)
                    .Select(_ => (Go: SequentialCost.Analyze(corpus, analyzers, concurrent), Floor: SequentialCost.Analyze(corpus, floor, concurrent)))
                    .ToList();
                var goCpu = SequentialCost.Median(runs.Select(r => r.Go.Cpu));
                var floorCpu = SequentialCost.Median(runs.Select(r => r.Floor.Cpu));
                var callbacks = SequentialCost.Median(runs.Select(r => r.Go.Telemetry.Values.Sum(t => t.ExecutionTime.TotalMilliseconds)));
                Console.WriteLine($"{corpus.Lines:N0} lines, {(concurrent ? "concurrent" : "sequential")} (median of 3): process CPU GuardOrder {goCpu:F0} ms, floor {floorCpu:F0} ms, above the floor {goCpu - floorCpu:F0} ms; GuardOrder callback time {callbacks:F0} ms");
                foreach (var analyzer in analyzers.OrderBy(a => a.GetType().Name, StringComparer.Ordinal))
                {
                    var times = runs.Select(r => r.Go.Telemetry.TryGetValue(analyzer, out var t) ? t.ExecutionTime.TotalMilliseconds : 0);
                    Console.WriteLine($"    {analyzer.GetType().Name,-40} {SequentialCost.Median(times),8:F1} ms");
                }
            }
        }
    }
}
