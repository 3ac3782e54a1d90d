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
