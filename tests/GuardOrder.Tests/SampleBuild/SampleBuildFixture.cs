using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;

namespace GuardOrder.Tests.SampleBuild
{
    /// <summary>
    /// Copies sample-mm with the analyzer projects it builds from into a scratch directory (so the
    /// test never touches the repository's bin/obj or sources), then builds it twice the way the
    /// README does: default, and with the as-posted switch.
    /// </summary>
    public sealed class SampleBuildFixture : IDisposable
    {
        public static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(5);

        private static readonly string[] RootFiles = { "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props", "global.json", ".editorconfig", "NuGet.config", "nuget.config" };
        private static readonly string[] Projects = { "analyzers/GuardOrder.Annotations", "analyzers/GuardOrder.Analyzers", "analyzers/GuardOrder.CodeFixes", "sample-mm" };

        public SampleBuildFixture()
        {
            RepositoryRoot = GuardOrder.Tests.Documentation.RuleCatalog.RepoRoot;
            WorkRoot = CopyRepository("guardorder-samplebuild-");

            Default = Run(WorkRoot, asPosted: false, "build", "sample-mm", "--no-incremental", "--disable-build-servers", "-nodeReuse:false");
            AsPostedSarif = Path.Combine(WorkRoot, "as-posted.sarif");
            AsPosted = Run(WorkRoot, asPosted: false, "build", "sample-mm", "-p:AsPosted=true", "--no-incremental", "--disable-build-servers", "-nodeReuse:false", "-p:ErrorLog=" + AsPostedSarif + "%2Cversion=2.1");
        }

        public string RepositoryRoot { get; }

        /// <summary>A scratch copy of sample-mm and the analyzer projects it builds from (no bin/obj), in a new temp directory.</summary>
        public static string CopyRepository(string prefix)
        {
            var repositoryRoot = GuardOrder.Tests.Documentation.RuleCatalog.RepoRoot;
            var workRoot = Path.Combine(Path.GetTempPath(), prefix + Guid.NewGuid().ToString("N"));
            foreach (var file in RootFiles.Where(f => File.Exists(Path.Combine(repositoryRoot, f))))
            {
                File.Copy(Path.Combine(repositoryRoot, file), Path.Combine(workRoot, file).EnsureDirectory());
            }

            foreach (var project in Projects)
            {
                CopyTree(Path.Combine(repositoryRoot, project), Path.Combine(workRoot, project));
            }

            return workRoot;
        }

        /// <summary>The SARIF 2.1 log of the as-posted build.</summary>
        public string AsPostedSarif { get; }

        /// <summary>The scratch copy (repository layout: analyzers/, sample-mm/).</summary>
        public string WorkRoot { get; }

        public CommandResult Default { get; }

        public CommandResult AsPosted { get; }

        public string SampleDirectory => Path.Combine(WorkRoot, "sample-mm");

        /// <summary>Runs <c>dotnet args</c> in <paramref name="workingDirectory"/> with a timeout; the process tree is killed on timeout.</summary>
        public static CommandResult Run(string workingDirectory, bool asPosted, params string[] args)
        {
            var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet")
            {
                WorkingDirectory = workingDirectory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var arg in args)
            {
                start.ArgumentList.Add(arg);
            }

            // The test host may run inside `dotnet test`: do not let its MSBuild settings leak into the child build.
            foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)).ToList())
            {
                start.Environment.Remove(key);
            }

            start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
            start.Environment["DOTNET_NOLOGO"] = "1";
            if (asPosted)
            {
                // MSBuild reads environment variables as properties: this is how `dotnet format` (no -p) sees the switch.
                start.Environment["AsPosted"] = "true";
            }

            var output = new StringBuilder();
            using var process = new Process { StartInfo = start };
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
            var stopwatch = Stopwatch.StartNew();
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            if (!process.WaitForExit((int)BuildTimeout.TotalMilliseconds))
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
                lock (output)
                {
                    return new CommandResult("dotnet " + string.Join(" ", args), -1, "TIMED OUT after " + BuildTimeout + "\n" + output, stopwatch.Elapsed);
                }
            }

            process.WaitForExit();
            lock (output)
            {
                return new CommandResult("dotnet " + string.Join(" ", args), process.ExitCode, output.ToString(), stopwatch.Elapsed);
            }
        }

        public void Dispose()
        {
            try
            {
                Directory.Delete(WorkRoot, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        private static void CopyTree(string from, string to)
        {
            foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
            {
                var relative = Path.GetRelativePath(from, file);
                var parts = relative.Split(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
                if (parts.Any(p => p is "bin" or "obj"))
                {
                    continue;
                }

                File.Copy(file, Path.Combine(to, relative).EnsureDirectory());
            }
        }
    }

    public sealed class CommandResult
    {
        public CommandResult(string command, int exitCode, string output, TimeSpan elapsed)
        {
            Command = command;
            ExitCode = exitCode;
            Output = output;
            Elapsed = elapsed;
        }

        public string Command { get; }

        public int ExitCode { get; }

        public string Output { get; }

        public TimeSpan Elapsed { get; }

        /// <summary>Lines like <c>path(line,col): warning GO0001: ...</c>, deduplicated (MSBuild repeats them in its summary).</summary>
        public IReadOnlyList<string> GuardOrderDiagnostics(string? id = null) =>
            Output.Split('\n')
                .Select(l => l.Trim())
                .Where(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"\): (warning|error) " + (id ?? @"GO\d{4}") + ":"))
                .Distinct()
                .ToList();

        public override string ToString() =>
            Command + " exited with " + ExitCode + " after " + Elapsed.TotalSeconds.ToString("F1", System.Globalization.CultureInfo.InvariantCulture) + " s. Output:\n" + Output;
    }

    internal static class PathExtensions
    {
        public static string EnsureDirectory(this string path)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            return path;
        }
    }
}
