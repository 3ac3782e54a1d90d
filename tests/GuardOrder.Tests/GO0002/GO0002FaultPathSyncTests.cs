using System.Threading.Tasks;
using GuardOrder.Tests.Model;
using Verify = GuardOrder.Tests.Verifiers.CSharpAnalyzerVerifier<GuardOrder.Analyzers.GO0002FaultPathSyncAnalyzer>;

namespace GuardOrder.Tests.GO0002
{
    public class GO0002FaultPathSyncTests
    {
        /// <summary>The predicate written the way mainline later did: vm_normal_page + PageAnon + userfaultfd_pte_wp, KSM and counts under the page lock.</summary>
        [Fact]
        public async Task MainlineShapedPredicateIsInSync()
        {
            var source = KernelFixture.With("""
                    [MustMatchFaultPath(nameof(do_wp_page))]
                    static bool may_avoid_write_fault(pte_t pte, vm_area_struct vma, ulong cp_flags)
                    {
                        page? page;
                        bool ret = false;

                        if ((vma.vm_flags & VM_WRITE) == 0)
                            return false;
                        if ((cp_flags & MM_CP_PROT_NUMA) != 0)
                            return false;
                        if (!pte_dirty(pte))
                            return false;
                        if (userfaultfd_pte_wp(vma, pte))
                            return false;
                        page = vm_normal_page(vma, pte);
                        if (page == null)
                            return false;
                        if ((cp_flags & MM_CP_DIRTY_ACCT) != 0)
                            return !PageAnon(page) && (vma.vm_flags & VM_SHARED) != 0;
                        if (!PageAnon(page))
                            return false;
                        if (!trylock_page(page))
                            return false;
                        if (PageKsm(page))
                            goto unlock_fail;
                        if (page_mapcount(page) == 1 && page_count(page) == 1)
                            ret = true;
                    unlock_fail:
                        unlock_page(page);
                        return ret;
                    }
                """);
            await Verify.VerifyAnalyzerAsync(source);
        }

        /// <summary>A predicate that mirrors only the reuse fast path is accepted: one matching route is enough.</summary>
        [Fact]
        public async Task FastPathOnlyPredicateIsAccepted()
        {
            var source = KernelFixture.With("""
                    [MustMatchFaultPath(nameof(do_wp_page))]
                    static bool can_change_pte_writable(pte_t pte, vm_area_struct vma)
                    {
                        if ((vma.vm_flags & VM_WRITE) == 0)
                            return false;
                        if (userfaultfd_pte_wp(vma, pte))
                            return false;
                        page? page = vm_normal_page(vma, pte);
                        if (page == null || !PageAnon(page))
                            return false;
                        return {|#0:PageAnonExclusive(page)|};
                    }

                    [MustMatchFaultPath(nameof(do_wp_exclusive))]
                    static bool exclusive_only(page page) => PageAnonExclusive(page);

                    static int do_wp_exclusive(vm_fault vmf)
                    {
                        page page = vmf.page!;
                        if (PageAnonExclusive(page))
                        {
                            wp_page_reuse(vmf);
                            return VM_FAULT_WRITE;
                        }
                        if (PageKsm(page) || page_count(page) != 1)
                            return wp_page_copy(vmf);
                        if (!trylock_page(page))
                            return wp_page_copy(vmf);
                        if (PageKsm(page) || page_count(page) != 1)
                        {
                            unlock_page(page);
                            return wp_page_copy(vmf);
                        }
                        unlock_page(page);
                        wp_page_reuse(vmf);
                        return VM_FAULT_WRITE;
                    }
                """);

            // can_change_pte_writable's grant route still lacks page_count/KSM for do_wp_page (v5.13 has no
            // PageAnonExclusive), so it is reported; the fast-path-only predicate of do_wp_exclusive is not.
            await Verify.VerifyAnalyzerAsync(source, Verify.Diagnostic("GO0002").WithLocation(0).WithArguments(
                "can_change_pte_writable", "do_wp_page", "wp_page_reuse",
                "trylock_page(page), PageKsm(page) is false, page_mapcount(page) == 1, page_count(page) == 1", ""));
        }

