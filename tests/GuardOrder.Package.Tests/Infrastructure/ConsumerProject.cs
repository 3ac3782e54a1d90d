using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading.Tasks;

namespace GuardOrder.Package.Tests.Infrastructure
{
    /// <summary>One diagnostic line of MSBuild output: <c>file(line,col): warning GO0001: message [project]</c>.</summary>
    public sealed record BuildDiagnostic(string File, int Line, int Column, string Severity, string Id, string Message);

    /// <summary>A throw-away project in the fixture's work folder that consumes the packed GuardOrder.</summary>
    public sealed class ConsumerProject
    {
        private static readonly Regex DiagnosticLine = new Regex(
            @"^\s*(?<file>[^\s].*?)\((?<line>\d+),(?<col>\d+)(?:,\d+,\d+)?\): (?<sev>warning|error) (?<id>[A-Z]+\d+): (?<msg>.*?)(?: \[[^\]]*\])?\s*$",
            RegexOptions.Compiled | RegexOptions.Multiline);

        public ConsumerProject(PackageFixture fixture, string directory, string name)
        {
            Fixture = fixture;
            Directory = directory;
            Name = name;
        }

        public PackageFixture Fixture { get; }

        public string Directory { get; }

        public string Name { get; }

        public string ProjectPath => Path.Combine(Directory, Name + ".csproj");

        public string PathOf(string relativePath) => Path.Combine(Directory, relativePath);

        public void WriteFile(string relativePath, string text)
        {
            var path = PathOf(relativePath);
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, text.Replace("\r\n", "\n"));
        }

        public string ReadFile(string relativePath) => File.ReadAllText(PathOf(relativePath));

        public Task<ProcessResult> RestoreAsync() =>
            ProcessRunner.DotnetAsync(Directory, new[] { "restore", ProjectPath, "-nodeReuse:false" });

        public Task<ProcessResult> BuildAsync(params string[] extraArguments) =>
            ProcessRunner.DotnetAsync(
                Directory,
                new[] { "build", ProjectPath, "--no-incremental", "-nodeReuse:false", "-p:UseSharedCompilation=false", "-clp:NoSummary" }
                    .Concat(extraArguments));

        public Task<ProcessResult> DotnetAsync(params string[] arguments) =>
            ProcessRunner.DotnetAsync(Directory, arguments);

        /// <summary>The distinct diagnostics with the given id prefix in a build's output.</summary>
        public static IReadOnlyList<BuildDiagnostic> Diagnostics(ProcessResult result, string idPrefix = "GO") =>
            DiagnosticLine.Matches(result.Output)
                .Select(m => new BuildDiagnostic(
                    m.Groups["file"].Value.Trim(),
                    int.Parse(m.Groups["line"].Value),
                    int.Parse(m.Groups["col"].Value),
                    m.Groups["sev"].Value,
                    m.Groups["id"].Value,
                    m.Groups["msg"].Value))
                .Where(d => d.Id.StartsWith(idPrefix, StringComparison.Ordinal))
                .Distinct()
                .ToList();
    }
}
