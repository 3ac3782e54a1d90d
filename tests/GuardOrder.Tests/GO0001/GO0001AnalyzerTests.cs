using GuardOrder.Tests.Verifiers;
using System.Linq;
using System.Threading.Tasks;
using GuardOrder.Analyzers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using static GuardOrder.Tests.GO0001.GO0001Sources;
using Verify = GuardOrder.Tests.Verifiers.CSharpAnalyzerVerifier<GuardOrder.Analyzers.GO0001SecurityGuardFirstAnalyzer>;

namespace GuardOrder.Tests.GO0001
{
    public class GO0001AnalyzerTests
    {
        /// <summary>A GO0001 at markup location {|#n:...|}; the message is only compared when the test adds WithMessage.</summary>
        private static DiagnosticResult GO0001(int location) => new DiagnosticResult(RuleIdentifiers.SecurityGuardFirst, DiagnosticSeverity.Warning).WithLocation(location);

        private static DiagnosticResult GO0001At(int line, int column, int endLine, int endColumn) =>
            new DiagnosticResult(RuleIdentifiers.SecurityGuardFirst, DiagnosticSeverity.Warning).WithSpan(line, column, endLine, endColumn);

        /// <summary>The review's first rework: the NUMA test ahead of the VM_WRITE test.</summary>
        public const string SeedFirstRework = @"
static class mprotect
{
    static bool may_avoid_write_fault(pte_t pte, vm_area_struct vma, ulong cp_flags)
    {
        /*
         * It is unclear whether this optimization can be done safely for NUMA
         * pages.
         */
        if ((cp_flags & MM_CP_PROT_NUMA) != 0)
            return false;

        /*
         * Never apply write bit if VM_WRITE not set.  Note that this is
         * actually checked for VM_SHARED when MM_CP_DIRTY_ACCT is set, so
         * checking it again here is not cleaner.
         */
        if ({|#0:(vma.vm_flags & VM_WRITE) == 0|})
            return false;

        /*
         * Don't do this optimization for clean pages as we need to be notified
         * of the transition from clean to dirty.
         */
        if (!pte_dirty(pte))
            return false;

        /* Same for softdirty. */
        if (!pte_soft_dirty(pte) && (vma.vm_flags & VM_SOFTDIRTY) != 0)
            return false;

        /*
         * For userfaultfd the user program needs to monitor write faults so we
         * can't do this optimization.
         */
        if (pte_uffd_wp(pte))
            return false;

        /*
         * MM_CP_DIRTY_ACCT indicates that we can always make the page writable
         * regardless of the number of references.  Time to set the write bit.
         */
        if ((cp_flags & MM_CP_DIRTY_ACCT) != 0)
            return true;

        /*
         * Othewise it means !MM_CP_DIRTY_ACCT.  We can only apply write bit
         * early if it's anonymous page and we exclusively own it.
         */
        if (vma_is_anonymous(vma) && (page_count(pte_page(pte)) == 1))
            return true;

        /* Don't play any trick */
        return false;
    }
}
";

        [Fact]
        public Task SeedFirstRework_NumaTestFirst_ReportsVmWriteWithExactMessage() =>
            Verify.VerifyAnalyzerAsync(
                With(SeedFirstRework),
                GO0001(0).WithMessage("Security check '(vma.vm_flags & VM_WRITE) == 0' should come before 'if ((cp_flags & MM_CP_PROT_NUMA) != 0) return false'"));

        /// <summary>
        /// A guard may exit by a call of a [DoesNotReturn] method (BUG()): the VM_WRITE check that does so
        /// after the NUMA guard is still misplaced (not movable: BUG() and return false differ). A call that
        /// returns exits nothing, so WARN() makes no guard.
        /// </summary>
        [Fact]
        public Task GuardExitingThroughDoesNotReturnCall_IsAGuard() =>
            Verify.VerifyAnalyzerAsync(
                With(@"
static class mprotect
{
    [DoesNotReturn]
    static void BUG() => throw new InvalidOperationException(""BUG"");

    static void WARN() { }

    static bool bug_late(pte_t pte, vm_area_struct vma, ulong cp_flags)
    {
        if ((cp_flags & MM_CP_PROT_NUMA) != 0)
            return false;
        if ({|#0:(vma.vm_flags & VM_WRITE) == 0|})
            BUG();
        return pte_dirty(pte);
    }

    static bool warn_late(pte_t pte, vm_area_struct vma, ulong cp_flags)
    {
        if ((cp_flags & MM_CP_PROT_NUMA) != 0)
            return false;
        if ((vma.vm_flags & VM_WRITE) == 0)
            WARN();
        return pte_dirty(pte);
    }
}"),
                GO0001(0).WithMessage("Security check '(vma.vm_flags & VM_WRITE) == 0' should come before 'if ((cp_flags & MM_CP_PROT_NUMA) != 0) return false'; " +
                    "it cannot be moved above 'if ((cp_flags & MM_CP_PROT_NUMA) != 0) return false' without changing the result (it returns false where the security check calls BUG)"));

        [Fact]
        public Task SeedAsReviewed_VmWriteFirst_NoDiagnostic() =>
            Verify.VerifyAnalyzerAsync(With(@"
static class mprotect
{
    static bool may_avoid_write_fault(pte_t pte, vm_area_struct vma, ulong cp_flags)
    {
        page page;
        bool ret = false;

        /* Never apply write bit if VM_WRITE not set. */
        if ((vma.vm_flags & VM_WRITE) == 0)
            return false;

        /* It is unclear whether this optimization can be done safely for NUMA pages. */
        if ((cp_flags & MM_CP_PROT_NUMA) != 0)
            return false;

        if (!pte_dirty(pte))
            return false;

        page = pte_page(pte);
        if (!trylock_page(page))
            return false;
        return ret;
    }
}
"));

        [Fact]
        public Task NoGuardOrderReference_NoDiagnostic() =>
            Verify.VerifyAnalyzerAsync(@"
static class mprotect
{
    public const ulong VM_WRITE = 0x2;
    public const ulong MM_CP_PROT_NUMA = 0x2;

    static bool f(ulong vm_flags, ulong cp_flags)
    {
        if ((cp_flags & MM_CP_PROT_NUMA) != 0)
            return false;
        if ((vm_flags & VM_WRITE) == 0)
            return false;
        return (cp_flags & MM_CP_PROT_NUMA) != 0 && (vm_flags & VM_WRITE) != 0;
    }
}
", withAnnotations: false);

        [Fact]
        public Task SecurityCheckTypeAbsent_OtherGuardOrderAttributePresent_NoDiagnostic() =>
            Verify.VerifyAnalyzerAsync(@"
namespace GuardOrder { public sealed class FaultPathCheckAttribute : System.Attribute { } }
namespace Elsewhere { public sealed class SecurityCheckAttribute : System.Attribute { } }

static class mprotect
{
    [Elsewhere.SecurityCheck] public const ulong VM_WRITE = 0x2;
    public const ulong MM_CP_PROT_NUMA = 0x2;

    [GuardOrder.FaultPathCheck]
    static bool f(ulong vm_flags, ulong cp_flags)
    {
        if ((cp_flags & MM_CP_PROT_NUMA) != 0)
            return false;
        if ((vm_flags & VM_WRITE) == 0)
            return false;
        return true;
    }
}
", withAnnotations: false);

        [Fact]
        public Task SecurityCheckDeclaredInSource_WithoutThePackage_Reported() =>
            Verify.VerifyAnalyzerAsync(@"
namespace GuardOrder { public sealed class SecurityCheckAttribute : System.Attribute { } }

static class mprotect
{
    [GuardOrder.SecurityCheck] public const ulong VM_WRITE = 0x2;
    public const ulong MM_CP_PROT_NUMA = 0x2;

    static bool f(ulong vm_flags, ulong cp_flags)
    {
        if ((cp_flags & MM_CP_PROT_NUMA) != 0)
            return false;
        if ({|#0:(vm_flags & VM_WRITE) == 0|})
            return false;
        return true;
    }
}
", withAnnotations: false, GO0001(0));

        [Fact]
        public Task AnnotationsReferencedButNothingMarked_NoDiagnostic() =>
            Verify.VerifyAnalyzerAsync(@"
static class mprotect
{
    public const ulong VM_WRITE = 0x2;
    public const ulong MM_CP_PROT_NUMA = 0x2;

    [GuardOrder.FaultPathCheck]
    static bool f(ulong vm_flags, ulong cp_flags)
    {
        if ((cp_flags & MM_CP_PROT_NUMA) != 0)
            return false;
        if ((vm_flags & VM_WRITE) == 0)
            return false;
        return true;
    }
}
");

        [Theory]
        [InlineData("(vma.vm_flags & VM_WRITE) == 0", "const field")]
        [InlineData("(vma.vm_flags & vm_write_mask) == 0", "static readonly field")]
        [InlineData("(vma.vm_flags & mm.VM_WRITE) == 0", "qualified const")]
        [InlineData("(vma.vm_flags & Alias.VM_WRITE) == 0", "alias")]
        [InlineData("((((vma.vm_flags) & (VM_WRITE))) == (0))", "parentheses")]
        [InlineData("!vma.IsWritable", "property")]
        [InlineData("vma is { IsWritable: false }", "property pattern")]
        [InlineData("(vma.vm_flags & VM_WRITE) is 0", "constant pattern on a masked const")]
        [InlineData("vma.vm_flags is not (VM_WRITE or (VM_WRITE | VM_READ))", "const inside a pattern")]
        [InlineData("vma is not { vm_flags: VM_WRITE }", "const inside a property pattern")]
        [InlineData("!may_write(vma)", "method")]
        [InlineData("!mm.may_write(vma)", "qualified method")]
        [InlineData("WARN_ON_ONCE((vma.vm_flags & VM_WRITE) == 0)", "wrapper call")]
        [InlineData("((VmFlags)vma.vm_flags & VmFlags.Write) == 0", "enum member")]
        [InlineData("!((VmFlags)vma.vm_flags).HasFlag(VmFlags.Write)", "HasFlag")]
        [InlineData("(VmFlags)vma.vm_flags is not VmFlags.Write", "enum constant pattern")]
        [InlineData("(vma.vm_flags & (ulong)VmFlags.Write) == 0 && vma.vm_refcnt > 0", "inside a larger condition")]
        [InlineData("vma.vm_flags == 0 || (vma.vm_flags & VM_WRITE) == 0", "inside a chain (second operand)")]
        public Task SecurityRead_AnyForm_ReportedAfterNumaGuard(string condition, string form)
        {
            _ = form;
            var code = @"using Alias = mm;
static class mprotect
{
    static bool f(vm_area_struct vma, ulong cp_flags)
    {
        if ((cp_flags & MM_CP_PROT_NUMA) != 0)
            return false;
        if ({|#0:" + condition + @"|})
            return false;
        return true;
    }
}
";
            var expected = condition.Contains("||")
                ? new[] { GO0001(0), GO0001At(12, 34, 12, 64) }
                : new[] { GO0001(0) };
            return Verify.VerifyAnalyzerAsync(With(code), expected);
        }

        [Theory]
        [InlineData("nameof(VM_WRITE) == \"\"")]
        [InlineData("vma.vm_flags == 0x2")]
        [InlineData("(VmFlags)vma.vm_flags == VmFlags.Read")]
        public Task NoSecurityRead_NoDiagnostic(string condition) =>
            Verify.VerifyAnalyzerAsync(With(@"
static class mprotect
{
    static bool f(vm_area_struct vma, ulong cp_flags)
    {
        if ((cp_flags & MM_CP_PROT_NUMA) != 0)
            return false;
        if (" + condition + @")
            return false;
        return true;
    }
}
"));

        [Fact]
        public Task UsingStatic_ConstantFromAnotherClass_Reported() =>
            Verify.VerifyAnalyzerAsync(@"using GuardOrder;
using static Flags;

static class Flags
{
    [SecurityCheck] public const int W = 2;
    public const int N = 4;
}

static class C
{
    static bool f(int flags)
    {
        if ((flags & N) != 0)
            return false;
        if ({|#0:(flags & W) == 0|})
            return false;
        return true;
    }
}
", GO0001(0));

        [Fact]
        public Task DoesNotReturnIfAssert_IsASecurityGuard_ExitDiffers() =>
            Verify.VerifyAnalyzerAsync(
                With(@"
static class mprotect
{
    static bool f(vm_area_struct vma, ulong cp_flags)
    {
        if ((cp_flags & MM_CP_PROT_NUMA) != 0)
            return false;
        VM_BUG_ON({|#0:(vma.vm_flags & VM_WRITE) == 0|});
        return true;
    }
}
"),
                GO0001(0).WithMessage("Security check '(vma.vm_flags & VM_WRITE) == 0' should come before 'if ((cp_flags & MM_CP_PROT_NUMA) != 0) return false'; it cannot be moved above 'if ((cp_flags & MM_CP_PROT_NUMA) != 0) return false' without changing the result (it returns false where the security check asserts with VM_BUG_ON)"));

        [Fact]
        public Task DoesNotReturnIfAssert_IsAGuardThatTheSecurityCheckMustPrecede_SameAssertSameExit() =>
            Verify.VerifyAnalyzerAsync(
                With(@"
static class mprotect
{
    static void f(vm_area_struct vma, ulong cp_flags)
    {
        VM_BUG_ON(vma.vm_refcnt < 0);
        VM_BUG_ON({|#0:!may_write(vma)|});
    }
}
"),
                GO0001(0).WithMessage("Security check '!may_write(vma)' should come before 'VM_BUG_ON(vma.vm_refcnt < 0)'"));

        [Fact]
        public Task PatternVariableInChain_GuardReported_ChainOperandCannotMove() =>
            Verify.VerifyAnalyzerAsync(
                With(@"
static class mprotect
{
    static bool f(vm_area_struct vma, ulong cp_flags)
    {
        if ((cp_flags & MM_CP_PROT_NUMA) != 0)
            return false;
        if ({|#0:vma.vm_flags is var f && {|#1:(f & VM_WRITE) == 0|}|})
            return false;
        return true;
    }
}
"),
                GO0001(0),
                GO0001(1).WithMessage("Security check '(f & VM_WRITE) == 0' should come before 'vma.vm_flags is var f'; it cannot be moved above 'vma.vm_flags is var f' without changing the result (the security check reads 'f', declared there)"));

        [Fact]
        public Task DebugAssert_DoesNotReturnIfFalse_IsAGuard() =>
            Verify.VerifyAnalyzerAsync(
                With(@"
static class mprotect
{
    static bool f(vm_area_struct vma, ulong cp_flags)
    {
        System.Diagnostics.Debug.Assert(cp_flags != 0);
        if ({|#0:(vma.vm_flags & VM_WRITE) == 0|})
            return false;
        return true;
    }
}
"),
                GO0001(0).WithMessage("Security check '(vma.vm_flags & VM_WRITE) == 0' should come before 'System.Diagnostics.Debug.Assert(cp_flags != 0)'; it cannot be moved above 'System.Diagnostics.Debug.Assert(cp_flags != 0)' without changing the result (it asserts with Assert where the security check returns false)"));

        [Fact]
        public Task ImpureSecurityCheck_NoFix_MessageSaysWhy() =>
            Verify.VerifyAnalyzerAsync(
                With(@"
static class mprotect
{
    [SecurityCheck]
    static bool may_write_logged(vm_area_struct vma) { counter++; return (vma.vm_flags & VM_WRITE) != 0; }

    static bool f(vm_area_struct vma, ulong cp_flags)
    {
        if ((cp_flags & MM_CP_PROT_NUMA) != 0)
            return false;
        if ({|#0:!may_write_logged(vma)|})
            return false;
        return true;
    }
}
"),
                GO0001(0).WithMessage("Security check '!may_write_logged(vma)' should come before 'if ((cp_flags & MM_CP_PROT_NUMA) != 0) return false'; it cannot be moved above 'if ((cp_flags & MM_CP_PROT_NUMA) != 0) return false' without changing the result (the security check itself: 'may_write_logged(vma)' may have side effects)"));

        [Fact]
        public Task ThrowGuards_Reported() =>
            Verify.VerifyAnalyzerAsync(With(@"
static class mprotect
{
    static void f(vm_area_struct vma, ulong cp_flags)
    {
        if (vma.vm_refcnt < 0) throw new ArgumentException(""refcnt"");
        if ({|#0:!vma.IsWritable|}) { throw new ArgumentException(""write""); }
        Console.WriteLine();
    }
}
"), GO0001(0));

        [Fact]
        public Task GotoGuards_Reported() =>
            Verify.VerifyAnalyzerAsync(With(@"
static class mprotect
{
    static int f(vm_area_struct vma, ulong cp_flags)
    {
        if ((cp_flags & MM_CP_PROT_NUMA) != 0)
            goto out_fail;
        if ({|#0:(vma.vm_flags & VM_WRITE) == 0|})
            goto out_fail;
        return 0;
    out_fail:
        return -1;
    }
}
"), GO0001(0));

        [Fact]
        public Task EverySecurityGuardMustPrecedeEveryOtherGuard_OneDiagnosticEach() =>
            Verify.VerifyAnalyzerAsync(With(@"
static class mprotect
{
    static bool f(vm_area_struct vma, ulong cp_flags)
    {
        if (!vma.IsWritable)
            return false;
        if ((cp_flags & MM_CP_PROT_NUMA) != 0)
            return false;
        if ({|#0:(vma.vm_flags & VM_WRITE) == 0|})
            return false;
        if (vma.vm_refcnt == 0)
            return false;
        if ({|#1:!may_write(vma)|})
            return false;
        return true;
    }
}
"), GO0001(0), GO0001(1));

        [Fact]
        public Task PureDeclarationsBetweenGuards_StillOneRun() =>
            Verify.VerifyAnalyzerAsync(With(@"
static class mprotect
{
    static bool f(vm_area_struct vma, ulong cp_flags)
    {
        page page;
        bool ret = false;
        if ((cp_flags & MM_CP_PROT_NUMA) != 0)
            return false;
        ulong flags = vma.vm_flags, mask = 1;
        if ({|#0:(vma.vm_flags & VM_WRITE) == 0|})
            return false;
        page = new page();
        return ret || flags == mask || page.locked;
    }
}
"), GO0001(0));

        [Fact]
        public Task ImpureDeclaration_EndsTheRun() =>
            Verify.VerifyAnalyzerAsync(With(@"
static class mprotect
{
    static bool f(vm_area_struct vma, ulong cp_flags)
    {
        if ((cp_flags & MM_CP_PROT_NUMA) != 0)
            return false;
        var page = new page();
        if ((vma.vm_flags & VM_WRITE) == 0)
            return false;
        return page.locked;
    }
}
"));

        [Theory]
        [InlineData("Console.WriteLine();")]
        [InlineData("counter++;")]
        [InlineData("if (vma.vm_refcnt == 0) return false; else Console.WriteLine();")]
        [InlineData("if (vma.vm_refcnt == 0) Console.WriteLine();")]
        [InlineData("if (vma.vm_refcnt == 0) { Console.WriteLine(); }")]
        [InlineData("label: ;")]
        public Task NonGuardStatement_EndsTheRun(string statement) =>
            Verify.VerifyAnalyzerAsync(With(@"
static class mprotect
{
    static bool f(vm_area_struct vma, ulong cp_flags)
    {
        if ((cp_flags & MM_CP_PROT_NUMA) != 0)
            return false;
        " + statement + @"
        if ((vma.vm_flags & VM_WRITE) == 0)
            return false;
        return true;
    }
}
"), new DiagnosticResult[0]);

        [Fact]
        public Task IfWithElse_IsNotAGuard() =>
            Verify.VerifyAnalyzerAsync(With(@"
static class mprotect
{
    static bool f(vm_area_struct vma, ulong cp_flags)
    {
        if ((cp_flags & MM_CP_PROT_NUMA) != 0)
            return false;
        else
            cp_flags = 0;
        if ((vma.vm_flags & VM_WRITE) == 0)
            return false;
        return true;
    }
}
"));

        [Fact]
        public Task LocalFunctionLambdaAccessorConstructor_EachBodyHasItsOwnRun() =>
            Verify.VerifyAnalyzerAsync(With(@"
sealed class mprotect
{
    private readonly vm_area_struct vma = new vm_area_struct();
    private readonly ulong cp_flags;

    public mprotect(vm_area_struct vma, ulong cp_flags)
    {
        if (cp_flags == 0)
            throw new ArgumentException(""cp_flags"");
        if ({|#0:!vma.IsWritable|})
            throw new ArgumentException(""vma"");
        this.vma = vma;
        this.cp_flags = cp_flags;
    }

    public bool CanWrite
    {
        get
        {
            if ((cp_flags & MM_CP_PROT_NUMA) != 0)
                return false;
            if ({|#1:(vma.vm_flags & VM_WRITE) == 0|})
                return false;
            return true;
        }
    }

    public bool f()
    {
        Func<vm_area_struct, bool> lambda = v =>
        {
            if (v.vm_refcnt == 0)
                return false;
            if ({|#2:!may_write(v)|})
                return false;
            return true;
        };

        return lambda(vma) && local(vma);

        bool local(vm_area_struct v)
        {
            if (v.vm_refcnt == 0)
                return false;
            if ({|#3:(v.vm_flags & VM_WRITE) == 0|})
                return false;
            return true;
        }
    }
}
"), GO0001(0), GO0001(1), GO0001(2), GO0001(3));

        [Fact]
        public Task AndChainInReturn_SecurityOperandNotFirst_Reported() =>
            Verify.VerifyAnalyzerAsync(
                With(@"
static class mprotect
{
    static bool f(pte_t pte, vm_area_struct vma) => pte_dirty(pte) && !pte_uffd_wp(pte) && {|#0:(vma.vm_flags & VM_WRITE) != 0|};

    static bool g(pte_t pte, vm_area_struct vma)
    {
        return (vma.vm_flags & VM_WRITE) != 0 && pte_dirty(pte);
    }
}
"),
                GO0001(0).WithMessage("Security check '(vma.vm_flags & VM_WRITE) != 0' should come before 'pte_dirty(pte)'"));

        [Fact]
        public Task OrChainInIfCondition_Reported_NestedChainsToo() =>
            Verify.VerifyAnalyzerAsync(With(@"
static class mprotect
{
    static bool f(pte_t pte, vm_area_struct vma, ulong cp_flags)
    {
        if ((cp_flags & MM_CP_PROT_NUMA) != 0 || {|#0:(vma.vm_flags & VM_WRITE) == 0|})
            return false;
        if (pte_dirty(pte) && {|#1:(pte_uffd_wp(pte) || !vma.IsWritable)|})
            Console.WriteLine();
        return !pte_dirty(pte) || {|#2:!may_write(vma)|} || {|#3:(VmFlags)vma.vm_flags == VmFlags.Write|};
    }
}
"), GO0001(0), GO0001(1), GO0001At(12, 52, 12, 67), GO0001(2), GO0001(3));

        [Fact]
        public Task ChainOrderedOrWithoutSecurity_NoDiagnostic() =>
            Verify.VerifyAnalyzerAsync(With(@"
static class mprotect
{
    static bool f(pte_t pte, vm_area_struct vma, ulong cp_flags)
    {
        if ((vma.vm_flags & VM_WRITE) == 0 || (cp_flags & MM_CP_PROT_NUMA) != 0)
            return false;
        var x = pte_dirty(pte) && (vma.vm_flags & VM_WRITE) != 0; // not a return value or an if condition
        return pte_dirty(pte) && !pte_uffd_wp(pte) && x;
    }
}
"));

        [Fact]
        public Task SideEffectCrossed_NoFix_MessageSaysWhy() =>
            Verify.VerifyAnalyzerAsync(
                With(@"
static class mprotect
{
    static bool f(page page, vm_area_struct vma)
    {
        if (!trylock_page(page))
            return false;
        if ({|#0:(vma.vm_flags & VM_WRITE) == 0|})
            return false;
        return true;
    }
}
"),
                GO0001(0).WithMessage("Security check '(vma.vm_flags & VM_WRITE) == 0' should come before 'if (!trylock_page(page)) return false'; it cannot be moved above 'if (!trylock_page(page)) return false' without changing the result ('trylock_page(page)' may have side effects)"));

        [Fact]
        public Task IncrementCrossed_NoFix_MessageSaysWhy() =>
            Verify.VerifyAnalyzerAsync(
                With(@"
static class mprotect
{
    static bool f(vm_area_struct vma)
    {
        if (counter++ > 3)
            return false;
        if ({|#0:(vma.vm_flags & VM_WRITE) == 0|})
            return false;
        return true;
    }
}
"),
                GO0001(0).WithMessage("Security check '(vma.vm_flags & VM_WRITE) == 0' should come before 'if (counter++ > 3) return false'; it cannot be moved above 'if (counter++ > 3) return false' without changing the result ('counter++' may have side effects)"));

        [Fact]
        public Task DifferentExitCrossed_NoFix_MessageSaysWhy() =>
            Verify.VerifyAnalyzerAsync(
                With(@"
static class mprotect
{
    static bool f(pte_t pte, vm_area_struct vma, ulong cp_flags)
    {
        if ((cp_flags & MM_CP_PROT_NUMA) != 0)
            return false;
        if (pte_write(pte))
            return true;
        if ({|#0:(vma.vm_flags & VM_WRITE) == 0|})
            return false;
        return true;
    }
}
"),
                GO0001(0).WithMessage("Security check '(vma.vm_flags & VM_WRITE) == 0' should come before 'if ((cp_flags & MM_CP_PROT_NUMA) != 0) return false'; it cannot be moved above 'if (pte_write(pte)) return true' without changing the result (it returns true where the security check returns false)"));

        [Fact]
        public Task DeclarationUsedBySecurityCheck_NoFix_MessageSaysWhy() =>
            Verify.VerifyAnalyzerAsync(
                With(@"
static class mprotect
{
    static bool f(pte_t pte, vm_area_struct vma, ulong cp_flags)
    {
        if ((cp_flags & MM_CP_PROT_NUMA) != 0)
            return false;
        ulong flags = vma.vm_flags;
        if ({|#0:(flags & VM_WRITE) == 0|})
            return false;
        return true;
    }
}
"),
                GO0001(0).WithMessage("Security check '(flags & VM_WRITE) == 0' should come before 'if ((cp_flags & MM_CP_PROT_NUMA) != 0) return false'; it cannot be moved above 'ulong flags = vma.vm_flags' without changing the result (the security check reads 'flags', declared there)"));

        [Fact]
        public Task NullCheckCrossed_NoFix_MessageSaysWhy() =>
            Verify.VerifyAnalyzerAsync(
                With(@"
static class mprotect
{
    static bool f(vm_area_struct vma)
    {
        if (vma?.vm_file is null)
            return false;
        if ({|#0:(vma.vm_flags & VM_WRITE) == 0|})
            return false;
        return true;
    }
}
"),
                GO0001(0).WithMessage("Security check '(vma.vm_flags & VM_WRITE) == 0' should come before 'if (vma?.vm_file is null) return false'; it cannot be moved above 'if (vma?.vm_file is null) return false' without changing the result (it tests 'vma' before the security check reads it)"));

        [Fact]
        public Task DivisionCrossed_NoFix_MayThrow() =>
            Verify.VerifyAnalyzerAsync(
                With(@"
static class mprotect
{
    static bool f(page page, vm_area_struct vma)
    {
        if (vma.vm_refcnt / page.refcount > 1)
            return false;
        if ({|#0:(vma.vm_flags & VM_WRITE) == 0|})
            return false;
        return true;
    }
}
"),
                GO0001(0).WithMessage("Security check '(vma.vm_flags & VM_WRITE) == 0' should come before 'if (vma.vm_refcnt / page.refcount > 1) return false'; it cannot be moved above 'if (vma.vm_refcnt / page.refcount > 1) return false' without changing the result ('vma.vm_refcnt / page.refcount' may throw)"));

        [Fact]
        public Task SecurityCheckThroughNullableReference_NoFix_MayThrow() =>
            Verify.VerifyAnalyzerAsync(
                With(@"
#nullable enable
static class mprotect
{
    static bool f(vm_area_struct? vma, ulong cp_flags)
    {
        if ((cp_flags & MM_CP_PROT_NUMA) != 0)
            return false;
        if ({|#0:(vma!.vm_flags & VM_WRITE) == 0|})
            return false;
        return true;
    }

    static bool g(vm_area_struct vma, ulong cp_flags)
    {
        if ((cp_flags & MM_CP_PROT_NUMA) != 0 / 2)
            return false;
        if ({|#1:(vma.vm_flags & VM_WRITE) == 0|})
            return false;
        return true;
    }
}
#nullable restore
"),
                GO0001(0).WithMessage("Security check '(vma!.vm_flags & VM_WRITE) == 0' should come before 'if ((cp_flags & MM_CP_PROT_NUMA) != 0) return false'; it cannot be moved above 'if ((cp_flags & MM_CP_PROT_NUMA) != 0) return false' without changing the result (the security check itself: 'vma!.vm_flags' may throw)"),
                GO0001(1).WithMessage("Security check '(vma.vm_flags & VM_WRITE) == 0' should come before 'if ((cp_flags & MM_CP_PROT_NUMA) != 0 / 2) return false'"));

        [Fact]
        public Task MetadataOnlyCallCrossed_NoFix() =>
            Verify.VerifyAnalyzerAsync(
                With(@"
static class mprotect
{
    static bool f(string name, vm_area_struct vma)
    {
        if (string.IsNullOrEmpty(name))
            return false;
        if ({|#0:(vma.vm_flags & VM_WRITE) == 0|})
            return false;
        return true;
    }
}
"),
                GO0001(0).WithMessage("Security check '(vma.vm_flags & VM_WRITE) == 0' should come before 'if (string.IsNullOrEmpty(name)) return false'; it cannot be moved above 'if (string.IsNullOrEmpty(name)) return false' without changing the result ('string.IsNullOrEmpty(name)' may have side effects)"));

        [Fact]
        public Task ChainWithImpureOperand_NoFix_MessageSaysWhy() =>
            Verify.VerifyAnalyzerAsync(
                With(@"
static class mprotect
{
    static bool f(page page, vm_area_struct vma) => trylock_page(page) && {|#0:vma.IsWritable|};
}
"),
                GO0001(0).WithMessage("Security check 'vma.IsWritable' should come before 'trylock_page(page)'; it cannot be moved above 'trylock_page(page)' without changing the result ('trylock_page(page)' may have side effects)"));

        [Fact]
        public Task GeneratedCode_NoDiagnostic() =>
            Verify.VerifyAnalyzerAsync("// <auto-generated/>\n" + With(@"
static class mprotect
{
    static bool f(vm_area_struct vma, ulong cp_flags)
    {
        if ((cp_flags & MM_CP_PROT_NUMA) != 0)
            return false;
        if ((vma.vm_flags & VM_WRITE) == 0)
            return false;
        return true;
    }
}
"));

        [Theory]
        [InlineData("if ((cp_flags & MM_CP_PROT_NUMA) != 0) return false\n        if ((vma.vm_flags & VM_WRITE) == 0) return false\n        return true", true)]
        [InlineData("if () return false;\n        if ((vma.vm_flags & VM_WRITE) == 0) return false;\n        return true;", true)]
        [InlineData("if ((cp_flags & MM_CP_PROT_NUMA) != 0) return false;\n        if ((vma.vm_flags & VM_WRITE) == ) return false;\n        return true;", true)]
        [InlineData("if ((cp_flags & MM_CP_PROT_NUMA) != 0) return false;\n        if ((vma.vm_flags & VM_WRITE) == 0 && ) return;\n        return pte_dirty( && (vma.vm_flags & VM_WRITE) != 0;", true)]
        [InlineData("if (undefined_flag) return false;\n        if ((vma.vm_flags & VM_WRITE) == 0) return undefined;\n        VM_BUG_ON(;\n        return true", true)]
        [InlineData("if ((cp_flags & MM_CP_PROT_NUMA) != 0) return false;\n        if (!may_write(vma) return false;\n        if (\n", true)]
        [InlineData("if ((cp_flags & MM_CP_PROT_NUMA) != 0) return false;\n        VM_BUG_ON(vma.vm_flags & VM_WRITE);\n        if (vma.vm_flags & VM_WRITE) return false;\n        return vma.vm_flags & VM_WRITE || true;", false)]
        [InlineData("if ((cp_flags & MM_CP_PROT_NUMA) != 0) return false;\n        if ((vma.vm_flags & VM_WRITE) == 0) return false;\n        return true;\n    }\n    static bool g(vm_area_struct vma) { if (vma.vm_refcnt) return; if (vma is { IsWritable: }) return false; return ; ", true)]
        public async Task HalfTypedCode_NoAnalyzerException(string body, bool reportsSomething)
        {
            var source = With(@"
static class mprotect
{
    static bool f(vm_area_struct vma, ulong cp_flags)
    {
        " + body + @"
    }
}
");
            var diagnostics = await AnalyzerHarness.RunAsync(new GO0001SecurityGuardFirstAnalyzer(), source);

            Assert.DoesNotContain(diagnostics, d => d.Id == "AD0001");
            Assert.Equal(reportsSomething, diagnostics.Any(d => d.Id == RuleIdentifiers.SecurityGuardFirst));
        }
    }
}
