using System.Threading.Tasks;
using GuardOrder.Tests.Model;
using Verify = GuardOrder.Tests.Verifiers.CSharpAnalyzerVerifier<GuardOrder.Analyzers.GO0005SecurityBypassAnalyzer>;

namespace GuardOrder.Tests.GO0005
{
    public class GO0005SecurityBypassTests
    {
        /// <summary>The classic: the DIRTY_ACCT shortcut returns true before VM_WRITE is tested.</summary>
        [Fact]
        public async Task DirtyAcctShortcutBeforeVmWrite()
        {
            var source = KernelFixture.With("""
                    [MustMatchFaultPath(nameof(do_wp_page))]
                    static bool may_avoid_write_fault(pte_t pte, vm_area_struct vma, ulong cp_flags)
                    {
                        if ((cp_flags & MM_CP_PROT_NUMA) != 0)
                            return false;
                        if (!pte_dirty(pte))
                            return false;
                        if ((cp_flags & MM_CP_DIRTY_ACCT) != 0)
                            return {|#0:true|};
                        if ((vma.vm_flags & VM_WRITE) == 0)
                            return false;
                        return page_count(pte_page(pte)) == 1;
                    }
                """);
            await Verify.VerifyAnalyzerAsync(
                source,
                Verify.Diagnostic("GO0005").WithLocation(0).WithArguments("may_avoid_write_fault", " (VM_WRITE is tested only on other routes)"));
        }

        [Fact]
        public async Task VmWriteFirstIsClean()
        {
            var source = KernelFixture.With("""
                    [MustMatchFaultPath(nameof(do_wp_page))]
                    static bool may_avoid_write_fault(pte_t pte, vm_area_struct vma, ulong cp_flags)
                    {
                        if ((vma.vm_flags & VM_WRITE) == 0)
                            return false;
                        if ((cp_flags & MM_CP_DIRTY_ACCT) != 0)
                            return true;
                        return page_count(pte_page(pte)) == 1;
                    }
                """);
            await Verify.VerifyAnalyzerAsync(source);
        }

        /// <summary>A [DoesNotReturnIf(true)] assert on VM_WRITE passes the check for every route after it.</summary>
        [Fact]
        public async Task DoesNotReturnIfAssertIsTheSecurityGuard()
        {
            var source = KernelFixture.With("""
                    [MustMatchFaultPath(nameof(do_wp_page))]
                    static bool asserted(pte_t pte, vm_area_struct vma, ulong cp_flags)
                    {
                        VM_BUG_ON((vma.vm_flags & VM_WRITE) == 0);
                        if ((cp_flags & MM_CP_DIRTY_ACCT) != 0)
                            return true;
                        return false;
                    }

                    static void vma_assert_writable(vm_area_struct vma)
                    {
                        VM_BUG_ON((vma.vm_flags & VM_WRITE) == 0);
                    }

                    [MustMatchFaultPath(nameof(do_wp_page))]
                    static bool asserted_in_void_helper(pte_t pte, vm_area_struct vma, ulong cp_flags)
                    {
                        vma_assert_writable(vma);
                        return (cp_flags & MM_CP_DIRTY_ACCT) != 0;
                    }

                    [MustMatchFaultPath(nameof(do_wp_page))]
                    static bool asserted_too_late(pte_t pte, vm_area_struct vma, ulong cp_flags)
                    {
                        if ((cp_flags & MM_CP_DIRTY_ACCT) != 0)
                            return {|#0:true|};
                        VM_BUG_ON((vma.vm_flags & VM_WRITE) == 0);
                        return false;
                    }
                """);
            await Verify.VerifyAnalyzerAsync(source, Verify.Diagnostic("GO0005").WithLocation(0).WithArguments("asserted_too_late", " (VM_WRITE is tested only on other routes)"));
        }

        /// <summary>
        /// A void helper asserts for its caller when its leading call statements assert, in every body form:
        /// block or expression body, the assert first or after another call. A body that begins with anything
        /// else asserts nothing (and is ruled out from its syntax, unbound: <c>LeadingCallSyntax</c>).
        /// </summary>
        private const string NoSecurityRead = " (it reads no [SecurityCheck] member: an early-write predicate grants a write, so a security check is always due)";

