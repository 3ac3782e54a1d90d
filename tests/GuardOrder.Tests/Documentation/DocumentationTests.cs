using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;

namespace GuardOrder.Tests.Documentation
{
    /// <summary>
    /// Keeps the rule pages, the README rule table and the release-tracking files in step with
    /// the descriptors the analyzers really report (in the spirit of IDisposableAnalyzers'
    /// DocumentationTests).
    /// </summary>
    public sealed class DocumentationTests
    {
        private static readonly string[] RequiredSections =
        {
            "## What it checks", "## Why", "## Bad", "## Good", "## How to fix", "## Options", "## How to suppress",
        };

        public static IEnumerable<object[]> Ids => RuleCatalog.DescriptorIds();

        [Fact]
        public void EveryRuleIdFromGO0001ToGO0008IsDeclared()
        {
            Assert.Equal(
                new[] { "GO0001", "GO0002", "GO0003", "GO0004", "GO0005", "GO0006", "GO0007", "GO0008" },
                RuleCatalog.AllDescriptors.Select(d => d.Id));
        }

        [Fact]
        public void EverySupportedDescriptorIsTheDeclaredOne()
        {
            foreach (var supported in RuleCatalog.SupportedDescriptors)
            {
                var declared = RuleCatalog.DeclaredDescriptors.SingleOrDefault(d => d.Id == supported.Id);
                Assert.True(declared is not null, supported.Id + " is reported by an analyzer but not declared in Descriptors");
                Assert.Equal(declared!.Title.ToString(), supported.Title.ToString());
                Assert.Equal(declared.DefaultSeverity, supported.DefaultSeverity);
                Assert.Equal(declared.HelpLinkUri, supported.HelpLinkUri);
            }
        }

        [Fact]
        public void IdsAreUnique()
        {
            var duplicates = RuleCatalog.DeclaredDescriptors.GroupBy(d => d.Id).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
            Assert.True(duplicates.Count == 0, "duplicate ids: " + string.Join(", ", duplicates));

            // Two analyzers may report the same id only with the very same title/severity (one rule).
            foreach (var group in RuleCatalog.SupportedDescriptors.GroupBy(d => d.Id))
            {
                Assert.Single(group.Select(d => (d.Title.ToString(), d.DefaultSeverity)).Distinct());
            }
        }

        [Theory]
        [MemberData(nameof(Ids))]
        public void RuleHasPageWhoseTitleMatchesTheDescriptor(string id)
        {
            var descriptor = RuleCatalog.Descriptor(id);
            var page = Path.Combine(RuleCatalog.RulesDirectory, id + ".md");
            Assert.True(File.Exists(page), "missing rule page " + page);

            var lines = File.ReadAllLines(page);
            Assert.Equal($"# {id}: {descriptor.Title}", lines[0]);
            var text = File.ReadAllText(page);
            foreach (var section in RequiredSections)
            {
                Assert.True(lines.Any(l => l.TrimEnd() == section), $"{id}.md lacks the section '{section}'");
            }

            Assert.Contains("| Default severity | " + descriptor.DefaultSeverity + " |", text, StringComparison.Ordinal);
            Assert.Contains("| Code fix | " + (RuleCatalog.HasFix(id) ? "Yes" : "No") + " |", text, StringComparison.Ordinal);
            Assert.Contains($"#pragma warning disable {id}", text, StringComparison.Ordinal);
            Assert.Contains($"dotnet_diagnostic.{id}.severity", text, StringComparison.Ordinal);
        }

        [Theory]
        [MemberData(nameof(Ids))]
        public void HelpLinkPointsAtTheRulePage(string id)
        {
            var descriptor = RuleCatalog.Descriptor(id);
            Assert.StartsWith("https://", descriptor.HelpLinkUri, StringComparison.Ordinal);
            Assert.EndsWith("analyzers/docs/rules/" + id + ".md", descriptor.HelpLinkUri, StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(RuleCatalog.RulesDirectory, id + ".md")));
        }

        [Fact]
        public void NoOrphanRulePages()
        {
            var pages = Directory.GetFiles(RuleCatalog.RulesDirectory, "*.md").Select(Path.GetFileNameWithoutExtension).OrderBy(p => p).ToList();
            Assert.Equal(RuleCatalog.AllDescriptors.Select(d => d.Id), pages);
        }

