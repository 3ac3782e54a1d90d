using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
using GuardOrder.Robustness.Shared;

namespace GuardOrder.Benchmarks
{
    /// <summary>
    /// Real builds of the real-shaped corpus: a generated SDK project (outside the repository, so no
    /// Directory.Build.props applies) referencing GuardOrder.Annotations and, unless
    /// -p:GuardOrder=false, the GuardOrder.Analyzers dll the benchmark was built with.
    /// <c>dotnet build --no-incremental -m:1 -nodeReuse:false -p:UseSharedCompilation=false</c>, so that
    /// MSBuild and csc are descendants of one process that /usr/bin/time waits for: CPU = user + sys
    /// of the whole build. Pairs alternate their order (with/without, then without/with).
    /// </summary>
    internal static class BuildMode
    {
        internal sealed class BuildRun
        {
            public bool WithGuardOrder;
            public double WallS;
            public double CpuS;
            public double CscMs;
            public double AnalyzerTotalS;
            public double GuardOrderS;

            /// <summary>The compiler server's CPU during the build (server builds; included in <see cref="CpuS"/>).</summary>
            public double ServerCpuS;
            public Dictionary<string, double> Rules = new Dictionary<string, double>(StringComparer.Ordinal);
            public string Log = "";
        }

        internal sealed class Result
        {
            public int Lines;
            public int Pairs;
            public List<(BuildRun With, BuildRun Without)> Runs = new List<(BuildRun, BuildRun)>();
            public BuildRun? AllRules;

            /// <summary>Per pair, a build with the IL assembly instead of the packed ReadyToRun image (when they differ).</summary>
            public List<BuildRun> IlRuns = new List<BuildRun>();

            public double MedianIlCpuRatio => Measure.Median(IlRuns.Select((r, i) => r.CpuS / Runs[i].Without.CpuS).ToList());

            /// <summary>The same pairs with the compiler server (dotnet build's default), warmed first.</summary>
            public List<(BuildRun With, BuildRun Without)> ServerRuns = new List<(BuildRun, BuildRun)>();
            public string ServerError = "";

            public double MedianServerCpuRatio => Measure.Median(ServerRuns.Select(p => p.With.CpuS / p.Without.CpuS).ToList());
            public string Project = "";
            public string Error = "";

            public double MedianCpuRatio => Measure.Median(Runs.Select(p => p.With.CpuS / p.Without.CpuS).ToList());

            public double MedianCscRatio => Measure.Median(Runs.Select(p => p.With.CscMs / p.Without.CscMs).ToList());

            public double MedianGuardOrderShareOfCsc => Measure.Median(Runs.Select(p => p.With.GuardOrderS * 1000 / p.With.CscMs).ToList());
        }

        /// <summary>GuardOrder's analyzer assembly as the benchmark was built with it (IL).</summary>
        public static string IlAnalyzer => GuardOrderAssemblies.AnalyzerAssembly.Location;

        /// <summary>
        /// The analyzer assembly a user's build gets from the package: the ReadyToRun image where the package
        /// has one (net10.0 on linux-x64; made beside the benchmark by analyzers/GuardOrder.Package/ReadyToRun.targets),
        /// else the IL assembly.
        /// </summary>
        public static string PackedAnalyzer
        {
            get
            {
                var image = Path.Combine(Path.GetDirectoryName(IlAnalyzer)!, "r2r", "net" + Environment.Version.ToString(2), "linux-x64", "GuardOrder.Analyzers.dll");
                return RuntimeInformation.RuntimeIdentifier == "linux-x64" && File.Exists(image) ? image : IlAnalyzer;
            }
        }

        public static string WriteProject(int replicas, string dir)
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }

            Directory.CreateDirectory(dir);
            var corpus = RealCorpus.CreateReplicas(replicas);
            foreach (var f in corpus.Files)
            {
                var path = Path.Combine(dir, f.Name.Replace('/', Path.DirectorySeparatorChar));
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllText(path, f.Text);
            }

