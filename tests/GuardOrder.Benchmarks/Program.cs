using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using GuardOrder.Robustness.Shared;
using Microsoft.CodeAnalysis.Diagnostics;

namespace GuardOrder.Benchmarks
{
    /// <summary>
    /// dotnet run -c Release --project tests/GuardOrder.Benchmarks -- --all     (10k, 100k, 1M lines + IDE + BenchmarkDotNet for 10k/IDE)
    /// dotnet run -c Release --project tests/GuardOrder.Benchmarks -- --quick   (10k lines + IDE, about a minute)
    /// Options: --sizes 10000,100000  --runs N  --seed S  --no-bdn  --bdn-only  --out FILE.md
    /// Diagnostics: --profile-go N (GuardOrder analysis only, for a profiler), --ide-probe, --prefix-profile
    /// </summary>
    public static class Program
    {
        private const int Seed = 20210630;

        public static int Main(string[] args)
        {
            if (args.Contains("--prefix-profile"))
            {
                return PrefixProfile.Run();
            }

            if (Value(args, "--profile-go") is { } profileLines)
            {
                // For a profiler: only the GuardOrder analysis of one corpus, a few times.
                var c = new Corpus(int.Parse(profileLines, CultureInfo.InvariantCulture), Seed);
                var all = GuardOrderAssemblies.CreateAnalyzers();
                for (var i = 0; i < 4; i++)
                {
                    var r = Measure.Analyze(c, all);
                    Console.WriteLine($"{r.Milliseconds:F0} ms: " + string.Join(", ", r.Telemetry.Select(p => $"{p.Key.GetType().Name} {p.Value.ExecutionTime.TotalMilliseconds:F0} ms")));
                }

                return 0;
            }

            if (args.Contains("--real-check"))
            {
                // The real-shaped corpus: compile errors and every diagnostic of one or more replicas.
                var reps = int.Parse(Value(args, "--real-check") is { } v && !v.StartsWith("--", StringComparison.Ordinal) ? v : "1", CultureInfo.InvariantCulture);
                var c = RealCorpus.CreateReplicas(reps);
                Console.WriteLine($"{reps} replicas, {c.Lines:N0} lines, {c.Files.Count} files (replica {RealCorpus.ReplicaLines:N0} lines)");
                using (var pe = new MemoryStream())
                {
                    var emit = c.Fresh().Emit(pe);
                    foreach (var d in emit.Diagnostics.Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error).Take(30))
                    {
                        Console.WriteLine("compile: " + d);
                    }
                }

                var r = Measure.Analyze(c, GuardOrderAssemblies.CreateAnalyzers());
                foreach (var e in r.Exceptions.Take(5))
                {
                    Console.WriteLine("exception: " + e);
                }

                foreach (var d in r.Reported.OrderBy(d => d.Path, StringComparer.Ordinal).ThenBy(d => d.Line))
                {
                    Console.WriteLine($"{d.Path}({d.Line}): {d.Id}: {d.Message}");
                }

                var check = RealCorpus.SelfCheck(c, r);
                check.Lines.ForEach(Console.WriteLine);
                Console.WriteLine($"{r.Milliseconds:F0} ms: " + string.Join(", ", r.Telemetry.Select(p => $"{p.Key.GetType().Name} {p.Value.ExecutionTime.TotalMilliseconds:F0} ms")));
                return check.Ok ? 0 : 1;
            }

            if (args.Contains("--per-method"))
            {
                var c = RealCorpus.CreateReplicas(1);
                var sw = Stopwatch.StartNew();
                var pm = PerMethod.Run(c, GuardOrderAssemblies.CreateAnalyzers(), 12, scanAll: true);
                foreach (var m in pm.Top)
                {
                    Console.WriteLine($"{m.Ms,8:F1} ms  own CFG routes {m.OwnRoutes,6}  walks {m.Walks}  {m.Method}");
                }

                Console.WriteLine($"total {pm.TotalMs:F0} ms; largest walk {pm.Largest}; capped walks {pm.Capped}; {sw.Elapsed.TotalSeconds:F1} s");
                return 0;
            }

