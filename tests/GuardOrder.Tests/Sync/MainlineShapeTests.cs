using System.Threading.Tasks;
using GuardOrder.Tests.Model;
using static GuardOrder.Tests.Sync.SyncTestRunner;

namespace GuardOrder.Tests.Sync
{
    /// <summary>
    /// Correct code stays silent: mainline can_change_pte_writable() with its private/shared split
    /// (as in v6.17) held against a v6.7-shaped do_wp_page (the shared branch first, anonymous reuse
    /// through PageAnonExclusive or wp_can_reuse_anon_folio(), the unshare mode).
    /// </summary>
    public class MainlineShapeTests
    {
        private const string V67 = """
                public const ulong VM_MAYSHARE = 0x80;
                public const uint FAULT_FLAG_UNSHARE = 0x400;
                public sealed class vm_fault67 { public vm_area_struct vma = new vm_area_struct(); public pte_t orig_pte; public page? page; public uint flags; }
                [WriteGrant] static void wp_page_reuse67(vm_fault67 vmf) { }
                [WriteGrant] static int wp_page_shared67(vm_fault67 vmf) => 0;
                [WriteGrant] static int wp_pfn_shared67(vm_fault67 vmf) => 0;
                static int wp_page_copy67(vm_fault67 vmf) => 0;
                static int handle_userfault67(vm_fault67 vmf) => 0;

                /* wp_can_reuse_anon_folio() (v6.7), on the page: KSM and the count, re-checked under the lock. */
                static bool wp_can_reuse_anon_folio(page page, vm_area_struct vma)
                {
                    if (PageKsm(page) || page_count(page) > 3)
                        return false;
                    if (page_count(page) > 1)
                        return false;
                    if (!trylock_page(page))
                        return false;
                    if (PageKsm(page) || page_count(page) != 1)
                    {
                        unlock_page(page);
                        return false;
                    }
                    unlock_page(page);
                    return true;
                }

                static int do_wp_page67(vm_fault67 vmf)
                {
                    bool unshare = (vmf.flags & FAULT_FLAG_UNSHARE) != 0;
                    vm_area_struct vma = vmf.vma;

                    if (!unshare)
                    {
                        if (userfaultfd_pte_wp(vma, vmf.orig_pte))
                            return handle_userfault67(vmf);
                    }

                    vmf.page = vm_normal_page(vma, vmf.orig_pte);

                    /* Shared mapping: we can simply write-enable the page or the pfn. */
                    if ((vma.vm_flags & (VM_SHARED | VM_MAYSHARE)) != 0)
                    {
                        if (vmf.page == null)
                            return wp_pfn_shared67(vmf);
                        return wp_page_shared67(vmf);
                    }

                    /* Private mapping: reuse an exclusive anonymous page. */
                    if (vmf.page != null && PageAnon(vmf.page) && (PageAnonExclusive(vmf.page) || wp_can_reuse_anon_folio(vmf.page, vma)))
                    {
                        if (unshare)
                            return 0;
                        wp_page_reuse67(vmf);
                        return 0;
                    }

                    return wp_page_copy67(vmf);
                }
            """;

        private const string CanChangePteWritable = """
                [MustMatchFaultPath(nameof(do_wp_page67))]
                static bool can_change_pte_writable(vm_area_struct vma, pte_t pte)
                {
                    if ((vma.vm_flags & VM_WRITE) == 0)
                        return false;
                    if (userfaultfd_pte_wp(vma, pte))
                        return false;
                    if ((vma.vm_flags & VM_SHARED) == 0)
                    {
                        /* Writable MAP_PRIVATE mapping: only exclusive anonymous pages. */
                        page? page = vm_normal_page(vma, pte);
                        return page != null && PageAnon(page) && PageAnonExclusive(page);
                    }

                    /* Writable MAP_SHARED mapping: "clean" might still need a write fault. */
                    return pte_dirty(pte);
                }
            """;

        [Fact]
        public async Task MainlinePredicateIsSilentAgainstTheV67Shape()
        {
            var diagnostics = await RunAsync(KernelFixture.With(V67 + CanChangePteWritable));
            AssertSilent(diagnostics);
            AssertReports(diagnostics, "GO0007", "assuming", "FAULT_FLAG_UNSHARE");
        }

        [Fact]
        public async Task WithoutPageAnonExclusiveItIsReported()
        {
            var mutant = Mutate(V67 + CanChangePteWritable, "return page != null && PageAnon(page) && PageAnonExclusive(page);", "return page != null && PageAnon(page);");
            AssertReports(await RunAsync(KernelFixture.With(mutant)), "GO0002");
        }

        [Fact]
        public async Task WithoutTheUffdTestItIsReported()
        {
            var mutant = Mutate(V67 + CanChangePteWritable, """
                    if (userfaultfd_pte_wp(vma, pte))
                        return false;
                """, string.Empty);
            AssertReports(await RunAsync(KernelFixture.With(mutant)), "GO0002", "userfaultfd_wp");
        }

        /// <summary>In the v6.7 shape PageKsm is read in wp_can_reuse_anon_folio under the lock; a predicate reading it unlocked is GO0003.</summary>
        [Fact]
        public async Task KsmReadBeforeTheLockIsGO0003()
        {
            var predicate = """
                    [MustMatchFaultPath(nameof(do_wp_page67))]
                    static bool ksm_unlocked(vm_area_struct vma, pte_t pte)
                    {
                        if ((vma.vm_flags & (VM_WRITE | VM_SHARED | VM_MAYSHARE)) != VM_WRITE)
                            return false;
                        if (userfaultfd_pte_wp(vma, pte))
                            return false;
                        page? page = vm_normal_page(vma, pte);
                        if (page == null || !PageAnon(page) || PageKsm(page))
                            return false;
                        if (!trylock_page(page))
                            return false;
                        bool ok = page_count(page) == 1;
                        unlock_page(page);
                        return ok;
                    }
                """;
            AssertReports(await RunAsync(KernelFixture.With(V67 + predicate)), "GO0003", "PageKsm(page)");
        }
    }
}
