using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;
using GuardOrder.Analyzers.Model;
using GuardOrder.Tests.Verifiers;
using Microsoft.CodeAnalysis;

namespace GuardOrder.Tests.Model
{
    /// <summary>
    /// A fault path's own walk, in an acyclic method that enters no finally region, walks its blocks in order and
    /// merges the routes arriving at a block with the same state but for facts when one route stands for exactly
    /// both (<c>RouteState.Disjoin</c>): a route whose facts are among the other's covers it; two that differ only
    /// on one variable become one allowing the values either allows, or none when that is every value. The grant
    /// routes' disjunction is unchanged (what GO0002 and GO0007 decide on), so no finding is lost or made; what
    /// changes is how many routes stand for it.
    /// </summary>
    public class MergedFaultPathWalkTests
    {
        internal static (List<string> Routes, int Steps) Walk(string members, string method)
        {
            var compilation = AnalyzerHarness.Compile(KernelFixture.With(members));
            var symbols = GuardOrderSymbols.TryCreate(compilation)!;
            var bodies = new MethodBodies(compilation);
            var symbol = compilation.GetTypeByMetadataName("mm")!.GetMembers(method).OfType<IMethodSymbol>().Single();
            var cfg = bodies.GetControlFlowGraph(symbol, CancellationToken.None)!;
            var walker = new RouteWalker(symbols, bodies, RouteMode.FaultPath, 3, CancellationToken.None);
            var routes = walker.Walk(cfg, symbol);
            Assert.False(walker.HitLimit);
            Assert.NotNull(routes);
            var steps = (int)typeof(RouteWalker).GetField("_steps", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(walker)!;
            return (routes!.Value.Select(r => r.Dump()).ToList(), steps);
        }

        /// <summary>A fault path <c>f</c> with <paramref name="diamonds"/> independent if/else statements (the first on an annotated check) before a guarded grant.</summary>
        private static string Diamonds(int diamonds)
        {
            var body = new StringBuilder();
            body.AppendLine("static int f(vm_fault vmf, int[] c, int[] d) {");
            body.AppendLine("    if (PageKsm(vmf.page!)) d[0]++; else d[1]++;");
            for (var i = 1; i < diamonds; i++)
            {
                body.AppendLine($"    if (c[{i}] > 0) d[0]++; else d[1]++;");
            }

            body.AppendLine("    if (vmf.page!.refcount != 1) return 0;");
            body.AppendLine("    wp_page_reuse(vmf);");
            body.AppendLine("    return 1;");
            body.AppendLine("}");
            return body.ToString();
        }

        /// <summary>
        /// 2^30 routes reach the grant, every one with the same state but for facts on which side of each diamond it took:
        /// both sides of each grant, so the grant's one condition is the refcount's. Walked route by route this is past
        /// every cap (GO0008); merged, it is one route in a few steps per diamond.
        /// </summary>
        [Fact]
        public void IndependentDiamondsBeforeAGrant_OneRoute_StepsGrowWithTheirNumber()
        {
            var (routes, steps) = Walk(Diamonds(30), "f");
            var route = Assert.Single(routes);
            Assert.Equal("grant wp_page_reuse(vmf) | lines  | facts [vmf.page!.refcount == 1]", route);
            Assert.True(steps <= (30 * 4) + 10, steps.ToString(System.Globalization.CultureInfo.InvariantCulture));
            var (_, ten) = Walk(Diamonds(10), "f");
            var (_, twenty) = Walk(Diamonds(20), "f");
            Assert.Equal(twenty - ten, steps - twenty); // the same few steps per diamond
        }

        [Fact]
        public void OrOnOneVariable_OneRouteAllowingEitherValue()
        {
            var (routes, _) = Walk("""
                static int f(vm_fault vmf)
                {
                    if (vmf.page!.mapcount == 1 || vmf.page.mapcount == 3)
                        goto reuse;
                    return 0;
                reuse:
                    wp_page_reuse(vmf);
                    return 1;
                }
                """, "f");
            Assert.Equal("grant wp_page_reuse(vmf) | lines  | facts [vmf.page!.mapcount in {1, 3}]", Assert.Single(routes));
        }

        /// <summary>(anon ∧ exclusive) ∨ (¬anon ∧ ¬exclusive) is no conjunction: both routes stay.</summary>
        [Fact]
        public void RoutesThatDifferOnTwoVariables_AreNotMerged()
        {
            var (routes, _) = Walk("""
                static int f(vm_fault vmf)
                {
                    if (vmf.page!.anon) { if (vmf.page.exclusive) goto reuse; } else { if (!vmf.page.exclusive) goto reuse; }
                    return 0;
                reuse:
                    wp_page_reuse(vmf);
                    return 1;
                }
                """, "f");
            Assert.Equal(
                new[]
                {
                    "grant wp_page_reuse(vmf) | lines  | facts [vmf.page!.anon is true; vmf.page.exclusive is true]",
                    "grant wp_page_reuse(vmf) | lines  | facts [vmf.page!.anon is false; vmf.page.exclusive is false]",
                },
                routes);
        }

        /// <summary>The two sides of the diamond leave different values: the grant depends on the side, so its fact stays.</summary>
        [Fact]
        public void SidesThatLeaveDifferentValues_AreNotMerged()
        {
            var (routes, _) = Walk("""
                static int f(vm_fault vmf)
                {
                    int mode;
                    if (PageKsm(vmf.page!)) mode = 1; else mode = 2;
                    if (mode == 2)
                        wp_page_reuse(vmf);
                    return 1;
                }
                """, "f");
            Assert.Equal("grant wp_page_reuse(vmf) | lines  | facts [PageKsm(vmf.page!) is false]", Assert.Single(routes));
        }

        /// <summary>One side returns: only the other reaches the join, and its fact is the grant's condition.</summary>
        [Fact]
        public void OneSidedBranch_KeepsItsFact()
        {
            var (routes, _) = Walk("""
                static int f(vm_fault vmf, int[] d)
                {
                    if (vmf.page!.mapcount > 1) d[0]++; else d[1]++;
                    if (PageKsm(vmf.page)) return 0;
                    wp_page_reuse(vmf);
                    return 1;
                }
                """, "f");
            Assert.Equal("grant wp_page_reuse(vmf) | lines  | facts [PageKsm(vmf.page) is false]", Assert.Single(routes));
        }
    }
}
