using System.Collections.Generic;
using System.Linq;
using System.Threading;
using GuardOrder.Analyzers.Model;
using GuardOrder.Tests.Verifiers;
using Microsoft.CodeAnalysis;

namespace GuardOrder.Tests.Model
{
    /// <summary>The route walker itself: what routes, facts, gates and locks it records for small methods.</summary>
    public class RouteWalkerTests
    {
        /// <summary>The dumps of <paramref name="method"/>'s routes (<see cref="Route.Dump"/>) in the kernel fixture plus <paramref name="members"/>.</summary>
        internal static List<string> Routes(string members, string method, RouteMode mode = RouteMode.Predicate)
        {
            var compilation = AnalyzerHarness.Compile(KernelFixture.With(members));
            var symbols = GuardOrderSymbols.TryCreate(compilation)!;
            var bodies = new MethodBodies(compilation);
            var symbol = compilation.GetTypeByMetadataName("mm")!.GetMembers(method).OfType<IMethodSymbol>().Single();
            var cfg = bodies.GetControlFlowGraph(symbol, CancellationToken.None)!;
            var routes = new RouteWalker(symbols, bodies, mode, 3, CancellationToken.None).Walk(cfg, symbol);
            Assert.NotNull(routes);
            return routes!.Value.Select(r => r.Dump()).ToList();
        }

        private static string Show(IEnumerable<string> routes) => string.Join("\n", routes);

        [Fact]
        public void FlagTestIsAFactOnTheBitOfTheMember()
        {
            var routes = Routes("static bool shared(vm_area_struct vma) => (vma.vm_flags & VM_SHARED) != 0;", "shared");
            var route = Assert.Single(routes);
            Assert.Contains("value ((vma.vm_flags & VM_SHARED) != 0)", route);
        }

        [Fact]
        public void TwoBitEqualityIsTwoFactsInOneDisjunct()
        {
            var routes = Routes("static bool ws(vm_area_struct vma) => (vma.vm_flags & (VM_WRITE | VM_SHARED)) == (VM_WRITE | VM_SHARED);", "ws");
            Assert.Contains("((vma.vm_flags & VM_WRITE) != 0 and (vma.vm_flags & VM_SHARED) != 0)", Assert.Single(routes));
        }

        [Fact]
        public void FaultPathGrantRouteCarriesTheVmSharedCondition()
        {
            var routes = Routes(string.Empty, "do_wp_page", RouteMode.FaultPath);
            var shared = routes.Where(r => r.StartsWith("grant wp_page_shared", System.StringComparison.Ordinal)).ToList();
            Assert.True(shared.Count > 0, Show(routes));
            Assert.All(shared, r => Assert.Contains("(vma.vm_flags & VM_SHARED) != 0", r));
            Assert.All(shared, r => Assert.Contains("PageAnon(vmf.page) is false", r));
        }

        /// <summary>
        /// A fault-path walk drops a route once no grant is reachable (GrantReach), but a grant in a
        /// finally region is reachable from the whole try block, also from its early return.
        /// </summary>
        [Fact]
        public void GrantInAFinallyIsReachedFromEveryRouteThroughTheTry()
        {
            var routes = Routes("""
                static int fault_with_finally(vm_fault vmf)
                {
                    try
                    {
                        if (vmf.page.ksm)
                            return 0;
                        if (vmf.page.mapcount > 1)
                            return 2;
                    }
                    finally
                    {
                        if (vmf.page.refcount == 1)
                            wp_page_reuse(vmf);
                    }

                    return 1;
                }
                """, "fault_with_finally", RouteMode.FaultPath);
            var grants = routes.Where(r => r.StartsWith("grant", System.StringComparison.Ordinal)).ToList();
            Assert.Equal(3, grants.Count);
            Assert.All(grants, r => Assert.Contains("vmf.page.refcount == 1", r));
            Assert.Contains(grants, r => r.Contains("vmf.page.ksm is true"));
        }

