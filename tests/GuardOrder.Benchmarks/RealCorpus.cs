using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using GuardOrder.Robustness.Shared;
using Microsoft.CodeAnalysis.CSharp;

namespace GuardOrder.Benchmarks
{
    /// <summary>
    /// The real-shaped corpus (issue 11): one replica is sample-mm (the v5.13 port, its 2021
    /// as-posted predicates included) plus RealShaped/*.cs (do_wp_page() v5.19 and v6.7 with their
    /// helpers, can_change_pte_writable() v6.0 / v6.2 / v6.17, lock users); the replica is repeated
    /// with the namespace renamed (SampleMm → R0001.SampleMm, ...) until the requested size is
    /// reached. Deterministic: the text only depends on the repository's files and the size.
    /// </summary>
    internal static class RealCorpus
    {
        /// <summary>Symbols the replica is parsed with: AS_POSTED brings sample-mm's Program.cs to call the as-posted predicate too.</summary>
        public static readonly CSharpParseOptions ParseOptions = GuardOrderAssemblies.ParseOptions.WithPreprocessorSymbols("AS_POSTED");

        public static string RepoRoot { get; } = FindRepoRoot();

        /// <summary>The replica's files: (path relative to the repository, text).</summary>
        public static IReadOnlyList<(string Name, string Text)> ReplicaFiles { get; } = LoadReplica();

        public static int ReplicaLines { get; } = ReplicaFiles.Sum(f => CountLines(f.Text));

        /// <summary>Lines of annotated methods in one replica (approximate: files that use a GuardOrder attribute).</summary>
        public static int ReplicaAnnotatedLines { get; } = ReplicaFiles.Where(f => f.Text.Contains("[MustMatchFaultPath", StringComparison.Ordinal) || f.Text.Contains("[WriteGrant]", StringComparison.Ordinal) || f.Text.Contains("Lock(", StringComparison.Ordinal)).Sum(f => CountLines(f.Text));

        public static int ReplicasFor(int lines) => Math.Max(1, (int)Math.Round((double)lines / ReplicaLines));

        public static Corpus Create(int requestedLines) => CreateReplicas(ReplicasFor(requestedLines));

        public static Corpus CreateReplicas(int replicas)
        {
            var files = new List<CorpusFile>();
            var annotated = 0;
            for (var r = 1; r <= replicas; r++)
            {
                var prefix = ReplicaPrefix(r);
                foreach (var (name, text) in ReplicaFiles)
                {
                    var renamed = text.Replace("SampleMm", prefix + ".SampleMm", StringComparison.Ordinal);
                    files.Add(new CorpusFile(prefix + "/" + name, renamed, CountLines(renamed)));
                }

                annotated += ReplicaAnnotatedLines;
            }

            return new Corpus(files, ParseOptions, annotated);
        }

        public static string ReplicaPrefix(int r) => "R" + r.ToString("D4", CultureInfo.InvariantCulture);

        /// <summary>"R0001/sample-mm/memory.cs" → ("R0001", "sample-mm/memory.cs").</summary>
        public static (string Replica, string File) Split(string path)
        {
            var slash = path.IndexOf('/');
            return slash < 0 ? ("", path) : (path.Substring(0, slash), path.Substring(slash + 1));
        }

        /// <summary>
        /// What the current analyzers must report in each replica, and nothing else (file → rule → count).
        /// The as-posted 2021 predicates are the review's findings (sample-mm/as-posted/*.cs headers); the
        /// mainline files are expected clean unless listed here with the reason.
        /// </summary>
        public static readonly IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> Planted =
            new Dictionary<string, IReadOnlyDictionary<string, int>>(StringComparer.Ordinal)
            {
                // Peter Xu's first rework: NUMA test before VM_WRITE (GO0001); no lock, no PageKsm, and its
                // page_count() is on pte_page(pte), not on the page do_wp_page decides on (GO0002 on both true
                // returns; no GO0003, since no check of do_wp_page's page is made outside the lock).
                ["sample-mm/as-posted/mprotect_2021_v1.cs"] = Counts(("GO0001", 1), ("GO0002", 2)),

                // As posted: VM_WRITE second in its && (GO0001), the dirty-accounting route skips it (GO0005),
                // no lock / PageKsm / mapcount on do_wp_page's page, no VM_SHARED (GO0002).
                ["sample-mm/as-posted/mprotect_2021_posted.cs"] = Counts(("GO0001", 1), ("GO0002", 1), ("GO0005", 1)),

                // The reviewed 2021 text: MM_CP_DIRTY_ACCT grants any page, pte_uffd_wp() instead of
                // userfaultfd_pte_wp(), no page_mapcount() under the lock (GO0002 on both true returns).
                ["sample-mm/as-posted/mprotect_2021_reviewed.cs"] = Counts(("GO0002", 1 + 1)),

                // can_change_pte_writable() v6.0 tied to the v5.19 do_wp_page() (anonymous pages first): its
                // VM_SHARED route grants any page, where that fault path grants a shared mapping in place only
                // without a page (wp_pfn_shared) or for a non-anonymous one. Mainline closed the gap in v6.2
                // by handling the shared mapping first in do_wp_page() (memory_v6_7.cs); the v6.2 and v6.17
                // predicates against that shape are clean.
                ["RealShaped/mprotect_mainline.cs"] = Counts(("GO0002", 1)),
            };

        private static IReadOnlyDictionary<string, int> Counts(params (string Id, int N)[] xs) =>
            xs.ToDictionary(x => x.Id, x => x.N, StringComparer.Ordinal);

