using System.Collections.Immutable;
using System.Linq;
using System.Threading.Tasks;
using GuardOrder.Analyzers;
using GuardOrder.Tests.Verifiers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace GuardOrder.Tests.Sync
{
    /// <summary>Runs every sync rule (GO0002–GO0005, GO0007) over a source and returns what they report, AD0001 included.</summary>
    internal static class SyncTestRunner
    {
        public static async Task<ImmutableArray<Diagnostic>> RunAsync(string source)
        {
            var analyzers = ImmutableArray.Create<DiagnosticAnalyzer>(
                new GO0002FaultPathSyncAnalyzer(),
                new GO0004LockDisciplineAnalyzer(),
                new GO0005SecurityBypassAnalyzer(),
                new GO0007FaultPathAssumedAnalyzer());
            var compilation = AnalyzerHarness.Compile(source);
            var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
            Assert.True(errors.Count == 0, "test source does not compile:\n" + string.Join("\n", errors));
            var run = await AnalyzerHarness.RunAsync(compilation, analyzers);
            run.AssertNoAnalyzerException(source);
            return run.Diagnostics;
        }

        /// <summary>
        /// Replaces the lines of <paramref name="source"/> whose trimmed text is <paramref name="old"/>'s
        /// lines (indentation ignored) by <paramref name="replacement"/>; fails when they are not there,
        /// so a mutant can never silently equal the original.
        /// </summary>
        public static string Mutate(string source, string old, string replacement)
        {
            var lines = source.Replace("\r\n", "\n").Split('\n');
            var wanted = old.Replace("\r\n", "\n").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
            if (wanted.Length > 1 || old.Contains('\n'))
            {
                for (int i = 0; i < lines.Length; i++)
                {
                    // Match the wanted lines in order from line i, skipping blank lines of the source.
                    int j = i, k = 0;
                    while (j < lines.Length && k < wanted.Length)
                    {
                        var line = lines[j].Trim();
                        if (line.Length == 0 && k > 0)
                        {
                            j++;
                            continue;
                        }

                        if (line != wanted[k])
                        {
                            break;
                        }

                        j++;
                        k++;
                    }

                    if (k == wanted.Length)
                    {
                        return string.Join("\n", lines.Take(i).Concat(new[] { replacement }).Concat(lines.Skip(j)));
                    }
                }
            }
            else if (source.Contains(old))
            {
                return source.Replace(old, replacement);
            }

            Assert.Fail("mutation target not found:\n" + old);
            return source;
        }

        /// <summary>The ids and messages, one per line, for assertion messages.</summary>
        public static string Show(ImmutableArray<Diagnostic> diagnostics) =>
            string.Join("\n", diagnostics.Select(d => d.Id + " " + d.Location.GetLineSpan().StartLinePosition.Line + ": " + d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)));

        public static void AssertReports(ImmutableArray<Diagnostic> diagnostics, string id, params string[] fragments)
        {
            Assert.True(
                diagnostics.Any(d => d.Id == id && fragments.All(f => d.GetMessage(System.Globalization.CultureInfo.InvariantCulture).Contains(f))),
                "expected " + id + " mentioning [" + string.Join(" | ", fragments) + "], got:\n" + Show(diagnostics));
        }

        public static void AssertSilent(ImmutableArray<Diagnostic> diagnostics, params string[] ids)
        {
            var found = diagnostics.Where(d => ids.Length == 0 ? d.Severity >= DiagnosticSeverity.Warning : ids.Contains(d.Id)).ToList();
            Assert.True(found.Count == 0, "expected no " + string.Join("/", ids) + ", got:\n" + Show(diagnostics));
        }
    }
}
