using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using GuardOrder.Package.Tests.Infrastructure;

namespace GuardOrder.Package.Tests
{
    /// <summary>SARIF 2.1 for GitHub code scanning, written by the compiler's ErrorLog.</summary>
    [Collection(PackageCollection.Name)]
    [Trait("Category", "EndToEnd")]
    public sealed class SarifTests
    {
        private readonly PackageFixture fixture;

        public SarifTests(PackageFixture fixture)
        {
            this.fixture = fixture;
        }

        [Fact]
        public async Task ErrorLog_WritesSarif21_WithRuleMetadataHelpUriAndLocations()
        {
            var consumer = fixture.CreateConsumer("SarifConsumer");
            consumer.WriteFile("Mm.cs", Sources.Violation);
            var sarifPath = consumer.PathOf("guardorder.sarif");

            // %2C is MSBuild's escaped comma: ErrorLog=<path>,version=2.1
            var build = await consumer.BuildAsync("-p:ErrorLog=" + sarifPath + "%2Cversion=2.1");

            Assert.True(build.ExitCode == 0, build.ToString());
            Assert.True(File.Exists(sarifPath), "no SARIF file written\n" + build);
            var text = File.ReadAllText(sarifPath);
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            Assert.Equal("2.1.0", root.GetProperty("version").GetString());
            Assert.Contains("sarif", root.GetProperty("$schema").GetString(), StringComparison.OrdinalIgnoreCase);

            var run = root.GetProperty("runs").EnumerateArray().Single();
            var results = run.GetProperty("results").EnumerateArray().ToList();

            // GitHub rejects results without a location: every result must carry one.
            foreach (var result in results)
            {
                Assert.True(
                    result.TryGetProperty("locations", out var locations) && locations.GetArrayLength() > 0,
                    "result without location: " + result + "\n" + text);
                var physical = locations[0].GetProperty("physicalLocation");
                Assert.False(string.IsNullOrEmpty(physical.GetProperty("artifactLocation").GetProperty("uri").GetString()));
                Assert.True(physical.GetProperty("region").GetProperty("startLine").GetInt32() > 0);
            }

            var go0001 = results.Where(r => r.GetProperty("ruleId").GetString() == "GO0001").ToList();
            var finding = Assert.Single(go0001);
            Assert.Equal("warning", finding.GetProperty("level").GetString());
            var location = finding.GetProperty("locations")[0].GetProperty("physicalLocation");
            Assert.EndsWith("Mm.cs", location.GetProperty("artifactLocation").GetProperty("uri").GetString(), StringComparison.Ordinal);
            Assert.Equal(
                Sources.LineOf(Sources.Violation, Sources.ViolationMarker),
                location.GetProperty("region").GetProperty("startLine").GetInt32());

            var rule = run.GetProperty("tool").GetProperty("driver").GetProperty("rules").EnumerateArray()
                .Single(r => r.GetProperty("id").GetString() == "GO0001");
            Assert.Equal("Security check is not the first guard", rule.GetProperty("shortDescription").GetProperty("text").GetString());
            Assert.False(string.IsNullOrEmpty(rule.GetProperty("fullDescription").GetProperty("text").GetString()));
            Assert.EndsWith("analyzers/docs/rules/GO0001.md", rule.GetProperty("helpUri").GetString(), StringComparison.Ordinal);
            Assert.Equal("GuardOrder", rule.GetProperty("properties").GetProperty("category").GetString());
        }
    }
}
