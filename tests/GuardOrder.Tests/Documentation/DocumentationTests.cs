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

        /// <summary>The first shipped id count: ids are public and never removed or renumbered.</summary>
        private const int ShippedRuleCount = 6;

        [Fact]
        public void RuleIdsAreNumberedFromGO0001WithoutGaps_AndNoneWasRemoved()
        {
            var ids = RuleCatalog.AllDescriptors.Select(d => d.Id).ToList();
            var expected = Enumerable.Range(1, ids.Count).Select(i => "GO" + i.ToString("D4", System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(expected, ids);
            Assert.True(ids.Count >= ShippedRuleCount, "a public rule id disappeared: " + string.Join(", ", ids));
        }

        /// <summary>
        /// Each page's "Reported by" row links the analyzer source that reports the id: the file exists,
        /// declares the page's analyzer class and uses the id's descriptor both in SupportedDiagnostics and
        /// when reporting. A rule with a fix names the fix's source the same way ("Fixed by").
        /// </summary>
        [Theory]
        [MemberData(nameof(Ids))]
        public void RulePageNamesTheFilesThatReportAndFixIt(string id)
        {
            var text = File.ReadAllText(Path.Combine(RuleCatalog.RulesDirectory, id + ".md"));
            var reportedBy = Regex.Match(text, @"^\| Reported by \| \[(?<path>analyzers/[^\]]+\.cs)\]\(\.\./\.\./(?<link>[^)]+)\) \|$", RegexOptions.Multiline);
            Assert.True(reportedBy.Success, id + ".md has no '| Reported by | [analyzers/...cs](../../...cs) |' row");
            Assert.Equal("analyzers/" + reportedBy.Groups["link"].Value, reportedBy.Groups["path"].Value);
            var file = Path.Combine(RuleCatalog.RepoRoot, reportedBy.Groups["path"].Value);
            Assert.True(File.Exists(file), id + ".md names " + file + ", which does not exist");
            var source = File.ReadAllText(file);

            var field = typeof(GuardOrder.Analyzers.Descriptors).GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
                .Single(f => f.FieldType == typeof(DiagnosticDescriptor) && ((DiagnosticDescriptor)f.GetValue(null)!).Id == id);
            var uses = Regex.Matches(source, @"\bDescriptors\." + field.Name + @"\b").Count;
            Assert.True(uses >= 2, $"{file} uses Descriptors.{field.Name} {uses} time(s): it neither declares nor reports {id}");

            var analyzer = Regex.Match(text, @"^\| Analyzer \| `(?<name>\w+)` \|$", RegexOptions.Multiline);
            Assert.True(analyzer.Success, id + ".md has no '| Analyzer | `Name` |' row");
            Assert.Matches(@"\bclass " + analyzer.Groups["name"].Value + @"\b", source);
            Assert.Contains(RuleCatalog.Analyzers, a => a.GetType().Name == analyzer.Groups["name"].Value && a.SupportedDiagnostics.Any(d => d.Id == id));

            var fixedBy = Regex.Match(text, @"^\| Fixed by \| \[(?<path>analyzers/[^\]]+\.cs)\]\(\.\./\.\./(?<link>[^)]+)\) \|$", RegexOptions.Multiline);
            Assert.Equal(RuleCatalog.HasFix(id), fixedBy.Success);
            if (fixedBy.Success)
            {
                Assert.Equal("analyzers/" + fixedBy.Groups["link"].Value, fixedBy.Groups["path"].Value);
                var fixFile = Path.Combine(RuleCatalog.RepoRoot, fixedBy.Groups["path"].Value);
                Assert.True(File.Exists(fixFile), id + ".md names " + fixFile + ", which does not exist");
                var provider = RuleCatalog.CodeFixes.First(f => f.FixableDiagnosticIds.Contains(id)).GetType().Name;
                Assert.Matches(@"\bclass " + provider + @"\b", File.ReadAllText(fixFile));
            }
        }

        /// <summary>
        /// The package's strict preset turns the GuardOrder category into errors, so it covers every rule
        /// only while every descriptor is in that category; the README shows the switch.
        /// </summary>
        [Fact]
        public void StrictPresetCoversEveryRule_AndTheReadmeShowsTheSwitch()
        {
            var presets = Path.Combine(RuleCatalog.RepoRoot, "analyzers", "GuardOrder.Package", "build", "presets");
            var strict = File.ReadAllText(Path.Combine(presets, "GuardOrder.strict.globalconfig"));
            var category = Regex.Match(strict, @"^dotnet_analyzer_diagnostic\.category-(?<category>\w+)\.severity = error$", RegexOptions.Multiline);
            Assert.True(category.Success, "the strict preset sets no category to error");
            Assert.All(RuleCatalog.AllDescriptors, d => Assert.Equal(category.Groups["category"].Value, d.Category));
            Assert.Contains("is_global = true", strict, StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(presets, "GuardOrder.recommended.globalconfig")));

            // The recommended preset states the shipped defaults: the category as warning, each error rule by id.
            var recommended = File.ReadAllText(Path.Combine(presets, "GuardOrder.recommended.globalconfig"));
            foreach (var descriptor in RuleCatalog.AllDescriptors.Where(d => d.DefaultSeverity == DiagnosticSeverity.Error))
            {
                Assert.Contains($"dotnet_diagnostic.{descriptor.Id}.severity = error", recommended, StringComparison.Ordinal);
            }

            var readme = File.ReadAllText(Path.Combine(RuleCatalog.RepoRoot, "README.md"));
            Assert.Contains("<GuardOrderMode>strict</GuardOrderMode>", readme, StringComparison.Ordinal);
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