        /// <summary>
        /// The seed's reviewed predicate (pte_page, pte_uffd_wp) against v5.13: no GO0003, but the real gaps
        /// of that version. Its KSM and count checks are on pte_page(pte), not on the page do_wp_page decides
        /// on (vm_normal_page), so none of them counts; they still show which grant route it meant (wp_page_reuse),
        /// and every check of that route on the right page is named.
        /// </summary>
        [Fact]
        public async Task SeedReviewedPredicateReportsOnlyRealGaps()
        {
            var source = KernelFixture.With("""
                    [MustMatchFaultPath(nameof(do_wp_page))]
                    static bool may_avoid_write_fault(pte_t pte, vm_area_struct vma, ulong cp_flags)
                    {
                        page page;
                        bool ret = false;

                        if ((vma.vm_flags & VM_WRITE) == 0)
                            return false;
                        if ((cp_flags & MM_CP_PROT_NUMA) != 0)
                            return false;
                        if (!pte_dirty(pte))
                            return false;
                        if (!pte_soft_dirty(pte) && (vma.vm_flags & VM_SOFTDIRTY) != 0)
                            return false;
                        if (pte_uffd_wp(pte))
                            return false;
                        if ((cp_flags & MM_CP_DIRTY_ACCT) != 0)
                            return {|#0:true|};

                        page = pte_page(pte);
                        if (!trylock_page(page))
                            return false;
                        if (PageKsm(page))
                            goto unlock_fail;
                        if (vma_is_anonymous(vma) && (page_count(page) == 1))
                            ret = true;
                    unlock_fail:
                        unlock_page(page);
                        return {|#1:ret|};
                    }
                """);
            await Verify.VerifyAnalyzerAsync(
                source,
                Verify.Diagnostic("GO0002").WithLocation(0).WithArguments(
                    "may_avoid_write_fault", "do_wp_page", "wp_page_shared",
                    "vm_normal_page(vma, vmf.orig_pte) is not null, PageAnon(vmf.page) is false, (vma.vm_flags & VM_SHARED) != 0", ""),
                Verify.Diagnostic("GO0002").WithLocation(1).WithArguments(
                    "may_avoid_write_fault", "do_wp_page", "wp_page_reuse",
                    "vm_normal_page(vma, vmf.orig_pte) is not null, PageAnon(vmf.page) is true, PageKsm(page) is false under trylock_page(page), page_mapcount(page) == 1 under trylock_page(page), page_count(page) == 1 under trylock_page(page)", ""));
        }

        /// <summary>The 2021 as-posted predicate: no KSM test (GO0002) and page_count read without the page lock (GO0003).</summary>
        [Fact]
        public async Task SeedAsPostedPredicateReportsKsmAndUnlockedCount()
        {
            var source = KernelFixture.With("""
                    [MustMatchFaultPath(nameof(do_wp_page))]
                    static bool may_avoid_write_fault(pte_t pte, vm_area_struct vma, ulong cp_flags)
                    {
                        if ((cp_flags & MM_CP_PROT_NUMA) != 0)
                            return false;
                        if (!pte_dirty(pte))
                            return false;
                        if (pte_uffd_wp(pte))
                            return false;
                        if (userfaultfd_wp(vma))
                            return false;
                        page? page = vm_normal_page(vma, pte);
                        if (page == null || !PageAnon(page))
                            return false;
                        if (vma_is_anonymous(vma) && ({|#1:page_count(page)|} == 1))
                            return {|#0:true|};
                        return false;
                    }
                """);
            await Verify.VerifyAnalyzerAsync(
                source,
                Verify.Diagnostic("GO0002").WithLocation(0).WithArguments(
                    "may_avoid_write_fault", "do_wp_page", "wp_page_reuse",
                    "trylock_page(page), PageKsm(page) is false, page_mapcount(page) == 1", ""),
                Verify.Diagnostic("GO0003").WithLocation(1).WithArguments(
                    "may_avoid_write_fault", "page_count(page)", "do_wp_page", "trylock_page(page)", "wp_page_reuse"));
        }

        /// <summary>
        /// The patch as posted: one `return true` reached by the DIRTY_ACCT route and by the unlocked
        /// page_count route. GO0002 names the route that mirrors wp_page_reuse (and counts the other);
        /// GO0003 names the unlocked page_count read.
        /// </summary>
        [Fact]
        public async Task SeedPostedPredicateSingleReturn()
        {
            var source = KernelFixture.With("""
                    [MustMatchFaultPath(nameof(do_wp_page))]
                    static bool may_avoid_write_fault(pte_t pte, vm_area_struct vma, ulong cp_flags)
                    {
                        if ((cp_flags & MM_CP_DIRTY_ACCT) == 0)
                        {
                            if (!(vma_is_anonymous(vma) && (vma.vm_flags & VM_WRITE) != 0))
                                return false;
                            if (page_count(pte_page(pte)) != 1)
                                return false;
                        }
                        if (!pte_dirty(pte))
                            return false;
                        if (pte_uffd_wp(pte))
                            return false;
                        return {|#0:true|};
                    }
                """);
            // page_count(pte_page(pte)) counts another page than the one do_wp_page decides on
            // (vm_normal_page), so it is no locked re-check made outside the lock (no GO0003): the
            // checks on the right page are simply missing.
            await Verify.VerifyAnalyzerAsync(
                source,
                Verify.Diagnostic("GO0002").WithLocation(0).WithArguments(
                    "may_avoid_write_fault", "do_wp_page", "wp_page_reuse",
                    "trylock_page(page), vm_normal_page(vma, vmf.orig_pte) is not null, PageAnon(vmf.page) is true, PageKsm(page) is false, page_mapcount(page) == 1, page_count(page) == 1",
                    " (and 1 other route to this return lacks checks)"));
        }