            if (args.Contains("--ide-probe"))
            {
                var c = new Corpus(10_000, Seed, fileLines: 2000);
                var all = GuardOrderAssemblies.CreateAnalyzers();
                var fl = all.Select(a => (DiagnosticAnalyzer)new NoOpMirrorAnalyzer(a)).ToImmutableArray();
                for (var i = 0; i < 6; i++)
                {
                    var sw = Stopwatch.StartNew();
                    var m = c.Fresh().GetSemanticModel(c.Trees[1]);
                    _ = m.GetDiagnostics();
                    var bind = sw.Elapsed.TotalMilliseconds;
                    var g = Measure.IdeMs(c, c.Trees[1], c.Trees[2], all, out _, out var gcb);
                    var f = Measure.IdeMs(c, c.Trees[1], c.Trees[2], fl, out _, out var fcb);
                    Console.WriteLine($"bind doc {bind:F0} ms; GuardOrder {g:F1} ms (callbacks {gcb:F1} ms); no-op {f:F1} ms (callbacks {fcb:F1})");
                }

                return 0;
            }

            if (args.Contains("--bdn-only"))
            {
                return IdeAndSmallBenchmarks.RunBdn(args);
            }

            var quick = args.Contains("--quick") || !args.Contains("--all");
            var sizes = quick ? new[] { 10_000 } : new[] { 10_000, 100_000, 1_000_000 };
            var sizeArg = Value(args, "--sizes");
            if (sizeArg is not null)
            {
                sizes = sizeArg.Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
            }

            var runsArg = Value(args, "--runs");
            var seedArg = Value(args, "--seed");
            var seed = seedArg is null ? Seed : int.Parse(seedArg, CultureInfo.InvariantCulture);
            var outFile = Value(args, "--out");

            var analyzers = GuardOrderAssemblies.CreateAnalyzers();
            var floor = analyzers.Select(a => (DiagnosticAnalyzer)new NoOpMirrorAnalyzer(a)).ToImmutableArray();
            var report = new StringBuilder();
            void Out(string s = "")
            {
                Console.WriteLine(s);
                report.AppendLine(s);
            }

            Out("## GuardOrder benchmark (" + (quick ? "--quick" : "--all") + ")");
            Out();
            Out("Machine: " + Environment.ProcessorCount + " logical CPUs (" + CpuModel() + "), " + RuntimeInformation.FrameworkDescription +
                ", " + RuntimeInformation.OSDescription + ", Server GC: " + System.Runtime.GCSettings.IsServerGC + ", seed " + seed + ".");
            Out("Analyzers found by reflection in GuardOrder.Analyzers: " +
                (analyzers.IsEmpty ? "NONE (only compile time is measured)" : string.Join(", ", analyzers.Select(a => a.GetType().Name))) + ".");
            Out();

            var rows = new List<Row>();
            foreach (var n in sizes)
            {
                // Fewer runs as N grows, so that --all stays near ten minutes on two idle cores;
                // the JIT is warm after the 10k size.
                var runs = runsArg is not null ? int.Parse(runsArg, CultureInfo.InvariantCulture) : n <= 10_000 ? 5 : n <= 100_000 ? 3 : 1;
                var warm = n <= 10_000 ? 2 : 0;
                rows.Add(RunSize(new Corpus(n, seed), n.ToString("N0", CultureInfo.InvariantCulture), runs, warm, analyzers, floor));
            }

            // Annotation density and the bail-out, at 100k lines (the default corpus is 23 % annotated, denser than most code).
            var density = new List<Row>();
            if (!quick || args.Contains("--density"))
            {
                var dn = quick ? 30_000 : 100_000;
                var dr = runsArg is not null ? int.Parse(runsArg, CultureInfo.InvariantCulture) : 3;
                density.Add(RunSize(new Corpus(dn, seed, plainShare: 0.97), "3 % annotated chunks", dr, 0, analyzers, floor));
                density.Add(RunSize(new Corpus(dn, seed, unannotated: true), "no attribute used (annotations referenced)", dr, 0, analyzers, floor));
                density.Add(RunSize(new Corpus(dn, seed, unannotated: true, referenceAnnotations: false), "annotations not referenced (bail-out)", dr, 0, analyzers, floor));
            }

