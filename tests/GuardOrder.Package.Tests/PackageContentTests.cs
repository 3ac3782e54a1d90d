using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Xml.Linq;
using GuardOrder.Package.Tests.Infrastructure;

namespace GuardOrder.Package.Tests
{
    /// <summary>What is inside GuardOrder.&lt;version&gt;.nupkg, read from the packed file itself.</summary>
    [Collection(PackageCollection.Name)]
    [Trait("Category", "EndToEnd")]
    public sealed class PackageContentTests
    {
        /// <summary>The oldest Roslyn the analyzers must load in (VS 2022 17.8, SDK 8.0.1xx).</summary>
        private static readonly Version MaxRoslyn = new Version(4, 8, 0, 0);

        private readonly PackageFixture fixture;

        public PackageContentTests(PackageFixture fixture)
        {
            this.fixture = fixture;
        }

        [Fact]
        public void Package_HasAnalyzersFixesAnnotationsReadmeAndLicense()
        {
            var entries = Entries();
            var listing = string.Join("\n", entries);

            Assert.Contains("analyzers/dotnet/cs/GuardOrder.Analyzers.dll", entries);
            Assert.Contains("analyzers/dotnet/cs/GuardOrder.CodeFixes.dll", entries);
            Assert.Contains("lib/netstandard2.0/GuardOrder.Annotations.dll", entries);
            Assert.Contains("lib/netstandard2.0/GuardOrder.Annotations.xml", entries);
            Assert.Contains("README.md", entries);
            Assert.Contains("LICENSE", entries);

            // Nothing else is shipped as an assembly: no Roslyn, no package-project dll, no test dll.
            var assemblies = entries.Where(e => e.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)).OrderBy(e => e).ToArray();
            Assert.True(
                assemblies.SequenceEqual(new[]
                {
                    "analyzers/dotnet/cs/GuardOrder.Analyzers.dll",
                    "analyzers/dotnet/cs/GuardOrder.CodeFixes.dll",
                    "lib/netstandard2.0/GuardOrder.Annotations.dll",
                }),
                "unexpected assemblies in the package:\n" + listing);
        }

        [Fact]
        public void Nuspec_HasVersionFromCommandLine_LicenseReadme_AndNoDependencies()
        {
            var nuspec = Nuspec();
            XNamespace ns = nuspec.Root!.Name.Namespace;
            var metadata = nuspec.Root.Element(ns + "metadata")!;

            Assert.Equal("GuardOrder", metadata.Element(ns + "id")?.Value);
            Assert.Equal(fixture.Version, metadata.Element(ns + "version")?.Value);
            Assert.Equal("MIT", metadata.Element(ns + "license")?.Value);
            Assert.Equal("README.md", metadata.Element(ns + "readme")?.Value);
            Assert.Equal("true", metadata.Element(ns + "developmentDependency")?.Value);
            Assert.False(string.IsNullOrWhiteSpace(metadata.Element(ns + "description")?.Value));

            // No dependency leaks: the consumer must not get Microsoft.CodeAnalysis (or anything) from us.
            var dependencies = nuspec.Descendants(ns + "dependency").Select(d => (string?)d.Attribute("id")).ToList();
            Assert.True(dependencies.Count == 0, "the package declares dependencies: " + string.Join(", ", dependencies) + "\n" + nuspec);
            Assert.DoesNotContain("Microsoft.CodeAnalysis", nuspec.ToString(), StringComparison.OrdinalIgnoreCase);
        }

        [Fact]
        public void PackedAnalyzers_ReferenceRoslyn48AtMost()
        {
            var report = new List<string>();
            var roslynReferences = 0;
            foreach (var dll in new[] { "analyzers/dotnet/cs/GuardOrder.Analyzers.dll", "analyzers/dotnet/cs/GuardOrder.CodeFixes.dll" })
            {
                foreach (var (name, version) in AssemblyReferences(dll))
                {
                    report.Add($"{dll} -> {name} {version}");
                    if (name.StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal))
                    {
                        roslynReferences++;
                        Assert.True(version <= MaxRoslyn, $"{dll} references {name} {version}, above {MaxRoslyn}:\n" + string.Join("\n", report));
                    }
                }
            }

            Assert.True(roslynReferences > 0, "no Microsoft.CodeAnalysis reference found at all:\n" + string.Join("\n", report));

            // RS1038: the analyzer assembly itself must not need Workspaces (the compiler does not load it).
            Assert.DoesNotContain(
                AssemblyReferences("analyzers/dotnet/cs/GuardOrder.Analyzers.dll"),
                r => r.Name.StartsWith("Microsoft.CodeAnalysis.Workspaces", StringComparison.Ordinal) ||
                     r.Name.StartsWith("Microsoft.CodeAnalysis.CSharp.Workspaces", StringComparison.Ordinal));
        }

        [Fact]
        public void PackedAnnotations_TargetNetStandard20_AndReferenceOnlyNetStandard()
        {
            var references = AssemblyReferences("lib/netstandard2.0/GuardOrder.Annotations.dll");
            Assert.All(references, r => Assert.Equal("netstandard", r.Name));
        }

        private List<string> Entries()
        {
            using var zip = ZipFile.OpenRead(fixture.PackagePath);
            return zip.Entries.Select(e => e.FullName).ToList();
        }

        private XDocument Nuspec()
        {
            using var zip = ZipFile.OpenRead(fixture.PackagePath);
            var entry = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
            using var stream = entry.Open();
            return XDocument.Load(stream);
        }

        private List<(string Name, Version Version)> AssemblyReferences(string entryName)
        {
            using var zip = ZipFile.OpenRead(fixture.PackagePath);
            var entry = zip.GetEntry(entryName) ?? throw new InvalidOperationException(entryName + " not in " + fixture.PackagePath);
            using var memory = new MemoryStream();
            using (var stream = entry.Open())
            {
                stream.CopyTo(memory);
            }

            memory.Position = 0;
            using var pe = new PEReader(memory);
            var reader = pe.GetMetadataReader();
            return reader.AssemblyReferences
                .Select(h => reader.GetAssemblyReference(h))
                .Select(r => (reader.GetString(r.Name), r.Version))
                .ToList();
        }
    }
}