        /// <summary>Routes that can no longer grant are not walked to their end: only grant routes come back.</summary>
        [Fact]
        public void FaultPathWalkReturnsOnlyGrantRoutes()
        {
            var routes = Routes("""
                static int fault_with_copy(vm_fault vmf)
                {
                    if (vmf.page.ksm)
                    {
                        if (vmf.page.mapcount > 1) vmf.page.mapcount--;
                        if (vmf.page.refcount > 1) vmf.page.refcount--;
                        return 0;
                    }

                    wp_page_reuse(vmf);
                    return 1;
                }
                """, "fault_with_copy", RouteMode.FaultPath);
            var route = Assert.Single(routes);
            Assert.StartsWith("grant", route);
            Assert.Contains("vmf.page.ksm is false", route);
        }

        [Fact]
        public void AssignedConjunctionReturnsTheConditionOnItsRoute()
        {
            var routes = Routes("""
                static bool f(page page)
                {
                    bool ret = false;
                    ret = page_count(page) == 1 && !PageKsm(page);
                    return ret;
                }
                """, "f");
            Assert.True(routes.Any(r => r.Contains("facts [page_count(page) == 1]") && r.Contains("value (PageKsm(page) is false)")), Show(routes));
            Assert.True(routes.Any(r => r.Contains("facts [page_count(page) != 1]") && r.Contains("value const 0")), Show(routes));
        }

        /// <summary>
        /// A receiver that forks (an expanded helper returns a different object on each of its routes):
        /// each route calls the method on its own object. The receiver was once kept per call, not per
        /// route, so both routes read the last route's object.
        /// </summary>
        [Fact]
        public void ForkingReceiverIsKeptPerRoute()
        {
            var routes = Routes("""
                public sealed class slot { public int n; [FaultPathCheck] public bool busy() => n > 0; }
                [FaultPathCheck] public static slot first_slot(vm_fault vmf) => new slot();
                [FaultPathCheck] public static slot second_slot(vm_fault vmf) => new slot();
                static slot pick(vm_fault vmf)
                {
                    if (vmf.page!.ksm)
                        return first_slot(vmf);
                    return second_slot(vmf);
                }

                static bool picked_busy(vm_fault vmf) => pick(vmf).busy();
                """, "picked_busy");
            Assert.True(routes.Any(r => r.Contains("ksm is true") && r.Contains("busy(first_slot(") && !r.Contains("second_slot")), Show(routes));
            Assert.True(routes.Any(r => r.Contains("ksm is false") && r.Contains("busy(second_slot(") && !r.Contains("first_slot")), Show(routes));
        }

        [Fact]
        public void GuardThatLostItsReturnRecordsBothSides()
        {
            var routes = Routes("""
                static bool f(vm_area_struct vma)
                {
                    if ((vma.vm_flags & VM_WRITE) == 0)
                        System.Console.WriteLine("no write");
                    return true;
                }
                """, "f");
            Assert.Equal(2, routes.Count);
            Assert.Contains(routes, r => r.Contains("=true]"));
            Assert.Contains(routes, r => r.Contains("=false]"));
        }

        [Fact]
        public void LockHeldAtALoopBackEdgeIsReported()
        {
            var compilation = AnalyzerHarness.Compile(KernelFixture.With("""
                static void f(page page, int n)
                {
                    for (int i = 0; i < n; i++)
                    {
                        lock_page(page);
                        if (page.refcount == 3)
                            continue;
                        unlock_page(page);
                    }
                }
                """));
            var symbols = GuardOrderSymbols.TryCreate(compilation)!;
            var bodies = new MethodBodies(compilation);
            var symbol = compilation.GetTypeByMetadataName("mm")!.GetMembers("f").OfType<IMethodSymbol>().Single();
            var walker = new RouteWalker(symbols, bodies, RouteMode.Locks, 0, CancellationToken.None);
            Assert.NotNull(walker.Walk(bodies.GetControlFlowGraph(symbol, CancellationToken.None)!, symbol));
            Assert.Contains(walker.BackEdgeIssues, i => i.Message.Contains("next iteration"));
        }
    }
}
