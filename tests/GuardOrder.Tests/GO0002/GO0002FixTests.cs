using System.Collections.Immutable;
using System.Linq;
using System.Threading.Tasks;
using GuardOrder.Analyzers;
using GuardOrder.CodeFixes;
using GuardOrder.Tests.Model;
using GuardOrder.Tests.Sync;
using GuardOrder.Tests.Verifiers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;
using Kit = GuardOrder.Tests.Verifiers.SyncFixTestKit<GuardOrder.Analyzers.GO0002FaultPathSyncAnalyzer, GuardOrder.CodeFixes.GO0002AddFaultPathChecksFix>;
using Verify = GuardOrder.Tests.Verifiers.CSharpCodeFixVerifier<GuardOrder.Analyzers.GO0002FaultPathSyncAnalyzer, GuardOrder.CodeFixes.GO0002AddFaultPathChecksFix>;

namespace GuardOrder.Tests.GO0002
{
    /// <summary>"Add the checks the fault path makes": before/after, the lock, Fix All, comments, refusals.</summary>
    public class GO0002FixTests
    {
        private static DiagnosticResult GO0002(int location) => Kit.Expect(RuleIdentifiers.FaultPathMissingCheck, location);

        private static DiagnosticResult GO0003(int location) => Kit.Expect(RuleIdentifiers.FaultPathCheckOutsideLock, location);

        private static Task VerifyFixAsync(string source, string fixedSource, params DiagnosticResult[] expected)
        {
            var test = new Verify.Test
            {
                TestCode = KernelFixture.With(source),
                CodeActionEquivalenceKey = GO0002AddFaultPathChecksFix.EquivalenceKey,
            };
            Expect(test, expected, KernelFixture.With(fixedSource));
            return test.RunAsync();
        }

        /// <summary>The fixed state is exactly <paramref name="fixedSource"/> with no diagnostic (not the GO0003 the fix also removes, inherited).</summary>
        private static void Expect(Verify.Test test, DiagnosticResult[] expected, string fixedSource)
        {
            test.ExpectedDiagnostics.AddRange(expected);
            foreach (var state in new[] { test.FixedState, test.BatchFixedState })
            {
                state.InheritanceMode = StateInheritanceMode.Explicit;
                state.Sources.Add(("/0/Test0.cs", fixedSource));
            }
        }

        private static Task AssertRefusedAsync(string members, string reasonFragment) =>
            Kit.AssertRefusedAsync(members, RuleIdentifiers.FaultPathMissingCheck, GO0002CheckRepair.ChecksProperty, reasonFragment);

        /// <summary>Peter Xu's v1 shape on v5.13: no page lock, no KSM test, the count read in the granting condition.</summary>
        internal const string NoLock = """
                [MustMatchFaultPath(nameof(do_wp_page))]
                static bool no_lock(pte_t pte, vm_area_struct vma)
                {
                    if ((vma.vm_flags & VM_WRITE) == 0)
                        return false;
                    if (userfaultfd_pte_wp(vma, pte))
                        return false;
                    page? page = vm_normal_page(vma, pte);
                    if (page == null)
                        return false;
                    if (!PageAnon(page))
                        return false;
                    /* only one reference: ours */
                    return {|#0:{|#1:page_count(page)|} == 1|};
                }
            """;

        internal const string NoLockFixed = """
                [MustMatchFaultPath(nameof(do_wp_page))]
                static bool no_lock(pte_t pte, vm_area_struct vma)
                {
                    if ((vma.vm_flags & VM_WRITE) == 0)
                        return false;
                    if (userfaultfd_pte_wp(vma, pte))
                        return false;
                    page? page = vm_normal_page(vma, pte);
                    if (page == null)
                        return false;
                    if (!PageAnon(page))
                        return false;
                    if (!trylock_page(page))
                        return false;
                    if (PageKsm(page))
                    {
                        unlock_page(page);
                        return false;
                    }
                    if (page_mapcount(page) != 1)
                    {
                        unlock_page(page);
                        return false;
                    }
                    if (page_count(page) != 1)
                    {
                        unlock_page(page);
                        return false;
                    }
                    unlock_page(page);
                    /* only one reference: ours */
                    return page_count(page) == 1;
                }
            """;