        [Fact]
        public void ReadmeRuleTableListsEveryRuleWithTitleSeverityAndFix()
        {
            var readme = File.ReadAllText(Path.Combine(RuleCatalog.RepoRoot, "README.md"));
            var rows = Regex.Matches(readme, @"^\|\s*\[(?<id>GO\d{4})\]\((?<link>[^)]+)\)\s*\|(?<title>[^|]+)\|(?<severity>[^|]+)\|(?<fix>[^|]+)\|", RegexOptions.Multiline)
                .ToDictionary(m => m.Groups["id"].Value, m => m, StringComparer.Ordinal);

            foreach (var descriptor in RuleCatalog.AllDescriptors)
            {
                Assert.True(rows.TryGetValue(descriptor.Id, out var row), "README rule table has no row for " + descriptor.Id);
                Assert.Equal("analyzers/docs/rules/" + descriptor.Id + ".md", row!.Groups["link"].Value);
                Assert.Equal(descriptor.Title.ToString(), row.Groups["title"].Value.Trim());
                Assert.Equal(descriptor.DefaultSeverity.ToString(), row.Groups["severity"].Value.Trim());
                Assert.Equal(RuleCatalog.HasFix(descriptor.Id) ? "Yes" : "No", row.Groups["fix"].Value.Trim());
            }

            Assert.Equal(RuleCatalog.AllDescriptors.Length, rows.Count);
        }

        [Fact]
        public void UnshippedReleaseFileListsEveryRuleWithItsAnalyzer()
        {
            var path = Path.Combine(RuleCatalog.RepoRoot, "analyzers", "GuardOrder.Analyzers", "AnalyzerReleases.Unshipped.md");
            var shipped = File.ReadAllText(Path.Combine(RuleCatalog.RepoRoot, "analyzers", "GuardOrder.Analyzers", "AnalyzerReleases.Shipped.md"));
            var rows = File.ReadAllLines(path)
                .Select(l => l.Split('|').Select(c => c.Trim()).ToArray())
                .Where(c => c.Length == 4 && Regex.IsMatch(c[0], @"^GO\d{4}$"))
                .ToDictionary(c => c[0], StringComparer.Ordinal);

            foreach (var descriptor in RuleCatalog.AllDescriptors)
            {
                var listed = rows.TryGetValue(descriptor.Id, out var row) || shipped.Contains(descriptor.Id + " |", StringComparison.Ordinal);
                Assert.True(listed, descriptor.Id + " is in neither AnalyzerReleases.Unshipped.md nor Shipped.md");
                if (row is null)
                {
                    continue;
                }

                Assert.Equal(descriptor.Category, row[1]);
                Assert.Equal(descriptor.DefaultSeverity.ToString(), row[2]);

                // The Notes column names the analyzer class that reports the id.
                var analyzer = RuleCatalog.Analyzers.SingleOrDefault(a => a.GetType().Name == row[3]);
                Assert.True(analyzer is not null, $"{descriptor.Id}: no analyzer class '{row[3]}' in {RuleCatalog.AnalyzerAssembly.GetName().Name}");
                Assert.Contains(analyzer!.SupportedDiagnostics, d => d.Id == descriptor.Id);
            }
        }

        [Fact]
        public void DocumentedOptionsAreTheOnesTheAnalyzersRead()
        {
            // Every "guardorder.*" key declared as a constant in the analyzer assembly ...
            var keys = RuleCatalog.AnalyzerAssembly.GetTypes()
                .SelectMany(t => t.GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static))
                .Where(f => f.IsLiteral && f.FieldType == typeof(string))
                .Select(f => (string)f.GetRawConstantValue()!)
                .Where(v => v.StartsWith("guardorder.", StringComparison.Ordinal))
                .ToHashSet(StringComparer.Ordinal);
            Assert.NotEmpty(keys);

            // ... is documented in the README, and every key the docs mention exists.
            var readme = File.ReadAllText(Path.Combine(RuleCatalog.RepoRoot, "README.md"));
            var documents = Directory.GetFiles(RuleCatalog.RulesDirectory, "*.md").Select(File.ReadAllText).Append(readme).ToList();
            foreach (var key in keys)
            {
                Assert.Contains(key + " = ", readme, StringComparison.Ordinal);
            }

            var mentioned = documents.SelectMany(d => Regex.Matches(d, @"^\s*(?<key>guardorder\.[a-z_]+)\s*=", RegexOptions.Multiline).Select(m => m.Groups["key"].Value)).ToHashSet(StringComparer.Ordinal);
            Assert.NotEmpty(mentioned);
            Assert.True(mentioned.IsSubsetOf(keys), "documented options the analyzers do not read: " + string.Join(", ", mentioned.Except(keys)));
        }

        [Fact]
        public void EveryAnalyzerTypeReportsOnlyDocumentedIds()
        {
            Assert.NotEmpty(RuleCatalog.Analyzers);
            foreach (var analyzer in RuleCatalog.Analyzers)
            {
                Assert.NotEmpty(analyzer.SupportedDiagnostics);
                foreach (var descriptor in analyzer.SupportedDiagnostics)
                {
                    Assert.True(
                        File.Exists(Path.Combine(RuleCatalog.RulesDirectory, descriptor.Id + ".md")),
                        $"{analyzer.GetType().Name} reports {descriptor.Id}, which has no page");
                }
            }
        }
    }
}