            var analyzer = PackedAnalyzer;
            var annotations = typeof(GuardOrder.SecurityCheckAttribute).Assembly.Location;
            File.WriteAllText(Path.Combine(dir, "realshaped.csproj"), $@"<Project Sdk=""Microsoft.NET.Sdk"">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <OutputType>Library</OutputType>
    <Nullable>enable</Nullable>
    <LangVersion>latest</LangVersion>
    <ImplicitUsings>disable</ImplicitUsings>
    <DefineConstants>$(DefineConstants);AS_POSTED</DefineConstants>
    <NoWarn>$(NoWarn);CS8981;CS8600;CS8601;CS8602;CS8603;CS8604;CS8618;CS8625;CS0162;CS0164;CS0219;CS0414;CS0649</NoWarn>
    <TreatWarningsAsErrors>false</TreatWarningsAsErrors>
    <EnableNETAnalyzers Condition=""'$(AnalysisMode)' == ''"">false</EnableNETAnalyzers>
    <GenerateDocumentationFile>false</GenerateDocumentationFile>
    <UseSharedCompilation>false</UseSharedCompilation>
    <GuardOrderAnalyzer Condition=""'$(GuardOrderAnalyzer)' == ''"">{analyzer}</GuardOrderAnalyzer>
  </PropertyGroup>
  <ItemGroup>
    <Reference Include=""GuardOrder.Annotations""><HintPath>{annotations}</HintPath></Reference>
    <Analyzer Include=""$(GuardOrderAnalyzer)"" Condition=""'$(GuardOrder)' != 'false'"" />
  </ItemGroup>
</Project>
");
            return dir;
        }

        public static Result Run(int lines, int pairs, bool allRules, string root)
        {
            var replicas = RealCorpus.ReplicasFor(lines);
            var result = new Result { Lines = replicas * RealCorpus.ReplicaLines, Pairs = pairs };
            var dir = WriteProject(replicas, Path.Combine(root, "real-" + lines.ToString(CultureInfo.InvariantCulture)));
            result.Project = dir;
            var restore = Exec(dir, "restore realshaped.csproj -v:q", out var restoreOut);
            if (restore != 0)
            {
                result.Error = "restore failed: " + restoreOut;
                return result;
            }

            // One untimed build: warms the SDK's own files in the page cache and checks that the project compiles.
            var warm = Build(dir, withGuardOrder: true, allRules: false, "warm");
            if (warm is null)
            {
                result.Error = "build failed: see " + Path.Combine(dir, "warm.log");
                return result;
            }

            for (var i = 0; i < pairs; i++)
            {
                BuildRun? w, wo, il;
                if (i % 2 == 0)
                {
                    w = Build(dir, true, false, "with" + i);
                    wo = Build(dir, false, false, "without" + i);
                    il = IlAnalyzer == PackedAnalyzer ? null : Build(dir, true, false, "with-il" + i, analyzer: IlAnalyzer);
                }
                else
                {
                    il = IlAnalyzer == PackedAnalyzer ? null : Build(dir, true, false, "with-il" + i, analyzer: IlAnalyzer);
                    wo = Build(dir, false, false, "without" + i);
                    w = Build(dir, true, false, "with" + i);
                }

                if (w is null || wo is null)
                {
                    result.Error = "build failed in pair " + i;
                    return result;
                }

                Console.Error.WriteLine($"[build {result.Lines:N0}] pair {i + 1}: with GuardOrder CPU {w.CpuS:F1} s (Csc {w.CscMs / 1000:F1} s, GuardOrder {w.GuardOrderS:F1} s), without CPU {wo.CpuS:F1} s (Csc {wo.CscMs / 1000:F1} s)");
                result.Runs.Add((w, wo));
                if (il is not null)
                {
                    result.IlRuns.Add(il);
                    Console.Error.WriteLine($"[build {result.Lines:N0}] pair {i + 1}: with GuardOrder's IL assembly CPU {il.CpuS:F1} s");
                }
            }

            if (allRules)
            {
                result.AllRules = Build(dir, true, true, "all-rules");
                if (result.AllRules is not null)
                {
                    Console.Error.WriteLine($"[build {result.Lines:N0}] AnalysisMode=All: CPU {result.AllRules.CpuS:F1} s, Csc {result.AllRules.CscMs / 1000:F1} s, analyzers {result.AllRules.AnalyzerTotalS:F1} s");
                }
            }

            return result;
        }

        /// <summary>
        /// The pairs again with the compiler server, as a plain <c>dotnet build</c> compiles: the server
        /// (VBCSCompiler) outlives the builds, keeps GuardOrder loaded and its code jitted and tiered up.
        /// CPU = the build's process tree (user+sys) plus the server's CPU during the build (from
        /// /proc/&lt;pid&gt;/stat). Untimed builds first warm the server (<see cref="ServerWarmups"/>).
        /// </summary>
        /// <summary>Untimed server builds (all but the second with GuardOrder) before the pairs.</summary>
        public const int ServerWarmups = 8;

