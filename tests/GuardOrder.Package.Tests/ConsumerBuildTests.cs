using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using GuardOrder.Package.Tests.Infrastructure;

namespace GuardOrder.Package.Tests
{
    /// <summary>
    /// A fresh project with nothing but <c>&lt;PackageReference Include="GuardOrder"/&gt;</c>, built with
    /// the real SDK: the analyzer runs from the package, severities come from .editorconfig and the
    /// three suppression routes work.
    /// </summary>
    [Collection(PackageCollection.Name)]
    [Trait("Category", "EndToEnd")]
    [Trait("Category", "Slow")]
    public sealed class ConsumerBuildTests
    {
        private const string LegacySection = "[Legacy.cs]\ndotnet_diagnostic.GO0001.severity = none\n";

        private readonly PackageFixture fixture;

        public ConsumerBuildTests(PackageFixture fixture)
        {
            this.fixture = fixture;
        }

        [Fact]
        public async Task Build_ReportsGO0001WarningAtFileAndLine_AndHonoursSuppressions()
        {
            var consumer = CreateConsumerWithViolations("WarningConsumer");
            consumer.WriteFile(".editorconfig", "root = true\n\n" + LegacySection);

            var build = await consumer.BuildAsync();

            Assert.True(build.ExitCode == 0, "a GO0001 warning must not fail the build\n" + build);
            var diagnostics = ConsumerProject.Diagnostics(build);
            // Exactly one: the unsuppressed violation. Pragma.cs, Suppressed.cs and Legacy.cs stay silent.
            var single = Assert.Single(diagnostics);
            Assert.Equal("GO0001", single.Id);
            Assert.Equal("warning", single.Severity);
            Assert.Equal(Path.Combine(consumer.Directory, "Mm.cs"), single.File);
            Assert.Equal(Sources.LineOf(Sources.Violation, Sources.ViolationMarker), single.Line);
            Assert.Contains("VM_WRITE", single.Message, System.StringComparison.Ordinal);
        }

        [Fact]
        public async Task EditorConfigErrorSeverity_FailsTheBuild_SuppressionsStillHold()
        {
            var consumer = CreateConsumerWithViolations("ErrorConsumer");
            consumer.WriteFile(".editorconfig", "root = true\n\n[*.cs]\ndotnet_diagnostic.GO0001.severity = error\n\n" + LegacySection);

            var build = await consumer.BuildAsync();

            Assert.True(build.ExitCode != 0, "GO0001 as error must fail the build\n" + build);
            var diagnostics = ConsumerProject.Diagnostics(build);
            var single = Assert.Single(diagnostics);
            Assert.Equal("error", single.Severity);
            Assert.Equal("GO0001", single.Id);
            Assert.EndsWith("Mm.cs", single.File, System.StringComparison.Ordinal);
            Assert.Equal(Sources.LineOf(Sources.Violation, Sources.ViolationMarker), single.Line);
            Assert.DoesNotContain(ConsumerProject.Diagnostics(build, "CS"), d => d.Severity == "error");
        }

        [Fact]
        public async Task FixedOrder_BuildsClean_WithRulesAsErrors()
        {
            var consumer = fixture.CreateConsumer("CleanConsumer");
            consumer.WriteFile("Mm.cs", Sources.Fixed);
            consumer.WriteFile(".editorconfig", "root = true\n\n[*.cs]\ndotnet_diagnostic.GO0001.severity = error\n");

            var build = await consumer.BuildAsync();

            Assert.True(build.ExitCode == 0, build.ToString());
            Assert.Empty(ConsumerProject.Diagnostics(build));
        }

        /// <summary>
        /// A compiler hosted by .NET on linux-x64 is handed the ReadyToRun image and its code fixes from
        /// r2r/net10.0/linux-x64 (build/GuardOrder.targets) and reports what the IL assembly reports;
        /// <c>-p:GuardOrderReadyToRun=false</c> hands it analyzers/dotnet/cs. Elsewhere the IL is always used.
        /// </summary>
        [Fact]
        public async Task ReadyToRunImage_OnLinuxX64_ReportsWhatTheILReports_AndCanBeTurnedOff()
        {
            var consumer = CreateConsumerWithViolations("ReadyToRunConsumer");
            consumer.WriteFile(".editorconfig", "root = true\n\n" + LegacySection);
            var packageDirectory = Path.Combine(fixture.PackagesDirectory, "guardorder", fixture.Version);

            var r2r = await consumer.BuildAsync("-v:n");
            var il = await consumer.BuildAsync("-v:n", "-p:GuardOrderReadyToRun=false");
            Assert.True(r2r.ExitCode == 0, r2r.ToString());
            Assert.True(il.ExitCode == 0, il.ToString());

            string Analyzer(string folder, string dll) => "/analyzer:" + Path.Combine(packageDirectory, folder, dll);
            var readyToRunFolder = Path.Combine("r2r", "net" + System.Environment.Version.ToString(2), "linux-x64");
            var ilFolder = Path.Combine("analyzers", "dotnet", "cs");
            if (System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier == "linux-x64")
            {
                Assert.Contains(Analyzer(readyToRunFolder, "GuardOrder.Analyzers.dll"), r2r.Output, System.StringComparison.Ordinal);
                Assert.Contains(Analyzer(readyToRunFolder, "GuardOrder.CodeFixes.dll"), r2r.Output, System.StringComparison.Ordinal);
                Assert.DoesNotContain(Analyzer(ilFolder, "GuardOrder.Analyzers.dll"), r2r.Output, System.StringComparison.Ordinal);
            }
            else
            {
                Assert.Contains(Analyzer(ilFolder, "GuardOrder.Analyzers.dll"), r2r.Output, System.StringComparison.Ordinal);
            }

            Assert.Contains(Analyzer(ilFolder, "GuardOrder.Analyzers.dll"), il.Output, System.StringComparison.Ordinal);
            Assert.DoesNotContain(Analyzer(readyToRunFolder, "GuardOrder.Analyzers.dll"), il.Output, System.StringComparison.Ordinal);
            foreach (var id in new[] { "CS8032", "AD0001" })
            {
                Assert.DoesNotContain(id, r2r.Output, System.StringComparison.Ordinal);
            }

            // At -v:n MSBuild prefixes a line with its node ("1>") and may print a warning twice.
            static List<(string Id, string File, int Line, string Message)> Reported(ProcessResult build) =>
                ConsumerProject.Diagnostics(build).Select(d => (d.Id, Path.GetFileName(d.File), d.Line, d.Message)).Distinct().ToList();
            var expected = Reported(il);
            Assert.Equal("Mm.cs", Assert.Single(expected).File);
            Assert.Equal(expected, Reported(r2r));
        }

        private ConsumerProject CreateConsumerWithViolations(string name)
        {
            var consumer = fixture.CreateConsumer(name);
            consumer.WriteFile("Mm.cs", Sources.Violation);
            consumer.WriteFile("Pragma.cs", Sources.Pragma);
            consumer.WriteFile("Suppressed.cs", Sources.SuppressMessage);
            consumer.WriteFile("Legacy.cs", Sources.EditorConfigNone);
            return consumer;
        }
    }
}
