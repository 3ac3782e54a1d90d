using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using GuardOrder.Package.Tests.Infrastructure;

namespace GuardOrder.Package.Tests
{
    /// <summary>
    /// The Microsoft.CodeAnalysis.Analyzers rules really run on the analyzer project: release
    /// tracking (RS2000-RS2008) and the RS1xxx analyzer-authoring rules. A copy of the project is
    /// broken on purpose (a rule dropped from AnalyzerReleases.Unshipped.md, an analyzer doing file
    /// I/O without concurrent execution) and must fail with those ids. That the real project is
    /// clean is shown by every build of it: it builds with TreatWarningsAsErrors.
    /// </summary>
    // In the package collection only to run one dotnet process at a time on small CI machines.
    [Collection(PackageCollection.Name)]
    [Trait("Category", "EndToEnd")]
    [Trait("Category", "Slow")]
    public sealed class AnalyzerHygieneTests
    {
        private const string Probe = @"using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace GuardOrder.Analyzers
{
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    internal sealed class HygieneProbeAnalyzer : DiagnosticAnalyzer
    {
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Descriptors.GO0001SecurityGuardFirst);

        public override void Initialize(AnalysisContext context)
        {
            context.RegisterCompilationAction(c => System.IO.File.ReadAllText(""probe""));
        }
    }
}
";

        [Fact]
        public async Task BrokenCopyOfTheAnalyzerProject_FailsWithReleaseTrackingAndAuthoringRules()
        {
            var work = Path.Combine(Path.GetTempPath(), "guardorder-hygiene-" + Guid.NewGuid().ToString("N").Substring(0, 8));
            Directory.CreateDirectory(work);
            // The repo's Directory.Build.props (LangVersion, Nullable, $(GuardOrderRoslynVersion)) and
            // Directory.Packages.props (the package versions).
            File.Copy(Path.Combine(RepoPaths.Root, "Directory.Build.props"), Path.Combine(work, "Directory.Build.props"));
            File.Copy(Path.Combine(RepoPaths.Root, "Directory.Packages.props"), Path.Combine(work, "Directory.Packages.props"));

            try
            {
                var source = Path.Combine(RepoPaths.Root, "analyzers", "GuardOrder.Analyzers");
                var copy = Path.Combine(work, "GuardOrder.Analyzers");
                CopyTree(source, copy);

                var unshipped = Path.Combine(copy, "AnalyzerReleases.Unshipped.md");
                var lines = File.ReadAllLines(unshipped);
                Assert.Contains(lines, l => l.StartsWith("GO0006 ", StringComparison.Ordinal));
                File.WriteAllLines(unshipped, lines.Where(l => !l.StartsWith("GO0006 ", StringComparison.Ordinal)));
                File.WriteAllText(Path.Combine(copy, "HygieneProbe.cs"), Probe);

                var build = await ProcessRunner.DotnetAsync(
                    copy,
                    new[] { "build", Path.Combine(copy, "GuardOrder.Analyzers.csproj"), "-nodeReuse:false", "-p:UseSharedCompilation=false", "-clp:NoSummary" },
                    TimeSpan.FromMinutes(4));

                Assert.True(build.ExitCode != 0, "the broken copy built:\n" + build);
                Assert.Contains("RS2000", build.Output, StringComparison.Ordinal);   // GO0006 not in any release
                Assert.Contains("'GO0006'", build.Output, StringComparison.Ordinal);
                Assert.Contains("RS1035", build.Output, StringComparison.Ordinal);   // file I/O banned in analyzers
                Assert.Contains("RS1026", build.Output, StringComparison.Ordinal);   // EnableConcurrentExecution missing
                Assert.Contains("RS1025", build.Output, StringComparison.Ordinal);   // ConfigureGeneratedCodeAnalysis missing
            }
            finally
            {
                try
                {
                    Directory.Delete(work, recursive: true);
                }
                catch (IOException)
                {
                }
            }
        }

        private static void CopyTree(string from, string to)
        {
            Directory.CreateDirectory(to);
            foreach (var file in Directory.GetFiles(from))
            {
                File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
            }

            foreach (var directory in Directory.GetDirectories(from))
            {
                var name = Path.GetFileName(directory);
                if (name is "bin" or "obj")
                {
                    continue;
                }

                CopyTree(directory, Path.Combine(to, name));
            }
        }
    }
}