        public static void RunServer(Result result, int pairs)
        {
            var dir = result.Project;
            Exec(dir, "build-server shutdown", out _);
            try
            {
                // The server tiers GuardOrder's code up over several builds (at 100k lines its time fell from
                // 3.4-5.1 s in the first builds to 1.3-2.4 s after seven): a fixed number of untimed builds first.
                for (var i = 0; i < ServerWarmups; i++)
                {
                    var warm = Build(dir, withGuardOrder: i != 1, false, "server-warm" + i, server: true);
                    if (warm is null)
                    {
                        result.ServerError = "server build failed: see " + Path.Combine(dir, "server-warm" + i + ".log");
                        return;
                    }

                    Console.Error.WriteLine($"[build {result.Lines:N0}] server warm-up {i + 1}/{ServerWarmups}: {(warm.WithGuardOrder ? $"GuardOrder {warm.GuardOrderS:F2} s, " : "without GuardOrder, ")}CPU {warm.CpuS:F1} s");
                }

                for (var i = 0; i < pairs; i++)
                {
                    var first = Build(dir, i % 2 == 0, false, "server" + i + "a", server: true);
                    var second = Build(dir, i % 2 != 0, false, "server" + i + "b", server: true);
                    if (first is null || second is null)
                    {
                        result.ServerError = "server build failed in pair " + i;
                        return;
                    }

                    var (w, wo) = first.WithGuardOrder ? (first, second) : (second, first);
                    Console.Error.WriteLine($"[build {result.Lines:N0}] server pair {i + 1}: with GuardOrder CPU {w.CpuS:F1} s (server {w.ServerCpuS:F1} s), without CPU {wo.CpuS:F1} s (server {wo.ServerCpuS:F1} s)");
                    result.ServerRuns.Add((w, wo));
                }
            }
            finally
            {
                Exec(dir, "build-server shutdown", out _);
            }
        }

        /// <summary>CPU seconds (user+sys) of the running compiler servers, by process id.</summary>
        private static Dictionary<int, double> ServerCpu()
        {
            var cpu = new Dictionary<int, double>();
            foreach (var procDir in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(procDir), out var pid))
                {
                    continue;
                }

                try
                {
                    var cmdline = File.ReadAllText(Path.Combine(procDir, "cmdline"));
                    if (!cmdline.Contains("VBCSCompiler", StringComparison.Ordinal))
                    {
                        continue;
                    }

                    // Fields after the command's closing parenthesis: state is field 3, utime/stime are 14/15.
                    var stat = File.ReadAllText(Path.Combine(procDir, "stat"));
                    var fields = stat.Substring(stat.LastIndexOf(')') + 2).Split(' ');
                    // In clock ticks of USER_HZ, which is 100 on Linux.
                    cpu[pid] = (double.Parse(fields[11], CultureInfo.InvariantCulture) + double.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
                }
                catch (IOException)
                {
                    // The process ended while it was read.
                }
                catch (UnauthorizedAccessException)
                {
                }
            }

