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
    /// GO0004's first walk merges, in an acyclic method, the routes that reach a block with the same state but
    /// for their facts (<c>RouteWalker</c>'s <c>mergeJoins</c>): a chain of independent diamonds under a lock
    /// costs steps in proportion to its length, not to the number of its routes, and no problem the exact walk
    /// finds is missed (the merged walk only decides whether GO0004 walks the method exactly). The last two
    /// cases leak only where the diamond's condition is false, or only where it is true: whichever side the walk
    /// takes first, the route arriving second at the join has the opposite fact and goes on with the facts both
    /// hold (none), not dropped (so a join may cost a step or two more than it saves).
    /// </summary>
    public class MergedLockWalkTests
    {
        private static (HashSet<(int At, string Kind)> Found, int Routes, int Steps) Walk(Compilation compilation, bool merge)
        {
            var symbols = GuardOrderSymbols.TryCreate(compilation)!;
            var bodies = new MethodBodies(compilation);
            var method = compilation.GetTypeByMetadataName("mm")!.GetMembers("f").OfType<IMethodSymbol>().Single();
            var cfg = bodies.GetControlFlowGraph(method, CancellationToken.None)!;
            var walker = new RouteWalker(symbols, bodies, RouteMode.Locks, 0, CancellationToken.None, pruneLockFreeTails: true, routeLines: false, mergeJoins: merge);
            var routes = walker.Walk(cfg, method);
            Assert.NotNull(routes);
            var steps = (int)typeof(RouteWalker).GetField("_steps", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(walker)!;
            var found = walker.BackEdgeIssues.Concat(routes!.Value.SelectMany(r => r.State.Issues))
                .Select(i => (i.Operation.Syntax.SpanStart, i.Kind))
                .ToHashSet();
            return (found, routes.Value.Length, steps);
        }

        /// <summary>A method <c>f</c> holding the page lock across <paramref name="diamonds"/> independent if/else statements.</summary>
        private static string Diamonds(int diamonds, string beforeUnlock = "")
        {
            var body = new StringBuilder();
            body.AppendLine("static int f(page page, int[] c) {");
            body.AppendLine("    lock_page(page);");
            for (var i = 0; i < diamonds; i++)
            {
                body.AppendLine($"    if (c[{i}] > 0) page.refcount++; else page.mapcount++;");
            }

            body.AppendLine(beforeUnlock);
            body.AppendLine("    unlock_page(page);");
            body.AppendLine("    return 0;");
            body.AppendLine("}");
            return body.ToString();
        }

        [Fact]
        public void IndependentDiamondsUnderALock_StepsGrowWithTheirNumber_NotWithTheRoutes()
        {
            var compilation = AnalyzerHarness.Compile(KernelFixture.With(Diamonds(10)));

            var exact = Walk(compilation, merge: false);
            var merged = Walk(compilation, merge: true);

            Assert.Empty(exact.Found);
            Assert.Empty(merged.Found);
            Assert.Equal(1024, exact.Routes);
            Assert.True(merged.Steps * 20 < exact.Steps, merged.Steps + " steps merged, " + exact.Steps + " exact");
        }

        /// <summary>
        /// The blocks are walked in order, so every arrival at a join is in before the join is walked on: each diamond
        /// costs the same few steps, however many precede it (the walk that merged into routes already walked on from a
        /// join walked a join again per fact it dropped).
        /// </summary>
        [Fact]
        public void EachDiamondCostsTheSameSteps()
        {
            int Steps(int diamonds) => Walk(AnalyzerHarness.Compile(KernelFixture.With(Diamonds(diamonds))), merge: true).Steps;
            var (ten, twenty, thirty) = (Steps(10), Steps(20), Steps(30));
            Assert.Equal(twenty - ten, thirty - twenty);
            Assert.True(thirty - twenty <= 10 * 16, ten + " / " + twenty + " / " + thirty + " steps");
        }

        [Fact]
        public void ALeakBehindTheDiamonds_IsFound_AsTheExactWalkFindsIt()
        {
            // Only the routes with c[9] > 3 return holding the lock: after nine merged diamonds.
            var compilation = AnalyzerHarness.Compile(KernelFixture.With(Diamonds(10, "    if (c[9] > 3) return 1;")));

            var exact = Walk(compilation, merge: false);
            var merged = Walk(compilation, merge: true);

            Assert.Contains(exact.Found, f => f.Kind == "leak");
            Assert.Superset(exact.Found, merged.Found);
            Assert.True(merged.Steps < exact.Steps);
        }

        /// <summary>
        /// Lock bugs (and correct locking) in everyday C# forms, each after a diamond the walk merges: the merged
        /// walk finds every problem the exact walk finds (it may find more; GO0004 then walks exactly).
        /// </summary>
        [Theory]
        [InlineData(true, """
            static int f(page page, bool a, int mode)
            {
                lock_page(page);
                if (a) page.refcount++; else page.mapcount++;
                switch (mode)
                {
                    case 1:
                        return 1;
                    default:
                        unlock_page(page);
                        break;
                }

                return mode > 2 ? 2 : 3;
            }
            """)]
        [InlineData(true, """
            static int f(page page, bool a, bool b)
            {
                bool locked = a ? trylock_page(page) : false;
                if (b) page.refcount++; else page.mapcount++;
                if (locked)
                    page.refcount++;
                unlock_page(page);
                return 0;
            }
            """)]
        [InlineData(false, """
            static int f(page page, bool b)
            {
                bool got = trylock_page(page);
                if (b) page.refcount++; else page.mapcount++;
                if (got)
                    unlock_page(page);
                return 0;
            }
            """)]
        [InlineData(true, """
            static int f(page page, object o, bool b)
            {
                lock_page(page);
                if (b) page.refcount++; else page.mapcount++;
                if (o is string { Length: > 2 })
                    return 1;
                unlock_page(page);
                return 0;
            }
            """)]
        [InlineData(false, """
            static int f(page page, bool b)
            {
                lock_page(page);
                if (b) page.refcount++; else page.mapcount++;
                if (b) page.refcount--;
                unlock_page(page);
                return page.refcount is 1 or 2 ? 1 : 0;
            }
            """)]
        [InlineData(true, """
            static int f(page page, bool a, bool b)
            {
                if (a) lock_page(page);
                if (b) page.refcount++; else page.mapcount++;
                if (!a) unlock_page(page);
                return 0;
            }
            """)]
        [InlineData(true, """
            static int f(page page, bool b)
            {
                lock_page(page);
                try
                {
                    if (b) page.refcount++; else page.mapcount++;
                    if (page.refcount > 2)
                        return 1;
                }
                finally
                {
                    page.mapcount++;
                }

                unlock_page(page);
                return 0;
            }
            """)]
        [InlineData(true, """
            static int f(page page)
            {
                lock_page(page);
                if (page_count(page) == 1) page_mapcount(page); else page_count(page);
                if (page_count(page) != 1)
                    return 1;
                unlock_page(page);
                return 0;
            }
            """)]
        [InlineData(true, """
            static int f(page page)
            {
                lock_page(page);
                if (page_count(page) == 1) page_mapcount(page); else page_count(page);
                if (page_count(page) == 1)
                    return 1;
                unlock_page(page);
                return 0;
            }
            """)]
        public void EveryProblemOfTheExactWalk_TheMergedWalkFinds(bool hasProblem, string method)
        {
            var compilation = AnalyzerHarness.Compile(KernelFixture.With(method));

            var exact = Walk(compilation, merge: false);
            var merged = Walk(compilation, merge: true);

            Assert.Equal(hasProblem, exact.Found.Count > 0);
            Assert.Superset(exact.Found, merged.Found);
        }
    }
}
