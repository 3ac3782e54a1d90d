using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace GuardOrder.Robustness.Shared
{
    /// <summary>What one analyzer run produced: diagnostics, analyzer exceptions (collected, not thrown) and a hang flag.</summary>
    internal sealed class RunOutcome
    {
        public ImmutableArray<Diagnostic> Diagnostics = ImmutableArray<Diagnostic>.Empty;
        public List<(DiagnosticAnalyzer Analyzer, Exception Exception)> Exceptions = new();
        public bool TimedOut;
        public TimeSpan Elapsed;

        /// <summary>AD0001 (analyzer threw) plus exceptions seen by the onAnalyzerException callback.</summary>
        public IEnumerable<string> Failures()
        {
            foreach (var (analyzer, exception) in Exceptions)
            {
                yield return $"{analyzer.GetType().Name} threw {exception.GetType().Name}: {exception.Message}\n{exception.StackTrace}";
            }

            foreach (var d in Diagnostics.Where(d => d.Id is "AD0001" or "AD0002"))
            {
                yield return $"{d.Id} at {d.Location.GetLineSpan()}: {d.GetMessage()}";
            }

            if (TimedOut)
            {
                yield return $"analysis did not finish within the per-run timeout (hang?) after {Elapsed.TotalSeconds:F1} s";
            }
        }
    }

    internal static class AnalyzerRunner
    {
        public static async Task<RunOutcome> RunAsync(Compilation compilation, ImmutableArray<DiagnosticAnalyzer> analyzers, TimeSpan timeout, bool concurrent = true)
        {
            var outcome = new RunOutcome();
            var started = DateTime.UtcNow;
            using var cts = new CancellationTokenSource(timeout);
            var options = new CompilationWithAnalyzersOptions(
                new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
                (e, a, d) =>
                {
                    lock (outcome.Exceptions)
                    {
                        outcome.Exceptions.Add((a, e));
                    }
                },
                concurrentAnalysis: concurrent,
                logAnalyzerExecutionTime: false,
                reportSuppressedDiagnostics: false);
            try
            {
                var cwa = compilation.WithAnalyzers(analyzers, options);
                var result = await cwa.GetAnalysisResultAsync(cts.Token).ConfigureAwait(false);
                outcome.Diagnostics = result.GetAllDiagnostics();
            }
            catch (OperationCanceledException) when (cts.IsCancellationRequested)
            {
                outcome.TimedOut = true;
            }

            outcome.Elapsed = DateTime.UtcNow - started;
            return outcome;
        }

        /// <summary>The sources the typing simulation types: every .cs file of sample-mm (bin/obj excluded).</summary>
        public static List<(string Name, string Text)> SampleSources(out string origin)
        {
            var root = Path.Combine(GuardOrder.Tests.Documentation.RuleCatalog.RepoRoot, "sample-mm");
            var files = Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
                .Where(p => !p.Contains(Path.DirectorySeparatorChar + "bin" + Path.DirectorySeparatorChar, StringComparison.Ordinal)
                         && !p.Contains(Path.DirectorySeparatorChar + "obj" + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                .OrderBy(p => p, StringComparer.Ordinal)
                .Select(p => (Name: Path.GetRelativePath(root, p), Text: File.ReadAllText(p)))
                .ToList();
            if (!files.Any(f => f.Text.Contains("[MustMatchFaultPath", StringComparison.Ordinal)))
            {
                throw new InvalidOperationException("sample-mm under " + root + " holds no annotated predicate: the typing simulation would type nothing that matters");
            }

            origin = "sample-mm (" + files.Count + " files)";
            return files;
        }

        public static SyntaxTree Parse(string text, string path) =>
            CSharpSyntaxTree.ParseText(text, GuardOrderAssemblies.ParseOptions, path: path);
    }
}