            return cpu;
        }

        private static BuildRun? Build(string dir, bool withGuardOrder, bool allRules, string name, bool server = false, string? analyzer = null)
        {
            var log = Path.Combine(dir, name + ".log");
            var timeFile = Path.Combine(dir, name + ".time");
            var props = $"-p:GuardOrder={(withGuardOrder ? "true" : "false")} -p:ReportAnalyzer=true" +
                        (analyzer is null ? "" : $" \"-p:GuardOrderAnalyzer={analyzer}\"") +
                        (allRules ? " -p:EnableNETAnalyzers=true -p:AnalysisMode=All" : "");
            var shared = server ? "true" : "false";
            var args = $"-f \"%e %U %S\" -o {timeFile} dotnet build realshaped.csproj --no-restore --no-incremental -m:1 -nodeReuse:false -p:UseSharedCompilation={shared} {props} -v:q -clp:NoSummary \"-flp:logfile={log};verbosity=detailed;performancesummary\"";
            var before = server ? ServerCpu() : null;
            var code = Exec(dir, args, out _, "/usr/bin/time");
            if (code != 0 || !File.Exists(timeFile))
            {
                return null;
            }

            var t = File.ReadAllLines(timeFile).Last(l => l.Trim().Length > 0).Split(' ', StringSplitOptions.RemoveEmptyEntries)
                .Select(x => double.Parse(x, CultureInfo.InvariantCulture)).ToArray();
            var run = new BuildRun { WithGuardOrder = withGuardOrder, WallS = t[0], CpuS = t[1] + t[2], Log = log };
            if (before is not null)
            {
                // A server started by this build counts from zero; one that ended counts nothing more.
                foreach (var (pid, now) in ServerCpu())
                {
                    run.ServerCpuS += now - (before.TryGetValue(pid, out var then) ? then : 0);
                }

                run.CpuS += run.ServerCpuS;
            }

            ParseLog(File.ReadAllLines(log), run);
            return run;
        }

        /// <summary>
        /// From the detailed log: the Csc task's time (task performance summary), the analyzers' total,
        /// GuardOrder's analyzers and every rule id's time (the ReportAnalyzer table).
        /// </summary>
        internal static void ParseLog(string[] lines, BuildRun run)
        {
            var csc = new Regex(@"^\s*([\d.,]+) ms\s+Csc\s+\d+ calls", RegexOptions.CultureInvariant);
            var total = new Regex(@"Total analyzer execution time:\s*([\d.,]+)\s*seconds", RegexOptions.CultureInvariant);
            var row = new Regex(@"^\s*(<?[\d.,]+)\s+(<?\d+)\s+(\S.*)$", RegexOptions.CultureInvariant);
            var inAnalyzers = false;
            string? assembly = null;
            foreach (var raw in lines)
            {
                var l = raw.TrimEnd();
                var m = csc.Match(l);
                if (m.Success)
                {
                    run.CscMs = Num(m.Groups[1].Value);
                    continue;
                }

                m = total.Match(l);
                if (m.Success)
                {
                    run.AnalyzerTotalS = Num(m.Groups[1].Value);
                    inAnalyzers = true;
                    continue;
                }

                if (!inAnalyzers)
                {
                    continue;
                }

                if (l.Contains("Total generator execution time", StringComparison.Ordinal))
                {
                    inAnalyzers = false;
                    continue;
                }

                m = row.Match(l);
                if (!m.Success)
                {
                    continue;
                }

                var seconds = m.Groups[1].Value.StartsWith("<", StringComparison.Ordinal) ? 0.0005 : Num(m.Groups[1].Value);
                var what = m.Groups[3].Value.Trim();
                var indent = l.Length - l.TrimStart().Length;
                if (what.Contains(", Version=", StringComparison.Ordinal))
                {
                    // An analyzer assembly's line.
                    assembly = what;
                    if (what.StartsWith("GuardOrder.Analyzers", StringComparison.Ordinal))
                    {
                        run.GuardOrderS += seconds;
                    }

                    continue;
                }

                // An analyzer type's line: "Namespace.Type (CA1508, CA1509)".
                var ids = Regex.Match(what, @"\(([A-Z]{2,}\d{4}(?:,\s*[A-Z]{2,}\d{4})*)\)\s*$");
                var key = ids.Success ? ids.Groups[1].Value.Replace(" ", "", StringComparison.Ordinal) : what;
                run.Rules[key] = run.Rules.TryGetValue(key, out var v) ? v + seconds : seconds;
                _ = indent;
                _ = assembly;
            }
        }

        private static double Num(string s) => double.Parse(s.Replace(",", "", StringComparison.Ordinal).TrimStart('<'), CultureInfo.InvariantCulture);

        private static int Exec(string dir, string args, out string output, string file = "dotnet")
        {
            var psi = new ProcessStartInfo(file, args)
            {
                WorkingDirectory = dir,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
            psi.Environment["DOTNET_NOLOGO"] = "1";
            psi.Environment["MSBUILDDISABLENODEREUSE"] = "1";
            psi.Environment["DOTNET_CLI_DO_NOT_USE_MSBUILD_SERVER"] = "1";
            psi.Environment["MSBUILDNOINPROCNODE"] = "";
            using var p = Process.Start(psi)!;
            var sb = new StringBuilder();
            p.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (sb) { sb.AppendLine(e.Data); } } };
            p.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (sb) { sb.AppendLine(e.Data); } } };
            p.BeginOutputReadLine();
            p.BeginErrorReadLine();
            p.WaitForExit();
            output = sb.ToString();
            return p.ExitCode;
        }
    }
}
