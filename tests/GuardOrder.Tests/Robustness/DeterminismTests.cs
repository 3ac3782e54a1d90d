using System;
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
    /// <summary>The same compilation analysed many times in parallel gives the same diagnostics.</summary>
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
            var analyzers = TypingSimulationTests.RequireAnalyzers();
            var trees = new List<SyntaxTree>();
            // Generated mm-like code with misordered guards and unsynced predicates, plus sample-mm.
            foreach (var f in CorpusGenerator.Generate(6_000, seed: 77, fileLines: 1000))
            {
                trees.Add(CSharpSyntaxTree.ParseText(f.Text, GuardOrderAssemblies.ParseOptions, path: "gen/" + f.Name));
            }

            var sample = AnalyzerRunner.SampleSources(out var origin);
            if (origin.StartsWith("sample-mm", StringComparison.Ordinal))
            {
                // The whole sample with its as-posted variants (the AsPosted build): GO0002/3/5 findings too.
                trees.AddRange(sample.Select(s => CSharpSyntaxTree.ParseText(s.Text, TypingSimulationTests.Options, path: "sample-mm/" + s.Name)));
            }

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

        private static ImmutableArray<string> Canonical(ImmutableArray<Diagnostic> diagnostics) =>
            diagnostics
                .Select(d => $"{d.Id}|{d.Location.GetLineSpan()}|{d.Severity}|{d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}|" +
                             string.Join(";", d.AdditionalLocations.Select(l => l.GetLineSpan().ToString())))
                .OrderBy(s => s, StringComparer.Ordinal)
                .ToImmutableArray();
    }
}
