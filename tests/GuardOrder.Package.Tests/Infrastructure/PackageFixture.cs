using System;
using System.Collections.Generic;
using System.IO;
using System.Threading.Tasks;

namespace GuardOrder.Package.Tests.Infrastructure
{
    /// <summary>
    /// Packs the GuardOrder package ONCE per test run into a fresh temporary feed, with a unique
    /// version (so no package cache anywhere can serve a stale copy), and hands out consumer
    /// projects that restore it from that feed into their own packages folder.
    /// </summary>
    public sealed class PackageFixture : IAsyncLifetime
    {
        public PackageFixture()
        {
            Version = "0.0.1-e2e." + DateTime.UtcNow.ToString("yyyyMMddHHmmss") + "." + Environment.ProcessId;
            WorkDirectory = Path.Combine(Path.GetTempPath(), "guardorder-e2e-" + Guid.NewGuid().ToString("N").Substring(0, 8));
            FeedDirectory = Path.Combine(WorkDirectory, "feed");
            PackagesDirectory = Path.Combine(WorkDirectory, "packages");
        }

        /// <summary>The unique version the package was packed with (CI's -p:Version= route).</summary>
        public string Version { get; }

        public string WorkDirectory { get; }

        public string FeedDirectory { get; }

        /// <summary>The consumers' own global packages folder.</summary>
        public string PackagesDirectory { get; }

        public string PackagePath => Path.Combine(FeedDirectory, "GuardOrder." + Version + ".nupkg");

        public ProcessResult? PackResult { get; private set; }

        public async Task InitializeAsync()
        {
            Directory.CreateDirectory(FeedDirectory);
            Directory.CreateDirectory(PackagesDirectory);
            // Stop MSBuild's upward search for Directory.Build.* at the work directory, so the
            // consumers see nothing of whatever lies above the temp folder.
            File.WriteAllText(Path.Combine(WorkDirectory, "Directory.Build.props"), "<Project />\n");
            File.WriteAllText(Path.Combine(WorkDirectory, "Directory.Build.targets"), "<Project />\n");
            File.WriteAllText(Path.Combine(WorkDirectory, "Directory.Packages.props"), "<Project />\n");

            PackResult = await ProcessRunner.DotnetAsync(
                RepoPaths.Root,
                new[]
                {
                    "pack", RepoPaths.PackageProject, "-c", "Release", "-o", FeedDirectory,
                    // Own obj/bin for every project: a pack with another version must not rewrite
                    // the repo's obj/project.assets.json under a build running next to the tests.
                    "--artifacts-path", Path.Combine(WorkDirectory, "artifacts"),
                    "-p:Version=" + Version, "-nodeReuse:false", "-p:UseSharedCompilation=false",
                },
                TimeSpan.FromMinutes(4));
            if (PackResult.ExitCode != 0 || !File.Exists(PackagePath))
            {
                throw new InvalidOperationException("Packing GuardOrder failed; " + PackagePath + " missing.\n" + PackResult);
            }
        }

        /// <summary>Creates an empty consumer project (net10.0 classlib) that references the packed GuardOrder.</summary>
        public ConsumerProject CreateConsumer(string name) => CreateConsumer(name, "    <OutputType>Library</OutputType>\n");

        /// <summary>
        /// Copies sample-mm (the port's sources and its .editorconfig, not the as-posted variants)
        /// into a project that consumes the packed GuardOrder instead of the analyzer projects.
        /// </summary>
        public ConsumerProject CreateSampleMmCopy(string name, bool asPosted = false)
        {
            var project = CreateConsumer(
                name,
                "    <OutputType>Exe</OutputType>\n    <Nullable>enable</Nullable>\n    <ImplicitUsings>disable</ImplicitUsings>\n" +
                "    <LangVersion>latest</LangVersion>\n    <NoWarn>$(NoWarn);CS8981</NoWarn>\n");
            foreach (var file in Directory.GetFiles(RepoPaths.SampleMm, "*.cs"))
            {
                File.Copy(file, project.PathOf(Path.GetFileName(file)));
            }

            File.Copy(Path.Combine(RepoPaths.SampleMm, ".editorconfig"), project.PathOf(".editorconfig"));
            if (asPosted)
            {
                // The 2021 variants: sample-mm/.editorconfig reports them as warnings.
                Directory.CreateDirectory(project.PathOf("as-posted"));
                foreach (var file in Directory.GetFiles(Path.Combine(RepoPaths.SampleMm, "as-posted"), "*.cs"))
                {
                    File.Copy(file, project.PathOf(Path.Combine("as-posted", Path.GetFileName(file))));
                }
            }

            return project;
        }

        private ConsumerProject CreateConsumer(string name, string properties)
        {
            var project = CreateProjectDirectory(name);
            project.WriteFile(name + ".csproj", $@"<Project Sdk=""Microsoft.NET.Sdk"">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
{properties}  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include=""GuardOrder"" Version=""{Version}"" PrivateAssets=""all"" />
  </ItemGroup>
</Project>
");
            return project;
        }

        /// <summary>
        /// A new folder with only the nuget.config that restores GuardOrder from the fixture's feed into
        /// the fixture's packages folder; the caller writes (or `dotnet new`s) the project file.
        /// </summary>
        public ConsumerProject CreateProjectDirectory(string name)
        {
            var directory = Path.Combine(WorkDirectory, name + "-" + Guid.NewGuid().ToString("N").Substring(0, 6));
            Directory.CreateDirectory(directory);
            var project = new ConsumerProject(this, directory, name);
            project.WriteFile("nuget.config", $@"<?xml version=""1.0"" encoding=""utf-8""?>
<configuration>
  <config>
    <add key=""globalPackagesFolder"" value=""{PackagesDirectory}"" />
  </config>
  <packageSources>
    <clear />
    <add key=""guardorder-e2e"" value=""{FeedDirectory}"" />
    <add key=""nuget.org"" value=""https://api.nuget.org/v3/index.json"" />
  </packageSources>
</configuration>
");
            return project;
        }

        public Task DisposeAsync()
        {
            if (Environment.GetEnvironmentVariable("GUARDORDER_KEEP_E2E") is null)
            {
                try
                {
                    Directory.Delete(WorkDirectory, recursive: true);
                }
                catch (IOException)
                {
                }
                catch (UnauthorizedAccessException)
                {
                }
            }

            return Task.CompletedTask;
        }
    }

    [CollectionDefinition(Name)]
    public sealed class PackageCollection : ICollectionFixture<PackageFixture>
    {
        public const string Name = "Packed GuardOrder";
    }
}
