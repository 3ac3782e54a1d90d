using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit.Abstractions;

namespace SampleMm.Tests.Mutation
{
    /// <summary>
    /// Plants each bug of <see cref="Mutants"/> alone into the port's may_avoid_write_fault(),
    /// compiles the port with the scenario checks in memory (no analyzers: Roslyn only compiles),
    /// loads it into a collectible context, and runs the checks (<see cref="Scenario.mutation_entry"/>).
    /// Every mutant must fail them - except an equivalent one, which must pass them (its reason is
    /// in Mutants.cs) - and the unmutated port must pass.
    /// </summary>
    public sealed class MutationTests
    {
        internal const long iterations = 1_000;

        private readonly ITestOutputHelper output;

        public MutationTests(ITestOutputHelper output)
        {
            this.output = output;
        }

        private static readonly Lazy<port_sources> sources = new Lazy<port_sources>(() => new port_sources());

        public static IEnumerable<object[]> names => Mutants.all.Select(m => new object[] { m.name });

        [Fact]
        public void EveryMutantEdit_MatchesExactlyOnce()
        {
            string text = sources.Value.mprotect_text;
            foreach (var m in Mutants.all)
            {
                foreach (var (old_text, _) in m.edits)
                {
                    int first = text.IndexOf(old_text, StringComparison.Ordinal);
                    Assert.True(first >= 0, $"{m.name}: not found in {Mutants.file}:\n{old_text}");
                    Assert.True(text.IndexOf(old_text, first + 1, StringComparison.Ordinal) < 0, $"{m.name}: found more than once:\n{old_text}");
                }
            }
        }

        [Fact]
        [Trait("Category", "Slow")]
        public void UnmutatedPort_PassesTheChecks()
        {
            var failure = sources.Value.run(sources.Value.mprotect_text, iterations);
            Assert.True(failure is null, failure);
        }

        [Theory]
        [Trait("Category", "Slow")]
        [MemberData(nameof(names))]
        public void PlantedBug_FailsTheChecks(string name)
        {
            var m = Mutants.all.Single(x => x.name == name);
            string text = sources.Value.mprotect_text;
            foreach (var (old_text, new_text) in m.edits)
            {
                text = text.Replace(old_text, new_text, StringComparison.Ordinal);
            }

            var watch = System.Diagnostics.Stopwatch.StartNew();
            var failure = sources.Value.run(text, iterations);
            output.WriteLine($"{m.name} ({watch.ElapsedMilliseconds} ms): {failure ?? "survived"}");
            if (failure is not null)
            {
                var caught = failure.Split('\n').Where(l => l.StartsWith("known scenario", StringComparison.Ordinal) || l.StartsWith("interleaving", StringComparison.Ordinal) || l.StartsWith("generated", StringComparison.Ordinal)).Select(l => l[..l.IndexOf(": ", StringComparison.Ordinal)]);
                output.WriteLine("caught by: " + string.Join("; ", caught));
            }
            if (m.equivalent is not null)
            {
                Assert.True(failure is null, "the mutant said to be equivalent was killed - update Mutants.cs:\n" + failure);
            }
            else
            {
                Assert.True(failure is not null, $"{m.name} survived: {m.why}");
            }
        }

        /// <summary>The port's sources, the scenario checks, and an in-memory compiler for them.</summary>
        private sealed class port_sources
        {
            private readonly List<SyntaxTree> fixed_trees = new List<SyntaxTree>();
            private readonly List<MetadataReference> references;
            private readonly CSharpParseOptions parse = new CSharpParseOptions(LanguageVersion.Latest);
            public readonly string mprotect_path;
            public readonly string mprotect_text;

            public port_sources()
            {
                string root = repo_root();
                string sample = Path.Combine(root, "sample-mm");
                mprotect_path = Path.Combine(root, Mutants.file);
                mprotect_text = File.ReadAllText(mprotect_path).Replace("\r\n", "\n", StringComparison.Ordinal);
                var files = Directory.EnumerateFiles(sample, "*.cs", SearchOption.AllDirectories)
                    .Where(f => !Path.GetRelativePath(sample, f).Split(Path.DirectorySeparatorChar).Any(p => p is "bin" or "obj" or "as-posted"))
                    .Where(f => !string.Equals(Path.GetFullPath(f), Path.GetFullPath(mprotect_path), StringComparison.Ordinal))
                    .Concat(Directory.EnumerateFiles(Path.Combine(root, "tests", "SampleMm.Tests", "Scenario"), "*.cs"))
                    .OrderBy(f => f, StringComparer.Ordinal);
                foreach (var f in files)
                {
                    fixed_trees.Add(CSharpSyntaxTree.ParseText(File.ReadAllText(f), parse, f));
                }

                var tpa = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
                references = tpa.Where(p => Path.GetFileName(p).StartsWith("System", StringComparison.Ordinal) || Path.GetFileName(p) is "mscorlib.dll" or "netstandard.dll")
                    .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
                    .Append(MetadataReference.CreateFromFile(typeof(GuardOrder.SecurityCheckAttribute).Assembly.Location))
                    .Append(MetadataReference.CreateFromFile(typeof(CsCheck.Gen).Assembly.Location))
                    .ToList();
            }

            /// <summary>Compile the port with <paramref name="mprotect"/> as mprotect.cs, load it, run the checks.</summary>
            public string? run(string mprotect, long iterations)
            {
                var trees = fixed_trees.Append(CSharpSyntaxTree.ParseText(mprotect, parse, mprotect_path));
                var compilation = CSharpCompilation.Create(
                    "SampleMm.Mutant" + Guid.NewGuid().ToString("N"),
                    trees,
                    references,
                    new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, optimizationLevel: OptimizationLevel.Release));
                using var pe = new MemoryStream();
                var emit = compilation.Emit(pe);
                Assert.True(emit.Success, string.Join("\n", emit.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
                pe.Position = 0;
                var context = new AssemblyLoadContext("mutant", isCollectible: true);
                try
                {
                    var assembly = context.LoadFromStream(pe);
                    var entry = assembly.GetType("SampleMm.Tests.Scenario.mutation_entry", throwOnError: true)!;
                    var method = entry.GetMethod("run", BindingFlags.Public | BindingFlags.Static)!;
                    try
                    {
                        return (string?)method.Invoke(null, new object[] { iterations });
                    }
                    catch (TargetInvocationException e)
                    {
                        // A kernel BUG() (VM_BUG_ON_PAGE, ...) is a failure too.
                        return "exception: " + e.InnerException;
                    }
                }
                finally
                {
                    context.Unload();
                }
            }

            private static string repo_root()
            {
                var dir = new DirectoryInfo(AppContext.BaseDirectory);
                while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Analyzers.sln")))
                {
                    dir = dir.Parent;
                }

                return dir?.FullName ?? throw new InvalidOperationException("repository root (Analyzers.sln) not found above " + AppContext.BaseDirectory);
            }
        }
    }
}
