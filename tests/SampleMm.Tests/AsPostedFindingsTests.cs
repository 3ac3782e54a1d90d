using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit.Abstractions;

namespace SampleMm.Tests
{
    /// <summary>
    /// The header of each sample-mm/as-posted/*.cs file lists the GuardOrder findings the build
    /// reports in it (rule id, line, and the code the message names). This test runs the built
    /// analyzers (analyzers/GuardOrder.Analyzers/bin/*/netstandard2.0/GuardOrder.Analyzers.dll)
    /// over sample-mm with the as-posted files, as `dotnet build sample-mm -p:AsPosted=true` does,
    /// and compares. Wording of the messages may change freely; the rule, the line and the named
    /// code may not. To refresh the headers after an analyzer change:
    ///   GUARDORDER_REFRESH_FINDINGS=1 dotnet test tests/SampleMm.Tests --filter FullyQualifiedName~AsPostedFindingsTests
    /// </summary>
    public sealed class AsPostedFindingsTests
    {
        private const string begin = "// GuardOrder findings in this file";
        private const string end = "// (end of findings)";

        private readonly ITestOutputHelper output;

        public AsPostedFindingsTests(ITestOutputHelper output)
        {
            this.output = output;
        }

        private static string repo_root()
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Analyzers.sln")))
            {
                dir = dir.Parent;
            }

            return dir!.FullName;
        }

        /// <summary>The finding as the header states it: line, rule id, the code the message names.</summary>
        private sealed record finding(int line, string id, string[] names)
        {
            public override string ToString() => $"//   line {line}: {id} naming {string.Join(", ", names.Select(n => "`" + n + "`"))}";
        }

        private static readonly Regex header_line = new Regex(@"^//   line (\d+): (GO\d{4}) naming (.*)$");

        /// <summary>The code a message names: the text between single quotes (GO0001), else the functions it calls out, else the flags.</summary>
        private static string[] names_in(string message)
        {
            var quoted = Regex.Matches(message, @"'([^']+)'").Select(m => m.Groups[1].Value).ToArray();
            if (quoted.Length > 0)
            {
                return quoted.Take(1).ToArray();
            }

            var calls = Regex.Matches(message, @"\b([A-Za-z_][A-Za-z_0-9]*)\(").Select(m => m.Groups[1].Value).Distinct().ToArray();
            if (calls.Length > 0)
            {
                return calls;
            }

            // No code quoted or called: the flags it names (GO0005: VM_WRITE).
            return Regex.Matches(message, @"\b([A-Z][A-Z0-9]*_[A-Z0-9_]+)\b").Select(m => m.Groups[1].Value).Distinct().ToArray();
        }

