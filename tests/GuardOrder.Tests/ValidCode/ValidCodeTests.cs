using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using GuardOrder.Tests.Documentation;
using GuardOrder.Tests.Verifiers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace GuardOrder.Tests.ValidCode
{
    /// <summary>
    /// Several hundred lines of ordinary, guard-heavy C# (ValidCode/**/*.cs.txt, read as text, not
    /// compiled into the test assembly) on which EVERY analyzer in the assembly must report nothing:
    /// unannotated code with and without the annotations referenced, and annotated code that uses
    /// the annotations correctly. A canary proves the same harness does report a real violation.
    /// </summary>
    public sealed class ValidCodeTests
    {
        private static readonly string Root = Path.Combine(RuleCatalog.RepoRoot, "tests", "GuardOrder.Tests", "ValidCode");

        public static IEnumerable<object[]> UnannotatedFiles() => Files("Unannotated");

        public static IEnumerable<object[]> AnnotatedFiles() => Files("Annotated");

        [Fact]
        public void FixtureIsSeveralHundredLines()
        {
            var lines = Directory.GetFiles(Root, "*.cs.txt", SearchOption.AllDirectories).Sum(f => File.ReadAllLines(f).Length);
            Assert.True(lines >= 500, "valid-code fixture has only " + lines + " lines");
            Assert.NotEmpty(RuleCatalog.Analyzers);
        }

        [Theory]
        [MemberData(nameof(UnannotatedFiles))]
        public async Task UnannotatedCode_WithoutAnnotationsReference_NoDiagnostics(string file)
        {
            var diagnostics = await AnalyzeAsync(File.ReadAllText(Path.Combine(Root, file)), withAnnotations: false);
            Assert.True(diagnostics.IsEmpty, Describe(file, diagnostics));
        }

        [Theory]
        [MemberData(nameof(UnannotatedFiles))]
        public async Task UnannotatedCode_WithAnnotationsReferenced_NoDiagnostics(string file)
        {
            // The attribute types are visible, so every analyzer registers and walks this code.
            var diagnostics = await AnalyzeAsync(File.ReadAllText(Path.Combine(Root, file)), withAnnotations: true);
            Assert.True(diagnostics.IsEmpty, Describe(file, diagnostics));
        }

        [Theory]
        [MemberData(nameof(AnnotatedFiles))]
        public async Task AnnotatedCode_UsedCorrectly_NoDiagnostics(string file)
        {
            var diagnostics = await AnalyzeAsync(File.ReadAllText(Path.Combine(Root, file)), withAnnotations: true);
            Assert.True(diagnostics.IsEmpty, Describe(file, diagnostics));
        }

        [Fact]
        public async Task Canary_TheSameHarnessReportsGO0001WhenTheGuardsAreSwapped()
        {
            var text = File.ReadAllText(Path.Combine(Root, "Annotated", "Mm.cs.txt"));
            const string security = "            if ((vma.vm_flags & mm_types.VM_WRITE) == 0)\n                return false;\n";
            const string numa = "            if ((cp_flags & mm_types.MM_CP_PROT_NUMA) != 0)\n                return false;\n";
            Assert.Contains(security, text, StringComparison.Ordinal);
            Assert.Contains(numa, text, StringComparison.Ordinal);
            var swapped = text.Replace(security, "@@SECURITY@@", StringComparison.Ordinal)
                .Replace(numa, security, StringComparison.Ordinal)
                .Replace("@@SECURITY@@", numa, StringComparison.Ordinal);

            var diagnostics = await AnalyzeAsync(swapped, withAnnotations: true);

            Assert.Contains(diagnostics, d => d.Id == "GO0001");
        }

        /// <summary>One edit of the annotated fixture that breaks it, and the rule that must then fire.</summary>
        public static IEnumerable<object[]> Breakages() => new[]
        {
            // The KSM test gone: the predicate can grant where do_wp_page would copy.
            new object[] { "GO0002", "            if (pagemap.PageKsm(page))\n                goto unlock_fail;\n", "" },
            // The try-lock's page never unlocked on the success route.
            new object[] { "GO0004", "            page.mapcount++;\n            pagemap.unlock_page(page);\n", "            page.mapcount++;\n" },
            // A shortcut to true before the VM_WRITE test.
            new object[] { "GO0005", "            if (!vma.flags.HasFlag(VmFlags.Write))\n", "            if (has_write_notify)\n                return true;\n            if (!vma.flags.HasFlag(VmFlags.Write))\n" },
            // A fault path name that does not exist.
            new object[] { "GO0006", "nameof(memory.do_wp_page)", "\"do_wp_pag\"" },
        };

        [Theory]
        [MemberData(nameof(Breakages))]
        public async Task Canary_BreakingTheAnnotatedFixtureIsReported(string expectedId, string find, string replace)
        {
            var text = File.ReadAllText(Path.Combine(Root, "Annotated", "Mm.cs.txt"));
            Assert.Contains(find, text, StringComparison.Ordinal);

            var diagnostics = await AnalyzeAsync(text.Replace(find, replace, StringComparison.Ordinal), withAnnotations: true);

            Assert.True(diagnostics.Any(d => d.Id == expectedId), "expected " + expectedId + ", got:\n" + string.Join("\n", diagnostics));
        }

        private static IEnumerable<object[]> Files(string folder) =>
            Directory.GetFiles(Path.Combine(Root, folder), "*.cs.txt")
                .OrderBy(f => f, StringComparer.Ordinal)
                .Select(f => new object[] { Path.Combine(folder, Path.GetFileName(f)) });

        /// <summary>Compiles <paramref name="source"/> (no compile errors allowed) and runs every analyzer of the assembly on it.</summary>
        private static async Task<ImmutableArray<Diagnostic>> AnalyzeAsync(string source, bool withAnnotations)
        {
            var tree = CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest), path: "ValidCode.cs");
            var compilation = AnalyzerHarness.Compile(new[] { tree }, withAnnotations, assemblyName: "ValidCode");

            var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
            Assert.True(errors.Count == 0, "the valid-code fixture does not compile:\n" + string.Join("\n", errors));

            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            var run = await AnalyzerHarness.RunAsync(compilation, RuleCatalog.Analyzers, concurrent: true, cancellationToken: timeout.Token);
            run.AssertNoAnalyzerException("the valid-code fixture");
            var diagnostics = run.Diagnostics;
            return diagnostics;
        }

        private static string Describe(string file, ImmutableArray<Diagnostic> diagnostics) =>
            file + " must be clean, but got:\n" + string.Join("\n", diagnostics.Select(d => d.ToString()));
    }
}
