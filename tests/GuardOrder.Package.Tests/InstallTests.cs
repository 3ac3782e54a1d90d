using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using System.Xml.Linq;
using GuardOrder.Package.Tests.Infrastructure;

namespace GuardOrder.Package.Tests
{
    /// <summary>
    /// Every ordinary way of installing the packed GuardOrder gives compiling attributes and a
    /// reported GO0001, and `dotnet pack` of the consumer lists no GuardOrder dependency:
    /// `dotnet add package` on a fresh `dotnet new classlib`, the README's PackageReference, central
    /// package management (PackageVersion and GlobalPackageReference), and a two-project solution whose
    /// second project uses the first one's annotated members from metadata.
    /// </summary>
    [Collection(PackageCollection.Name)]
    [Trait("Category", "EndToEnd")]
    [Trait("Category", "Slow")]
    public sealed class InstallTests
    {
        private readonly PackageFixture fixture;

        public InstallTests(PackageFixture fixture)
        {
            this.fixture = fixture;
        }

        [Fact]
        public async Task DotnetAddPackage_FreshClasslib_AttributesCompile_GO0001_NoDependencyInPack()
        {
            var project = fixture.CreateProjectDirectory("AddPackage");
            var created = await project.DotnetAsync("new", "classlib", "-n", project.Name, "-o", project.Directory, "--framework", "net10.0");
            Assert.True(created.ExitCode == 0, created.ToString());
            File.Delete(project.PathOf("Class1.cs"));
            project.WriteFile("Mm.cs", Sources.Violation);

            var added = await project.DotnetAsync("add", project.ProjectPath, "package", "GuardOrder", "--version", fixture.Version);
            Assert.True(added.ExitCode == 0, added.ToString());
            // What the CLI writes for a development dependency: no `compile` asset. The attributes must
            // not depend on it.
            var csproj = project.ReadFile(project.Name + ".csproj");
            Assert.Contains("<PrivateAssets>all</PrivateAssets>", csproj, StringComparison.Ordinal);
            Assert.DoesNotContain("compile", csproj, StringComparison.Ordinal);

            await AssertReportsGO0001AndPacksWithoutGuardOrder(project);
        }

        [Fact]
        public async Task ReadmePackageReference_AttributesCompile_GO0001_NoDependencyInPack()
        {
            var snippet = ReadmeSnippet(@"<PackageReference Include=""GuardOrder""[^\n]*/>");
            var project = fixture.CreateProjectDirectory("ReadmeReference");
            project.WriteFile(project.Name + ".csproj", ClassLib("  <ItemGroup>\n    " + WithFixtureVersion(snippet) + "\n  </ItemGroup>\n"));
            project.WriteFile("Mm.cs", Sources.Violation);

            await AssertReportsGO0001AndPacksWithoutGuardOrder(project);
        }

        [Fact]
        public async Task CentralPackageManagement_PackageVersion_AttributesCompile_GO0001_NoDependencyInPack()
        {
            var project = fixture.CreateProjectDirectory("CentralVersion");
            project.WriteFile("Directory.Packages.props", CentralProps(
                "    " + WithFixtureVersion(ReadmeSnippet(@"<PackageVersion Include=""GuardOrder""[^\n]*/>"))));
            project.WriteFile(project.Name + ".csproj", ClassLib(
                "  <ItemGroup>\n    " + ReadmeSnippet(@"<PackageReference Include=""GuardOrder"" PrivateAssets[^\n]*/>") + "\n  </ItemGroup>\n"));
            project.WriteFile("Mm.cs", Sources.Violation);

            await AssertReportsGO0001AndPacksWithoutGuardOrder(project);
        }

        [Fact]
        public async Task CentralPackageManagement_GlobalPackageReference_AttributesCompile_GO0001_NoDependencyInPack()
        {
            var project = fixture.CreateProjectDirectory("CentralGlobal");
            project.WriteFile("Directory.Packages.props", CentralProps(
                "    " + WithFixtureVersion(ReadmeSnippet(@"<GlobalPackageReference Include=""GuardOrder""[^\n]*/>"))));
            project.WriteFile(project.Name + ".csproj", ClassLib(string.Empty));
            project.WriteFile("Mm.cs", Sources.Violation);

            await AssertReportsGO0001AndPacksWithoutGuardOrder(project);
        }

