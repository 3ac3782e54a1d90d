using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using GuardOrder.Analyzers.Model;
using GuardOrder.Tests.Verifiers;
using Microsoft.CodeAnalysis;

namespace GuardOrder.Tests.Model
{
    /// <summary>The fault-path cache: computed once, shared by concurrent callers, never keeping a cancelled computation.</summary>
    public class FaultPathCacheTests
    {
        private static (FaultPathCache Cache, IMethodSymbol FaultPath) Create()
        {
            var compilation = AnalyzerHarness.Compile(KernelFixture.With(string.Empty));
            var symbols = GuardOrderSymbols.TryCreate(compilation)!;
            var faultPath = compilation.GetTypeByMetadataName("mm")!.GetMembers("do_wp_page").OfType<IMethodSymbol>().Single();
            return (new FaultPathCache(symbols, new MethodBodies(compilation)), faultPath);
        }

        [Fact]
        public void CancelledCallerKeepsNothingAndTheNextCallerComputes()
        {
            var (cache, faultPath) = Create();
            using var cancelled = new CancellationTokenSource();
            cancelled.Cancel();
            Assert.ThrowsAny<OperationCanceledException>(() => cache.Get(faultPath, 3, cancelled.Token));

            var routes = cache.Get(faultPath, 3, CancellationToken.None);
            Assert.NotNull(routes);
            Assert.False(routes!.HitLimit);
            Assert.NotEmpty(routes.GrantRoutes);
        }

        [Fact]
        public async Task ConcurrentCallersShareOneComputation()
        {
            var (cache, faultPath) = Create();
            var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => cache.Get(faultPath, 3, CancellationToken.None))));
            Assert.All(results, r => Assert.Same(results[0], r));
            Assert.NotNull(results[0]);
        }
    }
}
