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
    /// dotnet run -c Release --project tests/GuardOrder.Benchmarks -- --all --out result.md   (real-shaped + mixed corpora at 10k/100k/1M, worst methods, IDE rows, real builds)
    /// dotnet run -c Release --project tests/GuardOrder.Benchmarks -- --quick                 (10k lines of both corpora + worst methods + IDE rows, under a minute)
    /// Options: --sizes 10000,100000  --runs N  --seed S  --out FILE.md  --density  --build / --no-build  --build-lines N  --build-pairs N  --build-dir DIR  --bdn
    /// Diagnostics: --real-check [replicas], --per-method, --alloc-seq N [--mixed] [--by-type] [--only GO0001,...], --floor-probe N, --build-probe LINES [--all-rules] [--server [--build-pairs N]], --ide-sample-mm [samples], --profile-go N / --profile-real N (for dotnet-trace), --ide-probe, --prefix-profile, --callbacks N [--mixed] (callback time concurrent and sequential), --retention N [--mixed], --ab BASE.dll; --quick --sequential adds the sequential-cost section --all has
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

            if ((Value(args, "--profile-go") ?? Value(args, "--profile-real")) is { } profileLines)
            {
                // For a profiler: only the GuardOrder analysis of one corpus (mixed, or real-shaped with --profile-real), a few times.
                var n = int.Parse(profileLines, CultureInfo.InvariantCulture);
                var c = args.Contains("--profile-real") ? RealCorpus.Create(n) : new Corpus(n, Seed);
                var all = GuardOrderAssemblies.CreateAnalyzers();
                if (Value(args, "--only") is { } only)
                {
                    // One analyzer (or a comma-separated few) by type name prefix: what each costs on its own.
                    all = all.Where(a => only.Split(',').Any(o => a.GetType().Name.StartsWith(o, StringComparison.Ordinal))).ToImmutableArray();
                }

                var noOp = all.Select(a => (DiagnosticAnalyzer)new NoOpMirrorAnalyzer(a)).ToImmutableArray();
                using var sampler = args.Contains("--alloc") ? new AllocationSampler() : null;
                for (var i = 0; i < 4; i++)
                {
                    if (sampler is not null && i == 3)
                    {
                        // The last run only, GuardOrder's analyzers only: where their allocations go, by type.
                        sampler.Reset();
                        Measure.Analyze(c, all);
                        var run = sampler.Take();
                        Measure.Analyze(c, noOp);
                        var floorTypes = sampler.Take();
                        Console.WriteLine("allocations by type above the no-op floor's (GCAllocationTick samples, the GuardOrder run's minus the floor's, the driver's own included):");
                        Console.WriteLine(AllocationSampler.TopAbove(run, floorTypes, 30));
                        break;
                    }

                    // Allocated bytes are nearly deterministic: a load-independent measure of the analyzers' work next to CPU.
                    // GC pauses and gen2 collections: what the analyzers' allocation and retained objects cost the whole process.
                    var before = GC.GetTotalAllocatedBytes(precise: true);
                    var pauseBefore = GC.GetTotalPauseDuration();
                    var gen2Before = GC.CollectionCount(2);
                    var gen0Before = GC.CollectionCount(0);
                    var gen1Before = GC.CollectionCount(1);
                    var r = Measure.Analyze(c, all);
                    var gen01 = $"{GC.CollectionCount(0) - gen0Before}/{GC.CollectionCount(1) - gen1Before}";
                    var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
                    var pause = GC.GetTotalPauseDuration() - pauseBefore;
                    var gen2 = GC.CollectionCount(2) - gen2Before;
                    before = GC.GetTotalAllocatedBytes(precise: true);
                    pauseBefore = GC.GetTotalPauseDuration();
                    gen2Before = GC.CollectionCount(2);
                    gen0Before = GC.CollectionCount(0);
                    gen1Before = GC.CollectionCount(1);
                    var f = Measure.Analyze(c, noOp);
                    var floorGen01 = $"{GC.CollectionCount(0) - gen0Before}/{GC.CollectionCount(1) - gen1Before}";
                    var floorAllocated = GC.GetTotalAllocatedBytes(precise: true) - before;
                    var floorPause = GC.GetTotalPauseDuration() - pauseBefore;
                    var floorGen2 = GC.CollectionCount(2) - gen2Before;
                    Console.WriteLine($"{r.Milliseconds:F0} ms wall, {r.CpuMilliseconds:F0} ms CPU (no-op floor {f.CpuMilliseconds:F0} ms CPU), allocated {allocated / 1048576.0:F1} MB (no-op floor {floorAllocated / 1048576.0:F1} MB), " +
                        $"GC pauses {pause.TotalMilliseconds:F0} ms in {gen01}/{gen2} gen0/1/2 collections (no-op floor {floorPause.TotalMilliseconds:F0} ms in {floorGen01}/{floorGen2}): " +
                        string.Join(", ", r.Telemetry.Select(p => $"{p.Key.GetType().Name} {p.Value.ExecutionTime.TotalMilliseconds:F0} ms")));
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

            if (Value(args, "--build-probe") is { } probeLines)
            {
                var b = BuildMode.Run(int.Parse(probeLines, CultureInfo.InvariantCulture), 1, args.Contains("--all-rules"), BuildRoot(args));
                Console.WriteLine(b.Error.Length > 0 ? b.Error : $"project {b.Project}");
                foreach (var (w, wo) in b.Runs)
                {
                    Console.WriteLine($"with: CPU {w.CpuS:F1} s wall {w.WallS:F1} s Csc {w.CscMs:F0} ms analyzers {w.AnalyzerTotalS:F2} s GuardOrder {w.GuardOrderS:F2} s; without: CPU {wo.CpuS:F1} s Csc {wo.CscMs:F0} ms");
                    Console.WriteLine("  rules: " + string.Join(", ", w.Rules.OrderByDescending(p => p.Value).Take(8).Select(p => $"{p.Key} {p.Value:F3}")));
                }

                if (args.Contains("--server") && b.Error.Length == 0)
                {
                    BuildMode.RunServer(b, Value(args, "--build-pairs") is { } sp ? int.Parse(sp, CultureInfo.InvariantCulture) : 3);
                    Console.WriteLine(b.ServerError.Length > 0 ? b.ServerError : $"compiler server: median CPU ratio {b.MedianServerCpuRatio:F2}×");
                    foreach (var (w, wo) in b.ServerRuns)
                    {
                        Console.WriteLine($"  server with: CPU {w.CpuS:F1} s (server {w.ServerCpuS:F1} s) GuardOrder {w.GuardOrderS:F2} s; without: CPU {wo.CpuS:F1} s (server {wo.ServerCpuS:F1} s)");
                    }
                }

                if (b.AllRules is { } all)
                {
                    Console.WriteLine($"all rules: CPU {all.CpuS:F1} s Csc {all.CscMs:F0} ms analyzers {all.AnalyzerTotalS:F2} s GuardOrder {all.GuardOrderS:F2} s");
                    Console.WriteLine("  rules: " + string.Join(", ", all.Rules.OrderByDescending(p => p.Value).Take(12).Select(p => $"{p.Key} {p.Value:F3}")));
                }

                return 0;
            }

            if (Value(args, "--floor-probe") is { } floorLines)
            {
                return FloorProbe.Run(int.Parse(floorLines, CultureInfo.InvariantCulture));
            }

            if (Value(args, "--ab") is { } baseDll)
            {
                // A change measured against a base build of the analyzers, interleaved in this process (AbCompare).
                var rounds = Value(args, "--rounds") is { } r ? int.Parse(r, CultureInfo.InvariantCulture) : 7;
                var c = Value(args, "--mixed") is { } mixedLines
                    ? new Corpus(int.Parse(mixedLines, CultureInfo.InvariantCulture), Seed)
                    : RealCorpus.CreateReplicas(Value(args, "--replicas") is { } reps ? int.Parse(reps, CultureInfo.InvariantCulture) : 3);
                return AbCompare.Run(baseDll, rounds, c);
            }

            if (Value(args, "--retention") is { } retentionSize)
            {
                // What a sequential analysis keeps reachable at its end (RetentionProbe), GuardOrder next to the no-op floor.
                var n = int.Parse(retentionSize, CultureInfo.InvariantCulture);
                var c = args.Contains("--mixed") ? new Corpus(n, Seed) : RealCorpus.CreateReplicas(n);
                var all = GuardOrderAssemblies.CreateAnalyzers();
                var noOp = all.Select(a => (DiagnosticAnalyzer)new NoOpMirrorAnalyzer(a)).ToImmutableArray();
                var lastTree = c.Trees[c.Trees.Length - 1];
                var lastDeclaration = lastTree.GetRoot().DescendantNodes().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.MethodDeclarationSyntax>().Last();
                var lastMethod = Microsoft.CodeAnalysis.CSharp.CSharpExtensions.GetDeclaredSymbol(c.Fresh().GetSemanticModel(lastTree), lastDeclaration)!.ToDisplayString();
                long Retained(ImmutableArray<DiagnosticAnalyzer> analyzers)
                {
                    var probe = new RetentionProbe(lastMethod);
                    var options = new CompilationWithAnalyzersOptions(new AnalyzerOptions(ImmutableArray<Microsoft.CodeAnalysis.AdditionalText>.Empty), null, concurrentAnalysis: false, logAnalyzerExecutionTime: false);
                    _ = c.Fresh().WithAnalyzers(analyzers.Add(probe), options).GetAnalysisResultAsync(System.Threading.CancellationToken.None).GetAwaiter().GetResult();
                    return probe.Retained;
                }

                _ = Retained(all);
                var go = Enumerable.Range(0, 3).Select(_ => Retained(all)).Min();
                var floorBytes = Enumerable.Range(0, 3).Select(_ => Retained(noOp)).Min();
                Console.WriteLine($"{c.Lines:N0} lines, sequential, heap after a full collection at the last method ({lastMethod}): GuardOrder {go / 1048576.0:F1} MB, no-op floor {floorBytes / 1048576.0:F1} MB, GuardOrder keeps {(go - floorBytes) / 1048576.0:F1} MB more");
                return 0;
            }

            if (Value(args, "--callbacks") is { } callbackSize)
            {
                // Callback time per analyzer, the driver concurrent and sequential, next to process CPU (CallbackProbe).
                var n = int.Parse(callbackSize, CultureInfo.InvariantCulture);
                var c = args.Contains("--mixed") ? new Corpus(n, Seed) : RealCorpus.CreateReplicas(n);
                var all = GuardOrderAssemblies.CreateAnalyzers();
                CallbackProbe.Run(c, all, all.Select(a => (DiagnosticAnalyzer)new NoOpMirrorAnalyzer(a)).ToImmutableArray());
                return 0;
            }

            if (Value(args, "--alloc-seq") is { } allocReplicas)
            {
                // Allocation, analysed sequentially (no concurrency, so nearly the same bytes every run): what
                // GuardOrder allocates above the no-op floor on N real-shaped replicas (or --mixed: the mixed corpus
                // of N lines), the smallest of three runs. A load-independent measure of a change to the model.
                var n = int.Parse(allocReplicas, CultureInfo.InvariantCulture);
                var c = args.Contains("--mixed") ? new Corpus(n, Seed) : RealCorpus.CreateReplicas(n);
                var all = GuardOrderAssemblies.CreateAnalyzers();
                if (Value(args, "--only") is { } only)
                {
                    all = all.Where(a => only.Split(',').Any(o => a.GetType().Name.StartsWith(o, StringComparison.Ordinal))).ToImmutableArray();
                }

                var noOp = all.Select(a => (DiagnosticAnalyzer)new NoOpMirrorAnalyzer(a)).ToImmutableArray();
                (double Cpu, long Bytes) Once(ImmutableArray<DiagnosticAnalyzer> analyzers)
                {
                    var run = SequentialCost.Analyze(c, analyzers, concurrent: false, logExecutionTime: false);
                    return (run.Cpu, run.Bytes);
                }

                _ = Once(all);
                var goRuns = Enumerable.Range(0, 3).Select(_ => Once(all)).ToList();
                var floorRuns = Enumerable.Range(0, 3).Select(_ => Once(noOp)).ToList();
                var go = goRuns.Min(r => r.Bytes);
                var floorBytes = floorRuns.Min(r => r.Bytes);
                Console.WriteLine($"process CPU, sequential (median of 3, ms): GuardOrder {SequentialCost.Median(goRuns.Select(r => r.Cpu)):F0}, no-op floor {SequentialCost.Median(floorRuns.Select(r => r.Cpu)):F0}");
                if (args.Contains("--by-type"))
                {
                    using var sampler = new AllocationSampler();
                    sampler.Reset();
                    _ = Once(all);
                    var run = sampler.Take();
                    _ = Once(noOp);
                    var floorTypes = sampler.Take();
                    Console.WriteLine(AllocationSampler.TopAbove(run, floorTypes, 40));
                }

                Console.WriteLine($"{c.Lines:N0} lines, sequential: GuardOrder {go / 1048576.0:F2} MB, no-op floor {floorBytes / 1048576.0:F2} MB, above the floor {(go - floorBytes) / 1048576.0:F2} MB");
                return 0;
            }

            if (args.Contains("--per-method") || args.Contains("--per-method-mixed"))
            {
                // One real-shaped replica, or (--per-method-mixed N) the mixed corpus of N lines: thread CPU time
                // per method, which load on the machine does not inflate as it does the callbacks' wall time.
                var c = Value(args, "--per-method-mixed") is { } mixedLines
                    ? new Corpus(int.Parse(mixedLines, CultureInfo.InvariantCulture), Seed)
                    : RealCorpus.CreateReplicas(1);
                var sw = Stopwatch.StartNew();
                var measured = GuardOrderAssemblies.CreateAnalyzers();
                if (Value(args, "--only") is { } only)
                {
                    measured = measured.Where(a => only.Split(',').Any(o => a.GetType().Name.StartsWith(o, StringComparison.Ordinal))).ToImmutableArray();
                }

                var pm = PerMethod.Run(c, measured, 12, scanAll: !args.Contains("--per-method-mixed"));
                foreach (var m in pm.Top)
                {
                    Console.WriteLine($"{m.Ms,8:F1} ms  own CFG routes {m.OwnRoutes,6}  walks {m.Walks}  {m.Method}");
                }

                Console.WriteLine($"total {pm.TotalMs:F0} ms; largest walk {pm.Largest}; capped walks {pm.Capped}; {sw.Elapsed.TotalSeconds:F1} s");
                return 0;
            }

            if (args.Contains("--ide-sample-mm"))
            {
                // The issue's IDE rows alone: GuardOrder's callback time when editing sample-mm/memory.cs and mprotect.cs (medians).
                var samples = Value(args, "--ide-sample-mm") is { } v && !v.StartsWith("--", StringComparison.Ordinal) ? int.Parse(v, CultureInfo.InvariantCulture) : 21;
                var all = GuardOrderAssemblies.CreateAnalyzers();
                var fl = all.Select(a => (DiagnosticAnalyzer)new NoOpMirrorAnalyzer(a)).ToImmutableArray();
                var sm = RealCorpus.SampleMm();
                foreach (var doc in new[] { "sample-mm/memory.cs", "sample-mm/mprotect.cs" })
                {
                    var r = RunIdeOn(sm, doc, "sample-mm/mm.cs", samples, all, fl);
                    Console.WriteLine($"{doc}: GuardOrder callback time median {r.CallbackMedian:F1} ms; wall median {r.GoMedian:F1} ms (p90 {r.GoP90:F1} ms), no-op wall median {r.NoOpMedian:F1} ms; " +
                        $"allocated median {r.AllocatedMedian / 1048576.0:F2} MB (no-op {r.NoOpAllocatedMedian / 1048576.0:F2} MB); {r.Samples} samples, {r.Diagnostics} diagnostics");
                }

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
            var started = DateTime.UtcNow;
            var startedCpu = Measure.CpuNow();

            var analyzers = GuardOrderAssemblies.CreateAnalyzers();
            var floor = analyzers.Select(a => (DiagnosticAnalyzer)new NoOpMirrorAnalyzer(a)).ToImmutableArray();
            var report = new StringBuilder();
            void Out(string s = "")
            {
                Console.WriteLine(s);
                report.AppendLine(s);
            }

            // Fewer runs as N grows; --quick keeps under a minute on two shared cores.
            // 100k is where the targets are read: five interleaved runs there (three left the verdict to the machine's noise).
            int Runs(int n) => runsArg is not null ? int.Parse(runsArg, CultureInfo.InvariantCulture) : quick ? 2 : n <= 10_000 ? 5 : n <= 100_000 ? 5 : 1;
            int Warm(int n) => n <= 10_000 ? (quick ? 1 : 2) : 0;

            // 1. The real-shaped corpus (issue 11) and 2. the mixed generated corpus, at each size.
            var realRows = new List<Row>();
            var rows = new List<Row>();
            foreach (var n in sizes)
            {
                var rc = RealCorpus.Create(n);
                realRows.Add(RunSize(rc, "real " + n.ToString("N0", CultureInfo.InvariantCulture), Runs(n), Warm(n), analyzers, floor, real: true));
                rows.Add(RunSize(new Corpus(n, seed), n.ToString("N0", CultureInfo.InvariantCulture), Runs(n), quick ? 0 : Warm(n), analyzers, floor));
            }

            // Annotation density and the bail-out, at 100k lines (the default corpus is 23 % annotated, denser than most code).
            var density = new List<Row>();
            if (args.Contains("--density"))
            {
                var dn = quick ? 30_000 : 100_000;
                var dr = runsArg is not null ? int.Parse(runsArg, CultureInfo.InvariantCulture) : 3;
                density.Add(RunSize(new Corpus(dn, seed, plainShare: 0.97), "3 % annotated chunks", dr, 0, analyzers, floor));
                density.Add(RunSize(new Corpus(dn, seed, unannotated: true), "no attribute used (annotations referenced)", dr, 0, analyzers, floor));
                density.Add(RunSize(new Corpus(dn, seed, unannotated: true, referenceAnnotations: false), "annotations not referenced (bail-out)", dr, 0, analyzers, floor));
            }

            // 3. The worst single method (one replica of the real-shaped corpus, sequential analysis). The 1M-line
            // rows' heap is collected first: a collection of it on the analysis thread counts as a method's thread CPU.
            Console.Error.WriteLine("[per method] one replica, sequential, every callback timed");
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
            var perMethod = analyzers.IsEmpty ? default : PerMethod.Run(RealCorpus.CreateReplicas(1), analyzers, quick ? 5 : 10, scanAll: !quick, jitWarm: true);

            // 4. The IDE row: GuardOrder's own time per document when editing sample-mm/memory.cs and mprotect.cs.
            var ideRows = new List<(string Doc, int Lines, IdeResult R)>();
            IdeResult? ide = null;
            if (!analyzers.IsEmpty)
            {
                var sm = RealCorpus.SampleMm();
                foreach (var doc in new[] { "sample-mm/memory.cs", "sample-mm/mprotect.cs" })
                {
                    Console.Error.WriteLine("[IDE] " + doc);
                    ideRows.Add((doc, sm.Files.First(f => f.Name == doc).Lines, RunIdeOn(sm, doc, "sample-mm/mm.cs", quick ? 3 : 21, analyzers, floor)));
                }

                if (!quick)
                {
                    Console.Error.WriteLine("[IDE] mixed corpus document");
                    ide = RunIde(seed, 21, analyzers, floor);
                }
            }

            // 4b. GuardOrder's own work with the driver sequential (SequentialCost): what of the callback time's growth is its work.
            // After the per-method and IDE rows: its 1M-line runs leave a heap whose collection would land in them.
            var seqReal = new List<SequentialCost.Row>();
            var seqMixed = new List<SequentialCost.Row>();
            if ((!quick || args.Contains("--sequential")) && !analyzers.IsEmpty)
            {
                foreach (var n in sizes)
                {
                    Console.Error.WriteLine($"[sequential] {n:N0} lines, real-shaped and mixed");
                    var seqRuns = n <= 100_000 ? 3 : 1;
                    seqReal.Add(SequentialCost.Measure(RealCorpus.Create(n), analyzers, floor, seqRuns));
                    seqMixed.Add(SequentialCost.Measure(new Corpus(n, seed), analyzers, floor, seqRuns));
                }
            }

            // 5. Real builds of the real-shaped corpus (--all, or --build): with vs without GuardOrder, and with AnalysisMode=All.
            BuildMode.Result? build = null;
            if ((!quick || args.Contains("--build")) && !args.Contains("--no-build") && !analyzers.IsEmpty)
            {
                var bn = Value(args, "--build-lines") is { } bl ? int.Parse(bl, CultureInfo.InvariantCulture) : quick ? 10_000 : 100_000;
                var pairs = Value(args, "--build-pairs") is { } bp ? int.Parse(bp, CultureInfo.InvariantCulture) : quick ? 1 : 3;
                Console.Error.WriteLine($"[build] real-shaped {bn:N0} lines: {pairs} pairs + AnalysisMode=All");
                build = BuildMode.Run(bn, pairs, allRules: true, BuildRoot(args));
                if (build.Error.Length > 0)
                {
                    Console.Error.WriteLine("[build] " + build.Error);
                }
                else
                {
                    var serverPairs = Math.Max(pairs, 5); // noisier than the builds without the server
                    Console.Error.WriteLine($"[build] real-shaped {bn:N0} lines with the compiler server: {serverPairs} pairs");
                    BuildMode.RunServer(build, serverPairs);
                }
            }

            var elapsed = DateTime.UtcNow - started;
            var cpuTotal = (Measure.CpuNow() - startedCpu) / 1000;

            Out("## GuardOrder benchmark (" + (quick ? "--quick" : "--all") + ")");
            Out();
            Out($"Run at {started:yyyy-MM-dd HH:mm} UTC, {elapsed.TotalMinutes:F1} min wall in all (this process's CPU {cpuTotal / 60:F1} min; build children not included). " +
                "Machine: " + Environment.ProcessorCount + " logical CPUs (" + CpuModel() + "), " + RuntimeInformation.FrameworkDescription +
                ", " + RuntimeInformation.OSDescription + ", Server GC: " + System.Runtime.GCSettings.IsServerGC + ", seed " + seed + ".");
            Out("Analyzers found by reflection in GuardOrder.Analyzers: " +
                (analyzers.IsEmpty ? "NONE (only compile time is measured)" : string.Join(", ", analyzers.Select(a => a.GetType().Name))) + ".");
            Out();

            var real100 = realRows.FirstOrDefault(r => r.Lines >= 90_000 && r.Lines <= 200_000) ?? realRows.Last();
            var mixed100 = rows.FirstOrDefault(r => r.Lines >= 90_000 && r.Lines <= 200_000) ?? rows.Last();
            var xsReal = realRows.Select(r => (double)r.Lines).ToArray();
            var xsMixed = rows.Select(r => (double)r.Lines).ToArray();
            double ExpCb(List<Row> rs, double[] xs) => rs.Count >= 2 ? Measure.Exponent(xs, rs.Select(r => Math.Max(r.CallbackMs, 0.01)).ToArray()) : double.NaN;
            // NaN (printed as such) when a difference is not positive: noise at that size, and no slope through it means anything.
            double SeqExp(List<SequentialCost.Row> rs, Func<SequentialCost.Row, double> cost) =>
                rs.Count >= 2 && rs.All(r => cost(r) > 0) ? Measure.Exponent(rs.Select(r => (double)r.Lines).ToArray(), rs.Select(cost).ToArray()) : double.NaN;
            double ExpCpu(List<Row> rs, double[] xs) => rs.Count >= 2 ? Measure.Exponent(xs, rs.Select(r => r.GoCpu).ToArray()) : double.NaN;
            var worst = perMethod.Top?.FirstOrDefault(m => m.Method != TimingAnalyzer.CompilationWide);

            if (!analyzers.IsEmpty)
            {
                Out("### Issue 11 targets (ratios within this run)");
                Out();
                Out("| target | measured | verdict |");
                Out("|---|---|---|");
                Out($"| real-shaped {real100.Lines:N0} lines: GuardOrder analyzer time ≤ 10 % of the compile | callback time {real100.CallbackMs:F0} ms = {Pct(real100.CallbackMs / real100.CompileCpu)} of compile CPU {real100.CompileCpu:F0} ms {Verdict(real100.CallbackMs / real100.CompileCpu <= 0.10)}; CPU above the no-op floor {Pct((real100.GoCpu - real100.NoOpCpu) / real100.CompileCpu)} {Verdict((real100.GoCpu - real100.NoOpCpu) / real100.CompileCpu <= 0.10)}{real100.Spread} | {Verdict(real100.CallbackMs / real100.CompileCpu <= 0.10 && (real100.GoCpu - real100.NoOpCpu) / real100.CompileCpu <= 0.10)} |");
                if (build is not null && build.Runs.Count > 0)
                {
                    var ilNote = build.IlRuns.Count > 0 ? $"; the IL assembly instead of the packed ReadyToRun image: {build.MedianIlCpuRatio:F2}×" : "";
                    Out($"| real-shaped build {build.Lines:N0} lines (no compiler server): with GuardOrder as packed ≤ 1.10× without (CPU, median of {build.Runs.Count} pairs) | {build.MedianCpuRatio:F2}× (Csc task {build.MedianCscRatio:F2}×; GuardOrder's analyzers {Pct(build.MedianGuardOrderShareOfCsc)} of Csc{ilNote}) | {Verdict(build.MedianCpuRatio <= 1.10)} |");
                }
                else
                {
                    Out("| real-shaped build: with GuardOrder ≤ 1.10× without | not run (`--all` or `--build`) | - |");
                }

                if (build is not null && build.ServerRuns.Count > 0)
                {
                    Out($"| the same with the compiler server (`dotnet build`'s default; warmed) ≤ 1.10× | {build.MedianServerCpuRatio:F2}× (median of {build.ServerRuns.Count} pairs) | {Verdict(build.MedianServerCpuRatio <= 1.10)} |");
                }

                if (build?.AllRules is { } allRules)
                {
                    var ca1508 = RuleTime(allRules, "CA1508");
                    Out($"| same build with `AnalysisMode=All`: GuardOrder below CA1508 | GuardOrder {allRules.GuardOrderS:F2} s, CA1508 {ca1508:F2} s (CA1062 {RuleTime(allRules, "CA1062"):F2} s) | {Verdict(allRules.GuardOrderS < ca1508)} |");
                }

                Out($"| mixed corpus {mixed100.Lines:N0} lines: ≤ 2 % above the no-op floor | {Pct((mixed100.GoCpu - mixed100.NoOpCpu) / mixed100.CompileCpu)} of compile CPU (callbacks {Pct(mixed100.CallbackMs / mixed100.CompileCpu)}){mixed100.Spread} | {Verdict((mixed100.GoCpu - mixed100.NoOpCpu) / mixed100.CompileCpu <= 0.02)} |");
                if (realRows.Count >= 2)
                {
                    var er = ExpCb(realRows, xsReal);
                    var em = ExpCb(rows, xsMixed);
                    var sequential = seqReal.Count >= 2
                        ? $"; sequential driver, GuardOrder's CPU above the floor: real-shaped {SeqExp(seqReal, r => r.AboveFloorCpu):F3}, mixed {SeqExp(seqMixed, r => r.AboveFloorCpu):F3} (see below)"
                        : "";
                    Out($"| linear {realRows.First().Lines:N0} → {realRows.Last().Lines:N0}: callback-time exponent ≤ 1.10 on both corpora | real-shaped {er:F3} (CPU {ExpCpu(realRows, xsReal):F3}), mixed {em:F3} (CPU {ExpCpu(rows, xsMixed):F3}){sequential} | {Verdict(er <= 1.10 && em <= 1.10)} |");
                }

                if (worst is not null)
                {
                    Out($"| no single method above 50 ms | worst: `{PerMethod.Short(worst.Method)}` {worst.Ms:F1} ms ({worst.Walks}; own CFG {worst.OwnRoutes:N0} routes) | {Verdict(worst.Ms <= 50)} |");
                    if (!quick)
                    {
                        Out($"| no method of sample-mm or the real-shaped corpus reaches a cap | largest walk {perMethod.Largest}; walks at a cap: {perMethod.Capped} | {(perMethod.Largest.StartsWith("n/a", StringComparison.Ordinal) ? "- (not measurable by reflection; look for GO0008 in the self-check)" : Verdict(perMethod.Capped == 0))} |");
                    }
                }

                foreach (var (doc, lines, r) in ideRows)
                {
                    Out($"| IDE: editing `{doc}`, GuardOrder's own time per document ≤ 10 ms median | {r.CallbackMedian:F1} ms (whole call {r.GoMedian:F1} ms, no-op floor {r.NoOpMedian:F1} ms) | {Verdict(r.CallbackMedian <= 10)} |");
                }

                Out($"| accuracy: every replica reports exactly the planted findings | {(realRows.All(r => r.SelfCheckOk) ? "yes at every size" : "**NO**, see below")} | {Verdict(realRows.All(r => r.SelfCheckOk))} |");
                Out();
            }

            void CompilationTable(string title, List<Row> rs)
            {
                Out(title);
                Out();
                Out("| lines | files | runs | compile wall | GuardOrder wall | no-op wall | compile CPU | GuardOrder CPU | no-op CPU | GuardOrder / compile (CPU) | GuardOrder / no-op (CPU) | (GuardOrder − no-op) / compile (CPU) | GuardOrder callback time | callbacks / compile CPU | diagnostics |");
                Out("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
                foreach (var r in rs)
                {
                    Out($"| {r.Lines:N0} | {r.Files} | {r.Runs} | {r.CompileMs:F0} | {r.GoMs:F0} | {r.NoOpMs:F0} | {r.CompileCpu:F0} | {r.GoCpu:F0} | {r.NoOpCpu:F0} | {Pct(r.GoCpu / r.CompileCpu)} | {r.GoCpu / r.NoOpCpu:F2}× | {Pct((r.GoCpu - r.NoOpCpu) / r.CompileCpu)} | {r.CallbackMs:F0} | {Pct(r.CallbackMs / r.CompileCpu)} | {r.DiagnosticSummary} |");
                }

                Out();
            }

            CompilationTable("### Real-shaped corpus: whole compilation (median of runs, ms; CPU = this process's CPU time)", realRows);
            foreach (var r in realRows)
            {
                r.SelfCheckLines.ForEach(l => Out(l.Replace("- Self-check", $"- {r.Lines:N0} lines: self-check", StringComparison.Ordinal)));
            }

            Out();
            Out($"One replica = sample-mm (v5.13 port with the 2021 as-posted predicates) + tests/GuardOrder.Benchmarks/RealShaped (do_wp_page v5.19 and v6.7 with helpers, can_change_pte_writable v6.0/v6.2/v6.17, lock users): {RealCorpus.ReplicaLines:N0} lines, namespaces renamed per replica. Planted per replica: the 2021 predicates' findings and v6.0-against-v5.19 (RealCorpus.Planted).");
            Out();
            CompilationTable("### Mixed generated corpus (23 % annotated): whole compilation", rows);
            Out("compile = fresh CSharpCompilation over pre-parsed trees (references already resolved), Emit to a MemoryStream. GuardOrder / no-op = fresh compilation, " +
                "CompilationWithAnalyzers.GetAnalysisResultAsync (the compile binds every body and hands the driver its bound nodes; a body GuardOrder asks for before the compile reached it is bound a second time, in GuardOrder's CPU only). " +
                "no-op = NoOpMirrorAnalyzer around each GuardOrder analyzer: the same registrations, empty callbacks. " +
                "callback time = Σ AnalyzerTelemetryInfo.ExecutionTime of the GuardOrder analyzers (time inside GuardOrder code, summed over threads).");
            Out();

            if (density.Count > 0)
            {
                Out("### Annotation density and bail-out (mixed corpus, same measures)");
                Out();
                Out("| corpus | lines | annotated lines | runs | compile CPU | GuardOrder CPU | no-op CPU | GuardOrder / no-op (CPU) | (GuardOrder − no-op) / compile (CPU) | GuardOrder callback time | callbacks / compile CPU | diagnostics |");
                Out("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
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
                var all = realRows.Select(r => (Name: "real " + r.Lines.ToString("N0", CultureInfo.InvariantCulture), Row: r))
                    .Concat(rows.Select(r => (Name: "mixed " + r.Lines.ToString("N0", CultureInfo.InvariantCulture), Row: r))).ToList();
                Out("| analyzer | rules | " + string.Join(" | ", all.Select(c => c.Name)) + " |");
                Out("|---|---|" + string.Concat(all.Select(_ => "---:|")));
                foreach (var a in analyzers)
                {
                    var name = a.GetType().Name;
                    var ids = string.Join(", ", a.SupportedDiagnostics.Select(d => d.Id).Distinct());
                    Out($"| {name} | {ids} | " + string.Join(" | ", all.Select(c => c.Row.PerAnalyzer.TryGetValue(name, out var ms) ? ms.ToString("F1", CultureInfo.InvariantCulture) : "-")) + " |");
                }

                Out();
            }

            if (rows.Count >= 2)
            {
                Out("### Scaling (least-squares slope of log time over log lines; 1.0 = linear)");
                Out();
                foreach (var (name, rs, xs) in new[] { ("real-shaped", realRows, xsReal), ("mixed", rows, xsMixed) })
                {
                    Out($"- {name}: compile CPU {Measure.Exponent(xs, rs.Select(r => r.CompileCpu).ToArray()):F3}; GuardOrder CPU {ExpCpu(rs, xs):F3}; no-op floor CPU {Measure.Exponent(xs, rs.Select(r => r.NoOpCpu).ToArray()):F3}; GuardOrder callback time {ExpCb(rs, xs):F3}");
                }

                Out();
            }

            if (seqReal.Count > 0)
            {
                Out("### GuardOrder's own work, the driver sequential (medians of interleaved GuardOrder / no-op floor runs)");
                Out();
                Out("| corpus | lines | runs | GuardOrder CPU ms | floor CPU ms | above the floor ms | per 1,000 lines | allocated above the floor MB | callback time ms |");
                Out("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
                foreach (var (name, rs) in new[] { ("real-shaped", seqReal), ("mixed", seqMixed) })
                {
                    foreach (var r in rs)
                    {
                        Out($"| {name} | {r.Lines:N0} | {r.Runs} | {r.GoCpu:F0} | {r.FloorCpu:F0} | {r.AboveFloorCpu:F0} | {r.AboveFloorCpu * 1000 / r.Lines:F2} | {r.AllocatedAboveMb:F1} | {r.CallbackMs:F0} |");
                    }
                }

                Out();
                if (seqReal.Count >= 2)
                {
                    Out($"Exponents (slope of log cost over log lines): real-shaped: CPU above the floor {SeqExp(seqReal, r => r.AboveFloorCpu):F3}, allocation above the floor {SeqExp(seqReal, r => r.AllocatedAboveMb):F3}, sequential callback time {SeqExp(seqReal, r => r.CallbackMs):F3}; " +
                        $"mixed: {SeqExp(seqMixed, r => r.AboveFloorCpu):F3}, {SeqExp(seqMixed, r => r.AllocatedAboveMb):F3}, {SeqExp(seqMixed, r => r.CallbackMs):F3}. " +
                        "One analysis thread: no callback waits for another thread's turn on the cores, and the difference in process CPU is the work GuardOrder adds (its walks, " +
                        "the bodies it binds before the compile reached them, the collections its allocation causes). The sequential callback time also holds the collections " +
                        "that stop the process while a callback runs (one gen1 or gen2 pause is 150–300 ms at 100k lines).");
                    Out();
                }
            }

            if (perMethod.Top is not null)
            {
                Out($"### Costliest methods (one real-shaped replica, {RealCorpus.ReplicaLines:N0} lines, analysed sequentially, analyzers already JIT-compiled; Σ {perMethod.TotalMs:F0} ms)");
                Out();
                Out($"| method | GuardOrder ms ({(ThreadCpu.IsCpu ? "thread CPU" : "wall")}) | routes of today's walks (RouteWalker, helpers expanded) | own CFG routes |");
                Out("|---|---:|---|---:|");
                foreach (var m in perMethod.Top)
                {
                    Out($"| `{(m.Method == TimingAnalyzer.CompilationWide ? m.Method : PerMethod.Short(m.Method))}` | {m.Ms:F1} | {m.Walks} | {m.OwnRoutes:N0} |");
                }

                Out();
                Out("ms = Σ thread CPU time of every GuardOrder callback about that method (symbol, operation, operation-block actions). Work done once per compilation " +
                    "on first use (a fault path's routes) is charged to the first method that asks for it: the first predicate of each fault path. " +
                    (quick ? "" : $"Largest walk over all methods: {perMethod.Largest}; walks that hit a cap (MaxRoutes {4096:N0} / MaxSteps {200_000:N0}): {perMethod.Capped}."));
                Out();
            }

            if (ideRows.Count > 0 || ide is not null)
            {
                Out("### IDE latency (one document, semantic model ready, GetAnalyzerSemanticDiagnosticsAsync(model, null))");
                Out();
                Out("| document | document lines | project lines | samples | GuardOrder callback time median | GuardOrder wall median | GuardOrder wall p90 | no-op wall median | GuardOrder − no-op | diagnostics in document |");
                Out("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
                foreach (var (doc, lines, r) in ideRows)
                {
                    Out($"| `{doc}` (project sample-mm) | {lines:N0} | {r.ProjectLines:N0} | {r.Samples} | **{r.CallbackMedian:F1} ms** | {r.GoMedian:F1} ms | {r.GoP90:F1} ms | {r.NoOpMedian:F1} ms | {r.GoMedian - r.NoOpMedian:F1} ms | {r.Diagnostics} |");
                }

                if (ide is not null)
                {
                    Out($"| mixed corpus module | {ide.DocumentLines:N0} | {ide.ProjectLines:N0} | {ide.Samples} | **{ide.CallbackMedian:F1} ms** | {ide.GoMedian:F1} ms | {ide.GoP90:F1} ms | {ide.NoOpMedian:F1} ms | {ide.GoMedian - ide.NoOpMedian:F1} ms | {ide.Diagnostics} |");
                }

                Out();
                Out("Callback time = Σ ExecutionTime of the GuardOrder analyzers during the call: the time GuardOrder itself adds (the target). Wall = the whole call on a warmed driver " +
                    "with the document's bodies bound (another document, sample-mm/mm.cs, analysed first); it includes the driver's own per-document work, which the no-op floor pays too.");
                Out();
            }

            if (build is not null)
            {
                Out($"### Real builds of the real-shaped corpus ({build.Lines:N0} lines; `dotnet build --no-incremental -m:1 -p:UseSharedCompilation=false -p:ReportAnalyzer=true`, CPU = user+sys of the build and its children)");
                Out();
                Out($"GuardOrder as the package gives it to this host: `{Path.GetRelativePath(Path.GetDirectoryName(BuildMode.IlAnalyzer)!, BuildMode.PackedAnalyzer)}`" +
                    (BuildMode.PackedAnalyzer == BuildMode.IlAnalyzer ? " (the IL assembly)." : " (the ReadyToRun image, r2r/net10.0/linux-x64); \"with IL\" is the same build with the IL assembly (analyzers/dotnet/cs)."));
                Out();
                if (build.Error.Length > 0)
                {
                    Out("Build failed: " + build.Error);
                }

                Out("| pair | with GuardOrder CPU s | without CPU s | CPU ratio | with IL CPU s (ratio) | Csc with (ms) | Csc without (ms) | GuardOrder analyzers (s, Σ over threads) | GuardOrder / Csc |");
                Out("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
                var i = 0;
                foreach (var (w, wo) in build.Runs)
                {
                    var il = i < build.IlRuns.Count ? $"{build.IlRuns[i].CpuS:F1} ({build.IlRuns[i].CpuS / wo.CpuS:F2}×)" : "-";
                    Out($"| {++i} | {w.CpuS:F1} | {wo.CpuS:F1} | {w.CpuS / wo.CpuS:F2}× | {il} | {w.CscMs:F0} | {wo.CscMs:F0} | {w.GuardOrderS:F2} | {Pct(w.GuardOrderS * 1000 / w.CscMs)} |");
                }

                if (build.Runs.Count > 0)
                {
                    Out($"| median | | | **{build.MedianCpuRatio:F2}×** | {(build.IlRuns.Count > 0 ? $"{build.MedianIlCpuRatio:F2}×" : "-")} | | | | {Pct(build.MedianGuardOrderShareOfCsc)} |");
                }

                Out();
                if (build.ServerRuns.Count > 0 || build.ServerError.Length > 0)
                {
                    Out($"With the compiler server (`-p:UseSharedCompilation=true`, as a plain `dotnet build`; {BuildMode.ServerWarmups} untimed builds first: the server tiers GuardOrder's code up over several builds): CPU = the build's process tree + the server's CPU during the build.");
                    Out();
                    if (build.ServerError.Length > 0)
                    {
                        Out("Server builds failed: " + build.ServerError);
                    }

                    Out("| pair | with GuardOrder CPU s (server) | without CPU s (server) | CPU ratio | GuardOrder analyzers (s, Σ over threads) |");
                    Out("|---:|---:|---:|---:|---:|");
                    var j = 0;
                    foreach (var (w, wo) in build.ServerRuns)
                    {
                        Out($"| {++j} | {w.CpuS:F1} ({w.ServerCpuS:F1}) | {wo.CpuS:F1} ({wo.ServerCpuS:F1}) | {w.CpuS / wo.CpuS:F2}× | {w.GuardOrderS:F2} |");
                    }

                    if (build.ServerRuns.Count > 0)
                    {
                        Out($"| median | | | **{build.MedianServerCpuRatio:F2}×** | |");
                    }

                    Out();
                }

                if (build.AllRules is { } a)
                {
                    Out($"With `-p:EnableNETAnalyzers=true -p:AnalysisMode=All` (one build, CPU {a.CpuS:F1} s, Csc {a.CscMs / 1000:F1} s, all analyzers {a.AnalyzerTotalS:F1} s Σ over threads):");
                    Out();
                    Out("| analyzer (rule ids) | s |");
                    Out("|---|---:|");
                    Out($"| **GuardOrder (all rules)** | **{a.GuardOrderS:F2}** |");
                    foreach (var (k, v) in a.Rules.Where(p => !p.Key.StartsWith("GO", StringComparison.Ordinal)).OrderByDescending(p => p.Value).Take(8))
                    {
                        Out($"| {k} | {v:F2} |");
                    }

                    foreach (var (k, v) in a.Rules.Where(p => p.Key.StartsWith("GO", StringComparison.Ordinal)).OrderByDescending(p => p.Value))
                    {
                        Out($"| GuardOrder {k} | {v:F2} |");
                    }

                    Out();
                }
            }

            if (outFile is not null)
            {
                File.WriteAllText(outFile, report.ToString());
            }

            var failures = rows.Concat(realRows).Concat(density).Sum(r => r.Exceptions);
            if (failures > 0)
            {
                Console.WriteLine($"ANALYZER EXCEPTIONS: {failures}");
                return 1;
            }

            if (args.Contains("--bdn") && !analyzers.IsEmpty)
            {
                return IdeAndSmallBenchmarks.RunBdn(args);
            }

            return realRows.All(r => r.SelfCheckOk) ? 0 : 2;
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
            public bool SelfCheckOk = true;
            public List<string> SelfCheckLines = new List<string>();
            public Dictionary<string, double> PerAnalyzer = new Dictionary<string, double>();

            /// <summary>Per run: (GuardOrder CPU − no-op CPU) / compile CPU of that run's interleaved triple.</summary>
            public List<double> AboveFloorShares = new List<double>();

            /// <summary>The per-run shares' median and range: how far the machine's noise moves the ratio of medians.</summary>
            public string Spread => AboveFloorShares.Count < 2 ? "" :
                $"; per run: median {Pct(Measure.Median(AboveFloorShares))}, range {Pct(AboveFloorShares.Min())} … {Pct(AboveFloorShares.Max())} ({AboveFloorShares.Count} runs)";
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
            public double AllocatedMedian;
            public double NoOpAllocatedMedian;
            public int Diagnostics;
        }

        private static Row RunSize(Corpus corpus, string n, int runs, int warm, ImmutableArray<DiagnosticAnalyzer> analyzers, ImmutableArray<DiagnosticAnalyzer> floor, bool real = false)
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
                    row.AboveFloorShares.Add((gc - fc) / cc);
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
                if (real)
                {
                    // The self-check: every replica reports exactly the planted findings.
                    var check = RealCorpus.SelfCheck(corpus, last);
                    row.DiagnosticSummary = check.Summary;
                    row.SelfCheckOk = check.Ok;
                    row.SelfCheckLines = check.Lines;
                }
                else
                {
                    row.DiagnosticSummary += $" (generated: {corpus.Stats.MisorderedPredicates} misordered, {corpus.Stats.UnsyncedEarlyPredicates} unsynced of {corpus.Stats.EarlyPredicates})";
                }
            }

            return row;
        }

        /// <summary>GuardOrder's time on one document of a given project (sample-mm), the driver warmed on another document.</summary>
        private static IdeResult RunIdeOn(Corpus project, string document, string warmDocument, int samples, ImmutableArray<DiagnosticAnalyzer> analyzers, ImmutableArray<DiagnosticAnalyzer> floor)
        {
            var doc = project.Trees.First(t => t.FilePath == document);
            var warm = project.Trees.First(t => t.FilePath == warmDocument);
            var go = new List<double>();
            var noop = new List<double>();
            var callbacks = new List<double>();
            var allocated = new List<double>();
            var noOpAllocated = new List<double>();
            var diags = 0;
            for (var i = -1; i < samples; i++)
            {
                var g = Measure.IdeMs(project, doc, warm, analyzers, out diags, out var cb, out var ga);
                var f = Measure.IdeMs(project, doc, warm, floor, out _, out _, out var fa);
                if (i >= 0)
                {
                    go.Add(g);
                    noop.Add(f);
                    callbacks.Add(cb);
                    allocated.Add(ga);
                    noOpAllocated.Add(fa);
                }
            }

            var sorted = go.OrderBy(x => x).ToArray();
            return new IdeResult
            {
                DocumentLines = project.Files.First(f => f.Name == document).Lines,
                ProjectLines = project.Lines,
                Samples = samples,
                GoMedian = Measure.Median(go),
                GoP90 = sorted[(int)Math.Min(sorted.Length - 1, Math.Ceiling(sorted.Length * 0.9) - 1)],
                NoOpMedian = Measure.Median(noop),
                CallbackMedian = Measure.Median(callbacks),
                AllocatedMedian = Measure.Median(allocated),
                NoOpAllocatedMedian = Measure.Median(noOpAllocated),
                Diagnostics = diags,
            };
        }

        /// <summary>A rule's time in a ReportAnalyzer table (the analyzer type's row that lists the id).</summary>
        private static double RuleTime(BuildMode.BuildRun run, string id) =>
            run.Rules.Where(p => p.Key.Split(',').Contains(id)).Sum(p => p.Value);

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

        /// <summary>Where generated build projects go: --build-dir DIR, else $TMPDIR/guardorder-bench.</summary>
        private static string BuildRoot(string[] args) => Value(args, "--build-dir") ?? Path.Combine(Path.GetTempPath(), "guardorder-bench");

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
