using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using GuardOrder.Package.Tests.Infrastructure;

namespace GuardOrder.Package.Tests
{
    /// <summary>
    /// SARIF 2.1 for GitHub code scanning, written by the compiler's ErrorLog, on a copy of sample-mm
    /// (consuming the package) with the 2021 as-posted predicates included: GO0001, GO0002, GO0003
    /// and GO0005 findings, each with a location, and rule metadata with a helpUri per rule.
    /// </summary>
    [Collection(PackageCollection.Name)]
    [Trait("Category", "EndToEnd")]
    [Trait("Category", "Slow")]
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
            var consumer = fixture.CreateSampleMmCopy("SarifSampleMm", asPosted: true);
            var sarifPath = consumer.PathOf("guardorder.sarif");

            // %2C is MSBuild's escaped comma: ErrorLog=<path>,version=2.1
            var build = await consumer.BuildAsync("-p:ErrorLog=" + sarifPath + "%2Cversion=2.1");

            Assert.True(build.ExitCode == 0, "the as-posted findings are warnings; the build must succeed\n" + build);
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
                    "result without location: " + result);
                var physical = locations[0].GetProperty("physicalLocation");
                Assert.False(string.IsNullOrEmpty(physical.GetProperty("artifactLocation").GetProperty("uri").GetString()));
                Assert.True(physical.GetProperty("region").GetProperty("startLine").GetInt32() > 0);
            }

            // Findings (warnings); GO0007 notes say what the sync comparison assumed and are not judged here.
            var guardOrderResults = results.Where(r => r.GetProperty("ruleId").GetString()!.StartsWith("GO", StringComparison.Ordinal) && r.GetProperty("ruleId").GetString() != "GO0007").ToList();
            var ids = guardOrderResults.Select(r => r.GetProperty("ruleId").GetString()!).ToHashSet();

            // The 2021 texts count pte_page(pte)'s references, not those of the page do_wp_page decides on
            // (vm_normal_page): GO0002 names the checks they lack; there is no GO0003 (no check of that page
            // is made outside the lock).
            foreach (var expected in new[] { "GO0001", "GO0002", "GO0005" })
            {
                Assert.True(ids.Contains(expected), $"no {expected} result in the SARIF log; GO results: {string.Join(", ", ids)}\n{build}");
            }

            // Every sync finding carries its evidence as relatedLocations (issue 10).
            foreach (var result in guardOrderResults.Where(r => r.GetProperty("ruleId").GetString() is "GO0002" or "GO0003" or "GO0004" or "GO0005"))
            {
                Assert.True(result.TryGetProperty("relatedLocations", out var related) && related.GetArrayLength() > 0, "no relatedLocations: " + result);
            }

            // Every GO result is in as-posted/ (the port itself is clean) and is a warning there.
            foreach (var result in guardOrderResults)
            {
                var uri = result.GetProperty("locations")[0].GetProperty("physicalLocation").GetProperty("artifactLocation").GetProperty("uri").GetString();
                Assert.Contains("/as-posted/", uri, StringComparison.Ordinal);
                Assert.Equal("warning", result.GetProperty("level").GetString());
            }

            // The review's finding: GO0001 at the VM_WRITE test of Peter Xu's first rework.
            var v1 = File.ReadAllText(consumer.PathOf(Path.Combine("as-posted", "mprotect_2021_v1.cs")));
            Assert.Contains(guardOrderResults, r =>
                r.GetProperty("ruleId").GetString() == "GO0001" &&
                r.GetProperty("locations")[0].GetProperty("physicalLocation").GetProperty("artifactLocation").GetProperty("uri").GetString()!.EndsWith("mprotect_2021_v1.cs", StringComparison.Ordinal) &&
                r.GetProperty("locations")[0].GetProperty("physicalLocation").GetProperty("region").GetProperty("startLine").GetInt32() == Sources.LineOf(v1, "if ((vma.vm_flags & VM_WRITE) == 0)"));

            // Rule metadata for every GO id reported: title, description, helpUri to its page, category.
            var rules = run.GetProperty("tool").GetProperty("driver").GetProperty("rules").EnumerateArray()
                .ToDictionary(r => r.GetProperty("id").GetString()!, r => r);
            foreach (var id in ids)
            {
                Assert.True(rules.TryGetValue(id, out var rule), "no rule metadata for " + id);
                Assert.False(string.IsNullOrEmpty(rule.GetProperty("shortDescription").GetProperty("text").GetString()));
                Assert.False(string.IsNullOrEmpty(rule.GetProperty("fullDescription").GetProperty("text").GetString()));
                Assert.EndsWith("analyzers/docs/rules/" + id + ".md", rule.GetProperty("helpUri").GetString(), StringComparison.Ordinal);
                Assert.Equal("GuardOrder", rule.GetProperty("properties").GetProperty("category").GetString());
            }

            Assert.Equal("Security check is not the first guard", rules["GO0001"].GetProperty("shortDescription").GetProperty("text").GetString());
        }
    }
}