        /// <summary>The lock the checks need is taken as do_wp_page takes it, the checks are re-made under it, and it is released on every route out.</summary>
        [Fact]
        public Task MissingLockAndKsm_TakenAndCheckedUnderTheLock() =>
            VerifyFixAsync(NoLock, NoLockFixed, GO0002(0), GO0003(1));

        [Fact]
        public async Task FixedCode_HasNoSyncDiagnosticLeft()
        {
            var before = await SyncTestRunner.RunAsync(KernelFixture.With(System.Text.RegularExpressions.Regex.Replace(NoLock, @"\{\|#\d:|\|\}", string.Empty)));
            SyncTestRunner.AssertReports(before, "GO0002", "PageKsm(page) is false");
            var after = await SyncTestRunner.RunAsync(KernelFixture.With(NoLockFixed));
            SyncTestRunner.AssertSilent(after, "GO0002", "GO0003", "GO0004", "GO0005");
        }

        /// <summary>
        /// Only the checks the grant route needs beyond what the other grant routes cover: the shared-mapping
        /// route (wp_page_shared) of a predicate that never looks at the page; vm_normal_page's result is
        /// written as the call (the predicate has no local for it), null-checked before it is read.
        /// Braces follow the method's own style.
        /// </summary>
        [Fact]
        public Task SharedMapping_ChecksWrittenInThePredicatesValues() => VerifyFixAsync(
            """
                [MustMatchFaultPath(nameof(do_wp_page))]
                static bool shared(pte_t pte, vm_area_struct vma)
                {
                    if ((vma.vm_flags & VM_WRITE) == 0)
                    {
                        return false;
                    }
                    // clean ptes must fault
                    if (!pte_dirty(pte))
                    {
                        return false;
                    }
                    return {|#0:true|}; // the write is granted
                }
            """,
            """
                [MustMatchFaultPath(nameof(do_wp_page))]
                static bool shared(pte_t pte, vm_area_struct vma)
                {
                    if ((vma.vm_flags & VM_WRITE) == 0)
                    {
                        return false;
                    }
                    // clean ptes must fault
                    if (!pte_dirty(pte))
                    {
                        return false;
                    }
                    if (userfaultfd_wp(vma))
                    {
                        return false;
                    }
                    if (vm_normal_page(vma, pte) is null)
                    {
                        return false;
                    }
                    if (PageAnon(vm_normal_page(vma, pte)!))
                    {
                        return false;
                    }
                    if ((vma.vm_flags & VM_SHARED) == 0)
                    {
                        return false;
                    }
                    return true; // the write is granted
                }
            """,
            GO0002(0));

        /// <summary>A granting return that is an if's branch becomes a block of the checks and the return.</summary>
        [Fact]
        public Task ReturnInAnIfBranch_BecomesABlock() => VerifyFixAsync(
            """
                [MustMatchFaultPath(nameof(do_wp_page))]
                static bool branch(pte_t pte, vm_area_struct vma)
                {
                    if ((vma.vm_flags & VM_WRITE) == 0)
                        return false;
                    if (userfaultfd_pte_wp(vma, pte))
                        return false;
                    page? page = vm_normal_page(vma, pte);
                    if (page != null && PageAnon(page) && !{|#1:PageKsm(page)|})
                        return {|#0:true|};
                    return false;
                }
            """,
            """
                [MustMatchFaultPath(nameof(do_wp_page))]
                static bool branch(pte_t pte, vm_area_struct vma)
                {
                    if ((vma.vm_flags & VM_WRITE) == 0)
                        return false;
                    if (userfaultfd_pte_wp(vma, pte))
                        return false;
                    page? page = vm_normal_page(vma, pte);
                    if (page != null && PageAnon(page) && !PageKsm(page))
                    {
                        if (!trylock_page(page))
                            return false;
                        if (PageKsm(page))
                        {
                            unlock_page(page);
                            return false;
                        }
                        if (page_mapcount(page) != 1)
                        {
                            unlock_page(page);
                            return false;
                        }
                        if (page_count(page) != 1)
                        {
                            unlock_page(page);
                            return false;
                        }
                        unlock_page(page);
                        return true;
                    }
                    return false;
                }
            """,
            GO0002(0),
            GO0003(1));