        /// <summary>
        /// Lib is annotated; App references Lib and GuardOrder, and its guards read Lib's
        /// [SecurityCheck] constant and call Lib's [FaultPathCheck] method, both seen from metadata
        /// (where their attributes are Lib's internal copies, not App's). GO0001 and GO0002 must still
        /// come from App's code.
        /// </summary>
        [Fact]
        public async Task TwoProjects_AnnotatedLibraryReferencedByAnotherProject_MetadataAnnotationsWork()
        {
            var root = fixture.CreateProjectDirectory("Solution");
            root.WriteFile("Lib/Lib.csproj", ClassLib(PackageReference()));
            root.WriteFile("Lib/Lib.cs", @"using GuardOrder;

namespace Lib
{
    public sealed class page { public bool ksm; }

    public static class Checks
    {
        [SecurityCheck] public const ulong VM_WRITE = 0x2;

        [FaultPathCheck] public static bool PageKsm(page page) => page.ksm;
    }
}
");
            root.WriteFile("App/App.csproj", ClassLib(PackageReference() + @"  <ItemGroup>
    <ProjectReference Include=""../Lib/Lib.csproj"" />
  </ItemGroup>
"));
            root.WriteFile("App/App.cs", @"using GuardOrder;
using Lib;

namespace App
{
    public static class Fault
    {
        public const ulong MM_CP_PROT_NUMA = 0x4;

        [WriteGrant] public static void reuse(page page) { }

        public static int do_wp_page(page page)
        {
            if (Checks.PageKsm(page))
                return 1;
            reuse(page);
            return 0;
        }

        public static bool numa_first(ulong vm_flags, ulong cp_flags)
        {
            if ((cp_flags & MM_CP_PROT_NUMA) != 0)
                return false;
            if ((vm_flags & Checks.VM_WRITE) == 0)   // GO0001
                return false;
            return true;
        }

        [MustMatchFaultPath(nameof(do_wp_page))]
        public static bool no_ksm_check(page page, ulong vm_flags)   // GO0002: never asks PageKsm
        {
            if ((vm_flags & Checks.VM_WRITE) == 0)
                return false;
            return true;
        }
    }
}
");
            var build = await root.DotnetAsync("build", root.PathOf("App/App.csproj"), "-nodeReuse:false", "-p:UseSharedCompilation=false", "-clp:NoSummary");

            Assert.True(build.ExitCode == 0, build.ToString());
            Assert.DoesNotContain(ConsumerProject.Diagnostics(build, "CS"), d => d.Severity == "error");
            var app = ConsumerProject.Diagnostics(build).Where(d => d.File.EndsWith("App.cs", StringComparison.Ordinal)).ToList();
            Assert.Contains(app, d => d.Id == "GO0001" && d.Message.Contains("Checks.VM_WRITE", StringComparison.Ordinal));
            Assert.Contains(app, d => d.Id == "GO0002" && d.Message.Contains("PageKsm", StringComparison.Ordinal));

            // The annotated library's own package carries no GuardOrder dependency either.
            await AssertPackHasNoGuardOrderDependency(root, root.PathOf("Lib/Lib.csproj"), "Lib");
        }

        private async Task AssertReportsGO0001AndPacksWithoutGuardOrder(ConsumerProject project)
        {
            var build = await project.BuildAsync();
            Assert.True(build.ExitCode == 0, build.ToString());
            Assert.DoesNotContain(ConsumerProject.Diagnostics(build, "CS"), d => d.Severity == "error");
            var single = Assert.Single(ConsumerProject.Diagnostics(build));
            Assert.Equal("GO0001", single.Id);
            Assert.Equal(Sources.LineOf(Sources.Violation, Sources.ViolationMarker), single.Line);

            await AssertPackHasNoGuardOrderDependency(project, project.ProjectPath, project.Name);
        }

        private static async Task AssertPackHasNoGuardOrderDependency(ConsumerProject project, string projectPath, string packageId)
        {
            var output = project.PathOf("packed");
            var pack = await project.DotnetAsync("pack", projectPath, "-o", output, "-nodeReuse:false", "-p:UseSharedCompilation=false", "-p:Version=1.0.0");
            Assert.True(pack.ExitCode == 0, pack.ToString());

            using var zip = ZipFile.OpenRead(Path.Combine(output, packageId + ".1.0.0.nupkg"));
            var entry = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
            using var stream = entry.Open();
            var nuspec = XDocument.Load(stream);
            var dependencies = nuspec.Descendants().Where(e => e.Name.LocalName == "dependency").Select(e => (string?)e.Attribute("id")).ToList();
            Assert.DoesNotContain(dependencies, id => string.Equals(id, "GuardOrder", StringComparison.OrdinalIgnoreCase));

            // Nor any GuardOrder assembly in the consumer's package.
            Assert.DoesNotContain(zip.Entries, e => e.Name.StartsWith("GuardOrder", StringComparison.OrdinalIgnoreCase));
        }

        private string PackageReference() =>
            "  <ItemGroup>\n    " + WithFixtureVersion(ReadmeSnippet(@"<PackageReference Include=""GuardOrder""[^\n]*/>")) + "\n  </ItemGroup>\n";

        private static string ClassLib(string items) => $@"<Project Sdk=""Microsoft.NET.Sdk"">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
  </PropertyGroup>
{items}</Project>
";

        private static string CentralProps(string item) => $@"<Project>
  <PropertyGroup>
    <ManagePackageVersionsCentrally>true</ManagePackageVersionsCentrally>
  </PropertyGroup>
  <ItemGroup>
{item}
  </ItemGroup>
</Project>
";

        /// <summary>The README's own snippet (first match), so the test installs exactly what users are told to write.</summary>
        private static string ReadmeSnippet(string pattern)
        {
            var readme = File.ReadAllText(RepoPaths.Readme);
            var match = Regex.Match(readme, pattern);
            Assert.True(match.Success, "README.md has no snippet matching " + pattern);
            return match.Value;
        }

        private string WithFixtureVersion(string snippet) =>
            Regex.Replace(snippet, @"Version=""[^""]*""", @"Version=""" + fixture.Version + @"""");
    }
}
