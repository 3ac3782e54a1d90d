using System.Threading.Tasks;
using GuardOrder.Tests.Model;
using static GuardOrder.Tests.Sync.SyncTestRunner;

namespace GuardOrder.Tests.Sync
{
    /// <summary>
    /// Issue 8, point 1 (what cannot be observed) and the declared assumptions: the fault's own mode
    /// is assumed and listed (GO0007); a kernel invariant the code does not show is reported as the
    /// unproven fact until the user declares it with [FaultPathAssumption].
    /// </summary>
    public class AssumptionTests
    {
        private const string UnshareFault = """
                public const uint FAULT_FLAG_UNSHARE = 0x400;
                public sealed class fault_ctx { public vm_area_struct vma = new vm_area_struct(); public page? page; public uint flags; }
                [WriteGrant] public static void reuse(fault_ctx vmf) { }

                static int do_wp_unshare(fault_ctx vmf)
                {
                    bool unshare = (vmf.flags & FAULT_FLAG_UNSHARE) != 0;
                    page page = vmf.page!;
                    if (unshare)
                        return 0;
                    if (PageKsm(page))
                        return 0;
                    reuse(vmf);
                    return 1;
                }
            """;

        /// <summary>The fault's own mode (unshare) has no counterpart in the predicate: assumed at its granting value, and said so.</summary>
        [Fact]
        public async Task FaultModeIsAssumedAndListed()
        {
            var source = KernelFixture.With(UnshareFault + """
                    [MustMatchFaultPath(nameof(do_wp_unshare))]
                    static bool p(vm_area_struct vma, page page)
                    {
                        if ((vma.vm_flags & VM_WRITE) == 0)
                            return false;
                        return !PageKsm(page);
                    }
                """);
            var diagnostics = await RunAsync(source);
            AssertSilent(diagnostics, "GO0002");
            AssertReports(diagnostics, "GO0007", "assuming", "FAULT_FLAG_UNSHARE");
        }

        [Fact]
        public async Task FaultModeAssumptionDoesNotHideAMissingCheck()
        {
            var source = KernelFixture.With(UnshareFault + """
                    [MustMatchFaultPath(nameof(do_wp_unshare))]
                    static bool p(vm_area_struct vma, page page) => (vma.vm_flags & VM_WRITE) != 0;
                """);
            AssertReports(await RunAsync(source), "GO0002", "PageKsm(page) is false");
        }

        private const string SharedRoute = """
                [MustMatchFaultPath(nameof(do_wp_page))]
                static bool can_change_pte_writable(pte_t pte, vm_area_struct vma)
                {
                    if ((vma.vm_flags & VM_WRITE) == 0)
                        return false;
                    if (userfaultfd_pte_wp(vma, pte))
                        return false;
                    if ((vma.vm_flags & VM_SHARED) != 0)
                        return true;
                    return false;
                }
            """;

        /// <summary>v6.0's shared route against a do_wp_page that tests PageAnon first: correct only by an invariant the code does not show.</summary>
        [Fact]
        public async Task UnprovenInvariantIsNamed() =>
            AssertReports(await RunAsync(KernelFixture.With(SharedRoute)), "GO0002", "PageAnon(vmf.page) is false");

        [Fact]
        public async Task DeclaredInvariantIsUsedAndListed()
        {
            var source = KernelFixture.With(SharedRoute + """
                    /// <summary>A shared mapping maps only normal page-cache pages (no anonymous page, no special pte).</summary>
                    [FaultPathAssumption]
                    static bool shared_mappings_hold_page_cache_pages(vm_area_struct vma, pte_t pte)
                    {
                        if ((vma.vm_flags & VM_SHARED) == 0)
                            return true;
                        page? page = vm_normal_page(vma, pte);
                        return page != null && !PageAnon(page);
                    }
                """);
            var diagnostics = await RunAsync(source);
            AssertSilent(diagnostics, "GO0002");
            AssertReports(diagnostics, "GO0007", "shared_mappings_hold_page_cache_pages");
        }

        /// <summary>An unannotated condition on the fault path's grant route is said once (info), not dropped.</summary>
        [Fact]
        public async Task AnnotationGapIsListed() =>
            AssertReports(await RunAsync(KernelFixture.With(SharedRoute)), "GO0007", "VM_SHARED");
    
        /// <summary>A fault-path condition the evaluator cannot read (here a lambda's result) is listed, not dropped silently.</summary>
        [Fact]
        public async Task UnreadableFaultPathConditionIsListed()
        {
            var source = KernelFixture.With("""
                    static int do_wp_lambda(vm_fault vmf)
                    {
                        System.Func<bool> veto = () => vmf.page == null;
                        if (veto())
                            return 0;
                        wp_page_reuse(vmf);
                        return 1;
                    }

                    [MustMatchFaultPath(nameof(do_wp_lambda))]
                    static bool p(vm_area_struct vma) => (vma.vm_flags & VM_WRITE) != 0;
                """);
            AssertReports(await RunAsync(source), "GO0007", "not reading", "veto()");
        }

        /// <summary>Numbers are not objects: the predicate's `ulong cp_flags` does not establish a condition on the fault path's `ulong address`.</summary>
        [Fact]
        public async Task PrimitiveParametersDoNotMapByType()
        {
            var source = KernelFixture.With("""
                    static int do_wp_at(vm_fault vmf, ulong address)
                    {
                        if ((address & 0xfff) != 0)
                            return 0;
                        wp_page_reuse(vmf);
                        return 1;
                    }

                    [MustMatchFaultPath(nameof(do_wp_at))]
                    static bool p(vm_area_struct vma, ulong cp_flags)
                    {
                        if ((vma.vm_flags & VM_WRITE) == 0)
                            return false;
                        return (cp_flags & 0xfff) == 0;
                    }
                """);
            var diagnostics = await RunAsync(source);
            AssertSilent(diagnostics, "GO0002");
            AssertReports(diagnostics, "GO0007", "assuming", "address");
        }
    }
}