            Out("### Whole compilation (median of runs, ms; CPU = this process's CPU time, robust to the other processes on the shared cores)");
            Out();
            Out("| lines | files | runs | compile wall | GuardOrder wall | no-op wall | compile CPU | GuardOrder CPU | no-op CPU | GuardOrder / compile (CPU) | GuardOrder / no-op (CPU) | (GuardOrder − no-op) / compile (CPU) | GuardOrder callback time | callbacks / compile CPU | diagnostics |");
            Out("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
            foreach (var r in rows)
            {
                Out($"| {r.Lines:N0} | {r.Files} | {r.Runs} | {r.CompileMs:F0} | {r.GoMs:F0} | {r.NoOpMs:F0} | {r.CompileCpu:F0} | {r.GoCpu:F0} | {r.NoOpCpu:F0} | {Pct(r.GoCpu / r.CompileCpu)} | {r.GoCpu / r.NoOpCpu:F2}× | {Pct((r.GoCpu - r.NoOpCpu) / r.CompileCpu)} | {r.CallbackMs:F0} | {Pct(r.CallbackMs / r.CompileCpu)} | {r.DiagnosticSummary} |");
            }

            Out();
            Out("compile = fresh CSharpCompilation over pre-parsed trees (references already resolved), Emit to a MemoryStream. GuardOrder / no-op = fresh compilation, " +
                "CompilationWithAnalyzers.GetAnalysisResultAsync (the driver binds every body for the analyzers: that cost is in both). " +
                "no-op = NoOpMirrorAnalyzer around each GuardOrder analyzer: the same registrations, empty callbacks. " +
                "callback time = Σ AnalyzerTelemetryInfo.ExecutionTime of the GuardOrder analyzers (time inside GuardOrder code, summed over threads).");
            Out();

            if (density.Count > 0)
            {
                Out("### Annotation density and bail-out (same measures)");
                Out();
                Out("| corpus | lines | annotated lines | runs | compile CPU | GuardOrder CPU | no-op CPU | GuardOrder / no-op (CPU) | (GuardOrder − no-op) / compile (CPU) | GuardOrder callback time | callbacks / compile CPU | diagnostics |");
                Out("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
                var first = rows.FirstOrDefault(r => r.Lines >= 90_000 && r.Lines <= 200_000);
                if (first is not null)
                {
                    Out($"| default (above) | {first.Lines:N0} | {first.AnnotatedShare:P0} | {first.Runs} | {first.CompileCpu:F0} | {first.GoCpu:F0} | {first.NoOpCpu:F0} | {first.GoCpu / first.NoOpCpu:F2}× | {Pct((first.GoCpu - first.NoOpCpu) / first.CompileCpu)} | {first.CallbackMs:F0} | {Pct(first.CallbackMs / first.CompileCpu)} | {first.DiagnosticSummary} |");
                }

                foreach (var r in density)
                {
                    Out($"| {r.Label} | {r.Lines:N0} | {r.AnnotatedShare:P0} | {r.Runs} | {r.CompileCpu:F0} | {r.GoCpu:F0} | {r.NoOpCpu:F0} | {r.GoCpu / r.NoOpCpu:F2}× | {Pct((r.GoCpu - r.NoOpCpu) / r.CompileCpu)} | {r.CallbackMs:F0} | {Pct(r.CallbackMs / r.CompileCpu)} | {r.DiagnosticSummary} |");
                }

                Out();
            }

            if (!analyzers.IsEmpty)
            {
                Out("### Per analyzer (AnalyzerTelemetryInfo.ExecutionTime, ms, median run)");
                Out();
                Out("| analyzer | rules | " + string.Join(" | ", rows.Select(r => r.Lines.ToString("N0", CultureInfo.InvariantCulture) + " lines")) + " |");
                Out("|---|---|" + string.Concat(rows.Select(_ => "---:|")));
                foreach (var a in analyzers)
                {
                    var name = a.GetType().Name;
                    var ids = string.Join(", ", a.SupportedDiagnostics.Select(d => d.Id).Distinct());
                    Out($"| {name} | {ids} | " + string.Join(" | ", rows.Select(r => r.PerAnalyzer.TryGetValue(name, out var ms) ? ms.ToString("F1", CultureInfo.InvariantCulture) : "-")) + " |");
                }

                Out();
            }

            if (rows.Count >= 2)
            {
                var xs = rows.Select(r => (double)r.Lines).ToArray();
                Out("### Scaling (least-squares slope of log time over log lines; 1.0 = linear)");
                Out();
                Out($"- compile CPU: {Measure.Exponent(xs, rows.Select(r => r.CompileCpu).ToArray()):F3} (wall {Measure.Exponent(xs, rows.Select(r => r.CompileMs).ToArray()):F3})");
                if (!analyzers.IsEmpty)
                {
                    Out($"- GuardOrder CPU: {Measure.Exponent(xs, rows.Select(r => r.GoCpu).ToArray()):F3} (wall {Measure.Exponent(xs, rows.Select(r => r.GoMs).ToArray()):F3})");
                    Out($"- no-op floor CPU: {Measure.Exponent(xs, rows.Select(r => r.NoOpCpu).ToArray()):F3} (wall {Measure.Exponent(xs, rows.Select(r => r.NoOpMs).ToArray()):F3})");
                    Out($"- GuardOrder callback time: {Measure.Exponent(xs, rows.Select(r => Math.Max(r.CallbackMs, 0.01)).ToArray()):F3}");
                }

                Out();
            }

            IdeResult? ide = null;
            if (!analyzers.IsEmpty)
            {
                ide = RunIde(seed, quick ? 11 : 21, analyzers, floor);
                Out("### IDE latency (one document, semantic model ready, GetAnalyzerSemanticDiagnosticsAsync(model, null))");
                Out();
                Out("| document lines | project lines | samples | GuardOrder wall median | GuardOrder wall p90 | no-op wall median | GuardOrder − no-op | GuardOrder callback time median | diagnostics in document |");
                Out("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
                Out($"| {ide.DocumentLines:N0} | {ide.ProjectLines:N0} | {ide.Samples} | {ide.GoMedian:F1} ms | {ide.GoP90:F1} ms | {ide.NoOpMedian:F1} ms | {ide.GoMedian - ide.NoOpMedian:F1} ms | {ide.CallbackMedian:F1} ms | {ide.Diagnostics} |");
                Out();
                Out("Wall = the whole GetAnalyzerSemanticDiagnosticsAsync call on a warmed driver with the document's bodies bound; it includes the driver's own " +
                    "per-document work (it recompiles the document's method bodies to generate compilation events), which the no-op floor pays too. " +
                    "Callback time = Σ ExecutionTime of the GuardOrder analyzers during that call: the time GuardOrder itself adds.");
                Out();
            }

            Out("### Targets");
            Out();
            var at100k = rows.FirstOrDefault(r => r.Lines >= 90_000 && r.Lines <= 200_000) ?? rows.Last();
            if (!analyzers.IsEmpty)
            {
                Out($"- GuardOrder adds ≤ 2 % to compile time at {at100k.Lines:N0} lines: callback time / compile CPU {Pct(at100k.CallbackMs / at100k.CompileCpu)} " +
                    $"{Verdict(at100k.CallbackMs / at100k.CompileCpu <= 0.02)}; CPU above the no-op floor / compile CPU {Pct((at100k.GoCpu - at100k.NoOpCpu) / at100k.CompileCpu)} " +
                    $"{Verdict((at100k.GoCpu - at100k.NoOpCpu) / at100k.CompileCpu <= 0.02)}.");
                Out($"- GuardOrder ≤ 1.5× the no-op floor at {at100k.Lines:N0} lines: CPU {at100k.GoCpu / at100k.NoOpCpu:F2}× {Verdict(at100k.GoCpu / at100k.NoOpCpu <= 1.5)} (wall {at100k.GoMs / at100k.NoOpMs:F2}×).");
                if (rows.Count >= 2)
                {
                    var xs2 = rows.Select(r => (double)r.Lines).ToArray();
                    var e = Measure.Exponent(xs2, rows.Select(r => r.GoCpu).ToArray());
                    var ec = Measure.Exponent(xs2, rows.Select(r => Math.Max(r.CallbackMs, 0.01)).ToArray());
                    Out($"- linear growth {rows.First().Lines:N0} → {rows.Last().Lines:N0} lines: GuardOrder CPU exponent {e:F3} {Verdict(e <= 1.10)}, callback-time exponent {ec:F3} {Verdict(ec <= 1.10)} (≤ 1.10 counted as linear).");
                }

                if (ide is not null)
                {
                    Out($"- IDE latency ≤ 10 ms median: GuardOrder's own callback time {ide.CallbackMedian:F1} ms {Verdict(ide.CallbackMedian <= 10)}; " +
                        $"wall above the no-op floor {ide.GoMedian - ide.NoOpMedian:F1} ms {Verdict(ide.GoMedian - ide.NoOpMedian <= 10)}; whole call {ide.GoMedian:F1} ms {Verdict(ide.GoMedian <= 10)} (the floor alone is {ide.NoOpMedian:F1} ms).");
                }
            }
            else
            {
                Out("- no GuardOrder analyzer found: nothing to compare.");
            }

            Out();
            if (outFile is not null)
            {
                File.WriteAllText(outFile, report.ToString());
            }

            var failures = rows.Sum(r => r.Exceptions);
            if (failures > 0)
            {
                Console.WriteLine($"ANALYZER EXCEPTIONS: {failures}");
                return 1;
            }

            if (!quick && !args.Contains("--no-bdn") && !analyzers.IsEmpty)
            {
                return IdeAndSmallBenchmarks.RunBdn(args);
            }

            return 0;
        }

        private sealed class Row
        {
            public string Label = "";
            public double AnnotatedShare;
            public int Lines;
            public int Files;
            public int Runs;
            public double CompileMs;
            public double GoMs;
            public double NoOpMs;
            public double CompileCpu;
            public double GoCpu;
            public double NoOpCpu;
            public double CallbackMs;
            public int Exceptions;
            public string DiagnosticSummary = "";
            public Dictionary<string, double> PerAnalyzer = new Dictionary<string, double>();
        }

        private sealed class IdeResult
        {
            public int DocumentLines;
            public int ProjectLines;
            public int Samples;
            public double GoMedian;
            public double GoP90;
            public double NoOpMedian;
            public double CallbackMedian;
            public int Diagnostics;
        }

        private static Row RunSize(Corpus corpus, string n, int runs, int warm, ImmutableArray<DiagnosticAnalyzer> analyzers, ImmutableArray<DiagnosticAnalyzer> floor)
        {
            Console.Error.WriteLine($"[{n}] {corpus.Lines:N0} lines in {corpus.Files.Count} files; " +
                $"annotated share {(double)corpus.Stats.AnnotatedLines / corpus.Lines:P0}; runs {runs}, warm-up {warm}");
            var compile = new List<double>();
            var go = new List<double>();
            var noop = new List<double>();
            var compileCpu = new List<double>();
            var goCpu = new List<double>();
            var noopCpu = new List<double>();
            var runsGo = new List<AnalyzerRun>();
            var row = new Row { Lines = corpus.Lines, Files = corpus.Files.Count, Runs = runs, Label = n, AnnotatedShare = (double)corpus.Stats.AnnotatedLines / corpus.Lines };
            for (var i = -warm; i < runs; i++)
            {
                // Interleaved so that machine noise (2 shared cores) hits all three alike.
                Measure.Collect();
                var c = Measure.CompileMs(corpus, out var errors, out var cc);
                if (errors > 0)
                {
                    throw new InvalidOperationException($"corpus of {n} lines does not compile: {errors} errors");
                }

                double g = double.NaN, f = double.NaN, gc = double.NaN, fc = double.NaN;
                AnalyzerRun? rg = null;
                if (!analyzers.IsEmpty)
                {
                    Measure.Collect();
                    rg = Measure.Analyze(corpus, analyzers);
                    g = rg.Milliseconds;
                    gc = rg.CpuMilliseconds;
                    Measure.Collect();
                    var rf = Measure.Analyze(corpus, floor);
                    f = rf.Milliseconds;
                    fc = rf.CpuMilliseconds;
                    row.Exceptions += rg.Exceptions.Count + rf.Exceptions.Count;
                    foreach (var e in rg.Exceptions.Take(3))
                    {
                        Console.Error.WriteLine("analyzer exception: " + e);
                    }
                }

                Console.Error.WriteLine($"[{n}] {(i < 0 ? "warm-up" : "run " + (i + 1))}: compile {c:F0} ms (CPU {cc:F0}), GuardOrder {g:F0} ms (CPU {gc:F0}), no-op {f:F0} ms (CPU {fc:F0})");
                if (i >= 0)
                {
                    compile.Add(c);
                    go.Add(g);
                    noop.Add(f);
                    compileCpu.Add(cc);
                    goCpu.Add(gc);
                    noopCpu.Add(fc);
                    if (rg is not null)
                    {
                        runsGo.Add(rg);
                    }
                }
            }

            row.CompileMs = Measure.Median(compile);
            row.GoMs = Measure.Median(go);
            row.NoOpMs = Measure.Median(noop);
            row.CompileCpu = Measure.Median(compileCpu);
            row.GoCpu = Measure.Median(goCpu);
            row.NoOpCpu = Measure.Median(noopCpu);
            if (runsGo.Count > 0)
            {
                var callback = runsGo.Select(r => r.Telemetry.Values.Sum(t => t.ExecutionTime.TotalMilliseconds)).ToList();
                row.CallbackMs = Measure.Median(callback);
                foreach (var a in analyzers)
                {
                    row.PerAnalyzer[a.GetType().Name] = Measure.Median(runsGo.Select(r => r.Telemetry.TryGetValue(a, out var t) ? t.ExecutionTime.TotalMilliseconds : 0).ToList());
                }

                var last = runsGo[runsGo.Count - 1];
                row.DiagnosticSummary = last.ById.Count == 0 ? "none" : string.Join(", ", last.ById.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}×{p.Value}"));
                row.DiagnosticSummary += $" (generated: {corpus.Stats.MisorderedPredicates} misordered, {corpus.Stats.UnsyncedEarlyPredicates} unsynced of {corpus.Stats.EarlyPredicates})";
            }

            return row;
        }

        private static IdeResult RunIde(int seed, int samples, ImmutableArray<DiagnosticAnalyzer> analyzers, ImmutableArray<DiagnosticAnalyzer> floor)
        {
            // A 10k-line project in ~2,000-line files; the document is the first module file, the second one warms the driver.
            var corpus = new Corpus(10_000, seed, fileLines: 2000);
            var doc = corpus.Trees[1];
            var docLines = corpus.Files[1].Lines;
            var go = new List<double>();
            var noop = new List<double>();
            var callbacks = new List<double>();
            var diags = 0;
            for (var i = -3; i < samples; i++)
            {
                var g = Measure.IdeMs(corpus, doc, corpus.Trees[2], analyzers, out diags, out var cb);
                var f = Measure.IdeMs(corpus, doc, corpus.Trees[2], floor, out _);
                if (i >= 0)
                {
                    go.Add(g);
                    noop.Add(f);
                    callbacks.Add(cb);
                }
            }

            var sorted = go.OrderBy(x => x).ToArray();
            return new IdeResult
            {
                DocumentLines = docLines,
                ProjectLines = corpus.Lines,
                Samples = samples,
                GoMedian = Measure.Median(go),
                GoP90 = sorted[(int)Math.Min(sorted.Length - 1, Math.Ceiling(sorted.Length * 0.9) - 1)],
                NoOpMedian = Measure.Median(noop),
                CallbackMedian = Measure.Median(callbacks),
                Diagnostics = diags,
            };
        }

        private static string Pct(double x) => double.IsNaN(x) ? "-" : (x * 100).ToString("F2", CultureInfo.InvariantCulture) + " %";

        private static string Verdict(bool ok) => ok ? "**met**" : "**MISSED**";

        private static string? Value(string[] args, string name)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        }

        private static string CpuModel()
        {
            try
            {
                var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
                return line is null ? RuntimeInformation.ProcessArchitecture.ToString() : line.Substring(line.IndexOf(':') + 1).Trim();
            }
            catch (IOException)
            {
                return RuntimeInformation.ProcessArchitecture.ToString();
            }
        }
    }
}
