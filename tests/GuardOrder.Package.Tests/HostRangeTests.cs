using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using GuardOrder.Package.Tests.Infrastructure;

namespace GuardOrder.Package.Tests
{
    /// <summary>
    /// The analyzers are compiled against Roslyn 4.8 and claim every host from there on. The oldest
    /// compiler served here, Microsoft.Net.Compilers.Toolset 4.14.0 (the compiler of VS 2022 17.14),
    /// builds a consumer of the packed GuardOrder and must load and run them: GO0001 reported, and no
    /// CS8032 (analyzer cannot be created), CS9057 (analyzer needs a newer compiler) or AD0001
    /// (analyzer threw).
    /// </summary>
    [Collection(PackageCollection.Name)]
    [Trait("Category", "EndToEnd")]
    [Trait("Category", "Slow")]
    public sealed class HostRangeTests
    {
        public const string ToolsetVersion = "4.14.0";

        private readonly PackageFixture fixture;

        public HostRangeTests(PackageFixture fixture)
        {
            this.fixture = fixture;
        }

        [Fact]
        public async Task CompilerFromToolset414_LoadsTheAnalyzers_ReportsGO0001()
        {
            var project = fixture.CreateProjectDirectory("Toolset414");
            project.WriteFile(project.Name + ".csproj", $@"<Project Sdk=""Microsoft.NET.Sdk"">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <!-- The 4.14 compiler knows C# 13 at most; the SDK would ask it for C# 14. -->
    <LangVersion>12</LangVersion>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include=""GuardOrder"" Version=""{fixture.Version}"" PrivateAssets=""all"" />
    <PackageReference Include=""Microsoft.Net.Compilers.Toolset"" Version=""{ToolsetVersion}"" PrivateAssets=""all"" />
  </ItemGroup>
</Project>
");
            project.WriteFile("Mm.cs", Sources.Violation);
            var restore = await project.RestoreAsync();
            Assert.True(restore.ExitCode == 0, restore.ToString());

            // Under SDK 10 the package's props alone do not switch the compiler (the SDK sets these two
            // after them); as global properties they do.
            var tasks = Path.Combine(fixture.PackagesDirectory, "microsoft.net.compilers.toolset", ToolsetVersion, "tasks", "netcore");
            var build = await project.BuildAsync(
                "-v:n",
                "-p:RoslynTasksAssembly=" + Path.Combine(tasks, "Microsoft.Build.Tasks.CodeAnalysis.dll"),
                "-p:CSharpCoreTargetsPath=" + Path.Combine(tasks, "Microsoft.CSharp.Core.targets"));

            Assert.True(build.ExitCode == 0, build.ToString());
            // The 4.14 compiler really ran (not the SDK's own csc).
            Assert.Contains(Path.Combine(tasks, "bincore", "csc.dll"), build.Output, StringComparison.Ordinal);
            Assert.DoesNotContain(Path.Combine("Roslyn", "bincore", "csc "), build.Output, StringComparison.Ordinal);
            foreach (var id in new[] { "CS8032", "CS9057", "AD0001" })
            {
                Assert.DoesNotContain(id, build.Output, StringComparison.Ordinal);
            }

            var go = ConsumerProject.Diagnostics(build).Select(d => (d.Id, d.Line)).Distinct().ToList();
            Assert.Equal(new[] { ("GO0001", Sources.LineOf(Sources.Violation, Sources.ViolationMarker)) }, go);
        }
    }
}