        [Fact]
        public async Task DoesNotReturnIfAssertInVoidHelper_EveryBodyForm()
        {
            var source = KernelFixture.With("""
                    static void assert_arrow(vm_area_struct vma) => VM_BUG_ON((vma.vm_flags & VM_WRITE) == 0);

                    static void touch(vm_area_struct vma) { }

                    static void assert_after_call(vm_area_struct vma)
                    {
                        touch(vma);
                        VM_BUG_ON((vma.vm_flags & VM_WRITE) == 0);
                    }

                    static void assert_after_declaration(vm_area_struct vma)
                    {
                        var writable = (vma.vm_flags & VM_WRITE) != 0;
                        VM_BUG_ON(!writable);
                    }

                    static void assert_in_conditional_access(vm_area_struct? vma)
                    {
                        vma?.ToString();
                        VM_BUG_ON((vma!.vm_flags & VM_WRITE) == 0);
                    }

                    [MustMatchFaultPath(nameof(do_wp_page))]
                    static bool via_arrow(pte_t pte, vm_area_struct vma, ulong cp_flags)
                    {
                        assert_arrow(vma);
                        return (cp_flags & MM_CP_DIRTY_ACCT) != 0;
                    }

                    [MustMatchFaultPath(nameof(do_wp_page))]
                    static bool via_after_call(pte_t pte, vm_area_struct vma, ulong cp_flags)
                    {
                        assert_after_call(vma);
                        return (cp_flags & MM_CP_DIRTY_ACCT) != 0;
                    }

                    [MustMatchFaultPath(nameof(do_wp_page))]
                    static bool via_after_declaration(pte_t pte, vm_area_struct vma, ulong cp_flags)
                    {
                        assert_after_declaration(vma);
                        return {|#0:(cp_flags & MM_CP_DIRTY_ACCT) != 0|};
                    }

                    [MustMatchFaultPath(nameof(do_wp_page))]
                    static bool via_conditional_access(pte_t pte, vm_area_struct vma, ulong cp_flags)
                    {
                        assert_in_conditional_access(vma);
                        return {|#1:(cp_flags & MM_CP_DIRTY_ACCT) != 0|};
                    }
                """);
            await Verify.VerifyAnalyzerAsync(
                source,
                Verify.Diagnostic("GO0005").WithLocation(0).WithArguments("via_after_declaration", NoSecurityRead),
                Verify.Diagnostic("GO0005").WithLocation(1).WithArguments("via_conditional_access", NoSecurityRead));
        }

        /// <summary>
        /// A call of a [DoesNotReturn] method ends its route: a route that skips the security check only to
        /// call <c>BUG()</c> grants nothing. Any other call there returns, and the route grants unchecked.
        /// </summary>
        [Fact]
        public async Task DoesNotReturnCallEndsTheRoute()
        {
            var source = KernelFixture.With("""
                    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
                    static void BUG() => throw new System.InvalidOperationException("BUG");

                    static void WARN() { }

                    [MustMatchFaultPath(nameof(do_wp_page))]
                    static bool bug_when_not_writable(pte_t pte, vm_area_struct vma, ulong cp_flags)
                    {
                        if ((vma.vm_flags & VM_WRITE) == 0)
                        {
                            BUG();
                            return true;
                        }

                        return (cp_flags & MM_CP_DIRTY_ACCT) != 0;
                    }

                    [MustMatchFaultPath(nameof(do_wp_page))]
                    static bool warn_when_not_writable(pte_t pte, vm_area_struct vma, ulong cp_flags)
                    {
                        if ({|#2:(vma.vm_flags & VM_WRITE) == 0|})
                        {
                            WARN();
                            return {|#0:true|};
                        }

                        return {|#1:(cp_flags & MM_CP_DIRTY_ACCT) != 0|};
                    }
                """);

            // Both sides of the VM_WRITE test return true, so it gates neither (with BUG() one side returns nothing).
            const string Suffix = " (VM_WRITE is tested only on other routes)";
            await Verify.VerifyAnalyzerAsync(
                source,
                Verify.Diagnostic("GO0005").WithLocation(0).WithLocation(2).WithArguments("warn_when_not_writable", Suffix),
                Verify.Diagnostic("GO0005").WithLocation(1).WithLocation(2).WithArguments("warn_when_not_writable", Suffix));
        }

