using System;
using System.Threading.Tasks;
using GuardOrder.Package.Tests.Infrastructure;

namespace GuardOrder.Package.Tests
{
    /// <summary>`dotnet format analyzers --diagnostics GO0001` (and GO0002) applies the packaged fix from the command line.</summary>
    [Collection(PackageCollection.Name)]
    [Trait("Category", "EndToEnd")]
    [Trait("Category", "Slow")]
    public sealed class DotnetFormatTests
    {
        private readonly PackageFixture fixture;

        public DotnetFormatTests(PackageFixture fixture)
        {
            this.fixture = fixture;
        }

        [Fact]
        public async Task FormatAnalyzers_FixesGO0001_VerifyNoChangesFailsBeforeAndPassesAfter()
        {
            var consumer = fixture.CreateConsumer("FormatConsumer");
            consumer.WriteFile("Mm.cs", Sources.Violation);
            var restore = await consumer.RestoreAsync();
            Assert.True(restore.ExitCode == 0, restore.ToString());

            var before = await Format(consumer, verify: true);
            Assert.True(before.ExitCode == 2, "--verify-no-changes must exit 2 while GO0001 is left to fix\n" + before);
            Assert.Equal(Sources.Violation, consumer.ReadFile("Mm.cs"));

            var fix = await Format(consumer, verify: false);
            Assert.True(fix.ExitCode == 0, fix.ToString());
            var fixedText = consumer.ReadFile("Mm.cs");
            Assert.True(
                fixedText.IndexOf(Sources.ViolationMarker, StringComparison.Ordinal) < fixedText.IndexOf(Sources.NumaMarker, StringComparison.Ordinal),
                "the VM_WRITE guard was not moved first:\n" + fixedText + "\n" + fix);
            // Each guard keeps its comment (the seed's diff is the model).
            Assert.Equal(Sources.Fixed, fixedText);

            var after = await Format(consumer, verify: true);
            Assert.True(after.ExitCode == 0, "--verify-no-changes must pass after the fix\n" + after);
        }

        /// <summary>The packaged GO0002 fix from the command line: the fault path's KSM test is added before the granting return.</summary>
        [Fact]
        public async Task FormatAnalyzers_FixesGO0002_AddsTheFaultPathsCheck()
        {
            const string Source = @"using GuardOrder;

namespace Consumer
{
    public sealed class Page { public bool Ksm; public int Count; }
    public sealed class Fault { public Page Page = new Page(); }

    public static class Kernel
    {
        [FaultPathCheck] public static bool PageKsm(Page page) => page.Ksm;
        [FaultPathCheck] public static int page_count(Page page) => page.Count;
        [WriteGrant] public static void reuse(Fault vmf) { }
        public static int copy(Fault vmf) => 0;

        public static int do_wp_page(Fault vmf)
        {
            if (PageKsm(vmf.Page) || page_count(vmf.Page) != 1)
                return copy(vmf);
            reuse(vmf);
            return 1;
        }

        [MustMatchFaultPath(nameof(do_wp_page))]
        public static bool may_reuse(Page page)
        {
            // only one reference: ours
            return page_count(page) == 1;
        }
    }
}
";
            var consumer = fixture.CreateConsumer("FormatGO0002Consumer");
            consumer.WriteFile("Kernel.cs", Source);
            var restore = await consumer.RestoreAsync();
            Assert.True(restore.ExitCode == 0, restore.ToString());

            var before = await Format(consumer, verify: true, "GO0002");
            Assert.True(before.ExitCode == 2, "--verify-no-changes must exit 2 while GO0002 is left to fix\n" + before);

            var fix = await Format(consumer, verify: false, "GO0002");
            Assert.True(fix.ExitCode == 0, fix.ToString());
            var expected = Source.Replace(
                "            // only one reference: ours\n",
                "            if (PageKsm(page))\n                return false;\n            // only one reference: ours\n");
            Assert.Equal(expected.Replace("\r\n", "\n"), consumer.ReadFile("Kernel.cs").Replace("\r\n", "\n"));

            var after = await Format(consumer, verify: true, "GO0002");
            Assert.True(after.ExitCode == 0, "--verify-no-changes must pass after the fix\n" + after);
        }

        private static Task<ProcessResult> Format(ConsumerProject consumer, bool verify, string rule = "GO0001")
        {
            var arguments = new System.Collections.Generic.List<string>
            {
                "format", "analyzers", consumer.ProjectPath, "--diagnostics", rule, "--severity", "info", "--no-restore", "-v", "d",
            };
            if (verify)
            {
                arguments.Add("--verify-no-changes");
            }

            return consumer.DotnetAsync(arguments.ToArray());
        }
    }
}
