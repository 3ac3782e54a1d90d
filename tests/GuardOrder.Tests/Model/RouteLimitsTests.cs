using System.Text;
using System.Threading.Tasks;
using GuardOrder.Tests.Sync;
using GuardOrder.Tests.Verifiers;

namespace GuardOrder.Tests.Model
{
    /// <summary>Past a bound the walk gives up cleanly and says so (GO0008): never silence, never a hang or a throw.</summary>
    public class RouteLimitsTests
    {
        /// <summary>
        /// <paramref name="count"/> independent branches (one flag bit each): 2^count routes. With <paramref name="distinct"/>,
        /// each branch leaves a different value in a local of its own, so that no join merges them.
        /// </summary>
        private static string ManyBranches(int count, bool distinct = false)
        {
            var builder = new StringBuilder();
            for (int i = 0; i < count; i++)
            {
                var local = "v" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                builder.Append(distinct ? "        int " + local + " = 0; " : "        ")
                    .Append("if ((vma.vm_flags & (1UL << ").Append(i).Append(")) != 0) ")
                    .Append(distinct ? local + " = 1;\n" : "page.mapcount++;\n");
            }

            return builder.ToString();
        }

        /// <summary>A predicate of do_wp_page that checks VM_WRITE, then runs <paramref name="branches"/> and returns true.</summary>
        private static string HugePredicate(string branches) =>
            KernelFixture.With("    [MustMatchFaultPath(nameof(do_wp_page))]\n    static bool huge(page page, vm_area_struct vma)\n    {\n        if ((vma.vm_flags & VM_WRITE) == 0) return false;\n" + branches + "        return true;\n    }\n");

        [Fact]
        public async Task LockUserBeyondTheCapGetsGO0008()
        {
            // 2^40 routes: the first walk merges them and finds the leak, the exact walk that would report it stops
            // at Limits.MaxRoutes, and the limit is reported for the method.
            var source = KernelFixture.With("    static void huge(page page, vm_area_struct vma)\n    {\n        lock_page(page);\n" + ManyBranches(40) + "        if (PageKsm(page)) return;\n        unlock_page(page);\n    }\n");
            var diagnostics = await SyncTestRunner.RunAsync(source);
            SyncTestRunner.AssertReports(diagnostics, "GO0008", "huge", "GO0004");
        }

        /// <summary>
        /// 2^40 routes that all release the lock: GO0004's first walk merges the routes at each join (the same
        /// state but for the branch's fact), walks a few hundred steps and finds no problem on any of them, so
        /// there is nothing to report, not even the bound the exact walk would pass.
        /// </summary>
        [Fact]
        public async Task BalancedLockUserBeyondTheCap_ProvenWithoutAnExactWalk()
        {
            var source = KernelFixture.With("    static void huge(page page, vm_area_struct vma)\n    {\n        lock_page(page);\n" + ManyBranches(40) + "        unlock_page(page);\n    }\n");
            var diagnostics = await SyncTestRunner.RunAsync(source);
            SyncTestRunner.AssertSilent(diagnostics, "GO0004");
            SyncTestRunner.AssertSilent(diagnostics, "GO0008");
        }

        [Fact]
        public async Task LockLeakBelowTheCapIsReported()
        {
            var source = KernelFixture.With("    static void small(page page, vm_area_struct vma)\n    {\n        lock_page(page);\n" + ManyBranches(4) + "        if (PageKsm(page)) return;\n        unlock_page(page);\n    }\n");
            var diagnostics = await SyncTestRunner.RunAsync(source);
            SyncTestRunner.AssertReports(diagnostics, "GO0004", "lock_page(page) is not released");
            SyncTestRunner.AssertSilent(diagnostics, "GO0008");
        }

        /// <summary>
        /// A leak before a lock-free tail of 2^13 routes: GO0004's first walk ends every route at the tail (it holds
        /// nothing and can reach no lock call there), so the leak is reported, not GO0008; the full walk its repair
        /// needs stops at the cap, so the fix is refused with that reason instead of being planned from part of the routes.
        /// </summary>
        [Fact]
        public async Task LeakBeforeAHugeLockFreeTail_IsReported_ItsFixRefused()
        {
            var source = KernelFixture.With("    static void tail(page page, vm_area_struct vma, bool a)\n    {\n        lock_page(page);\n        if (a) return;\n        unlock_page(page);\n" + ManyBranches(13) + "    }\n");
            var compilation = AnalyzerHarness.Compile(source);
            var run = await AnalyzerHarness.RunAsync(compilation, System.Collections.Immutable.ImmutableArray.Create<Microsoft.CodeAnalysis.Diagnostics.DiagnosticAnalyzer>(new GuardOrder.Analyzers.GO0004LockDisciplineAnalyzer()));
            run.AssertNoAnalyzerException(source);
            var leak = Assert.Single(run.Diagnostics, d => d.Id == "GO0004");
            Assert.Contains("lock_page(page) is not released", leak.GetMessage());
            Assert.Contains("on the route through lines ", leak.GetMessage()); // the message names the route, as for any method
            Assert.Contains("routes or", leak.Properties[GuardOrder.Analyzers.GO0004LockRepair.RefusalProperty]);
            Assert.DoesNotContain(run.Diagnostics, d => d.Id == "GO0008");
        }

        [Fact]
        public async Task PredicateBeyondTheCapGetsGO0008()
        {
            var source = HugePredicate(ManyBranches(40, distinct: true));
            var diagnostics = await SyncTestRunner.RunAsync(source);
            SyncTestRunner.AssertReports(diagnostics, "GO0008", "huge", "GO0002/GO0003");
            SyncTestRunner.AssertReports(diagnostics, "GO0008", "huge", "GO0005");
        }

        /// <summary>
        /// 2^40 routes whose branches change nothing the walk tracks differently (each side leaves the same state but
        /// for the branch's fact): a predicate's walk merges them at each join, exactly, so the predicate is decided,
        /// not given up on: GO0002 names what it lacks, and there is no GO0008.
        /// </summary>
        [Fact]
        public async Task PredicateWithIndependentBranchesBeyondTheCap_IsDecided()
        {
            var source = HugePredicate(ManyBranches(40));
            var diagnostics = await SyncTestRunner.RunAsync(source);
            SyncTestRunner.AssertReports(diagnostics, "GO0002", "huge");
            SyncTestRunner.AssertSilent(diagnostics, "GO0008");
        }
    }
}
