using System;
using System.Threading.Tasks;
using GuardOrder.Package.Tests.Infrastructure;

namespace GuardOrder.Package.Tests
{
    /// <summary>`dotnet format analyzers --diagnostics GO0001` applies the packaged fix from the command line.</summary>
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

        private static Task<ProcessResult> Format(ConsumerProject consumer, bool verify)
        {
            var arguments = new System.Collections.Generic.List<string>
            {
                "format", "analyzers", consumer.ProjectPath, "--diagnostics", "GO0001", "--severity", "info", "--no-restore", "-v", "d",
            };
            if (verify)
            {
                arguments.Add("--verify-no-changes");
            }

            return consumer.DotnetAsync(arguments.ToArray());
        }
    }
}
