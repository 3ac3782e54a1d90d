using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;

namespace GuardOrder.Tests.SampleBuild
{
    /// <summary>
    /// The README's main job, end to end: building the real sample-mm with the analyzers from
    /// source. The as-posted switch shows GO0001 at the review's first rework (NUMA test before the
    /// VM_WRITE test); the default build has no GuardOrder diagnostic; `dotnet format analyzers`
    /// applies the fix.
    /// </summary>
    [Trait("Category", "SampleBuild")]
    [Trait("Category", "Slow")]
    public sealed class SampleBuildTests : IClassFixture<SampleBuildFixture>
    {
        private readonly SampleBuildFixture fixture;

        public SampleBuildTests(SampleBuildFixture fixture)
        {
            this.fixture = fixture;
        }

        [Fact]
        public void AsPostedBuild_ReportsGO0001AtTheFirstReworksVmWriteTest()
        {
            var result = fixture.AsPosted;
            Assert.True(result.ExitCode == 0, "The as-posted build failed (as-posted findings are warnings by sample-mm/.editorconfig).\n" + result);

            var (file, line, column) = FindFirstRework(fixture.SampleDirectory);
            var expected = new Regex(
                Regex.Escape(Path.Combine("as-posted", Path.GetFileName(file))) + @"\(" + line + "," + column + @"\): (warning|error) GO0001: Security check '\(vma\.vm_flags & VM_WRITE\) == 0' should come before 'if \(\(cp_flags & MM_CP_PROT_NUMA\) != 0\) return false'");
            var go0001 = result.GuardOrderDiagnostics("GO0001");
            Assert.True(
                go0001.Any(d => expected.IsMatch(d)),
                "Expected GO0001 at " + file + "(" + line + "," + column + "). GO0001 lines:\n" + string.Join("\n", go0001) + "\n\n" + result);

            // Every GO0001 of the switch build is in the as-posted files: the port itself is clean.
            Assert.All(go0001, d => Assert.Contains(Path.DirectorySeparatorChar + "as-posted" + Path.DirectorySeparatorChar, d));
        }

        /// <summary>Issue 10: every GO0002–GO0005 result of the as-posted build carries relatedLocations into source.</summary>
        [Fact]
        public void AsPostedSarif_HasRelatedLocationsOnEverySyncResult()
        {
            Assert.True(File.Exists(fixture.AsPostedSarif), "no SARIF log written\n" + fixture.AsPosted);
            using var document = System.Text.Json.JsonDocument.Parse(File.ReadAllText(fixture.AsPostedSarif));
            Assert.Equal("2.1.0", document.RootElement.GetProperty("version").GetString());
            var results = document.RootElement.GetProperty("runs").EnumerateArray()
                .SelectMany(run => run.TryGetProperty("results", out var r) ? r.EnumerateArray() : Enumerable.Empty<System.Text.Json.JsonElement>())
                .Where(r => r.GetProperty("ruleId").GetString() is "GO0002" or "GO0003" or "GO0004" or "GO0005")
                .ToList();
            Assert.NotEmpty(results);
            foreach (var result in results)
            {
                Assert.True(result.TryGetProperty("relatedLocations", out var related) && related.GetArrayLength() > 0, "no relatedLocations: " + result);
                foreach (var location in related.EnumerateArray())
                {
                    var uri = location.GetProperty("physicalLocation").GetProperty("artifactLocation").GetProperty("uri").GetString();
                    Assert.EndsWith(".cs", uri, StringComparison.Ordinal);
                    Assert.Contains("sample-mm", uri, StringComparison.Ordinal);
                }
            }
        }

        [Fact]
        public void DefaultBuild_IsCleanOfGuardOrderDiagnostics()
        {
            var result = fixture.Default;
            Assert.True(result.ExitCode == 0, "The default build of sample-mm failed.\n" + result);
            Assert.True(result.GuardOrderDiagnostics().Count == 0, "The default build reported GuardOrder diagnostics.\n" + result);
            Assert.DoesNotContain("CS9057", result.Output); // the analyzer was not skipped for a too-new Roslyn reference
        }

        [Fact]
        public void DotnetFormat_AppliesTheFix_ThenVerifiesClean()
        {
            var (file, line, _) = FindFirstRework(fixture.SampleDirectory);
            var before = File.ReadAllLines(file);
            var numaLine = Array.FindIndex(before, l => l.Contains("if ((cp_flags & MM_CP_PROT_NUMA) != 0)", StringComparison.Ordinal)) + 1;
            Assert.True(numaLine > 0 && numaLine < line, "The first rework no longer tests NUMA before VM_WRITE: " + file);

            var format = SampleBuildFixture.Run(fixture.SampleDirectory, asPosted: true, "format", "analyzers", "sample-mm.csproj", "--diagnostics", "GO0001", "--severity", "info", "--no-restore");
            Assert.True(format.ExitCode == 0, "dotnet format failed.\n" + format);

            var after = File.ReadAllText(file);
            var write = after.IndexOf("// Never apply write bit if VM_WRITE not set.", StringComparison.Ordinal);
            var writeTest = after.IndexOf("if ((vma.vm_flags & VM_WRITE) == 0)", StringComparison.Ordinal);
            var numaComment = after.IndexOf("// It is unclear whether this optimization can be done safely for NUMA pages.", StringComparison.Ordinal);
            var numaTest = after.IndexOf("if ((cp_flags & MM_CP_PROT_NUMA) != 0)", StringComparison.Ordinal);
            Assert.True(write >= 0 && write < writeTest && writeTest < numaComment && numaComment < numaTest, "dotnet format did not move the VM_WRITE block (with its comment) above the NUMA block:\n" + after + "\n" + format);

            var verify = SampleBuildFixture.Run(fixture.SampleDirectory, asPosted: true, "format", "analyzers", "sample-mm.csproj", "--diagnostics", "GO0001", "--severity", "info", "--no-restore", "--verify-no-changes");
            Assert.True(verify.ExitCode == 0, "Applying the fix a second time would still change something.\n" + verify);
        }

        /// <summary>The as-posted file where the NUMA guard precedes the VM_WRITE guard, and the VM_WRITE condition's line and column (1-based).</summary>
        private static (string File, int Line, int Column) FindFirstRework(string sampleDirectory)
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(sampleDirectory, "as-posted"), "*.cs").OrderBy(f => f, StringComparer.Ordinal))
            {
                var lines = File.ReadAllLines(file);
                var numa = Array.FindIndex(lines, l => l.TrimStart().StartsWith("if ((cp_flags & MM_CP_PROT_NUMA) != 0)", StringComparison.Ordinal));
                var write = Array.FindIndex(lines, l => l.TrimStart().StartsWith("if ((vma.vm_flags & VM_WRITE) == 0)", StringComparison.Ordinal));
                if (numa >= 0 && write > numa)
                {
                    return (file, write + 1, lines[write].IndexOf("if (", StringComparison.Ordinal) + "if (".Length + 1);
                }
            }

            throw new InvalidOperationException("No as-posted file tests MM_CP_PROT_NUMA before VM_WRITE under " + sampleDirectory);
        }
    }
}