        /// <summary>The blocking lock_page() is the same page lock as trylock_page(): the predicate is in sync.</summary>
        [Fact]
        public async Task BlockingLockSatisfiesTheTryLockRequirement()
        {
            var source = KernelFixture.With("""
                    [MustMatchFaultPath(nameof(do_wp_page))]
                    static bool with_lock_page(pte_t pte, vm_area_struct vma)
                    {
                        if (userfaultfd_pte_wp(vma, pte))
                            return false;
                        page? page = vm_normal_page(vma, pte);
                        if (page is not { } || !PageAnon(page))
                            return false;
                        lock_page(page);
                        bool exclusive = !PageKsm(page) && page_mapcount(page) == 1 && page_count(page) <= 1 && page_count(page) >= 1;
                        unlock_page(page);
                        return exclusive;
                    }

                    [MustMatchFaultPath(nameof(do_wp_page))]
                    static bool count_too_loose(pte_t pte, vm_area_struct vma)
                    {
                        if (userfaultfd_pte_wp(vma, pte))
                            return false;
                        page? page = vm_normal_page(vma, pte);
                        if (page == null || !PageAnon(page))
                            return false;
                        lock_page(page);
                        bool exclusive = !PageKsm(page) && page_mapcount(page) == 1 && page_count(page) <= 2;
                        unlock_page(page);
                        return {|#0:exclusive|};
                    }
                """);
            await Verify.VerifyAnalyzerAsync(
                source,
                Verify.Diagnostic("GO0002").WithLocation(0).WithArguments(
                    "count_too_loose", "do_wp_page", "wp_page_reuse", "page_count(page) == 1 under trylock_page(page)", ""));
        }

        /// <summary>PageKsm read before trylock_page: GO0003 at the unlocked read, and nothing else to add.</summary>
        [Fact]
        public async Task KsmReadBeforeTheLock()
        {
            var source = KernelFixture.With("""
                    [MustMatchFaultPath(nameof(do_wp_page))]
                    static bool may_avoid_write_fault(pte_t pte, vm_area_struct vma)
                    {
                        bool ret = false;
                        if (userfaultfd_pte_wp(vma, pte))
                            return false;
                        page? page = vm_normal_page(vma, pte);
                        if (page is null)
                            return false;
                        if (!PageAnon(page))
                            return false;
                        if ({|#0:PageKsm(page)|})
                            return false;
                        if (!trylock_page(page))
                            return false;
                        bool exclusive = page_mapcount(page) == 1 && page_count(page) == 1;
                        if (exclusive)
                            ret = true;
                        unlock_page(page);
                        return ret;
                    }
                """);
            await Verify.VerifyAnalyzerAsync(
                source,
                Verify.Diagnostic("GO0003").WithLocation(0).WithArguments(
                    "may_avoid_write_fault", "PageKsm(page)", "do_wp_page", "trylock_page(page)", "wp_page_reuse"));
        }

        /// <summary>A predicate split into a common helper plus a variant: the helper's checks count.</summary>
        [Fact]
        public async Task HelperSplitPredicate()
        {
            var source = KernelFixture.With("""
                    static page? anon_page_for_write(pte_t pte, vm_area_struct vma)
                    {
                        if (userfaultfd_pte_wp(vma, pte))
                            return null;
                        page? page = vm_normal_page(vma, pte);
                        if (page == null || !PageAnon(page))
                            return null;
                        return page;
                    }

                    static bool page_exclusive_locked(page page)
                    {
                        if (PageKsm(page))
                            return false;
                        return page_mapcount(page) == 1 && page_count(page) == 1;
                    }

                    [MustMatchFaultPath(nameof(do_wp_page))]
                    static bool may_avoid_write_fault_private(pte_t pte, vm_area_struct vma)
                    {
                        page? page = anon_page_for_write(pte, vma);
                        if (page == null)
                            return false;
                        if (!trylock_page(page))
                            return false;
                        bool ret = page_exclusive_locked(page);
                        unlock_page(page);
                        return ret;
                    }

                    [MustMatchFaultPath(nameof(do_wp_page))]
                    static bool may_avoid_write_fault_unlocked(pte_t pte, vm_area_struct vma)
                    {
                        page? page = anon_page_for_write(pte, vma);
                        if (page == null)
                            return false;
                        return {|#0:page_exclusive_locked(page)|};
                    }
                """);
            await Verify.VerifyAnalyzerAsync(
                source,
                Verify.Diagnostic("GO0003").WithLocation(0).WithArguments(
                    "may_avoid_write_fault_unlocked", "PageKsm(page), page_mapcount(page), page_count(page)", "do_wp_page", "trylock_page(page)", "wp_page_reuse"));
        }

