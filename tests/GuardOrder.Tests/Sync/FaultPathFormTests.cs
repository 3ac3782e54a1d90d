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
    }
}
