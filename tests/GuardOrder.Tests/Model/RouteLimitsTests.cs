using System.Diagnostics;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using Verify4 = GuardOrder.Tests.Verifiers.CSharpAnalyzerVerifier<GuardOrder.Analyzers.GO0004LockDisciplineAnalyzer>;
using Verify2 = GuardOrder.Tests.Verifiers.CSharpAnalyzerVerifier<GuardOrder.Analyzers.GO0002FaultPathSyncAnalyzer>;

namespace GuardOrder.Tests.Model
{
    /// <summary>Past the route cap the walk gives up cleanly: nothing is reported, nothing hangs or throws.</summary>
    public class RouteLimitsTests
    {
        private static string ManyBranches(int count)
        {
            var builder = new StringBuilder();
            for (int i = 0; i < count; i++)
            {
                builder.Append("        if (page.refcount == ").Append(i).Append(") page.mapcount++;\n");
            }

            return builder.ToString();
        }

        [Fact]
        public async Task LockLeakBeyondTheCapIsNotReported()
        {
            // 2^40 routes: the walk stops at RouteWalker.MaxRoutes and reports nothing for the method.
            var source = KernelFixture.With("    static void huge(page page)\n    {\n        lock_page(page);\n" + ManyBranches(40) + "        if (PageKsm(page)) return;\n        unlock_page(page);\n    }\n");
            var watch = Stopwatch.StartNew();
            await Verify4.VerifyAnalyzerAsync(source);
            Assert.True(watch.Elapsed.TotalSeconds < 30, "the capped walk took " + watch.Elapsed);
        }

        [Fact]
        public async Task LockLeakBelowTheCapIsReported()
        {
            var source = KernelFixture.With("    static void small(page page)\n    {\n        {|#0:lock_page(page)|};\n" + ManyBranches(4) + "        if (PageKsm(page)) return;\n        unlock_page(page);\n    }\n");
            await Verify4.VerifyAnalyzerAsync(source, Verify4.Diagnostic("GO0004").WithLocation(0).WithArguments(
                "the lock taken by lock_page(page) is not released on the route through lines 85 → 86 → 87 → 88 → 89 → 90"));
        }

        [Fact]
        public async Task PredicateBeyondTheCapIsNotReported()
        {
            var source = KernelFixture.With("    [MustMatchFaultPath(nameof(do_wp_page))]\n    static bool huge(page page)\n    {\n" + ManyBranches(40) + "        return true;\n    }\n");
            await Verify2.VerifyAnalyzerAsync(source);
        }
    }
}