        /// <summary>The security check inside a helper counts; a plain bool method with a security guard run is checked too.</summary>
        [Fact]
        public async Task SecurityCheckThroughHelperAndPlainGuardRun()
        {
            var source = KernelFixture.With("""
                    static bool vma_writable(vm_area_struct vma) => (vma.vm_flags & VM_WRITE) != 0;

                    [MustMatchFaultPath(nameof(do_wp_page))]
                    static bool via_helper(vm_area_struct vma, ulong cp_flags)
                    {
                        if (!vma_writable(vma))
                            return false;
                        return (cp_flags & MM_CP_DIRTY_ACCT) != 0;
                    }

                    static bool plain_guard_run(vm_area_struct vma, ulong cp_flags, bool fast)
                    {
                        if ((vma.vm_flags & VM_WRITE) == 0)
                            return false;
                        if (fast)
                            return true;
                        return (cp_flags & MM_CP_DIRTY_ACCT) != 0;
                    }

                    static bool plain_bypass(vm_area_struct vma, ulong cp_flags, bool fast)
                    {
                        if ((vma.vm_flags & VM_WRITE) == 0)
                            return false;
                        return fast;
                    }

                    static bool plain_bypass_nested(vm_area_struct vma, ulong cp_flags)
                    {
                        if ((cp_flags & MM_CP_PROT_NUMA) != 0)
                            return false;
                        if ((vma.vm_flags & VM_WRITE) == 0)
                            return false;
                        return true;
                    }

                    static bool not_a_guard_run(vm_area_struct vma, ulong cp_flags)
                    {
                        if ((cp_flags & MM_CP_DIRTY_ACCT) != 0)
                            return true;
                        return (vma.vm_flags & VM_WRITE) != 0;
                    }
                """);
            await Verify.VerifyAnalyzerAsync(source);
        }

        [Fact]
        public async Task GuardRunMethodWithShortcutBeforeSecurity()
        {
            var source = KernelFixture.With("""
                    static bool shortcut(vm_area_struct vma, ulong cp_flags)
                    {
                        if ((cp_flags & MM_CP_PROT_NUMA) != 0)
                            return false;
                        if ((cp_flags & MM_CP_DIRTY_ACCT) != 0)
                            return {|#0:true|};
                        if ((vma.vm_flags & VM_WRITE) == 0)
                            return false;
                        return true;
                    }
                """);
            await Verify.VerifyAnalyzerAsync(source, Verify.Diagnostic("GO0005").WithLocation(0).WithArguments("shortcut", " (VM_WRITE is tested only on other routes)"));
        }

        [Fact]
        public async Task SilentWithoutAnnotations()
        {
            const string source = """
                static class C
                {
                    const ulong VM_WRITE = 2;
                    static bool f(ulong flags, ulong cp)
                    {
                        if (cp != 0) return true;
                        if ((flags & VM_WRITE) == 0) return false;
                        return true;
                    }
                }
                """;
            await Verify.VerifyAnalyzerAsync(source, withAnnotations: false);
        }

        [Fact]
        public async Task IncompleteCodeDoesNotCrash()
        {
            var source = KernelFixture.With("""
                    [MustMatchFaultPath(nameof(do_wp_page))]
                    static bool broken(vm_area_struct vma, ulong cp_flags)
                    {
                        if ((vma.{|CS1061:flags|} & VM_WRITE) == 0)
                            return false;
                        if ({|CS0103:mystery|})
                            return true;
                        return {|CS0103:x|};
                    }
                """);
            await Verify.VerifyAnalyzerAsync(source);
        }
    }
}
