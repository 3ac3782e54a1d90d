using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.IO;
using System.Linq;
using GuardOrder.Robustness.Shared;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace GuardOrder.Benchmarks
{
    /// <summary>
    /// --prefix-profile: analysis cost on half-typed code (sample-mm prefixes, as the typing simulation
    /// test builds them), per analyzer, against the no-op floor. Finds analyzer hot spots on broken code.
    /// </summary>
    internal static class PrefixProfile
    {
        public static int Run()
        {
            var root = FindRoot();
            var files = Directory.EnumerateFiles(Path.Combine(root, "sample-mm"), "*.cs", SearchOption.AllDirectories)
                .Where(p => !p.Contains("/obj/", StringComparison.Ordinal) && !p.Contains("/bin/", StringComparison.Ordinal))
                .OrderBy(p => p, StringComparer.Ordinal).ToList();
            var trees = new List<SyntaxTree>();
            var id = 0;
            foreach (var f in files)
            {
                var text = File.ReadAllText(f);
                var tokens = CSharpSyntaxTree.ParseText(text).GetRoot().DescendantTokens().ToList();
                var step = Math.Max(1, tokens.Count / 24);
                for (var i = 0; i < tokens.Count; i += step)
                {
                    var prefix = text.Substring(0, tokens[i].FullSpan.End);
                    var ns = prefix.IndexOf("namespace SampleMm", StringComparison.Ordinal);
                    if (ns >= 0 && prefix.Length > ns + 18)
                    {
                        prefix = prefix.Insert(ns + 18, ".V" + id);
                    }

                    trees.Add(CSharpSyntaxTree.ParseText(prefix, GuardOrderAssemblies.ParseOptions, path: $"p{id++}.cs"));
                }
            }

            Console.WriteLine($"{trees.Count} prefixes, {trees.Sum(t => t.GetText().Lines.Count):N0} lines");
            var analyzers = GuardOrderAssemblies.CreateAnalyzers();
            var floor = analyzers.Select(a => (DiagnosticAnalyzer)new NoOpMirrorAnalyzer(a)).ToImmutableArray();
            for (var round = 0; round < 2; round++)
            {
                var sw = Stopwatch.StartNew();
                var c = GuardOrderAssemblies.CreateCompilation(trees);
                var errors = c.GetDiagnostics().Count(d => d.Severity == DiagnosticSeverity.Error);
                Console.WriteLine($"compile diagnostics: {sw.ElapsedMilliseconds} ms ({errors} errors)");
                foreach (var (name, set) in new[] { ("GuardOrder", analyzers), ("no-op", floor) })
                {
                    sw.Restart();
                    var cwa = GuardOrderAssemblies.CreateCompilation(trees).WithAnalyzers(set, new CompilationWithAnalyzersOptions(
                        new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty), null, true, logAnalyzerExecutionTime: true));
                    var r = cwa.GetAnalysisResultAsync(default).GetAwaiter().GetResult();
                    Console.WriteLine($"{name}: {sw.ElapsedMilliseconds} ms; " + string.Join(", ", r.AnalyzerTelemetryInfo.Select(p =>
                        $"{(p.Key is NoOpMirrorAnalyzer m ? "noop:" + m.InnerName : p.Key.GetType().Name)} {p.Value.ExecutionTime.TotalMilliseconds:F0} ms")));
                }
            }

            return 0;
        }

        private static string FindRoot()
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Analyzers.sln")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new InvalidOperationException("Analyzers.sln not found");
        }
    }
}
