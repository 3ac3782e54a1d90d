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
using Kit = GuardOrder.Tests.Verifiers.SyncFixTestKit<GuardOrder.Analyzers.GO0002FaultPathSyncAnalyzer, GuardOrder.CodeFixes.GO0003RecheckUnderLockFix>;
using Verify = GuardOrder.Tests.Verifiers.CSharpCodeFixVerifier<GuardOrder.Analyzers.GO0002FaultPathSyncAnalyzer, GuardOrder.CodeFixes.GO0003RecheckUnderLockFix>;

namespace GuardOrder.Tests.GO0003
{
    /// <summary>"Re-check under the lock": before/after, Fix All, comments, refusals.</summary>
    public class GO0003FixTests
    {
        private static DiagnosticResult GO0003(int location) => Kit.Expect(RuleIdentifiers.FaultPathCheckOutsideLock, location);

        private static Task VerifyFixAsync(string source, string fixedSource, params DiagnosticResult[] expected) =>
            Kit.VerifyFixAsync(GO0003RecheckUnderLockFix.EquivalenceKey, source, fixedSource, expected);

        private static Task AssertRefusedAsync(string members, string reasonFragment) =>
            Kit.AssertRefusedAsync(members, RuleIdentifiers.FaultPathCheckOutsideLock, GO0003RecheckRepair.LockProperty, reasonFragment);

        private const string KsmBeforeLock = """
                [MustMatchFaultPath(nameof(do_wp_page))]
                static bool may_avoid_write_fault(pte_t pte, vm_area_struct vma)
                {
                    bool ret = false;
                    if ((vma.vm_flags & VM_WRITE) == 0)
                        return false;
                    if (userfaultfd_pte_wp(vma, pte))
                        return false;
                    page? page = vm_normal_page(vma, pte);
                    if (page is null)
                        return false;
                    if (!PageAnon(page))
                        return false;
                    /* KSM pages need COW (cheap test first) */
                    if ({|#0:PageKsm(page)|})
                        return false;
                    /* Best effort to take page lock */
                    if (!trylock_page(page))
                        return false;
                    bool exclusive = page_mapcount(page) == 1 && page_count(page) == 1;
                    if (exclusive)
                        ret = true;
                    unlock_page(page);
                    return ret;
                }
            """;

        private const string KsmBeforeLockFixed = """
                [MustMatchFaultPath(nameof(do_wp_page))]
                static bool may_avoid_write_fault(pte_t pte, vm_area_struct vma)
                {
                    bool ret = false;
                    if ((vma.vm_flags & VM_WRITE) == 0)
                        return false;
                    if (userfaultfd_pte_wp(vma, pte))
                        return false;
                    page? page = vm_normal_page(vma, pte);
                    if (page is null)
                        return false;
                    if (!PageAnon(page))
                        return false;
                    /* KSM pages need COW (cheap test first) */
                    if (PageKsm(page))
                        return false;
                    /* Best effort to take page lock */
                    if (!trylock_page(page))
                        return false;
                    if (PageKsm(page))
                    {
                        unlock_page(page);
                        return false;
                    }
                    bool exclusive = page_mapcount(page) == 1 && page_count(page) == 1;
                    if (exclusive)
                        ret = true;
                    unlock_page(page);
                    return ret;
                }
            """;

        [Fact]
        public Task KsmReadBeforeTheLock_RecheckedUnderIt() => VerifyFixAsync(KsmBeforeLock, KsmBeforeLockFixed, GO0003(0));

        /// <summary>Two unlocked reads in one guard: two diagnostics, one re-check (Fix All does not repeat it).</summary>
        [Fact]
        public Task TwoReadsInOneGuard_OneRecheck() => VerifyFixAsync(
            """
                [MustMatchFaultPath(nameof(do_wp_page))]
                static bool two(pte_t pte, vm_area_struct vma)
                {
                    if (userfaultfd_pte_wp(vma, pte))
                        return false;
                    page? page = vm_normal_page(vma, pte);
                    if (page == null || !PageAnon(page))
                        return false;
                    if ({|#0:PageKsm(page)|} || {|#1:page_count(page)|} != 1)
                        return false;
                    if (!trylock_page(page))
                        return false;
                    bool ret = page_mapcount(page) == 1;
                    unlock_page(page);
                    return ret;
                }
            """,
            """
                [MustMatchFaultPath(nameof(do_wp_page))]
                static bool two(pte_t pte, vm_area_struct vma)
                {
                    if (userfaultfd_pte_wp(vma, pte))
                        return false;
                    page? page = vm_normal_page(vma, pte);
                    if (page == null || !PageAnon(page))
                        return false;
                    if (PageKsm(page) || page_count(page) != 1)
                        return false;
                    if (!trylock_page(page))
                        return false;
                    if (PageKsm(page) || page_count(page) != 1)
                    {
                        unlock_page(page);
                        return false;
                    }
                    bool ret = page_mapcount(page) == 1;
                    unlock_page(page);
                    return ret;
                }
            """,
            GO0003(0),
            GO0003(1));

        [Fact]
        public async Task FixedCode_HasNoSyncDiagnosticLeft()
        {
            var before = await SyncTestRunner.RunAsync(KernelFixture.With(KsmBeforeLock.Replace("{|#0:", string.Empty).Replace("|}", string.Empty)));
            SyncTestRunner.AssertReports(before, "GO0003", "PageKsm(page)");
            var after = await SyncTestRunner.RunAsync(KernelFixture.With(KsmBeforeLockFixed));
            SyncTestRunner.AssertSilent(after, "GO0002", "GO0003", "GO0004", "GO0005");
        }