        /// <summary>'if (x) return true;' on one line: the branch becomes a block on lines of its own.</summary>
        [Fact]
        public Task OneLineBranch_BecomesABlockOnItsOwnLines() => VerifyFixAsync(
            """
                [MustMatchFaultPath(nameof(do_wp_page))]
                static bool one_line(pte_t pte, vm_area_struct vma)
                {
                    if ((vma.vm_flags & VM_WRITE) == 0) return false;
                    if (pte_dirty(pte)) return {|#0:true|};
                    return false;
                }
            """,
            """
                [MustMatchFaultPath(nameof(do_wp_page))]
                static bool one_line(pte_t pte, vm_area_struct vma)
                {
                    if ((vma.vm_flags & VM_WRITE) == 0) return false;
                    if (pte_dirty(pte))
                    {
                        if (userfaultfd_wp(vma))
                            return false;
                        if (vm_normal_page(vma, pte) is null)
                            return false;
                        if (PageAnon(vm_normal_page(vma, pte)!))
                            return false;
                        if ((vma.vm_flags & VM_SHARED) == 0)
                            return false;
                        return true;
                    }
                    return false;
                }
            """,
            GO0002(0));

        [Theory]
        [InlineData(FixAllScope.Document)]
        [InlineData(FixAllScope.Project)]
        [InlineData(FixAllScope.Solution)]
        public async Task FixAll_EveryScope(FixAllScope scope)
        {
            var second = NoLock.Replace("no_lock", "second").Replace("#1", "#3").Replace("#0", "#2");
            var secondFixed = NoLockFixed.Replace("no_lock", "second");
            var test = new Verify.Test { CodeActionEquivalenceKey = GO0002AddFaultPathChecksFix.EquivalenceKey };
            test.TestState.Sources.Add(("/0/Test0.cs", KernelFixture.With(NoLock + "\n" + second)));
            Expect(test, new[] { GO0002(0), GO0003(1), GO0002(2), GO0003(3) }, KernelFixture.With(NoLockFixed + "\n" + secondFixed));
            test.CodeFixTestBehaviors = scope switch
            {
                FixAllScope.Document => CodeFixTestBehaviors.SkipFixAllInProjectCheck | CodeFixTestBehaviors.SkipFixAllInSolutionCheck,
                FixAllScope.Project => CodeFixTestBehaviors.SkipFixAllInDocumentCheck | CodeFixTestBehaviors.SkipFixAllInSolutionCheck,
                _ => CodeFixTestBehaviors.SkipFixAllInDocumentCheck | CodeFixTestBehaviors.SkipFixAllInProjectCheck,
            };
            await test.RunAsync();
        }

        /// <summary>The lock is still held at the return: an added 'return false' would leak it (GO0004's fix comes first).</summary>
        [Fact]
        public Task Refused_LockHeldAtTheReturn() => AssertRefusedAsync(
            """
                [MustMatchFaultPath(nameof(do_wp_page))]
                static bool held(pte_t pte, vm_area_struct vma)
                {
                    if ((vma.vm_flags & VM_WRITE) == 0)
                        return false;
                    if (userfaultfd_pte_wp(vma, pte))
                        return false;
                    page? page = vm_normal_page(vma, pte);
                    if (page == null || !PageAnon(page))
                        return false;
                    if (!trylock_page(page))
                        return false;
                    return page_count(page) == 1;
                }
            """,
            "a lock is held at this return");

        /// <summary>The predicate never names the pte: the fault path's vmf.orig_pte has no value in it.</summary>
        [Fact]
        public Task Refused_SubjectWithNoValueInThePredicate() => AssertRefusedAsync(
            """
                [MustMatchFaultPath(nameof(do_wp_page))]
                static bool no_pte(vm_area_struct vma)
                {
                    if ((vma.vm_flags & VM_WRITE) == 0)
                        return false;
                    return true;
                }
            """,
            "pte_t has no value in the predicate");

