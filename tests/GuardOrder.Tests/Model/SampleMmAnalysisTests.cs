using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using GuardOrder.Analyzers;
using GuardOrder.Tests.Verifiers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit.Abstractions;

namespace GuardOrder.Tests.Model
{
    /// <summary>
    /// Runs every rule (the analyzers found by reflection, <see cref="Documentation.RuleCatalog"/>) over
    /// the real sample-mm sources, in memory: the reviewed may_avoid_write_fault is clean, the 2021
    /// as-posted variants get the review's findings.
    /// </summary>
    public class SampleMmAnalysisTests
    {
        private readonly ITestOutputHelper _output;

        public SampleMmAnalysisTests(ITestOutputHelper output)
        {
            _output = output;
        }

        private static readonly ImmutableArray<DiagnosticAnalyzer> SyncAnalyzers = Documentation.RuleCatalog.Analyzers;

        [Fact]
        public async Task ReviewedPortIsClean()
        {
            var diagnostics = await AnalyzeAsync(asPosted: false);
            Assert.Empty(diagnostics);
        }

        [Fact]
        public async Task AsPostedVariantsGetTheReviewFindings()
        {
            var diagnostics = await AnalyzeAsync(asPosted: true);
            var posted = diagnostics.Where(d => Path.GetFileName(d.Location.SourceTree?.FilePath) == "mprotect_2021_posted.cs").ToList();
            // The posted text grants MM_CP_DIRTY_ACCT without VM_SHARED, and decides on pte_page(pte), which
            // is not the page do_wp_page decides on (vm_normal_page): its KSM/count checks do not count.
            Assert.Contains(posted, d => d.Id == "GO0002" && d.GetMessage().Contains("VM_SHARED", StringComparison.Ordinal));
            Assert.Contains(posted, d => d.Id == "GO0005");

            // Nothing outside as-posted/, and no GO0004/GO0006 anywhere.
            Assert.All(diagnostics, d => Assert.Contains("as-posted", d.Location.SourceTree?.FilePath ?? string.Empty, StringComparison.Ordinal));
            Assert.DoesNotContain(diagnostics, d => d.Id is "GO0004" or "GO0006");
        }

        private async Task<List<Diagnostic>> AnalyzeAsync(bool asPosted)
        {
            var root = Path.Combine(GuardOrder.Tests.Documentation.RuleCatalog.RepoRoot, "sample-mm");
            var options = new CSharpParseOptions(LanguageVersion.Latest, preprocessorSymbols: asPosted ? new[] { "AS_POSTED" } : Array.Empty<string>());
            var files = Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
                .Where(f => !f.Contains(Path.DirectorySeparatorChar + "obj" + Path.DirectorySeparatorChar, StringComparison.Ordinal)
                         && !f.Contains(Path.DirectorySeparatorChar + "bin" + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                .Where(f => asPosted || !f.Contains(Path.DirectorySeparatorChar + "as-posted" + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                .OrderBy(f => f, StringComparer.Ordinal)
                .ToList();
            Assert.NotEmpty(files);
            var trees = files.Select(f => CSharpSyntaxTree.ParseText(File.ReadAllText(f), options, f)).ToList();
            var compilation = AnalyzerHarness.Compile(trees, assemblyName: "SampleMm");
            Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));

            var watch = Stopwatch.StartNew();
            var run = await AnalyzerHarness.RunAsync(compilation, SyncAnalyzers, logAnalyzerExecutionTime: true);
            // Info-level notes (GO0007: what the comparison assumed) are not findings.
            var diagnostics = run.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
            watch.Stop();
            _output.WriteLine($"{files.Count} files, analyzers {watch.ElapsedMilliseconds} ms (as-posted: {asPosted})");
            foreach (var analyzer in SyncAnalyzers)
            {
                var telemetry = await run.WithAnalyzers.GetAnalyzerTelemetryInfoAsync(analyzer, default);
                _output.WriteLine($"  {analyzer.GetType().Name}: {telemetry.ExecutionTime.TotalMilliseconds:F0} ms");
            }

            foreach (var diagnostic in diagnostics)
            {
                _output.WriteLine(diagnostic.ToString());
            }

            run.AssertNoAnalyzerException("sample-mm (as-posted: " + asPosted + ")");
            return diagnostics;
        }
    }
}
