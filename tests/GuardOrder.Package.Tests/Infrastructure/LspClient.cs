using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;

namespace GuardOrder.Package.Tests.Infrastructure
{
    /// <summary>
    /// A minimal Language Server Protocol client over stdio (Content-Length framing, JSON-RPC 2.0).
    /// Answers the server's requests: <c>workspace/configuration</c> with analyzers enabled for
    /// section <c>csharp</c>, everything else with null. Keeps a transcript for failure messages.
    /// </summary>
    public sealed class LspClient : IAsyncDisposable
    {
        private readonly Process process;
        private readonly Stream input;
        private readonly Stream output;
        private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonNode?>> pending = new();
        private readonly StringBuilder transcript = new();
        private readonly SemaphoreSlim writeLock = new(1, 1);
        private readonly Task readLoop;
        private int nextId;

        private LspClient(Process process)
        {
            this.process = process;
            input = process.StandardInput.BaseStream;
            output = process.StandardOutput.BaseStream;
            process.ErrorDataReceived += (_, e) => Log("stderr: " + e.Data);
            process.BeginErrorReadLine();
            readLoop = Task.Run(ReadLoopAsync);
        }

        /// <summary>How many workspace/configuration requests the server sent (and we answered).</summary>
        public int ConfigurationRequests { get; private set; }

        public static LspClient Start(string executable, string workingDirectory, params string[] arguments)
        {
            var startInfo = ProcessRunner.CreateStartInfo(executable, workingDirectory, arguments);
            startInfo.RedirectStandardInput = true;
            var process = Process.Start(startInfo) ?? throw new InvalidOperationException("could not start " + executable);
            return new LspClient(process);
        }

        public string Transcript
        {
            get
            {
                lock (transcript)
                {
                    var text = transcript.ToString();
                    return text.Length > 20000 ? "...\n" + text.Substring(text.Length - 20000) : text;
                }
            }
        }

        public async Task<JsonNode?> RequestAsync(string method, JsonNode? parameters, TimeSpan timeout)
        {
            var id = Interlocked.Increment(ref nextId);
            var completion = new TaskCompletionSource<JsonNode?>(TaskCreationOptions.RunContinuationsAsynchronously);
            pending[id] = completion;
            await SendAsync(new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id, ["method"] = method, ["params"] = parameters });
            var finished = await Task.WhenAny(completion.Task, Task.Delay(timeout));
            if (finished != completion.Task)
            {
                pending.TryRemove(id, out _);
                throw new TimeoutException(
                    $"csharp-ls did not answer '{method}' within {timeout.TotalSeconds:F0} s (server {(process.HasExited ? "exited with " + process.ExitCode : "still running")}).\nTranscript:\n{Transcript}");
            }

            return await completion.Task;
        }

        public Task NotifyAsync(string method, JsonNode? parameters) =>
            SendAsync(new JsonObject { ["jsonrpc"] = "2.0", ["method"] = method, ["params"] = parameters });

        public async ValueTask DisposeAsync()
        {
            try
            {
                if (!process.HasExited)
                {
                    await RequestAsync("shutdown", null, TimeSpan.FromSeconds(10));
                    await NotifyAsync("exit", null);
                    using var cancellation = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                    await process.WaitForExitAsync(cancellation.Token);
                }
            }
            catch (Exception ex) when (ex is TimeoutException or OperationCanceledException or IOException or InvalidOperationException)
            {
            }
            finally
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }

                process.Dispose();
            }
        }

        private async Task SendAsync(JsonObject message)
        {
            var json = message.ToJsonString();
            Log("--> " + Abbreviate(json));
            var body = Encoding.UTF8.GetBytes(json);
            var header = Encoding.ASCII.GetBytes("Content-Length: " + body.Length + "\r\n\r\n");
            await writeLock.WaitAsync();
            try
            {
                await input.WriteAsync(header);
                await input.WriteAsync(body);
                await input.FlushAsync();
            }
            finally
            {
                writeLock.Release();
            }
        }

        private async Task ReadLoopAsync()
        {
            try
            {
                while (true)
                {
                    var length = await ReadHeadersAsync();
                    if (length < 0)
                    {
                        Log("<-- end of stream");
                        return;
                    }

                    var body = new byte[length];
                    await output.ReadExactlyAsync(body);
                    var json = Encoding.UTF8.GetString(body);
                    Log("<-- " + Abbreviate(json));
                    await DispatchAsync(JsonNode.Parse(json)!.AsObject());
                }
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException or EndOfStreamException or JsonException)
            {
                Log("<-- read loop ended: " + ex.Message);
            }
            finally
            {
                foreach (var completion in pending.Values)
                {
                    completion.TrySetException(new IOException("csharp-ls closed its output.\nTranscript:\n" + Transcript));
                }
            }
        }

        private async Task<int> ReadHeadersAsync()
        {
            var contentLength = -1;
            var line = new StringBuilder();
            var single = new byte[1];
            while (true)
            {
                var read = await output.ReadAsync(single);
                if (read == 0)
                {
                    return -1;
                }

                var c = (char)single[0];
                if (c == '\n')
                {
                    var text = line.ToString().TrimEnd('\r');
                    line.Clear();
                    if (text.Length == 0)
                    {
                        if (contentLength >= 0)
                        {
                            return contentLength;
                        }

                        continue;
                    }

                    if (text.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
                    {
                        contentLength = int.Parse(text.Substring("Content-Length:".Length).Trim());
                    }
                }
                else
                {
                    line.Append(c);
                }
            }
        }

        private async Task DispatchAsync(JsonObject message)
        {
            var hasId = message.TryGetPropertyValue("id", out var idNode) && idNode is not null;
            var method = message["method"]?.GetValue<string>();
            if (method is null && hasId)
            {
                if (pending.TryRemove(idNode!.GetValue<int>(), out var completion))
                {
                    if (message["error"] is JsonNode error)
                    {
                        completion.TrySetException(new InvalidOperationException("LSP error: " + error.ToJsonString()));
                    }
                    else
                    {
                        completion.TrySetResult(message["result"]?.DeepClone());
                    }
                }

                return;
            }

            if (method is not null && hasId)
            {
                JsonNode? result = null;
                if (method == "workspace/configuration")
                {
                    ConfigurationRequests++;
                    var items = new JsonArray();
                    foreach (var item in message["params"]?["items"]?.AsArray() ?? new JsonArray())
                    {
                        var section = item?["section"]?.GetValue<string>();
                        items.Add(section is null || section == "csharp" ? new JsonObject { ["analyzersEnabled"] = true } : null);
                    }

                    result = items;
                }

                await SendAsync(new JsonObject { ["jsonrpc"] = "2.0", ["id"] = idNode!.DeepClone(), ["result"] = result });
            }
        }

        private void Log(string line)
        {
            lock (transcript)
            {
                transcript.AppendLine(line);
            }
        }

        private static string Abbreviate(string json) => json.Length > 2000 ? json.Substring(0, 2000) + "...(" + json.Length + " chars)" : json;
    }
}
