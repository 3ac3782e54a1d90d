using System;
using GuardOrder.Tests.Verifiers;
using GuardOrder.Analyzers;
using System.Text;
using System.Globalization;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading.Tasks;
using GuardOrder.Robustness.Shared;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit.Abstractions;

namespace GuardOrder.Tests.Robustness
{
    /// <summary>
    /// Determinism, in one suite: the same compilation analysed many times in parallel gives the same
    /// diagnostics (every analyzer, generated corpus + sample-mm), and GO0001's purity answer for a
    /// helper does not depend on which guard asked first (a helper chain deeper than the purity bound).
    /// </summary>
    [Trait("Category", "Slow")]
    public sealed class DeterminismTests
    {
        private readonly ITestOutputHelper _output;

        public DeterminismTests(ITestOutputHelper output)
        {
            _output = output;
        }

        [Fact]
        public async Task Sixteen_parallel_analyses_of_one_compilation_agree()
        {
            var analyzers = HalfTypedCodeTests.RequireAnalyzers();
            var trees = new List<SyntaxTree>();
            // Generated mm-like code with misordered guards and unsynced predicates, plus sample-mm.
            foreach (var f in CorpusGenerator.Generate(6_000, seed: 77, fileLines: 1000))
            {
                trees.Add(CSharpSyntaxTree.ParseText(f.Text, GuardOrderAssemblies.ParseOptions, path: "gen/" + f.Name));
            }

            // The whole sample with its as-posted variants (the AsPosted build): GO0002/3/5 findings too.
            // (SampleSources fails when sample-mm is missing; there is no fallback to guard against.)
            var sample = AnalyzerRunner.SampleSources(out var origin);
            trees.AddRange(sample.Select(s => CSharpSyntaxTree.ParseText(s.Text, HalfTypedCodeTests.Options, path: "sample-mm/" + s.Name)));

            var compilation = GuardOrderAssemblies.CreateCompilation(trees, "determinism");
            var sequential = await AnalyzerRunner.RunAsync(compilation, analyzers, TimeSpan.FromSeconds(120), concurrent: false);
            Assert.Empty(sequential.Failures());
            var expected = Canonical(sequential.Diagnostics);
            Assert.True(expected.Count(d => d.StartsWith("GO", StringComparison.Ordinal)) > 0, "the corpus should produce GuardOrder diagnostics");

            var runs = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() =>
                AnalyzerRunner.RunAsync(compilation, analyzers, TimeSpan.FromSeconds(180), concurrent: true))));
            foreach (var run in runs)
            {
                Assert.Empty(run.Failures());
                var actual = Canonical(run.Diagnostics);
                var missing = expected.Except(actual).ToList();
                var extra = actual.Except(expected).ToList();
                Assert.True(missing.Count == 0 && extra.Count == 0 && expected.Length == actual.Length,
                    $"a parallel run differs from the sequential one ({expected.Length} vs {actual.Length} diagnostics)\n" +
                    "only sequential:\n  " + string.Join("\n  ", missing.Take(5)) + "\nonly parallel:\n  " + string.Join("\n  ", extra.Take(5)));
            }

            _output.WriteLine($"{expected.Length} diagnostics, identical in 1 sequential + 16 parallel runs ({origin}): " +
                string.Join(", ", expected.GroupBy(d => d.Split('|')[0]).Select(g => g.Key + "×" + g.Count())));
        }

        // Helpers p1 -> p2 -> ... -> p6 call each other in a chain deeper than the purity bound, and
        // many bodies ask about different links at once.
        [Fact]
        public async Task GO0001_concurrent_runs_agree_and_the_purity_depth_bound_is_exact()
        {
            var code = new StringBuilder("static class helpers\n{\n");
            for (var i = 1; i <= 6; i++)
            {
                // p1 -> p2 -> ... -> p6: p6 has call-tree height 1, p1 height 6.
                code.Append("    public static bool p").Append(i).Append("(int a) => ")
                    .Append(i < 6 ? "p" + (i + 1) + "(a + 1)" : "a > 3").Append(";\n");
            }

            // Bodies that ask about the links in different orders.
            for (var body = 0; body < 24; body++)
            {
                var link = 1 + (body * 5 % 6);
                code.Append("    static bool m").Append(body).Append("(vm_area_struct vma, int a)\n    {\n")
                    .Append("        if (p").Append(link).Append("(a))\n            return false;\n")
                    .Append("        if ((vma.vm_flags & VM_WRITE) == 0)\n            return false;\n")
                    .Append("        return true;\n    }\n");
            }

            code.Append("}\n");
            var source = GO0001.GO0001Sources.With(code.ToString());

            string? first = null;
            for (var run = 0; run < 8; run++)
            {
                var diagnostics = await AnalyzerHarness.RunAsync(new GO0001SecurityGuardFirstAnalyzer(), concurrent: true, source);
                Assert.DoesNotContain(diagnostics, d => d.Id == "AD0001");
                var go0001 = diagnostics.Where(d => d.Id == RuleIdentifiers.SecurityGuardFirst).OrderBy(d => d.Location.SourceSpan.Start).ToList();
                Assert.Equal(24, go0001.Count);
                foreach (var diagnostic in go0001)
                {
                    var message = diagnostic.GetMessage(CultureInfo.InvariantCulture);
                    var link = int.Parse(message.Substring(message.IndexOf("'if (p", System.StringComparison.Ordinal) + 6, 1), CultureInfo.InvariantCulture);

                    // Calls from a guard may go MaxDepth (4) deep: p3..p6 are provably pure, p1 and p2 are not.
                    Assert.Equal(link >= 3 ? "true" : "false", diagnostic.Properties[GO0001SecurityGuardFirstAnalyzer.FixableProperty]);
                }

                var all = string.Join("\n", go0001.Select(d => d.Location.SourceSpan + " " + d.GetMessage(CultureInfo.InvariantCulture) + " " + d.Properties[GO0001SecurityGuardFirstAnalyzer.FixableProperty]));
                first ??= all;
                Assert.Equal(first, all);
            }
        }

        private static ImmutableArray<string> Canonical(ImmutableArray<Diagnostic> diagnostics) =>
            diagnostics
                .Select(d => $"{d.Id}|{d.Location.GetLineSpan()}|{d.Severity}|{d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}|" +
                             string.Join(";", d.AdditionalLocations.Select(l => l.GetLineSpan().ToString())))
                .OrderBy(s => s, StringComparer.Ordinal)
                .ToImmutableArray();
    }
}
