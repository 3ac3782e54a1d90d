using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace GuardOrder.Tests.SampleBuild
{
    /// <summary>
    /// The sync fixes on sample-mm's three 2021 as-posted predicates, as the README shows them, on a
    /// scratch copy: <c>dotnet format analyzers sample-mm.csproj --diagnostics GO0002 GO0003 GO0004 GO0005</c>
    /// puts the posted patch's VM_WRITE test first (GO0005), gives each predicate the address its
    /// repair needs (<c>ulong addr</c>, as mainline's can_change_pte_writable() took in v6.0; the demo's
    /// call passes its own <c>addr</c>) and adds the fault path's checks (GO0002). The same command with
    /// GO0001 then leaves code that builds clean with every GO rule an error, as-posted files included,
    /// and so do the repaired predicates kept in tests/SampleMm.Tests/as-posted-fixed (which the port's
    /// outcome property runs).
    /// </summary>
    [Trait("Category", "SampleBuild")]
    [Trait("Category", "Slow")]
    public sealed class AsPostedFormatTests : IDisposable
    {
        private static readonly string[] Variants = { "posted", "v1", "reviewed" };

        private readonly string _root = SampleBuildFixture.CopyRepository("guardorder-asposted-format-");

        private string Sample => Path.Combine(_root, "sample-mm");

        private string AsPosted(string variant) => Path.Combine(Sample, "as-posted", "mprotect_2021_" + variant + ".cs");

        [Fact]
        public void Format_FixesEverySyncFinding_AndBuildsCleanWithEveryRuleAnError()
        {
            // The analyzers must be built before `dotnet format analyzers` can load them.
            var build = SampleBuildFixture.Run(_root, asPosted: false, "build", "sample-mm", "-p:AsPosted=true", "--disable-build-servers", "-nodeReuse:false");
            Assert.True(build.ExitCode == 0, build.ToString());
            Assert.NotEmpty(build.GuardOrderDiagnostics("GO0005"));
            Assert.NotEmpty(build.GuardOrderDiagnostics("GO0002"));

            // dotnet format applies the rules' fixes in no fixed order: on the posted predicate GO0005's fix
            // (VM_WRITE first) or GO0002's (VM_WRITE among the route's checks) may come first; either
            // leaves the VM_WRITE test on every route to 'return true' (no GO0005 left, checked below).
            var format = Format("GO0002", "GO0003", "GO0004", "GO0005");
            foreach (var variant in Variants)
            {
                var text = File.ReadAllText(AsPosted(variant));
                Assert.Contains("(pte_t pte, vm_area_struct vma, ulong cp_flags, ulong addr)", text, StringComparison.Ordinal);
                Assert.Contains("vm_normal_page(vma, addr, pte)", text, StringComparison.Ordinal);
            }

            // The demo's call passes the address it has.
            Assert.Contains("may_avoid_write_fault_2021_posted(pte, vma, cp_flags, addr)", File.ReadAllText(Path.Combine(Sample, "Program.cs")), StringComparison.Ordinal);

            var sarif = Path.Combine(_root, "after-format.sarif");
            var after = SampleBuildFixture.Run(_root, asPosted: false, "build", "sample-mm", "-p:AsPosted=true", "--no-incremental", "--disable-build-servers", "-nodeReuse:false", "-p:ErrorLog=" + sarif + "%2Cversion=2.1");
            Assert.True(after.ExitCode == 0, after.ToString());
            using (var log = JsonDocument.Parse(File.ReadAllText(sarif)))
            {
                var left = log.RootElement.GetProperty("runs")[0].GetProperty("results").EnumerateArray()
                    .Where(r => r.GetProperty("ruleId").GetString() is "GO0002" or "GO0003" or "GO0004" or "GO0005")
                    .Select(r => r.ToString())
                    .ToList();
                Assert.True(left.Count == 0, "sync findings left after the format:\n" + string.Join("\n", left) + "\n" + string.Join("\n", Variants.Select(v => File.ReadAllText(AsPosted(v)))));
            }

            var formatAll = Format("GO0001", "GO0002", "GO0003", "GO0004", "GO0005");

            // The repaired predicates tests/SampleMm.Tests runs through the port's outcome property (one
            // output of these commands, class renamed) are built here too, under the same rules.
            foreach (var variant in Variants)
            {
                File.Copy(Path.Combine(GuardOrder.Tests.Documentation.RuleCatalog.RepoRoot, "tests", "SampleMm.Tests", "as-posted-fixed", "mprotect_2021_" + variant + ".cs"), Path.Combine(Sample, "as-posted", "mprotect_2021_" + variant + "_fixed.cs"));
            }

            // Every GO rule an error, the as-posted files included.
            var editorconfig = Path.Combine(Sample, ".editorconfig");
            File.WriteAllText(editorconfig, Regex.Replace(File.ReadAllText(editorconfig), @"(dotnet_diagnostic\.GO\d{4}\.severity =) warning", "$1 error"));
            var strict = SampleBuildFixture.Run(_root, asPosted: false, "build", "sample-mm", "-p:AsPosted=true", "--no-incremental", "--disable-build-servers", "-nodeReuse:false");
            Assert.True(
                strict.ExitCode == 0 && strict.GuardOrderDiagnostics().Count == 0,
                "the fixed as-posted predicates do not build clean with every GO rule an error:\n" + strict + "\n" + formatAll + "\n" +
                string.Join("\n", Variants.Select(v => File.ReadAllText(AsPosted(v)))));
        }

        private CommandResult Format(params string[] ids)
        {
            var format = SampleBuildFixture.Run(Sample, asPosted: true, new[] { "format", "analyzers", "sample-mm.csproj", "--diagnostics" }.Concat(ids).Concat(new[] { "--severity", "info", "--no-restore" }).ToArray());
            Assert.True(format.ExitCode == 0, "dotnet format failed.\n" + format);
            return format;
        }

        public void Dispose()
        {
            try
            {
                Directory.Delete(_root, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}
