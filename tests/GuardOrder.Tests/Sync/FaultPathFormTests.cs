using System.Threading.Tasks;
using GuardOrder.Tests.Model;
using static GuardOrder.Tests.Sync.SyncTestRunner;

namespace GuardOrder.Tests.Sync
{
    /// <summary>The fault path's own conditions in everyday forms: none of them may be dropped (a dropped one makes a grant look unconditional).</summary>
    public class FaultPathFormTests
    {
        private static string Fault(string condition) => KernelFixture.With("""
                [WriteGrant] static void reuse_only(vm_fault vmf) { }
                static int fault_in_form(vm_fault vmf)
                {
                    page? page = vmf.page;
            """ + condition + """

                    reuse_only(vmf);
                    return 1;
                }

                [MustMatchFaultPath(nameof(fault_in_form))]
                static bool p(vm_area_struct vma, page page)
                {
                    if ((vma.vm_flags & VM_WRITE) == 0)
                        return false;
                    return page.refcount == 1;
                }
            """);

        [Theory]
        [InlineData("if (page?.ksm == true) return 0;")]
        [InlineData("if (page is { ksm: true }) return 0;")]
        [InlineData("bool copy = page != null && page.ksm; if (copy) return 0;")]
        [InlineData("switch (page) { case { ksm: true }: return 0; }")]
        [InlineData("if (page?.ksm ?? false) return 0;")]
        [InlineData("while (page != null && page.ksm) return 0;")]
        public async Task FaultPathConditionInAnyFormIsRequired(string condition)
        {
            // Two grant routes: no page at all, or a page that is not KSM. The predicate names a page
            // and checks neither: reported (the closest route is named; "ksm" is among the conditions).
            AssertReports(await RunAsync(Fault(condition)), "GO0002");
        }

        /// <summary>With the null case handled by the predicate, the KSM condition is what is named, in every form.</summary>
        [Theory]
        [InlineData("if (page?.ksm == true) return 0;")]
        [InlineData("if (page is { ksm: true }) return 0;")]
        [InlineData("if (page?.ksm ?? false) return 0;")]
        [InlineData("switch (page) { case { ksm: true }: return 0; }")]
        public async Task KsmConditionIsNamed(string condition) =>
            AssertReports(await RunAsync(Fault(condition).Replace("return page.refcount == 1;", "return page != null && page.refcount == 1;")), "GO0002", "ksm");

        /// <summary>
        /// The grant inside a helper that returns a status or nothing (a <c>vm_fault_t wp_page_shared()</c>):
        /// the fault path's route runs through the helper, and the helper's conditions are required.
        /// Before, only bool and object helpers were expanded, so the grant was on no route and the rule was silent.
        /// </summary>
        [Theory]
        [InlineData("static int grant_unless_ksm(vm_fault vmf) { if (vmf.page.ksm) return 1; reuse_it(vmf); return 0; }")]
        [InlineData("static void grant_unless_ksm(vm_fault vmf) { if (!vmf.page.ksm) reuse_it(vmf); }")]
        public async Task GrantInsideAStatusHelperKeepsTheHelpersConditions(string helper)
        {
            var source = KernelFixture.With("""
                    [WriteGrant] static void reuse_it(vm_fault vmf) { }
                    static int fault_via_helper(vm_fault vmf)
                    {
                        if ((vmf.vma.vm_flags & VM_WRITE) == 0)
                            return 1;
                        grant_unless_ksm(vmf);
                        return 0;
                    }

                """ + helper + """

                    [MustMatchFaultPath(nameof(fault_via_helper))]
                    static bool p(vm_area_struct vma, page page) => (vma.vm_flags & VM_WRITE) != 0;

                    [MustMatchFaultPath(nameof(fault_via_helper))]
                    static bool q(vm_area_struct vma, page page) => (vma.vm_flags & VM_WRITE) != 0 && !page.ksm;
                """);
            var diagnostics = await RunAsync(source);
            AssertReports(diagnostics, "GO0002", "ksm");
            Assert.Single(diagnostics, d => d.Id == "GO0002");
        }

        /// <summary>
        /// The grant itself in everyday forms (a retry loop, a switch section, a try/finally, after a
        /// goto): the walk's grant reachability must keep every route to it, so the KSM condition before
        /// it stays required.
        /// </summary>
        [Theory]
        [InlineData("int tries = 0; while (tries++ < 3) { if (page == null) continue; if (page.ksm) return 0; reuse_only(vmf); return 1; } return 2;")]
        [InlineData("switch (page) { case null: return 2; case { ksm: true }: return 0; default: reuse_only(vmf); return 1; }")]
        [InlineData("try { if (page == null || page.ksm) return 0; } finally { } reuse_only(vmf); return 1;")]
        [InlineData("if (page == null) goto copy; if (page.ksm) goto copy; reuse_only(vmf); return 1; copy: return 0;")]
        public async Task GrantInAnyFormKeepsItsConditions(string body)
        {
            var source = KernelFixture.With("""
                    [WriteGrant] static void reuse_only(vm_fault vmf) { }
                    static int fault_grant_form(vm_fault vmf)
                    {
                        page? page = vmf.page;
                """ + body + """

                    }

                    [MustMatchFaultPath(nameof(fault_grant_form))]
                    static bool p(vm_area_struct vma, page page) => (vma.vm_flags & VM_WRITE) != 0 && page != null && page.refcount == 1;
                """);
            AssertReports(await RunAsync(source), "GO0002", "ksm");
        }
    }
}