        /// <summary>Depth 0 in .editorconfig turns helper expansion off: the helper-split predicate then lacks everything.</summary>
        [Fact]
        public async Task HelperDepthIsConfigurable()
        {
            var source = KernelFixture.With("""
                    static bool anon_exclusive(page page) => PageAnonExclusive(page);

                    [MustMatchFaultPath(nameof(do_wp_exclusive))]
                    static bool exclusive_only(page page) => {|#0:anon_exclusive(page)|};

                    static int do_wp_exclusive(vm_fault vmf)
                    {
                        if (PageAnonExclusive(vmf.page!))
                        {
                            wp_page_reuse(vmf);
                            return VM_FAULT_WRITE;
                        }
                        return wp_page_copy(vmf);
                    }
                """);
            await Verify.VerifyAnalyzerAsync(source);

            var test = new Verify.Test { TestCode = source };
            test.TestState.AnalyzerConfigFiles.Add(("/.editorconfig", "root = true\n[*]\nguardorder.max_helper_depth = 0\n"));
            test.ExpectedDiagnostics.Add(Verify.Diagnostic("GO0002").WithLocation(0).WithArguments(
                "exclusive_only", "do_wp_exclusive", "wp_page_reuse", "PageAnonExclusive(vmf.page!) is true", ""));
            await test.RunAsync();
        }

        /// <summary>Checks written as properties and extension methods are facts too.</summary>
        [Fact]
        public async Task PropertyAndExtensionChecks()
        {
            const string source = """
                using GuardOrder;

                public sealed class folio
                {
                    public int refs;
                    [FaultPathCheck] public bool Ksm => false;
                }

                public static class folio_ext
                {
                    [FaultPathCheck] public static int RefCount(this folio f) => f.refs;
                }

                public static class fault
                {
                    [WriteGrant] static void reuse(folio f) { }

                    static void handle(folio f)
                    {
                        if (f.Ksm || f.RefCount() > 1)
                            return;
                        reuse(f);
                    }

                    [MustMatchFaultPath(nameof(handle))]
                    static bool early_ok(folio f) => !f.Ksm && f.RefCount() <= 1;

                    [MustMatchFaultPath(nameof(handle))]
                    static bool early_missing(folio f) => {|#0:f.RefCount() < 2 && true|};
                }
                """;
            await Verify.VerifyAnalyzerAsync(source, Verify.Diagnostic("GO0002").WithLocation(0).WithArguments(
                "early_missing", "handle", "reuse", "f.Ksm is false", ""));
        }

        [Fact]
        public async Task SilentWithoutAnnotations()
        {
            const string source = """
                static class C
                {
                    static bool may_avoid_write_fault(int flags) => flags != 0;
                }
                """;
            await Verify.VerifyAnalyzerAsync(source, withAnnotations: false);
        }

        [Fact]
        public async Task IncompleteCodeDoesNotCrash()
        {
            var source = KernelFixture.With("""
                    [MustMatchFaultPath(nameof(do_wp_page))]
                    static bool may_avoid_write_fault(pte_t pte, vm_area_struct vma)
                    {
                        page? page = vm_normal_page(vma, {|CS0103:missing|});
                        if (page == null || {|CS0103:undefined_check|}(page))
                            return false;
                        if ({|CS1501:page_count|}(page, 3) == 1)
                            return {|#0:true|};
                        return {|#1:{|CS0103:whatever|}|};
                    }
                """);
            const string Missing = "userfaultfd_wp(vma) is false, vm_normal_page(vma, vmf.orig_pte) is not null, PageAnon(vmf.page) is false, (vma.vm_flags & VM_WRITE) != 0, (vma.vm_flags & VM_SHARED) != 0";
            await Verify.VerifyAnalyzerAsync(
                source,
                Verify.Diagnostic("GO0002").WithLocation(0).WithArguments("may_avoid_write_fault", "do_wp_page", "wp_page_shared", Missing, ""),
                Verify.Diagnostic("GO0002").WithLocation(1).WithArguments("may_avoid_write_fault", "do_wp_page", "wp_page_shared", Missing, ""));
        }
    }
}