        /// <summary>An expression-bodied predicate gets a block body, the checks before its return.</summary>
        [Fact]
        public Task ExpressionBody_BecomesABlock() => VerifyFixAsync(
            """
                [MustMatchFaultPath(nameof(do_wp_page))]
                static bool arrow(pte_t pte, vm_area_struct vma) => {|#0:(vma.vm_flags & VM_WRITE) != 0 && pte_dirty(pte)|}; // dirty and writable
            """,
            """
                [MustMatchFaultPath(nameof(do_wp_page))]
                static bool arrow(pte_t pte, vm_area_struct vma)
                {
                    if (userfaultfd_wp(vma))
                        return false;
                    if (vm_normal_page(vma, pte) is null)
                        return false;
                    if (PageAnon(vm_normal_page(vma, pte)!))
                        return false;
                    if ((vma.vm_flags & VM_SHARED) == 0)
                        return false;
                    return (vma.vm_flags & VM_WRITE) != 0 && pte_dirty(pte);
                } // dirty and writable
            """,
            GO0002(0));

        /// <summary>
        /// A number the fault path passes (vmf.address) maps only to the predicate's own argument in its own
        /// call of the same method, or to its parameter of the name and type the method gives it; without
        /// either the fix says which value is missing.
        /// </summary>
        [Fact]
        public async Task NumberArgument_MappedThroughThePredicatesOwnCall_OrRefused()
        {
            const string Domain = """
                    public sealed class fault_ctx { public vm_area_struct vma = new vm_area_struct(); public ulong address; public pte_t orig_pte; }

                    [FaultPathCheck] public static bool addr_ok(vm_area_struct vma, ulong addr, pte_t pte) => addr != 0;
                    [WriteGrant] public static void grant_at(fault_ctx vmf) { }

                    public static int fault_at(fault_ctx vmf)
                    {
                        if (!addr_ok(vmf.vma, vmf.address, vmf.orig_pte))
                            return 0;
                        if (pte_dirty(vmf.orig_pte))
                            return 0;
                        grant_at(vmf);
                        return 1;
                    }
                """;
            await AssertRefusedAsync(
                Domain + """
                    [MustMatchFaultPath(nameof(fault_at))]
                    static bool no_addr(pte_t pte, vm_area_struct vma, ulong at)
                    {
                        if (pte_dirty(pte))
                            return false;
                        return true;
                    }
                """,
                "vmf.address has no value in the predicate");

            var source = KernelFixture.With(Domain + """
                    [MustMatchFaultPath(nameof(fault_at))]
                    static bool with_addr(pte_t pte, vm_area_struct vma, ulong addr)
                    {
                        if (pte_dirty(pte))
                            return false;
                        if (addr == 0 && !addr_ok(vma, addr, pte))
                            return false;
                        return true;
                    }
                """);
            var diagnostic = Assert.Single(await FixHarness.AnalyzeAsync(source), d => d.Id == "GO0002");
            var fixedText = await FixHarness.ApplyAsync(source, diagnostic);
            Assert.NotNull(fixedText);
            Assert.Contains("if (!addr_ok(vma, addr, pte))\n            return false;\n        return true;", fixedText!.Replace("\r\n", "\n"));
            Assert.DoesNotContain(await FixHarness.AnalyzeAsync(fixedText), d => d.Id == "GO0002");

            // No call of its own, but a parameter of the name and type addr_ok gives the argument.
            var byName = KernelFixture.With(Domain + """
                    [MustMatchFaultPath(nameof(fault_at))]
                    static bool by_name(pte_t pte, vm_area_struct vma, ulong addr)
                    {
                        if (pte_dirty(pte))
                            return false;
                        return true;
                    }
                """);
            var named = Assert.Single(await FixHarness.AnalyzeAsync(byName), d => d.Id == "GO0002");
            var namedFixed = await FixHarness.ApplyAsync(byName, named);
            Assert.NotNull(namedFixed);
            Assert.Contains("if (!addr_ok(vma, addr, pte))", namedFixed);
        }
    }
}
