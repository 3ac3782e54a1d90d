using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using GuardOrder.Package.Tests.Infrastructure;
using Xunit.Abstractions;

namespace GuardOrder.Package.Tests
{
    /// <summary>
    /// IDE squiggles proven through a real editor protocol: csharp-ls 0.28.0 (Roslyn 5.9) loads the
    /// packaged analyzer from a consumer project and reports GO0001 on a pull diagnostic request.
    /// </summary>
    [Collection(PackageCollection.Name)]
    [Trait("Category", "EndToEnd")]
    [Trait("Category", "Slow")]
    public sealed class LanguageServerTests
    {
        private const string CsharpLsVersion = "0.28.0";
        private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(60);
        private static readonly TimeSpan DiagnosticsTimeout = TimeSpan.FromSeconds(120);

        private readonly PackageFixture fixture;
        private readonly ITestOutputHelper output;

        public LanguageServerTests(PackageFixture fixture, ITestOutputHelper output)
        {
            this.fixture = fixture;
            this.output = output;
        }

        [Fact]
        public async Task CsharpLs_ReportsGO0001AtTheCondition_AndDropsItAfterTheOrderIsFixed()
        {
            // A copy of sample-mm consuming the packed GuardOrder, with the review's violation put back:
            // the NUMA test swapped in front of the VM_WRITE test of may_avoid_write_fault().
            var consumer = fixture.CreateSampleMmCopy("LspSampleMm");
            var file = "mprotect.cs";
            var fixedText = consumer.ReadFile(file);
            var violation = SampleMmEdits.SwapSecurityGuardBehindNuma(fixedText);
            consumer.WriteFile(file, violation);
            var restore = await consumer.RestoreAsync();
            Assert.True(restore.ExitCode == 0, restore.ToString());

            var server = await InstallCsharpLsAsync(consumer.Directory);
            var rootUri = new Uri(consumer.Directory + Path.DirectorySeparatorChar).AbsoluteUri;
            var fileUri = new Uri(consumer.PathOf(file)).AbsoluteUri;

            await using var client = LspClient.Start(server, consumer.Directory);
            var initialize = await client.RequestAsync("initialize", Initialize(rootUri, consumer.Directory), RequestTimeout);
            Assert.NotNull(initialize?["capabilities"]);
            output.WriteLine("server capabilities: " + initialize!["capabilities"]!.ToJsonString());
            await client.NotifyAsync("initialized", new JsonObject());
            await client.NotifyAsync("textDocument/didOpen", new JsonObject
            {
                ["textDocument"] = new JsonObject { ["uri"] = fileUri, ["languageId"] = "csharp", ["version"] = 1, ["text"] = violation },
            });

            var stopwatch = Stopwatch.StartNew();
            var go0001 = await PollDiagnosticsAsync(client, fileUri, items => items.Where(IsGO0001).ToList() is { Count: > 0 } found ? found : null, "GO0001 to appear");
            output.WriteLine($"GO0001 arrived {stopwatch.Elapsed.TotalSeconds:F1} s after didOpen; workspace/configuration requests answered: {client.ConfigurationRequests}");

            var diagnostic = Assert.Single(go0001)!;
            var start = diagnostic["range"]!["start"]!;
            Assert.Equal(Sources.LineOf(violation, SampleMmEdits.SecurityCondition) - 1, start["line"]!.GetValue<int>());
            Assert.Equal(Sources.ColumnOf(violation, SampleMmEdits.SecurityCondition) - 1, start["character"]!.GetValue<int>());
            Assert.Contains("VM_WRITE", diagnostic["message"]!.GetValue<string>(), StringComparison.Ordinal);
            // sample-mm/.editorconfig makes GO0001 an error, and the server honours it (1 = Error).
            Assert.Equal(1, diagnostic["severity"]!.GetValue<int>());
            Assert.EndsWith("analyzers/docs/rules/GO0001.md", diagnostic["codeDescription"]?["href"]?.GetValue<string>() ?? "(no codeDescription)", StringComparison.Ordinal);

            // Record whether the lightbulb offers our fix. Observed with 0.28.0: it does not. As far as
            // its source (src/CSharpLanguageServer/Handlers/CodeAction.fs) shows, csharp-ls instantiates
            // CodeFixProviders only from Roslyn's own Features/Workspaces assemblies, never from the
            // project's analyzer references, and matches them against semanticModel.GetDiagnostics()
            // (compiler diagnostics), so no analyzer-package fix can appear there. VS, Rider and the
            // C# Dev Kit load package code fixes; on the command line use dotnet format (DotnetFormatTests).
            var actions = await client.RequestAsync("textDocument/codeAction", new JsonObject
            {
                ["textDocument"] = new JsonObject { ["uri"] = fileUri },
                ["range"] = diagnostic["range"]!.DeepClone(),
                ["context"] = new JsonObject { ["diagnostics"] = new JsonArray(diagnostic.DeepClone()) },
            }, RequestTimeout);
            var titles = (actions as JsonArray ?? new JsonArray()).Select(a => a?["title"]?.GetValue<string>()).ToList();
            output.WriteLine("code actions at GO0001: " + (titles.Count == 0 ? "(none)" : string.Join(" | ", titles)));
            output.WriteLine("'Move the security check first' offered: " + titles.Any(t => t != null && t.Contains("security check first", StringComparison.OrdinalIgnoreCase)));

            await client.NotifyAsync("textDocument/didChange", new JsonObject
            {
                ["textDocument"] = new JsonObject { ["uri"] = fileUri, ["version"] = 2 },
                ["contentChanges"] = new JsonArray(new JsonObject { ["text"] = fixedText }),
            });
            await PollDiagnosticsAsync(client, fileUri, items => items.Any(IsGO0001) ? null : items, "GO0001 to disappear after didChange");
        }

