using System.Linq;
using System.Threading;
using GuardOrder.Analyzers.Model;
using GuardOrder.Tests.Verifiers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;

namespace GuardOrder.Tests.Model
{
    /// <summary>
    /// The walks and the reachability read a branch's finally regions only in a graph that has a finally region
    /// (<c>RouteWalker.HasFinallyRegion</c>): every form that makes one (try/finally, using, lock, foreach over a
    /// disposable enumerator, a finally nested in a catch) is found, and in a graph without one no branch runs a
    /// finally region, so skipping the read changes nothing.
    /// </summary>
    public class FinallyRegionTests
    {
        private const string Source = """
            using System.Collections.Generic;

            public class C
            {
                private readonly object _gate = new object();
                private static void g() { }

                public int plain(int x) { if (x > 0) return 1; while (x < 10) x++; return x; }
                public int caught(int x) { try { g(); } catch { return 1; } return x; }
                public int try_finally(int x) { try { if (x > 0) return 1; } finally { g(); } return 0; }
                public int with_using(System.IO.Stream s) { using (s) { if (s.CanRead) return 1; } return 0; }
                public int with_using_declaration(System.IO.Stream s) { using var t = s; return t.CanRead ? 1 : 0; }
                public int with_lock(int x) { lock (_gate) { if (x > 0) return 1; } return 0; }
                public int foreach_list(List<int> xs) { foreach (var x in xs) { if (x > 0) return x; } return 0; }
                public int foreach_array(int[] xs) { foreach (var x in xs) { if (x > 0) return x; } return 0; }
                public int nested(int x) { try { g(); } catch { try { return 1; } finally { g(); } } return x; }
                public int in_lambda(int x) { System.Func<int> f = () => { try { return 1; } finally { g(); } }; return f() + x; }
            }
            """;

        [Theory]
        [InlineData("plain", false)]
        [InlineData("caught", false)]
        [InlineData("try_finally", true)]
        [InlineData("with_using", true)]
        [InlineData("with_using_declaration", true)]
        [InlineData("with_lock", true)]
        [InlineData("foreach_list", true)]
        [InlineData("foreach_array", true)] // the graph walks an array through IEnumerator and disposes it in a finally when it is disposable
        [InlineData("nested", true)]
        [InlineData("in_lambda", false)] // the lambda's finally is in the lambda's own graph
        public void HasFinallyRegion_ExactlyWhenABranchRunsOne(string name, bool expected)
        {
            var compilation = AnalyzerHarness.Compile(Source);
            var method = compilation.GetTypeByMetadataName("C")!.GetMembers(name).OfType<IMethodSymbol>().Single();
            var cfg = new MethodBodies(compilation).GetControlFlowGraph(method, CancellationToken.None)!;

            Assert.Equal(expected, RouteWalker.HasFinallyRegion(cfg.Root));
            var branchesRunOne = cfg.Blocks
                .SelectMany(b => new[] { b.ConditionalSuccessor, b.FallThroughSuccessor })
                .Any(branch => branch is not null && !branch.FinallyRegions.IsDefaultOrEmpty);
            Assert.Equal(expected, branchesRunOne);
        }
    }
}