        [Theory]
        [InlineData(FixAllScope.Document)]
        [InlineData(FixAllScope.Project)]
        [InlineData(FixAllScope.Solution)]
        public async Task FixAll_EveryScope(FixAllScope scope)
        {
            var test = new Verify.Test { CodeActionEquivalenceKey = GO0003RecheckUnderLockFix.EquivalenceKey };
            test.TestState.Sources.Add(("/0/mm.cs", KernelFixture.With(KsmBeforeLock + "\n" + KsmBeforeLock.Replace("may_avoid_write_fault", "second").Replace("#0", "#1"))));
            test.FixedState.Sources.Add(("/0/mm.cs", KernelFixture.With(KsmBeforeLockFixed + "\n" + KsmBeforeLockFixed.Replace("may_avoid_write_fault", "second"))));
            test.BatchFixedState.Sources.Add(("/0/mm.cs", KernelFixture.With(KsmBeforeLockFixed + "\n" + KsmBeforeLockFixed.Replace("may_avoid_write_fault", "second"))));
            test.ExpectedDiagnostics.Add(GO0003(0));
            test.ExpectedDiagnostics.Add(GO0003(1));
            test.CodeFixTestBehaviors = scope switch
            {
                FixAllScope.Document => CodeFixTestBehaviors.SkipFixAllInProjectCheck | CodeFixTestBehaviors.SkipFixAllInSolutionCheck,
                FixAllScope.Project => CodeFixTestBehaviors.SkipFixAllInDocumentCheck | CodeFixTestBehaviors.SkipFixAllInSolutionCheck,
                _ => CodeFixTestBehaviors.SkipFixAllInDocumentCheck | CodeFixTestBehaviors.SkipFixAllInProjectCheck,
            };
            await test.RunAsync();
        }

        /// <summary>Peter Xu's first rework: the count is read in the granting condition, not a 'return false' guard.</summary>
        [Fact]
        public Task Refused_ReadInTheGrantingCondition() => AssertRefusedAsync(
            """
                [MustMatchFaultPath(nameof(do_wp_page))]
                static bool v1(pte_t pte, vm_area_struct vma)
                {
                    if (userfaultfd_pte_wp(vma, pte))
                        return false;
                    page? page = vm_normal_page(vma, pte);
                    if (page == null || !PageAnon(page))
                        return false;
                    if (!PageKsm(page) && page_mapcount(page) == 1 && page_count(page) == 1)
                        return true;
                    return false;
                }
            """,
            "is not read in an 'if (...) return false;' guard");

        [Fact]
        public Task Refused_NoTryLockGuardLater() => AssertRefusedAsync(
            """
                [MustMatchFaultPath(nameof(do_wp_page))]
                static bool unlocked(pte_t pte, vm_area_struct vma)
                {
                    if (userfaultfd_pte_wp(vma, pte))
                        return false;
                    page? page = vm_normal_page(vma, pte);
                    if (page == null || !PageAnon(page))
                        return false;
                    if (PageKsm(page))
                        return false;
                    lock_page(page);
                    bool ret = page_mapcount(page) == 1 && page_count(page) == 1;
                    unlock_page(page);
                    return ret;
                }
            """,
            "does not take the lock later");

        /// <summary>
        /// A [FaultPathCheck] whose body is not pure (it counts its reads, as sample-mm's checks run a
        /// hook between reads) is still re-checked under the lock: the annotation declares it a read of
        /// the state, which the fault path itself makes again under the lock.
        /// </summary>
        [Fact]
        public async Task ImpureFaultPathCheck_RecheckedUnderTheLock()
        {
            var source = KernelFixture.With("""
                    public sealed class slot { public bool busy; public bool locked; }
                    static int reads;
                    [FaultPathCheck] public static bool slot_busy(slot s) { reads++; return s.busy; }
                    [TryAcquiresLock] public static bool trylock_slot(slot s) { if (s.locked) return false; s.locked = true; return true; }
                    [ReleasesLock] public static void unlock_slot(slot s) => s.locked = false;
                    [WriteGrant] public static void grant_slot(slot s) { }

                    public static int fault_slot(slot s)
                    {
                        if (!trylock_slot(s))
                            return 0;
                        if (slot_busy(s))
                        {
                            unlock_slot(s);
                            return 0;
                        }
                        grant_slot(s);
                        unlock_slot(s);
                        return 1;
                    }

                    [MustMatchFaultPath(nameof(fault_slot))]
                    static bool early(slot s)
                    {
                        if (slot_busy(s))
                            return false;
                        if (!trylock_slot(s))
                            return false;
                        unlock_slot(s);
                        return true;
                    }
                """);
            var diagnostic = Assert.Single(await FixHarness.AnalyzeAsync(source), d => d.Id == "GO0003");
            var fixedText = await FixHarness.ApplyAsync(source, diagnostic);
            Assert.NotNull(fixedText);
            Assert.Contains("if (!trylock_slot(s))\n            return false;\n        if (slot_busy(s))\n        {\n            unlock_slot(s);\n            return false;\n        }", fixedText!.Replace("\r\n", "\n"));
            Assert.DoesNotContain(await FixHarness.AnalyzeAsync(fixedText), d => d.Id is "GO0002" or "GO0003" or "GO0004");
        }
    }
}