        private static bool IsGO0001(JsonNode? item) =>
            item?["code"] is JsonValue code && code.ToString() == "GO0001";

        private async Task<List<JsonNode?>> PollDiagnosticsAsync(
            LspClient client, string fileUri, Func<List<JsonNode?>, List<JsonNode?>?> accept, string what)
        {
            var stopwatch = Stopwatch.StartNew();
            var last = "(no answer yet)";
            while (stopwatch.Elapsed < DiagnosticsTimeout)
            {
                var report = await client.RequestAsync("textDocument/diagnostic", new JsonObject
                {
                    ["textDocument"] = new JsonObject { ["uri"] = fileUri },
                }, RequestTimeout);
                var items = (report?["items"] as JsonArray)?.ToList() ?? new List<JsonNode?>();
                last = report?.ToJsonString() ?? "null";
                var accepted = accept(items);
                if (accepted is not null)
                {
                    return accepted;
                }

                await Task.Delay(TimeSpan.FromSeconds(1));
            }

            throw new TimeoutException(
                $"Waited {DiagnosticsTimeout.TotalSeconds:F0} s for {what}. Last textDocument/diagnostic answer:\n{last}\nTranscript:\n{client.Transcript}");
        }

        private static JsonObject Initialize(string rootUri, string rootPath) => new JsonObject
        {
            ["processId"] = Environment.ProcessId,
            ["rootUri"] = rootUri,
            ["rootPath"] = rootPath,
            ["workspaceFolders"] = new JsonArray(new JsonObject { ["uri"] = rootUri, ["name"] = "sample-mm" }),
            ["capabilities"] = new JsonObject
            {
                ["workspace"] = new JsonObject { ["configuration"] = true, ["workspaceFolders"] = true },
                ["textDocument"] = new JsonObject
                {
                    ["synchronization"] = new JsonObject { ["didSave"] = true },
                    ["diagnostic"] = new JsonObject { ["dynamicRegistration"] = false },
                    ["publishDiagnostics"] = new JsonObject(),
                    ["codeAction"] = new JsonObject
                    {
                        ["codeActionLiteralSupport"] = new JsonObject
                        {
                            ["codeActionKind"] = new JsonObject { ["valueSet"] = new JsonArray("", "quickfix", "refactor", "source") },
                        },
                        ["resolveSupport"] = new JsonObject { ["properties"] = new JsonArray("edit") },
                    },
                },
            },
        };

        private async Task<string> InstallCsharpLsAsync(string workingDirectory)
        {
            var toolPath = Path.Combine(fixture.WorkDirectory, "tools");
            var executable = Path.Combine(toolPath, OperatingSystem.IsWindows() ? "csharp-ls.exe" : "csharp-ls");
            if (!File.Exists(executable))
            {
                var install = await ProcessRunner.DotnetAsync(
                    workingDirectory,
                    new[] { "tool", "install", "csharp-ls", "--version", CsharpLsVersion, "--tool-path", toolPath },
                    TimeSpan.FromMinutes(2));
                Assert.True(install.ExitCode == 0 && File.Exists(executable), "installing csharp-ls failed\n" + install);
            }

            return executable;
        }
    }
}
