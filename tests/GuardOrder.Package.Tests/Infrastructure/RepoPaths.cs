using System;
using System.IO;

namespace GuardOrder.Package.Tests.Infrastructure
{
    /// <summary>Locates the repository (the directory holding Analyzers.sln) from the test binaries.</summary>
    public static class RepoPaths
    {
        public static string Root { get; } = FindRoot();

        public static string PackageProject => Path.Combine(Root, "analyzers", "GuardOrder.Package", "GuardOrder.Package.csproj");

        public static string Solution => Path.Combine(Root, "Analyzers.sln");

        public static string Readme => Path.Combine(Root, "README.md");

        /// <summary>Every rule id the analyzers ship or are about to ship (the release-tracking files: the product's catalogue).</summary>
        public static System.Collections.Generic.IReadOnlyList<string> RuleIds() => RuleIds(includeInfo: true);

        /// <summary>The rule ids of the release files; without <paramref name="includeInfo"/>, only those a build prints by default (Warning, Error).</summary>
        public static System.Collections.Generic.IReadOnlyList<string> RuleIds(bool includeInfo)
        {
            var ids = new System.Collections.Generic.SortedSet<string>(StringComparer.Ordinal);
            foreach (var file in new[] { "AnalyzerReleases.Shipped.md", "AnalyzerReleases.Unshipped.md" })
            {
                foreach (var line in File.ReadAllLines(Path.Combine(Root, "analyzers", "GuardOrder.Analyzers", file)))
                {
                    var match = System.Text.RegularExpressions.Regex.Match(line, @"^(GO\d{4})\s*\|\s*\w+\s*\|\s*(\w+)");
                    if (match.Success && (includeInfo || match.Groups[2].Value is "Warning" or "Error"))
                    {
                        ids.Add(match.Groups[1].Value);
                    }
                }
            }

            return new System.Collections.Generic.List<string>(ids);
        }

        public static string SampleMm => Path.Combine(Root, "sample-mm");

        private static string FindRoot()
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null)
            {
                if (File.Exists(Path.Combine(directory.FullName, "Analyzers.sln")))
                {
                    return directory.FullName;
                }

                directory = directory.Parent;
            }

            throw new InvalidOperationException("Analyzers.sln not found above " + AppContext.BaseDirectory);
        }
    }
}
