using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using GuardOrder.Analyzers;
using GuardOrder.Tests.Verifiers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace GuardOrder.Tests.Sync
{
    /// <summary>
    /// The mutation test of issue 8: each of the review's bugs, planted alone into sample-mm's
    /// may_avoid_write_fault (mprotect.cs), is caught by its rule; the unmutated port is clean. The port
    /// is compiled in memory (no dotnet build per mutant).
    /// </summary>
    public class SampleMmMutationTests
    {
        private static readonly ImmutableArray<DiagnosticAnalyzer> Analyzers = ImmutableArray.Create<DiagnosticAnalyzer>(
            new GO0001SecurityGuardFirstAnalyzer(),
            new GO0002FaultPathSyncAnalyzer(),
            new GO0004LockDisciplineAnalyzer(),
            new GO0005SecurityBypassAnalyzer(),
            new GO0006InvalidAnnotationAnalyzer());

        /// <summary>Name, the text replaced in mprotect.cs (lines compared trimmed), its replacement, and the rules any of which must fire.</summary>
        public static IEnumerable<object[]> Mutants()
        {
            yield return M("drop the VM_WRITE guard", """
                if ((vma.vm_flags & VM_WRITE) == 0)
                {
                    return false;
                }
                """, string.Empty, "GO0005");
            yield return M("move the VM_WRITE guard after the NUMA test", """
                if ((vma.vm_flags & VM_WRITE) == 0)
                {
                    return false;
                }

                // It is unclear whether this optimization can be done safely for NUMA pages.
                if ((cp_flags & MM_CP_PROT_NUMA) != 0)
                {
                    return false;
                }
                """, """
                if ((cp_flags & MM_CP_PROT_NUMA) != 0)
                {
                    return false;
                }

                if ((vma.vm_flags & VM_WRITE) == 0)
                {
                    return false;
                }
                """, "GO0001");
            yield return M("drop PageKsm", """
                if (PageKsm(page))
                {
                    goto unlock_fail;
                }
                """, string.Empty, "GO0002");
            yield return M("drop the page_count check", """
                if (page_count(page) != 1)
                {
                    goto unlock_fail;
                }
                """, string.Empty, "GO0002");
            yield return M("drop the uffd-wp test", """
                if (pte_uffd_wp(pte) || userfaultfd_pte_wp(vma, pte))
                {
                    return false;
                }
                """, string.Empty, "GO0002");
            yield return M("drop the page lock", """
                if (!trylock_page(page))
                {
                    return false;
                }
                """, string.Empty, "GO0002", "GO0003", "GO0004");
            yield return M("drop the unlock", """
                unlock_page(page);
                return ret;
                """, "return ret;", "GO0004");
            yield return M("make !PageAnon(page) return true", """
                if (!PageAnon(page))
                {
                    return false;
                }
                """, """
                if (!PageAnon(page))
                {
                    return true;
                }
                """, "GO0002");
            yield return M("drop VM_SHARED from the dirty-accounting shortcut", " && (vma.vm_flags & VM_SHARED) != 0", string.Empty, "GO0002");
            yield return M("pte_page(pte) for vm_normal_page(...)", "page = vm_normal_page(vma, addr, pte);", "page = pte_page(pte);", "GO0002");
            yield return M("read PageKsm before the lock", """
                if (!trylock_page(page))
                {
                    return false;
                }

                // KSM pages needs COW; leave them be. (PageKsm() is stable under the page lock.)
                if (PageKsm(page))
                {
                    goto unlock_fail;
                }
                """, """
                if (PageKsm(page))
                {
                    return false;
                }

                if (!trylock_page(page))
                {
                    return false;
                }
                """, "GO0003");
        }

        private static object[] M(string name, string old, string replacement, params string[] rules) => new object[] { name, old, replacement, rules };

        [Fact]
        public async Task UnmutatedPortIsClean()
        {
            var diagnostics = await AnalyzeAsync(null, null);
            Assert.True(diagnostics.Count == 0, string.Join("\n", diagnostics));
        }

        [Theory]
        [MemberData(nameof(Mutants))]
        public async Task MutantIsCaughtByItsRule(string name, string old, string replacement, string[] rules)
        {
            var diagnostics = await AnalyzeAsync(old, replacement);
            Assert.True(
                diagnostics.Any(d => rules.Contains(d.Id) && Path.GetFileName(d.Location.SourceTree?.FilePath) == "mprotect.cs"),
                "mutant '" + name + "' is not caught by " + string.Join("/", rules) + "; reported:\n" + string.Join("\n", diagnostics));
        }

        private static async Task<List<Diagnostic>> AnalyzeAsync(string? old, string? replacement)
        {
            var root = Path.Combine(GuardOrder.Tests.Documentation.RuleCatalog.RepoRoot, "sample-mm");
            var options = new CSharpParseOptions(LanguageVersion.Latest);
            var files = Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
                .Where(f => !f.Contains(Path.DirectorySeparatorChar + "obj" + Path.DirectorySeparatorChar, StringComparison.Ordinal)
                         && !f.Contains(Path.DirectorySeparatorChar + "bin" + Path.DirectorySeparatorChar, StringComparison.Ordinal)
                         && !f.Contains(Path.DirectorySeparatorChar + "as-posted" + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                .OrderBy(f => f, StringComparer.Ordinal)
                .ToList();
            var trees = new List<SyntaxTree>();
            foreach (var file in files)
            {
                var text = File.ReadAllText(file);
                if (old is not null && Path.GetFileName(file) == "mprotect.cs")
                {
                    var mutated = SyncTestRunner.Mutate(text, old, replacement!);
                    Assert.NotEqual(text, mutated);
                    text = mutated;
                }

                trees.Add(CSharpSyntaxTree.ParseText(text, options, file));
            }

            var compilation = AnalyzerHarness.Compile(trees, assemblyName: "SampleMm");
            var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
            Assert.True(errors.Count == 0, "the mutant does not compile:\n" + string.Join("\n", errors));
            var run = await AnalyzerHarness.RunAsync(compilation, Analyzers);
            run.AssertNoAnalyzerException("sample-mm mutant");
            return run.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        }
    }
}
