using System.Threading.Tasks;
using GuardOrder.Tests.Model;
using Verify = GuardOrder.Tests.Verifiers.CSharpAnalyzerVerifier<GuardOrder.Analyzers.GO0004LockDisciplineAnalyzer>;

namespace GuardOrder.Tests.GO0004
{
    public class GO0004LockDisciplineTests
    {
        /// <summary>do_wp_page (in the fixture) and a balanced goto-unlock predicate are clean.</summary>
        [Fact]
        public async Task BalancedLockingIsClean()
        {
            var source = KernelFixture.With("""
                    static bool reviewed(page page)
                    {
                        bool ret = false;
                        if (!trylock_page(page))
                            return false;
                        if (PageKsm(page))
                            goto unlock_fail;
                        if (page_count(page) == 1)
                            ret = true;
                    unlock_fail:
                        unlock_page(page);
                        return ret;
                    }

                    static void with_finally(page page)
                    {
                        lock_page(page);
                        try
                        {
                            if (PageKsm(page))
                                return;
                            page.refcount++;
                        }
                        finally
                        {
                            unlock_page(page);
                        }
                    }
                """);
            await Verify.VerifyAnalyzerAsync(source);
        }

        /// <summary>The goto skips the unlock: the lock leaks on the KSM route.</summary>
        [Fact]
        public async Task LockLeaksThroughGotoLabel()
        {
            var source = KernelFixture.With("""
                    static bool leaky(page page)
                    {
                        bool ret = false;
                        if (!{|#0:trylock_page(page)|})
                            return false;
                        if (PageKsm(page))
                            goto out_fail;
                        if (page_count(page) == 1)
                            ret = true;
                        unlock_page(page);
                    out_fail:
                        return ret;
                    }
                """);
            await Verify.VerifyAnalyzerAsync(
                source,
                Verify.Diagnostic("GO0004").WithLocation(0).WithArguments(
                    "the lock taken by trylock_page(page) is not released on the route through lines 85 → 86 → 88 → 94"));
        }

        [Fact]
        public async Task EarlyReturnLeaksTheLock()
        {
            var source = KernelFixture.With("""
                    static bool early(page page)
                    {
                        {|#0:lock_page(page)|};
                        if (PageKsm(page))
                            return false;
                        unlock_page(page);
                        return true;
                    }
                """);
            await Verify.VerifyAnalyzerAsync(source, Verify.Diagnostic("GO0004").WithLocation(0).WithArguments("the lock taken by lock_page(page) is not released on the route through lines 85 → 86 → 87"));
        }

        [Fact]
        public async Task TryLockResultDropped()
        {
            var source = KernelFixture.With("""
                    static bool dropped(page page)
                    {
                        {|#0:trylock_page(page)|};
                        bool ksm = PageKsm(page);
                        {|#1:unlock_page(page)|};
                        return !ksm;
                    }
                """);
            await Verify.VerifyAnalyzerAsync(
                source,
                Verify.Diagnostic("GO0004").WithLocation(0).WithArguments(
                    "trylock_page(page) ignores whether the lock was taken: branch on its result before the code it guards"),
                Verify.Diagnostic("GO0004").WithLocation(1).WithArguments("unlock_page(page) releases a lock that is not held on the route through lines 85"));
        }

        [Fact]
        public async Task TryLockResultStoredButCheckedTooLate()
        {
            var source = KernelFixture.With("""
                    static bool late(page page)
                    {
                        bool locked = {|#0:trylock_page(page)|};
                        bool ksm = PageKsm(page);
                        if (!locked)
                            return false;
                        unlock_page(page);
                        return !ksm;
                    }
                """);
            await Verify.VerifyAnalyzerAsync(
                source,
                Verify.Diagnostic("GO0004").WithLocation(0).WithArguments(
                    "trylock_page(page) is not branched on before PageKsm(page), the code it guards"));
        }

        [Fact]
        public async Task ReleaseWithoutLockHeld()
        {
            var source = KernelFixture.With("""
                    static bool unheld(page page)
                    {
                        if (!trylock_page(page))
                        {
                            {|#0:unlock_page(page)|};
                            return false;
                        }
                        unlock_page(page);
                        return true;
                    }
                """);
            await Verify.VerifyAnalyzerAsync(source, Verify.Diagnostic("GO0004").WithLocation(0).WithArguments("unlock_page(page) releases a lock that is not held on the route through lines 85 → 87"));
        }

        [Fact]
        public async Task SilentWithoutLockCalls()
        {
            var source = KernelFixture.With("""
                    static bool plain(page page) => !PageKsm(page);
                """);
            await Verify.VerifyAnalyzerAsync(source);
        }

        [Fact]
        public async Task IncompleteCodeDoesNotCrash()
        {
            var source = KernelFixture.With("""
                    static bool broken(page page)
                    {
                        if (!trylock_page({|CS0103:pg|}))
                            return false;
                        {|CS0103:unlock_pagee|}(page);
                        return true;
                    }
                """);
            await Verify.VerifyAnalyzerAsync(source);
        }
    }
}
