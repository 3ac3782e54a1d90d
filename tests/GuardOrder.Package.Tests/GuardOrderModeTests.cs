using System;
using System.Linq;
using System.Threading.Tasks;
using GuardOrder.Package.Tests.Infrastructure;

namespace GuardOrder.Package.Tests
{
    /// <summary>
    /// The one CI switch: <c>&lt;GuardOrderMode&gt;strict&lt;/GuardOrderMode&gt;</c> makes every GO rule an
    /// error (the package's build/GuardOrder.targets wires build/presets/GuardOrder.strict.globalconfig);
    /// <c>recommended</c> keeps the shipped severities. The consumer violates every rule once.
    /// </summary>
    [Collection(PackageCollection.Name)]
    [Trait("Category", "EndToEnd")]
    [Trait("Category", "Slow")]
    public sealed class GuardOrderModeTests
    {
        private readonly PackageFixture fixture;

        public GuardOrderModeTests(PackageFixture fixture)
        {
            this.fixture = fixture;
        }

        [Fact]
        public async Task Strict_MakesEveryRuleAnError_FailsTheBuild()
        {
            var ids = RepoPaths.RuleIds();
            Assert.True(ids.Count >= 6, "rule ids not found: " + string.Join(", ", ids));

            var byDefault = await BuildAsync("DefaultMode", mode: null);
            var reported = byDefault.Select(d => d.Id).Distinct().OrderBy(i => i, StringComparer.Ordinal).ToList();
            // Sources.EveryRule must violate every rule the analyzers ship (add one for a new rule); a build
            // prints the info-level ones (GO0007) only once a mode raises them.
            Assert.Equal(RepoPaths.RuleIds(includeInfo: false), reported);
            Assert.Contains(byDefault, d => d.Severity == "warning");

            var strict = await BuildAsync("StrictMode", mode: "strict", expectFailure: true);
            Assert.Equal(ids, strict.Select(d => d.Id).Distinct().OrderBy(i => i, StringComparer.Ordinal).ToList());
            Assert.All(strict, d => Assert.Equal("error", d.Severity));
        }

        [Fact]
        public async Task Recommended_KeepsTheShippedSeverities_UnknownModeWarns()
        {
            var byDefault = await BuildAsync("DefaultMode2", mode: null);
            var recommended = await BuildAsync("RecommendedMode", mode: "recommended");
            Assert.Equal(
                byDefault.Select(d => d.Id + ":" + d.Severity).Distinct().OrderBy(s => s, StringComparer.Ordinal),
                recommended.Select(d => d.Id + ":" + d.Severity).Distinct().OrderBy(s => s, StringComparer.Ordinal));

            var consumer = fixture.CreateConsumer("UnknownMode");
            consumer.WriteFile("Mm.cs", Sources.Fixed);
            var build = await consumer.BuildAsync("-p:GuardOrderMode=stritc");
            Assert.True(build.ExitCode == 0, build.ToString());
            Assert.Contains("GuardOrderMode 'stritc' is not known", build.Output, StringComparison.Ordinal);
        }

        private async Task<System.Collections.Generic.IReadOnlyList<BuildDiagnostic>> BuildAsync(string name, string? mode, bool? expectFailure = null)
        {
            var consumer = fixture.CreateConsumer(name);
            consumer.WriteFile("Kernel.cs", Sources.EveryRule);
            if (mode is not null)
            {
                // As the README shows it: a property in the project file.
                var csproj = consumer.ReadFile(name + ".csproj");
                consumer.WriteFile(name + ".csproj", csproj.Replace(
                    "<TargetFramework>net10.0</TargetFramework>",
                    "<TargetFramework>net10.0</TargetFramework>\n    <GuardOrderMode>" + mode + "</GuardOrderMode>",
                    StringComparison.Ordinal));
            }

            var build = await consumer.BuildAsync();
            if (expectFailure is bool failure)
            {
                Assert.True((build.ExitCode != 0) == failure, build.ToString());
            }

            Assert.DoesNotContain(ConsumerProject.Diagnostics(build, "CS"), d => d.Severity == "error");
            return ConsumerProject.Diagnostics(build);
        }
    }
}
