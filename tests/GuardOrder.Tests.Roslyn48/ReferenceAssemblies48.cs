using System;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;

// Stands in for the Basic.Reference.Assemblies.Net100 package in the Roslyn 4.8 run (that package is
// compiled against Microsoft.CodeAnalysis 4.11): the same net10.0 reference assemblies, read from the
// targeting pack the .NET 10 SDK installs (dotnet/packs/Microsoft.NETCore.App.Ref/10.0.*/ref/net10.0).
namespace Basic.Reference.Assemblies
{
    internal static class Net100
    {
        internal static class References
        {
            public static ImmutableArray<PortableExecutableReference> All { get; } = Load();

            private static ImmutableArray<PortableExecutableReference> Load()
            {
                // .../dotnet/shared/Microsoft.NETCore.App/10.0.x/System.Private.CoreLib.dll -> .../dotnet
                var dotnet = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "..", "..", ".."));
                var packs = Path.Combine(dotnet, "packs", "Microsoft.NETCore.App.Ref");
                var refDirectory = Directory.GetDirectories(packs, "10.0.*")
                    .Select(d => Path.Combine(d, "ref", "net10.0"))
                    .Where(Directory.Exists)
                    .OrderByDescending(d => Version.Parse(Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(d))!)))
                    .FirstOrDefault()
                    ?? throw new InvalidOperationException("no net10.0 reference pack under " + packs);
                return Directory.GetFiles(refDirectory, "*.dll")
                    .OrderBy(f => f, StringComparer.Ordinal)
                    .Select(f => MetadataReference.CreateFromFile(f))
                    .ToImmutableArray();
            }
        }
    }
}