        private static IReadOnlyList<(string Name, string Text)> LoadReplica()
        {
            var list = new List<(string, string)>();
            var sample = Path.Combine(RepoRoot, "sample-mm");
            foreach (var f in Directory.GetFiles(sample, "*.cs", SearchOption.AllDirectories)
                         .Where(f => !f.Contains(Path.DirectorySeparatorChar + "obj" + Path.DirectorySeparatorChar, StringComparison.Ordinal) &&
                                     !f.Contains(Path.DirectorySeparatorChar + "bin" + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                         .OrderBy(f => f, StringComparer.Ordinal))
            {
                list.Add(("sample-mm/" + Path.GetRelativePath(sample, f).Replace('\\', '/'), File.ReadAllText(f)));
            }

            var real = Path.Combine(RepoRoot, "tests", "GuardOrder.Benchmarks", "RealShaped");
            foreach (var f in Directory.GetFiles(real, "*.cs").OrderBy(f => f, StringComparer.Ordinal))
            {
                list.Add(("RealShaped/" + Path.GetFileName(f), File.ReadAllText(f)));
            }

            return list;
        }

        /// <summary>sample-mm's default build (no as-posted files) for the IDE row.</summary>
        public static Corpus SampleMm()
        {
            var files = ReplicaFiles
                .Where(f => f.Name.StartsWith("sample-mm/", StringComparison.Ordinal) && !f.Name.StartsWith("sample-mm/as-posted/", StringComparison.Ordinal))
                .Select(f => new CorpusFile(f.Name, f.Text, CountLines(f.Text)))
                .ToList();
            return new Corpus(files, GuardOrderAssemblies.ParseOptions);
        }

        public static int CountLines(string text)
        {
            var n = 1;
            foreach (var c in text)
            {
                if (c == '\n')
                {
                    n++;
                }
            }

            return text.EndsWith('\n') ? n - 1 : n;
        }

        private static string FindRepoRoot()
        {
            foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
            {
                for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
                {
                    if (File.Exists(Path.Combine(d.FullName, "Analyzers.sln")) && Directory.Exists(Path.Combine(d.FullName, "sample-mm")))
                    {
                        return d.FullName;
                    }
                }
            }

            throw new InvalidOperationException("repository root (Analyzers.sln + sample-mm/) not found above " + AppContext.BaseDirectory);
        }

        /// <summary>
        /// The self-check: diagnostics of severity Warning or above (what a build reports) per rule per
        /// replica, compared with <see cref="Planted"/>; info-level ones are listed, not judged.
        /// Returns the markdown lines and whether every replica reports exactly the planted findings.
        /// </summary>
        public static (List<string> Lines, bool Ok, string Summary) SelfCheck(Corpus corpus, AnalyzerRun run)
        {
            var replicas = corpus.Files.Select(f => Split(f.Name).Replica).Distinct().OrderBy(x => x, StringComparer.Ordinal).ToList();
            var perReplica = new Dictionary<string, SortedDictionary<string, int>>(StringComparer.Ordinal);
            foreach (var r in replicas)
            {
                perReplica[r] = new SortedDictionary<string, int>(StringComparer.Ordinal);
            }

            var byFile = new SortedDictionary<string, SortedDictionary<string, int>>(StringComparer.Ordinal);
            foreach (var (path, id, _, _) in run.Reported)
            {
                var (replica, file) = Split(path.Replace('\\', '/'));
                if (!perReplica.TryGetValue(replica, out var counts))
                {
                    counts = perReplica[replica] = new SortedDictionary<string, int>(StringComparer.Ordinal);
                }

                var key = file + " " + id;
                counts[key] = counts.TryGetValue(key, out var n) ? n + 1 : 1;
            }

            var expected = new SortedDictionary<string, int>(StringComparer.Ordinal);
            foreach (var (file, ids) in Planted)
            {
                foreach (var (id, n) in ids)
                {
                    expected[file + " " + id] = n;
                }
            }

            var lines = new List<string>();
            var ok = true;
            var bad = new List<string>();
            foreach (var r in perReplica.Keys)
            {
                var got = perReplica[r];
                if (!got.SequenceEqual(expected))
                {
                    ok = false;
                    if (bad.Count < 3)
                    {
                        bad.Add($"{r}: got {Show(got)}; planted {Show(expected)}");
                    }
                }
            }

            var first = perReplica.Count > 0 ? perReplica[perReplica.Keys.First()] : new SortedDictionary<string, int>();
            var rules = first.GroupBy(p => p.Key.Substring(p.Key.LastIndexOf(' ') + 1)).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => $"{g.Key}×{g.Sum(p => p.Value)}");
            var info = run.InfoById.Count == 0 ? "" : "; info-level, all replicas (not judged): " + string.Join(", ", run.InfoById.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}×{p.Value}"));
            var summary = $"per replica: {(first.Count == 0 ? "none" : string.Join(", ", rules))}; {perReplica.Count} replicas, " +
                (ok ? "each exactly the planted findings" : "NOT the planted findings") + info;
            lines.Add($"- Self-check ({perReplica.Count} replicas of {ReplicaLines:N0} lines): " + (ok ? "**OK**, every replica reports exactly the planted findings: " : "**MISMATCH**: ") + Show(first));
            lines.AddRange(bad.Select(b => "  - " + b));
            return (lines, ok, summary);
        }

        private static string Show(IReadOnlyDictionary<string, int> d) =>
            d.Count == 0 ? "nothing" : string.Join("; ", d.Select(p => $"{p.Key}×{p.Value}"));
    }
}
