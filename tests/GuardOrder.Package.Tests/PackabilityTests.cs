using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using GuardOrder.Package.Tests.Infrastructure;

namespace GuardOrder.Package.Tests
{
    /// <summary>`dotnet pack Analyzers.sln` must produce exactly one package: GuardOrder.</summary>
    // In the package collection only to run one dotnet process at a time on small CI machines.
    [Collection(PackageCollection.Name)]
    [Trait("Category", "EndToEnd")]
    [Trait("Category", "Slow")]
    public sealed class PackabilityTests
    {
        [Fact]
        public async Task OnlyThePackageProjectIsPackable()
        {
            var solution = File.ReadAllText(RepoPaths.Solution);
            var projects = Regex.Matches(solution, @"""(?<path>[^""]+\.csproj)""")
                .Select(m => m.Groups["path"].Value.Replace('\\', Path.DirectorySeparatorChar))
                .Distinct()
                .ToList();
            Assert.True(projects.Count >= 5, "too few projects found in Analyzers.sln: " + string.Join(", ", projects));

            var packable = new System.Collections.Generic.List<string>();
            var results = await Task.WhenAll(projects.Select(async p =>
            {
                var result = await ProcessRunner.DotnetAsync(
                    RepoPaths.Root,
                    new[] { "msbuild", Path.Combine(RepoPaths.Root, p), "-getProperty:IsPackable", "-getProperty:PackageId", "-nodeReuse:false" },
                    TimeSpan.FromMinutes(2));
                return (Project: p, Result: result);
            }));

            foreach (var (project, result) in results)
            {
                Assert.True(result.ExitCode == 0, result.ToString());
                if (Regex.IsMatch(result.Output, @"""IsPackable""\s*:\s*""true""", RegexOptions.IgnoreCase))
                {
                    packable.Add(project);
                    Assert.Contains(@"""PackageId"": ""GuardOrder""", result.Output, StringComparison.Ordinal);
                }
            }

            Assert.Equal(new[] { Path.Combine("analyzers", "GuardOrder.Package", "GuardOrder.Package.csproj") }, packable);
        }
    }
}
