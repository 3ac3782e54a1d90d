using System.Threading.Tasks;
using GuardOrder.Tests.Model;
using static GuardOrder.Tests.Sync.SyncTestRunner;

namespace GuardOrder.Tests.Sync
{
    /// <summary>Issue 8, points 4 and 5: GO0005 means "gated"; GO0004 follows locks across loop iterations and exceptional exits.</summary>
    public class GatingAndLockTests
    {
        private const string Tail = """
                    page? page = vm_normal_page(vma, pte);
                    if (page == null || !PageAnon(page))
                        return false;
                    if (!trylock_page(page))
                        return false;
                    bool ret = !PageKsm(page) && page_mapcount(page) == 1 && page_count(page) == 1;
                    unlock_page(page);
                    return ret;
                }
            """;

        private static string Predicate(string head) => KernelFixture.With("""
                [MustMatchFaultPath(nameof(do_wp_page))]
                static bool may_avoid_write_fault(pte_t pte, vm_area_struct vma)
                {
            """ + head + "\n" + Tail);

        [Fact]
        public async Task GuardWithItsReturnGates() =>
            AssertSilent(await RunAsync(Predicate("if ((vma.vm_flags & VM_WRITE) == 0) return false;")), "GO0005");

        /// <summary>A guard that lost its return reads VM_WRITE on every route but gates none.</summary>
        [Fact]
        public async Task GuardThatLostItsReturnDoesNotGate() =>
            AssertReports(await RunAsync(Predicate("if ((vma.vm_flags & VM_WRITE) == 0) System.Console.WriteLine(\"pr_debug: no VM_WRITE\");")), "GO0005");

        /// <summary>Deleting the VM_WRITE guard altogether: a predicate that reads no security check at all.</summary>
        [Fact]
        public async Task PredicateWithoutAnySecurityReadIsReported() =>
            AssertReports(await RunAsync(Predicate(string.Empty)), "GO0005", "reads no [SecurityCheck]");

        [Fact]
        public async Task DoesNotReturnIfAssertGates() =>
            AssertSilent(await RunAsync(Predicate("VM_BUG_ON((vma.vm_flags & VM_WRITE) == 0);")), "GO0005");

        /// <summary>
        /// A project's own copy of [DoesNotReturnIf] (a polyfill next to the framework's: the compiler
        /// binds the source copy, CS0436) is the one the rules read; the framework's copy then matches nothing.
        /// </summary>
        [Fact]
        public async Task PolyfilledDoesNotReturnIfAssertGates()
        {
            const string Polyfill = """

                namespace System.Diagnostics.CodeAnalysis
                {
                    [System.AttributeUsage(System.AttributeTargets.Parameter)]
                    internal sealed class DoesNotReturnIfAttribute : System.Attribute
                    {
                        public DoesNotReturnIfAttribute(bool parameterValue) => ParameterValue = parameterValue;
                        public bool ParameterValue { get; }
                    }
                }
                """;
            AssertSilent(await RunAsync(Predicate("VM_BUG_ON((vma.vm_flags & VM_WRITE) == 0);") + Polyfill), "GO0005");
        }

        /// <summary>VM_BUG_ON without CONFIG_DEBUG_VM: the compiler removes the call, so it gates nothing.</summary>
        [Fact]
        public async Task ConditionalAssertWithoutItsSymbolDoesNotGate()
        {
            var source = Predicate("VM_BUG_ON_DEBUG((vma.vm_flags & VM_WRITE) == 0);") + """
                public static partial class mm
                {
                    [System.Diagnostics.Conditional("CONFIG_DEBUG_VM")]
                    public static void VM_BUG_ON_DEBUG([DoesNotReturnIf(true)] bool condition) { }
                }
                """;
            AssertReports(await RunAsync(source), "GO0005");
            AssertSilent(await RunAsync("#define CONFIG_DEBUG_VM\n" + source), "GO0005");
        }

        [Fact]
        public async Task DebugAssertWithoutDebugDoesNotGate() =>
            AssertReports(await RunAsync(Predicate("System.Diagnostics.Debug.Assert((vma.vm_flags & VM_WRITE) != 0);")), "GO0005");

        /// <summary>The security test in a returned && chain gates; in an || chain it does not.</summary>
        [Fact]
        public async Task ReturnedChains()
        {
            var gated = KernelFixture.With("""
                [MustMatchFaultPath(nameof(do_wp_page))]
                static bool p(vm_area_struct vma, pte_t pte) => (vma.vm_flags & VM_WRITE) != 0 && Locked(vma, pte);
                static bool Locked(vm_area_struct vma, pte_t pte) => false;
                """);
            AssertSilent(await RunAsync(gated), "GO0005");
            var bypass = KernelFixture.With("""
                [MustMatchFaultPath(nameof(do_wp_page))]
                static bool p(vm_area_struct vma, pte_t pte, bool force) => (vma.vm_flags & VM_WRITE) != 0 || force;
                """);
            AssertReports(await RunAsync(bypass), "GO0005");
        }

        /// <summary>A page lock carried across <c>continue</c>: the next iteration's lock deadlocks.</summary>
        [Fact]
        public async Task LockCarriedAcrossContinue()
        {
            var source = KernelFixture.With("""
                static void scan(page[] pages)
                {
                    foreach (var page in pages)
                    {
                        if (!trylock_page(page))
                            continue;
                        if (PageKsm(page))
                            continue;
                        unlock_page(page);
                    }
                }
                """);
            AssertReports(await RunAsync(source), "GO0004", "next iteration");
        }

        [Fact]
        public async Task LockReleasedOnEveryIterationIsSilent()
        {
            var source = KernelFixture.With("""
                static void scan(page[] pages)
                {
                    foreach (var page in pages)
                    {
                        if (!trylock_page(page))
                            continue;
                        if (PageKsm(page))
                        {
                            unlock_page(page);
                            continue;
                        }
                        unlock_page(page);
                    }
                }
                """);
            AssertSilent(await RunAsync(source), "GO0004");
        }

        /// <summary>A throw with the lock held leaves the method holding it, unless a finally releases it.</summary>
        [Fact]
        public async Task ThrowWithLockHeld()
        {
            var leak = KernelFixture.With("""
                static void f(page page)
                {
                    lock_page(page);
                    if (page.refcount < 0)
                        throw new System.InvalidOperationException("bad page");
                    unlock_page(page);
                }
                """);
            AssertReports(await RunAsync(leak), "GO0004");

            var released = KernelFixture.With("""
                static void f(page page)
                {
                    lock_page(page);
                    try
                    {
                        if (page.refcount < 0)
                            throw new System.InvalidOperationException("bad page");
                    }
                    finally
                    {
                        unlock_page(page);
                    }
                }
                """);
            AssertSilent(await RunAsync(released), "GO0004");
        }
    }
}
