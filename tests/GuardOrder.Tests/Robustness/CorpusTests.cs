using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using GuardOrder.Robustness.Shared;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit.Abstractions;

namespace GuardOrder.Tests.Robustness
{
    /// <summary>The benchmark corpus is valid C#, deterministic, and GuardOrder finds exactly the defects planted in it.</summary>
    [Trait("Category", "Slow")]
    public sealed class CorpusTests
    {
        private readonly ITestOutputHelper _output;

        public CorpusTests(ITestOutputHelper output)
        {
            _output = output;
        }

        [Fact]
        public void Corpus_is_deterministic_by_seed_and_sized_as_asked()
        {
            var a = CorpusGenerator.Generate(12_000, seed: 5, fileLines: 1500);
            var b = CorpusGenerator.Generate(12_000, seed: 5, fileLines: 1500);
            var c = CorpusGenerator.Generate(12_000, seed: 6, fileLines: 1500);
            Assert.Equal(a.Select(f => f.Text), b.Select(f => f.Text));
            Assert.NotEqual(a.Select(f => f.Text), c.Select(f => f.Text));
            var lines = a.Sum(f => f.Lines);
            Assert.InRange(lines, 12_000, 12_000 + 1_600);
            // Module files of ~1,500 lines (the last one takes what is left).
            Assert.All(a.Skip(1).Take(a.Count - 2), f => Assert.InRange(f.Lines, 1_000, 1_600));
        }

        [Fact]
        public async Task Corpus_compiles_and_GuardOrder_reports_exactly_the_planted_defects()
        {
            var analyzers = HalfTypedCodeTests.RequireAnalyzers();
            var generator = new CorpusGenerator(seed: 20210630, fileLines: 1500);
            var files = generator.Generate(25_000);
            var compilation = GuardOrderAssemblies.CreateCompilation(
                files.Select(f => CSharpSyntaxTree.ParseText(f.Text, GuardOrderAssemblies.ParseOptions, path: f.Name)));
            var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
            Assert.True(errors.Count == 0, "the corpus does not compile: " + string.Join("\n", errors.Take(5)));

            var outcome = await AnalyzerRunner.RunAsync(compilation, analyzers, TimeSpan.FromSeconds(120));
            Assert.Empty(outcome.Failures());
            var byId = outcome.Diagnostics.Where(d => d.Id.StartsWith("GO", StringComparison.Ordinal))
                .GroupBy(d => d.Id).ToDictionary(g => g.Key, g => g.Count());
            var stats = generator.Stats;
            _output.WriteLine($"{stats.Lines} lines: planted {stats.MisorderedPredicates} misordered guard runs, {stats.UnsyncedEarlyPredicates} early predicates without PageKsm; " +
                "reported " + string.Join(", ", byId.Select(p => p.Key + "×" + p.Value)));
            Assert.True(stats.MisorderedPredicates > 0 && stats.UnsyncedEarlyPredicates > 0, "the corpus should plant both kinds of defect");
            Assert.Equal(stats.MisorderedPredicates, byId.GetValueOrDefault("GO0001"));
            Assert.Equal(stats.UnsyncedEarlyPredicates, byId.GetValueOrDefault("GO0002"));
            Assert.Equal(new[] { "GO0001", "GO0002" }, byId.Keys.OrderBy(k => k, StringComparer.Ordinal));
        }
    }
}
