using System.Collections.Generic;
using System.Linq;
using System.Threading;
using GuardOrder.Analyzers.Model;
using GuardOrder.Tests.Verifiers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace GuardOrder.Tests.Model
{
    /// <summary>
    /// GO0004's first walk ends a route where it holds no lock, has no try-lock result pending and can
    /// reach no lock call (<see cref="RouteEnd.LockFree"/>, <see cref="LockReach"/>): it must find
    /// exactly the problems the full walk finds, with the same first message of each, in no more steps.
    /// Each of the three conditions has a method here whose problem only the condition keeps.
    /// </summary>
    public class LockFreeTailTests
    {
        private static (List<(string Kind, string Message)> Issues, RouteEnds Routes, int Steps) Walk(Compilation compilation, IMethodSymbol method, bool prune) =>
            Walk(compilation, method, prune, lines: true, out _);

        /// <param name="lines">Whether the walk keeps the routes' lines (GO0004's first walk does not: it only decides whether a problem exists).</param>
        /// <param name="found">The problems as GO0004 tells them apart: where, and of which kind.</param>
        private static (List<(string Kind, string Message)> Issues, RouteEnds Routes, int Steps) Walk(Compilation compilation, IMethodSymbol method, bool prune, bool lines, out List<(int At, string Kind)> found)
        {
            var symbols = GuardOrderSymbols.TryCreate(compilation)!;
            var bodies = new MethodBodies(compilation);
            var cfg = bodies.GetControlFlowGraph(method, CancellationToken.None)!;
            var walker = new RouteWalker(symbols, bodies, RouteMode.Locks, 0, CancellationToken.None, pruneLockFreeTails: prune, routeLines: lines);
            var routes = walker.Walk(cfg, method);
            Assert.NotNull(routes);
            var steps = (int)typeof(RouteWalker).GetField("_steps", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(walker)!;

            // As GO0004 reports them: once per operation and kind, the first one found.
            var seen = new HashSet<(int, string)>();
            var issues = new List<(string, string)>();
            found = new List<(int, string)>();
            foreach (var issue in walker.BackEdgeIssues.Concat(routes!.Value.SelectMany(r => r.State.Issues)))
            {
                if (seen.Add((issue.Operation.Syntax.SpanStart, issue.Kind)))
                {
                    issues.Add((issue.Kind, issue.Message));
                    found.Add((issue.Operation.Syntax.SpanStart, issue.Kind));
                }
            }

            return (issues, new RouteEnds(routes.Value.Select(r => r.End).ToList()), steps);
        }

        internal sealed class RouteEnds
        {
            public RouteEnds(List<RouteEnd> ends) => Ends = ends;

            public List<RouteEnd> Ends { get; }
        }

        private static IMethodSymbol Method(Compilation compilation, string name) =>
            compilation.GetTypeByMetadataName("mm")!.GetMembers(name).OfType<IMethodSymbol>().Single();

        /// <summary>Method <c>f</c> of <paramref name="members"/>: the pruning walk finds a problem of <paramref name="kind"/>, and the full walk's problems exactly.</summary>
        private static (List<(string Kind, string Message)> Issues, RouteEnds Routes, int Steps, int FullSteps) AssertFound(string members, string kind)
        {
            var compilation = AnalyzerHarness.Compile(KernelFixture.With(members));
            var method = Method(compilation, "f");
            var pruned = Walk(compilation, method, prune: true, lines: true, out var prunedFound);
            var full = Walk(compilation, method, prune: false);
            Assert.Contains(pruned.Issues, i => i.Kind == kind);
            Assert.Equal(full.Issues, pruned.Issues);
            AssertSameWithoutLines(compilation, method, prunedFound);
            return (pruned.Issues, pruned.Routes, pruned.Steps, full.Steps);
        }

        [Fact]
        public void ALeakIntoALockFreeTail_IsStillFound()
        {
            // The route that skips the unlock holds the lock through a tail with no lock call: not pruned (Held).
            var pruned = AssertFound("""
                static int f(page page, bool a, bool b)
                {
                    lock_page(page);
                    if (a)
                        unlock_page(page);
                    if (b)
                        return 1;
                    if (page.refcount == 2)
                        return 2;
                    return 0;
                }
                """, "leak");
            Assert.Contains(RouteEnd.LockFree, pruned.Routes.Ends); // the unlocked routes end early
            Assert.True(pruned.Steps < pruned.FullSteps, pruned.Steps + " steps pruned, " + pruned.FullSteps + " in full");
        }

        [Fact]
        public void ATryLockNeverBranchedOn_IsStillFound()
        {
            // Nothing is held after the try-lock, and no lock call is ahead: its pending result keeps the route (PendingTries).
            AssertFound("""
                static int f(page page, bool b)
                {
                    bool got = trylock_page(page);
                    if (b)
                        return 1;
                    return 0;
                }
                """, "try-unchecked");
        }

        [Fact]
        public void AReleaseAheadOfANothingHeldRoute_IsStillFound()
        {
            // Nothing held, nothing pending, but a release is ahead (LockReach): it releases a lock not held.
            AssertFound("""
                static int f(page page, bool b)
                {
                    if (b)
                        page.refcount++;
                    unlock_page(page);
                    return 0;
                }
                """, "unheld-release");
        }

        [Fact]
        public void ALockReleasedInAFinallyAfterALockFreeBranch_IsStillFound()
        {
            // A finally region continues where the branch through it goes: the release in it is ahead of the try's blocks.
            AssertFound("""
                static int f(page page, bool b)
                {
                    try
                    {
                        if (b)
                            return 1;
                        page.refcount++;
                    }
                    finally
                    {
                        unlock_page(page);
                    }

                    return 0;
                }
                """, "unheld-release");
        }

        /// <summary>
        /// The same lock bugs in the everyday C# forms, each with a lock-free tail after it: a switch, a loop, a
        /// conditional expression, a pattern, try/finally, an early return out of a loop. The pruning walk finds
        /// the planted problem, and exactly the full walk's problems.
        /// </summary>
        [Theory]
        [InlineData("leak", """
            static int f(page page, int mode)
            {
                lock_page(page);
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
        [InlineData("leak", """
            static int f(page page, int n)
            {
                for (int i = 0; i < n; i++)
                {
                    lock_page(page);
                    if (page.refcount == i)
                        return i;
                    unlock_page(page);
                }

                return n is > 3 and < 9 ? 1 : 0;
            }
            """)]
        [InlineData("unheld-release", """
            static int f(page page, bool a)
            {
                bool locked = a ? trylock_page(page) : false;
                if (locked)
                    page.refcount++;
                unlock_page(page);
                return page.refcount is 1 or 2 ? 1 : 0;
            }
            """)]
        [InlineData("unheld-release", """
            static int f(page page, object o)
            {
                if (o is string)
                    lock_page(page);
                try
                {
                    page.refcount++;
                }
                finally
                {
                    unlock_page(page);
                }

                return o is null ? 0 : 1;
            }
            """)]
        [InlineData("try-unchecked", """
            static int f(page page, bool a, bool b)
            {
                var got = trylock_page(page);
                var r = a && b;
                return r ? 1 : 0;
            }
            """)]
        public void EverydayForms_TheLockBugIsStillFound(string kind, string members) => AssertFound(members, kind);

        /// <summary>GO0004's first walk, which keeps no lines: the same problems in the same order as with them; its messages name no lines.</summary>
        private static void AssertSameWithoutLines(Compilation compilation, IMethodSymbol method, List<(int At, string Kind)> withLines)
        {
            var bare = Walk(compilation, method, prune: true, lines: false, out var bareFound);
            Assert.True(withLines.SequenceEqual(bareFound), method.ToDisplayString() + ": " + string.Join("; ", withLines) + " vs " + string.Join("; ", bareFound));
            Assert.All(bare.Issues, i => Assert.DoesNotContain("lines ", i.Message));
        }

        [Fact]
        public void AWalkWithoutLines_MessagesSayTheMethod_AWalkWithLinesNamesThem()
        {
            var members = @"
    public static void f(page p, bool b)
    {
        lock_page(p);
        if (b)
            return;
        unlock_page(p);
    }";
            var compilation = AnalyzerHarness.Compile(KernelFixture.With(members));
            var method = Method(compilation, "f");
            var withLines = Walk(compilation, method, prune: true, lines: true, out var found);
            var bare = Walk(compilation, method, prune: true, lines: false, out var bareFound);
            Assert.Equal(found, bareFound);
            Assert.Contains(withLines.Issues, i => i.Kind == "leak" && i.Message.Contains("on the route through lines "));
            Assert.Contains(bare.Issues, i => i.Kind == "leak" && i.Message.Contains("on the route through the method"));
        }

        /// <summary>
        /// Every method of sample-mm (the v5.13 port with the 2021 as-posted predicates): the pruning walk
        /// finds the full walk's problems, with the same messages, never in more steps; and it prunes somewhere.
        /// </summary>
        [Fact]
        public void EveryMethodOfSampleMm_SameProblemsAsTheFullWalk()
        {
            var compilation = AnalyzerHarness.CompileSampleMm();
            var compared = 0;
            var prunedSomewhere = false;
            foreach (var tree in compilation.SyntaxTrees)
            {
                var model = compilation.GetSemanticModel(tree);
                foreach (var declaration in tree.GetRoot().DescendantNodes().OfType<BaseMethodDeclarationSyntax>())
                {
                    if (model.GetDeclaredSymbol(declaration) is not IMethodSymbol method || new MethodBodies(compilation).GetControlFlowGraph(method, CancellationToken.None) is null)
                    {
                        continue;
                    }

                    var pruned = Walk(compilation, method, prune: true, lines: true, out var prunedFound);
                    var full = Walk(compilation, method, prune: false);
                    Assert.True(full.Issues.SequenceEqual(pruned.Issues), method.ToDisplayString() + ": " + string.Join("; ", full.Issues) + " vs " + string.Join("; ", pruned.Issues));
                    AssertSameWithoutLines(compilation, method, prunedFound);
                    Assert.True(pruned.Steps <= full.Steps, method.ToDisplayString());
                    prunedSomewhere |= pruned.Routes.Ends.Contains(RouteEnd.LockFree);
                    compared++;
                }
            }

            Assert.True(compared > 100, compared + " methods");
            Assert.True(prunedSomewhere);
        }
    }
}
