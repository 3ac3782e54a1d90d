using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace GuardOrder.Package.Tests.Infrastructure
{
    /// <summary>The outcome of one child process: exit code and interleaved output.</summary>
    public sealed record ProcessResult(string Command, int ExitCode, string Output, TimeSpan Elapsed)
    {
        public override string ToString() =>
            $"$ {Command}\n(exit {ExitCode} after {Elapsed.TotalSeconds:F1} s)\n{Output}";
    }

    /// <summary>
    /// Runs dotnet with a bounded timeout, no build servers left behind, and the test host's
    /// MSBuild environment removed (a child build must not inherit the test run's MSBuild).
    /// </summary>
    public static class ProcessRunner
    {
        public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(3);

        public static Task<ProcessResult> DotnetAsync(string workingDirectory, IEnumerable<string> arguments, TimeSpan? timeout = null) =>
            RunAsync("dotnet", workingDirectory, arguments, timeout ?? DefaultTimeout);

        public static ProcessStartInfo CreateStartInfo(string fileName, string workingDirectory, IEnumerable<string> arguments)
        {
            var startInfo = new ProcessStartInfo(fileName)
            {
                WorkingDirectory = workingDirectory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in arguments)
            {
                startInfo.ArgumentList.Add(argument);
            }

            var environment = startInfo.Environment;
            foreach (var key in new List<string>(environment.Keys))
            {
                if (key.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) ||
                    key.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase) ||
                    key.Equals("DOTNET_HOST_PATH", StringComparison.OrdinalIgnoreCase))
                {
                    environment.Remove(key);
                }
            }

            environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
            environment["DOTNET_NOLOGO"] = "1";
            environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
            environment["DOTNET_CLI_UI_LANGUAGE"] = "en";
            // No MSBuild node, MSBuild server or compiler server may outlive the test.
            environment["MSBUILDDISABLENODEREUSE"] = "1";
            environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
            environment["UseSharedCompilation"] = "false";
            return startInfo;
        }

        public static async Task<ProcessResult> RunAsync(string fileName, string workingDirectory, IEnumerable<string> arguments, TimeSpan timeout)
        {
            var startInfo = CreateStartInfo(fileName, workingDirectory, arguments);
            var command = fileName + " " + string.Join(" ", startInfo.ArgumentList);
            var output = new StringBuilder();
            var stopwatch = Stopwatch.StartNew();
            using var process = new Process { StartInfo = startInfo };
            process.OutputDataReceived += (_, e) => Append(output, e.Data);
            process.ErrorDataReceived += (_, e) => Append(output, e.Data);
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();

            using var cancellation = new CancellationTokenSource(timeout);
            try
            {
                await process.WaitForExitAsync(cancellation.Token);
            }
            catch (OperationCanceledException)
            {
                try
                {
                    process.Kill(entireProcessTree: true);
                }
                catch (InvalidOperationException)
                {
                }

                throw new TimeoutException($"'{command}' did not finish within {timeout.TotalSeconds:F0} s. Output so far:\n{Snapshot(output)}");
            }

            // Drain the asynchronous readers.
            process.WaitForExit();
            return new ProcessResult(command, process.ExitCode, Snapshot(output), stopwatch.Elapsed);
        }

        private static void Append(StringBuilder output, string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (output)
            {
                output.AppendLine(line);
            }
        }

        private static string Snapshot(StringBuilder output)
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }
}