        private static Dictionary<string, List<finding>> analyze(string root)
        {
            string analyzers_dll = Directory.EnumerateFiles(Path.Combine(root, "analyzers", "GuardOrder.Analyzers", "bin"), "GuardOrder.Analyzers.dll", SearchOption.AllDirectories)
                .OrderByDescending(File.GetLastWriteTimeUtc).First();
            var assembly = Assembly.LoadFrom(analyzers_dll);
            var analyzers = assembly.GetTypes()
                .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t) && t.GetCustomAttributes(typeof(DiagnosticAnalyzerAttribute), false).Length > 0)
                .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)
                .ToImmutableArray();

            string sample = Path.Combine(root, "sample-mm");
            var parse = new CSharpParseOptions(LanguageVersion.Latest, preprocessorSymbols: new[] { "AS_POSTED" });
            var trees = Directory.EnumerateFiles(sample, "*.cs", SearchOption.AllDirectories)
                .Where(f => !Path.GetRelativePath(sample, f).Split(Path.DirectorySeparatorChar).Any(p => p is "bin" or "obj"))
                .OrderBy(f => f, StringComparer.Ordinal)
                .Select(f => CSharpSyntaxTree.ParseText(File.ReadAllText(f), parse, f))
                .ToList();
            var tpa = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
            var references = tpa.Where(p => Path.GetFileName(p).StartsWith("System", StringComparison.Ordinal) || Path.GetFileName(p) is "mscorlib.dll" or "netstandard.dll")
                .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
                .Append(MetadataReference.CreateFromFile(typeof(GuardOrder.SecurityCheckAttribute).Assembly.Location));
            var compilation = CSharpCompilation.Create("SampleMm", trees, references, new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));
            Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
            var diagnostics = compilation.WithAnalyzers(analyzers).GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();

            var result = new Dictionary<string, List<finding>>(StringComparer.Ordinal);
            foreach (var f in Directory.EnumerateFiles(Path.Combine(sample, "as-posted"), "*.cs"))
            {
                result[Path.GetFullPath(f)] = new List<finding>();
            }

            // Findings only: info-level notes (GO0007, what the sync comparison assumed) are not findings.
            foreach (var d in diagnostics.Where(d => d.Id.StartsWith("GO", StringComparison.Ordinal) && d.Severity >= DiagnosticSeverity.Warning))
            {
                string path = Path.GetFullPath(d.Location.SourceTree!.FilePath);
                Assert.True(result.ContainsKey(path), "a GuardOrder finding outside as-posted/: " + d);
                result[path].Add(new finding(d.Location.GetLineSpan().StartLinePosition.Line + 1, d.Id, names_in(d.GetMessage())));
            }

            foreach (var list in result.Values)
            {
                list.Sort((a, b) => a.line != b.line ? a.line.CompareTo(b.line) : string.CompareOrdinal(a.id, b.id));
            }

            return result;
        }

        private static List<finding> stated(string text)
        {
            var list = new List<finding>();
            foreach (var line in text.Split('\n'))
            {
                var m = header_line.Match(line.TrimEnd('\r'));
                if (m.Success)
                {
                    var names = Regex.Matches(m.Groups[3].Value, "`([^`]*)`").Select(x => x.Groups[1].Value).ToArray();
                    list.Add(new finding(int.Parse(m.Groups[1].Value), m.Groups[2].Value, names));
                }
            }

            return list;
        }

        private static string with_header(string text, IEnumerable<finding> findings)
        {
            int b = text.IndexOf(begin, StringComparison.Ordinal);
            int e = text.IndexOf(end, StringComparison.Ordinal);
            Assert.True(b >= 0 && e > b, "no findings block in the header");
            var sb = new StringBuilder();
            sb.Append(begin).Append(" (`dotnet build sample-mm -p:AsPosted=true`; AsPostedFindingsTests keeps it in step):\n");
            foreach (var f in findings)
            {
                sb.Append(f).Append('\n');
            }

            sb.Append(end);
            return text[..b] + sb + text[(e + end.Length)..];
        }

        [Fact]
        public void Headers_StateTheFindingsTheBuildReports()
        {
            string root = repo_root();
            bool refresh = Environment.GetEnvironmentVariable("GUARDORDER_REFRESH_FINDINGS") == "1";
            for (int pass = 0; refresh && pass < 3; pass++)
            {
                foreach (var (path, findings) in analyze(root))
                {
                    File.WriteAllText(path, with_header(File.ReadAllText(path), findings));
                }
            }

            foreach (var (path, findings) in analyze(root))
            {
                var header = stated(File.ReadAllText(path));
                output.WriteLine(Path.GetFileName(path) + ":\n" + string.Join("\n", findings));
                Assert.True(
                    header.Count == findings.Count,
                    $"{Path.GetFileName(path)}: the header states {header.Count} findings, the analyzers report {findings.Count}:\n{string.Join("\n", findings)}\n(refresh: GUARDORDER_REFRESH_FINDINGS=1)");
                foreach (var h in header)
                {
                    Assert.True(
                        findings.Any(f => f.line == h.line && f.id == h.id && h.names.All(n => f.names.Contains(n))),
                        $"{Path.GetFileName(path)}: stated {h} is not reported; reported:\n{string.Join("\n", findings)}\n(refresh: GUARDORDER_REFRESH_FINDINGS=1)");
                }
            }
        }
    }
}
