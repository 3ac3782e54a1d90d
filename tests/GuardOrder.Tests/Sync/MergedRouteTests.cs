using System.Linq;
using System.Threading.Tasks;
using GuardOrder.Tests.Model;
using static GuardOrder.Tests.Sync.SyncTestRunner;

namespace GuardOrder.Tests.Sync
{
    /// <summary>
    /// The fault path's walk merges routes that reach a block with the same state but for facts
    /// (<c>MergedFaultPathWalkTests</c>). Each verdict here is the exact one: a predicate wider than the merged
    /// disjunction is still reported, one within it is not, and a condition both sides of a branch grant under
    /// is no condition.
    /// </summary>
    public class MergedRouteTests
    {
        private const string Either = "page.mapcount == 1 || page.mapcount == 3";

        /// <summary>The fault path with its counts' condition written as <paramref name="counts"/>, and a predicate ending in <paramref name="predicateBody"/>.</summary>
        private static string Fault(string predicateBody, string counts = Either)
        {
            var source = KernelFixture.With("""
                static int fault_joined(vm_fault vmf, int[] d)
                {
                    page? page = vmf.page;
                    if (page == null)
                        return 0;
                    if (PageKsm(page)) d[0]++; else d[1]++;
                    if (page.mapcount == 1 || page.mapcount == 3)
                    {
                        if (page.anon) { if (page.exclusive) goto reuse; } else { if (!page.exclusive) goto reuse; }
                    }
                    return 0;
                reuse:
                    wp_page_reuse(vmf);
                    return 1;
                }

                [MustMatchFaultPath(nameof(fault_joined))]
                static bool p(vm_area_struct vma, page page)
                {
                    if ((vma.vm_flags & VM_WRITE) == 0 || page == null)
                        return false;
            """ + predicateBody + """

                }
            """);
            var written = source.Replace("if (" + Either + ")", "if (" + counts + ")");
            Assert.Contains("if (" + counts + ")", written); // the form is in the source, not the default
            return written;
        }

        /// <summary>Within the grant's disjunction: silent, whether or not the predicate tests the KSM diamond's condition.</summary>
        [Theory]
        [InlineData("return page.mapcount == 1 && page.anon && page.exclusive;")]
        [InlineData("return (page.mapcount == 1 || page.mapcount == 3) && !page.anon && !page.exclusive;")]
        [InlineData("return page.mapcount == 3 && (page.anon ? page.exclusive : !page.exclusive) && !PageKsm(page);")]
        [InlineData("if (page.mapcount != 3) return false; return page.anon ? page.exclusive : !page.exclusive;")]
        public async Task WithinTheMergedRoutes_Silent(string body) =>
            AssertSilent(await RunAsync(Fault(body)), "GO0002", "GO0008");

        /// <summary>Wider than the disjunction on the merged variable, or on the pair that is not merged: reported.</summary>
        [Theory]
        [InlineData("return page.mapcount <= 3 && page.anon && page.exclusive;", "mapcount")]
        [InlineData("return page.mapcount == 2 && page.anon && page.exclusive;", "mapcount")]
        [InlineData("return page.mapcount == 1 && page.anon;", "exclusive")]
        [InlineData("return page.mapcount == 1 && page.exclusive;", "anon")]
        [InlineData("return page.mapcount == 1;", "")]
        public async Task WiderThanTheMergedRoutes_Reported(string body, string named) =>
            AssertReports(await RunAsync(Fault(body)), "GO0002", named);

        /// <summary>
        /// The fault path's "one count or the other" in other everyday forms: each merged or not, the verdicts are the
        /// exact ones (a count the fault path does not grant for is reported, a count it grants for is not).
        /// </summary>
        [Theory]
        [InlineData("page.mapcount is 1 or 3")]
        [InlineData("page.mapcount switch { 1 or 3 => true, _ => false }")]
        [InlineData("(page.mapcount == 1 ? true : page.mapcount == 3)")]
        [InlineData("!(page.mapcount != 1 && page.mapcount != 3)")]
        public async Task OtherFormsOfTheCounts_SameVerdicts(string counts)
        {
            AssertReports(await RunAsync(Fault("return page.mapcount <= 3 && page.anon && page.exclusive;", counts)), "GO0002", "mapcount");
            AssertReports(await RunAsync(Fault("return page.mapcount == 2 && page.anon && page.exclusive;", counts)), "GO0002", "mapcount");
            AssertSilent(await RunAsync(Fault("return page.mapcount == 3 && page.anon && page.exclusive;", counts)), "GO0002", "GO0008");
            AssertSilent(await RunAsync(Fault("return (page.mapcount == 1 || page.mapcount == 3) && !page.anon && !page.exclusive;", counts)), "GO0002", "GO0008");
        }

        /// <summary>Both sides of the KSM diamond grant: GO0007 assumes nothing about it and no message names it as required.</summary>
        [Fact]
        public async Task ConditionBothSidesGrantUnder_IsNoCondition()
        {
            var diagnostics = await RunAsync(Fault("return page.mapcount == 2 && page.anon && page.exclusive;"));
            AssertReports(diagnostics, "GO0002");
            Assert.DoesNotContain(diagnostics, d => d.GetMessage(System.Globalization.CultureInfo.InvariantCulture).Contains("PageKsm"));
        }
    }
}
