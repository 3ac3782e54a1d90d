using System.Linq;
using System.Threading.Tasks;
using GuardOrder.Analyzers;
using GuardOrder.Tests.Verifiers;
using GuardOrder.CodeFixes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Testing;
using static GuardOrder.Tests.GO0001.GO0001Sources;
using Verify = GuardOrder.Tests.Verifiers.CSharpCodeFixVerifier<GuardOrder.Analyzers.GO0001SecurityGuardFirstAnalyzer, GuardOrder.CodeFixes.GO0001MoveSecurityGuardFirstFix>;

namespace GuardOrder.Tests.GO0001
{
    /// <summary>
    /// Preconditions of a security check (GO0001.md, "Preconditions"): argument validation in every
    /// everyday form, and null tests of what the security check dereferences. They are not guards the
    /// security check must precede, they do not end the guard run, and the fix keeps them in front of
    /// the security check (moving them along, in order, when they sit after another guard).
    /// </summary>
    public class GO0001PreconditionTests
    {
        private static DiagnosticResult GO0001(int location) => new DiagnosticResult(RuleIdentifiers.SecurityGuardFirst, DiagnosticSeverity.Warning).WithLocation(location);

        private const string Numa = "if ((cp_flags & MM_CP_PROT_NUMA) != 0) return false";

        private static Task VerifyFixAsync(string source, string fixedSource, params DiagnosticResult[] expected)
        {
            var test = new Verify.Test
            {
                TestCode = source,
                FixedCode = fixedSource,
                CodeActionEquivalenceKey = GO0001MoveSecurityGuardFirstFix.EquivalenceKey,
            };
            test.ExpectedDiagnostics.AddRange(expected);
            return test.RunAsync();
        }

        private static Task VerifyNoFixAsync(string source, params DiagnosticResult[] expected) => VerifyFixAsync(source, source, expected);

        /// <summary>A method with the usual parameters and <paramref name="body"/>.</summary>
        private static string Method(string body) => With(@"
static class mprotect
{
    static bool f(pte_t pte, vm_area_struct vma, vm_fault vmf, page page, string name, int count, ulong cp_flags)
    {
" + body + @"
        return true;
    }
}
");

        // ---------------------------------------------------------------------------------------
        // Null tests of what the security check dereferences: preconditions, not reported.
        // ---------------------------------------------------------------------------------------

        [Theory]
        [InlineData("if (vma == null) return false;", "== null")]
        [InlineData("if (null == vma) return false;", "null ==")]
        [InlineData("if (vma is null) return false;", "is null")]
        [InlineData("if (vma is not { }) return false;", "is not { }")]
        [InlineData("if (vma is not object) return false;", "is not object")]
        [InlineData("if (vma is not vm_area_struct) return false;", "is not <its own type>")]
        [InlineData("if (!(vma is { })) return false;", "!(is { })")]
        [InlineData("if (!(vma != null)) return false;", "!(!= null)")]
        [InlineData("if (!(vma is not null)) return false;", "!(is not null)")]
        [InlineData("if (vma == null) return true;", "another exit")]
        [InlineData("if (vma is null) throw new InvalidOperationException();", "throws")]
        [InlineData("if (vma is null) { return false; }", "block body")]
        public Task NullTestOfTheDereferencedOperand_IsNotTheGuardToPrecede_FixKeepsItFirst(string precondition, string form)
        {
            _ = form;
            return VerifyPreconditionKeptFirstAsync(precondition, "(vma.vm_flags & VM_WRITE) == 0");
        }

        /// <summary>
        /// <paramref name="preconditions"/>, the NUMA guard, then the security check: reported against the
        /// NUMA guard (not against the precondition, and the run goes on past it), and the fix moves the
        /// security check between the precondition and the NUMA guard.
        /// </summary>
        private static Task VerifyPreconditionKeptFirstAsync(string preconditions, string security) =>
            VerifyFixAsync(
                Method(@"
        " + preconditions + @"
        if ((cp_flags & MM_CP_PROT_NUMA) != 0)
            return false;
        if ({|#0:" + security + @"|})
            return false;"),
                Method(@"
        " + preconditions + @"
        if (" + security + @")
            return false;
        if ((cp_flags & MM_CP_PROT_NUMA) != 0)
            return false;"),
                GO0001(0).WithMessage("Security check '" + security + "' should come before '" + Numa + "'"));

        [Fact]
        public Task NullTestRightBeforeTheSecurityCheck_NotReported() =>
            VerifyNoFixAsync(Method(@"
        if (vma == null)
            return false;
        if ((vma.vm_flags & VM_WRITE) == 0)
            return false;"));

        [Theory]
        [InlineData("if (vmf == null || vmf.vma == null) return false;", "(vmf.vma.vm_flags & VM_WRITE) == 0")]
        [InlineData("if (vmf?.vma == null) return false;", "(vmf.vma.vm_flags & VM_WRITE) == 0")]
        [InlineData("if (vmf?.vma is null) return false;", "(vmf.vma.vm_flags & VM_WRITE) == 0")]
        [InlineData("if (vmf is null) return false; if (vmf.vma is null) return false;", "(vmf.vma.vm_flags & VM_WRITE) == 0")]
        [InlineData("if (vmf is null) return false;", "(vmf.vma.vm_flags & VM_WRITE) == 0")]
        [InlineData("if (vmf is not { vma: { } }) return false;", "(vmf.vma.vm_flags & VM_WRITE) == 0")]
        [InlineData("if (vmf is not { vma: not null }) return false;", "(vmf.vma.vm_flags & VM_WRITE) == 0")]
        [InlineData("if (vmf?.vma is not { }) return false;", "(vmf.vma.vm_flags & VM_WRITE) == 0")]
        [InlineData("_ = vmf?.vma ?? throw new InvalidOperationException();", "(vmf.vma.vm_flags & VM_WRITE) == 0")]
        [InlineData("System.Diagnostics.Debug.Assert(vmf is { vma: { } });", "(vmf.vma.vm_flags & VM_WRITE) == 0")]
        [InlineData("if (vma == null) return false;", "!vma.IsWritable")]
        [InlineData("if (vma == null) return false;", "!may_write(vma)")]
        [InlineData("if (vma == null) return false;", "!WARN_ON_ONCE((vma.vm_flags & VM_WRITE) != 0)")]
        public Task NullTestThroughAMemberPathOrAHelper_IsNotTheGuardToPrecede_FixKeepsItFirst(string preconditions, string security) =>
            VerifyPreconditionKeptFirstAsync(preconditions, security);

        [Theory]
        [InlineData("if (page == null) return false;", "a null test of something the security check does not read")]
        [InlineData("if (vma != null) return false;", "leaves when it is NOT null")]
        [InlineData("if (pte_dirty(pte)) return false;", "an ordinary guard")]
        public Task NotAPrecondition_Reported_AndMovable(string guard, string why)
        {
            _ = why;
            var code = Method(@"
        " + guard + @"
        if ({|#0:(vmf.flags & VM_WRITE) == 0|})
            return false;");
            var fixedCode = Method(@"
        if ((vmf.flags & VM_WRITE) == 0)
            return false;
        " + guard);
            return VerifyFixAsync(code, fixedCode, GO0001(0).WithMessage("Security check '(vmf.flags & VM_WRITE) == 0' should come before '" + guard.TrimEnd(';') + "'"));
        }

        [Theory]
        [InlineData("if (vma?.vm_file == null) return false;", "tests vma.vm_file as well, which the security check does not read")]
        [InlineData("if (vma == null || cp_flags != 0) return false;", "tests something else as well")]
        [InlineData("if (vma is null ? true : vma.vm_refcnt < 0) return false;", "?: with another test")]
        [InlineData("if (vma != null) return true;", "leaves when vma is NOT null")]
        [InlineData("if (vmf.vma == null) return false;", "the security check does not dereference vmf.vma")]
        [InlineData("if (vmf is not { page.refcount: 1 }) return false;", "a property pattern that tests a value")]
        public Task NullTestThatIsNotAPrecondition_Reported_NoFix(string guard, string why)
        {
            _ = why;
            var security = guard.Contains("vmf")
                ? "(vmf.flags & VM_WRITE) == 0 && vmf.page.refcount > 0"   // dereferences vmf and vmf.page, not vmf.vma
                : "(vma.vm_flags & VM_WRITE) == 0";

            var code = Method(@"
        " + guard + @"
        if ({|#0:" + security + @"|})
            return false;");
            return VerifyNoFixAsync(code, GO0001(0));
        }

        [Fact]
        public Task SecurityCheckWithItsOwnNullTestInAConditional_MovesFirst() =>
            VerifyFixAsync(
                Method(@"
        if ((cp_flags & MM_CP_PROT_NUMA) != 0)
            return false;
        if ({|#0:vma == null ? true : (vma.vm_flags & VM_WRITE) == 0|})
            return false;"),
                Method(@"
        if (vma == null ? true : (vma.vm_flags & VM_WRITE) == 0)
            return false;
        if ((cp_flags & MM_CP_PROT_NUMA) != 0)
            return false;"),
                GO0001(0));

        [Fact]
        public Task NullTestAfterTheSecurityCheck_IsAnOrdinaryGuard() =>
            VerifyNoFixAsync(Method(@"
        if ((vma.vm_flags & VM_WRITE) == 0)
            return false;
        if (vma == null)
            return false;"));

        [Fact]
        public Task NullTestNeededByOneSecurityCheck_IsNotAGuardForTheOthersEither() =>
            VerifyNoFixAsync(Method(@"
        if (vma == null)
            return false;
        if ((vmf.flags & VM_WRITE) == 0)
            return false;
        if ((vma.vm_flags & VM_WRITE) == 0)
            return false;
        if ((cp_flags & MM_CP_PROT_NUMA) != 0)
            return false;"));

        // ---------------------------------------------------------------------------------------
        // Argument validation: never a guard to move past, never the end of the run.
        // ---------------------------------------------------------------------------------------

        public static readonly TheoryData<string> Validations = new TheoryData<string>
        {
            "ArgumentNullException.ThrowIfNull(vma);",
            "ArgumentNullException.ThrowIfNull(name);",
            "ArgumentException.ThrowIfNullOrEmpty(name);",
            "ArgumentException.ThrowIfNullOrWhiteSpace(name);",
            "ArgumentOutOfRangeException.ThrowIfNegative(count);",
            "ArgumentOutOfRangeException.ThrowIfGreaterThan(count, 16);",
            "ArgumentOutOfRangeException.ThrowIfZero(vma.vm_refcnt);",
            "_ = vma ?? throw new ArgumentNullException(nameof(vma));",
            "_ = name ?? throw new ArgumentNullException(nameof(name));",
            "if (vma is null) throw new ArgumentNullException(nameof(vma));",
            "if (name == null) { throw new ArgumentNullException(nameof(name)); }",
            "if (count < 0) throw new ArgumentOutOfRangeException(nameof(count));",
            "if (name.Length == 0) throw new ArgumentException(\"empty\", nameof(name));",
            "System.Diagnostics.Debug.Assert(vma != null);",
            "System.Diagnostics.Debug.Assert(name is not null);",
            "System.Diagnostics.Debug.Assert(vmf?.vma != null);",
            "VM_BUG_ON(vma == null);",
        };

        [Theory]
        [MemberData(nameof(Validations))]
        public Task ArgumentValidationPrologue_DoesNotSwitchGO0001Off_FixKeepsItFirst(string validation)
        {
            var code = Method(@"
        " + validation + @"
        if ((cp_flags & MM_CP_PROT_NUMA) != 0)
            return false;
        if ({|#0:(vma.vm_flags & VM_WRITE) == 0|})
            return false;");
            var fixedCode = Method(@"
        " + validation + @"
        if ((vma.vm_flags & VM_WRITE) == 0)
            return false;
        if ((cp_flags & MM_CP_PROT_NUMA) != 0)
            return false;");
            return VerifyFixAsync(code, fixedCode, GO0001(0).WithMessage("Security check '(vma.vm_flags & VM_WRITE) == 0' should come before '" + Numa + "'"));
        }

        [Theory]
        [MemberData(nameof(Validations))]
        public Task ArgumentValidationBeforeTheSecurityCheck_NotReported(string validation) =>
            VerifyNoFixAsync(Method(@"
        " + validation + @"
        ArgumentNullException.ThrowIfNull(vmf);
        if ((vma.vm_flags & VM_WRITE) == 0)
            return false;"));

        [Theory]
        [InlineData("if (count < 0) throw new ArgumentException(\"bad input\");", "names no argument")]
        [InlineData("if (count < 0) throw new InvalidOperationException(nameof(count));", "not an ArgumentException")]
        [InlineData("System.Diagnostics.Debug.Assert(count != 0);", "asserts something other than non-null")]
        [InlineData("System.Diagnostics.Debug.Assert(vma == null);", "asserts null")]
        public Task NotArgumentValidation_IsAnOrdinaryGuard(string guard, string why)
        {
            _ = why;
            return VerifyNoFixAsync(Method(@"
        " + guard + @"
        if ({|#0:(vmf.flags & VM_WRITE) == 0|})
            return false;"), GO0001(0));
        }

        [Fact]
        public Task DiscardCoalesceThrowOfAnotherException_IsANullTest() =>
            VerifyPreconditionKeptFirstAsync("_ = vma ?? throw new InvalidOperationException();", "(vma.vm_flags & VM_WRITE) == 0");

        [Fact]
        public Task ValidationInTheMiddleOfTheRun_SecurityCheckStillFound_ButCannotCrossAThrow() =>
            VerifyNoFixAsync(
                Method(@"
        if ((cp_flags & MM_CP_PROT_NUMA) != 0)
            return false;
        ArgumentNullException.ThrowIfNull(name);
        if ({|#0:(vma.vm_flags & VM_WRITE) == 0|})
            return false;"),
                GO0001(0).WithMessage("Security check '(vma.vm_flags & VM_WRITE) == 0' should come before '" + Numa + "'; it cannot be moved above 'ArgumentNullException.ThrowIfNull(name)' without changing the result (it throws ArgumentNullException where the security check returns false)"));

        // ---------------------------------------------------------------------------------------
        // Interleaved: the precondition sits after another guard.
        // ---------------------------------------------------------------------------------------

        [Theory]
        [InlineData("if (vma == null)\n            return false;")]
        [InlineData("if (vma is null)\n            return false;")]
        [InlineData("if (vma is not { })\n            return false;")]
        public Task InterleavedNullTest_SameExit_MovesFirstTogetherWithTheSecurityCheck(string precondition)
        {
            var code = Method(@"
        /* numa */
        if ((cp_flags & MM_CP_PROT_NUMA) != 0)
            return false;

        /* null */
        " + precondition + @"

        /* write */
        if ({|#0:(vma.vm_flags & VM_WRITE) == 0|})
            return false;
        if (!pte_dirty(pte))
            return false;");
            var fixedCode = Method(@"
        /* null */
        " + precondition + @"

        /* write */
        if ((vma.vm_flags & VM_WRITE) == 0)
            return false;

        /* numa */
        if ((cp_flags & MM_CP_PROT_NUMA) != 0)
            return false;
        if (!pte_dirty(pte))
            return false;");
            return VerifyFixAsync(code, fixedCode, GO0001(0).WithMessage("Security check '(vma.vm_flags & VM_WRITE) == 0' should come before '" + Numa + "'"));
        }

        [Fact]
        public Task InterleavedMemberPathPreconditions_AllMoveInOrder() =>
            VerifyFixAsync(
                Method(@"
        if ((cp_flags & MM_CP_PROT_NUMA) != 0)
            return false;
        if (vmf == null)
            return false;
        if (pte_dirty(pte))
            return false;
        if (vmf.vma == null)
            return false;
        if ({|#0:(vmf.vma.vm_flags & VM_WRITE) == 0|})
            return false;"),
                Method(@"
        if (vmf == null)
            return false;
        if (vmf.vma == null)
            return false;
        if ((vmf.vma.vm_flags & VM_WRITE) == 0)
            return false;
        if ((cp_flags & MM_CP_PROT_NUMA) != 0)
            return false;
        if (pte_dirty(pte))
            return false;"),
                GO0001(0));

        [Fact]
        public Task PreconditionBeforeTheFirstGuard_StaysThere_SecurityCheckMovesBelowIt() =>
            VerifyFixAsync(
                Method(@"
        ArgumentNullException.ThrowIfNull(vmf);
        if (vma is null)
            return false;
        if ((cp_flags & MM_CP_PROT_NUMA) != 0)
            return false;
        if ({|#0:!vma.IsWritable|})
            return false;"),
                Method(@"
        ArgumentNullException.ThrowIfNull(vmf);
        if (vma is null)
            return false;
        if (!vma.IsWritable)
            return false;
        if ((cp_flags & MM_CP_PROT_NUMA) != 0)
            return false;"),
                GO0001(0));

        [Theory]
        [InlineData(
            "if (vma is null) throw new ArgumentNullException(nameof(vma));",
            "it returns false where its precondition 'if (vma is null) throw new ArgumentNullException(nameof(vma))' throws ArgumentNullException")]
        [InlineData(
            "ArgumentNullException.ThrowIfNull(vma);",
            "it returns false where its precondition 'ArgumentNullException.ThrowIfNull(vma)' throws ArgumentNullException")]
        [InlineData(
            "_ = vma ?? throw new ArgumentNullException(nameof(vma));",
            "it returns false where its precondition '_ = vma ?? throw new ArgumentNullException(nameof(vma))' throws ArgumentNullException")]
        [InlineData(
            "System.Diagnostics.Debug.Assert(vma != null);",
            "it returns false where its precondition 'System.Diagnostics.Debug.Assert(vma != null)' asserts with Assert")]
        [InlineData(
            "if (vma == null) return true;",
            "it returns false where its precondition 'if (vma == null) return true' returns true")]
        public Task InterleavedPrecondition_DifferentExit_Refused(string precondition, string reason) =>
            VerifyNoFixAsync(
                Method(@"
        if ((cp_flags & MM_CP_PROT_NUMA) != 0)
            return false;
        " + precondition + @"
        if ({|#0:(vma.vm_flags & VM_WRITE) == 0|})
            return false;"),
                GO0001(0).WithMessage("Security check '(vma.vm_flags & VM_WRITE) == 0' should come before '" + Numa + "'; it cannot be moved above '" + Numa + "' without changing the result (" + reason + ")"));

        [Fact]
        public Task InterleavedPrecondition_CrossingASideEffect_Refused() =>
            VerifyNoFixAsync(
                Method(@"
        if (!trylock_page(page))
            return false;
        if (vma == null)
            return false;
        if ({|#0:(vma.vm_flags & VM_WRITE) == 0|})
            return false;"),
                GO0001(0).WithMessage("Security check '(vma.vm_flags & VM_WRITE) == 0' should come before 'if (!trylock_page(page)) return false'; it cannot be moved above 'if (!trylock_page(page)) return false' without changing the result ('trylock_page(page)' may have side effects)"));

        [Fact]
        public Task InterleavedPrecondition_CrossingADeclarationItReads_Refused() =>
            VerifyNoFixAsync(
                Method(@"
        if ((cp_flags & MM_CP_PROT_NUMA) != 0)
            return false;
        var v = vmf.vma;
        if (v == null)
            return false;
        if ({|#0:(v.vm_flags & VM_WRITE) == 0|})
            return false;"),
                GO0001(0).WithMessage("Security check '(v.vm_flags & VM_WRITE) == 0' should come before '" + Numa + "'; it cannot be moved above 'var v = vmf.vma' without changing the result (its precondition 'if (v == null) return false' reads 'v', declared there)"));

        // ---------------------------------------------------------------------------------------
        // && / || chains and ?:
        // ---------------------------------------------------------------------------------------

        [Theory]
        [InlineData("vma != null && (vma.vm_flags & VM_WRITE) != 0 && pte_dirty(pte)")]
        [InlineData("vma is not null && (vma.vm_flags & VM_WRITE) != 0 && pte_dirty(pte)")]
        [InlineData("vma is { } && vma.IsWritable && pte_dirty(pte)")]
        [InlineData("vmf?.vma != null && (vmf.vma.vm_flags & VM_WRITE) != 0 && pte_dirty(pte)")]
        [InlineData("!(vma == null || (vma.vm_flags & VM_WRITE) == 0 || !pte_dirty(pte))")]
        [InlineData("vma is null ? false : (vma.vm_flags & VM_WRITE) != 0 && pte_dirty(pte)")]
        public Task ChainPrecondition_NotReported(string expression) =>
            VerifyNoFixAsync(Method("        if (cp_flags == 0) return " + expression + ";"));

        [Theory]
        [InlineData(
            "pte_dirty(pte) && vma != null && {|#0:(vma.vm_flags & VM_WRITE) != 0|}",
            "vma != null && (vma.vm_flags & VM_WRITE) != 0 && pte_dirty(pte)")]
        [InlineData(
            "pte_dirty(pte) || vma is null || {|#0:(vma.vm_flags & VM_WRITE) == 0|}",
            "vma is null || (vma.vm_flags & VM_WRITE) == 0 || pte_dirty(pte)")]
        [InlineData(
            "vma is null ? false : pte_dirty(pte) && {|#0:(vma.vm_flags & VM_WRITE) != 0|}",
            "vma is null ? false : (vma.vm_flags & VM_WRITE) != 0 && pte_dirty(pte)")]
        public Task ChainPrecondition_Interleaved_MovesWithTheSecurityOperand(string expression, string fixedExpression) =>
            VerifyFixAsync(
                Method("        if (cp_flags == 0) return " + expression + ";"),
                Method("        if (cp_flags == 0) return " + fixedExpression + ";"),
                GO0001(0));

        [Theory]
        [InlineData("pte_dirty(pte) && vma == null && {|#0:(vma.vm_flags & VM_WRITE) != 0|}", "a null test that does not let the && chain go on")]
        [InlineData("pte_dirty(pte) && vma?.vm_file != null && {|#0:(vma.vm_flags & VM_WRITE) != 0|}", "tests more than what the security operand dereferences")]
        public Task ChainNullTestThatIsNotAPrecondition_Reported_NoFix(string expression, string why)
        {
            _ = why;
            return VerifyNoFixAsync(Method("        if (cp_flags == 0) return " + expression + ";"), GO0001(0));
        }

        // ---------------------------------------------------------------------------------------
        // Fix All
        // ---------------------------------------------------------------------------------------

        [Theory]
        [InlineData(FixAllScope.Document)]
        [InlineData(FixAllScope.Project)]
        [InlineData(FixAllScope.Solution)]
        public async Task FixAll_MovesPreconditionsWithTheirSecurityChecks(FixAllScope scope)
        {
            const string source = @"
static class mprotect
{
    static bool f(pte_t pte, vm_area_struct vma, ulong cp_flags)
    {
        ArgumentNullException.ThrowIfNull(vma);
        if ((cp_flags & MM_CP_PROT_NUMA) != 0)
            return false;
        if ({|#0:(vma.vm_flags & VM_WRITE) == 0|})
            return false;
        return pte_dirty(pte) && vma != null && {|#1:vma.IsWritable|};
    }

    static bool g(pte_t pte, vm_fault vmf)
    {
        if (pte_uffd_wp(pte))
            return false;
        // the fault's vma
        if (vmf?.vma is null)
            return false;
        if ({|#2:!may_write(vmf.vma)|})
            return false;
        return true;
    }
}
";
            const string fixedSource = @"
static class mprotect
{
    static bool f(pte_t pte, vm_area_struct vma, ulong cp_flags)
    {
        ArgumentNullException.ThrowIfNull(vma);
        if ((vma.vm_flags & VM_WRITE) == 0)
            return false;
        if ((cp_flags & MM_CP_PROT_NUMA) != 0)
            return false;
        return vma != null && vma.IsWritable && pte_dirty(pte);
    }

    static bool g(pte_t pte, vm_fault vmf)
    {
        // the fault's vma
        if (vmf?.vma is null)
            return false;
        if (!may_write(vmf.vma))
            return false;
        if (pte_uffd_wp(pte))
            return false;
        return true;
    }
}
";
            var test = new Verify.Test
            {
                TestCode = With(source),
                FixedCode = With(fixedSource),
                BatchFixedCode = With(fixedSource),
                CodeActionEquivalenceKey = GO0001MoveSecurityGuardFirstFix.EquivalenceKey,
                CodeFixTestBehaviors = scope switch
                {
                    FixAllScope.Document => CodeFixTestBehaviors.SkipFixAllInProjectCheck | CodeFixTestBehaviors.SkipFixAllInSolutionCheck,
                    FixAllScope.Project => CodeFixTestBehaviors.SkipFixAllInDocumentCheck | CodeFixTestBehaviors.SkipFixAllInSolutionCheck,
                    _ => CodeFixTestBehaviors.SkipFixAllInDocumentCheck | CodeFixTestBehaviors.SkipFixAllInProjectCheck,
                },
            };
            test.ExpectedDiagnostics.Add(GO0001(0));
            test.ExpectedDiagnostics.Add(GO0001(1));
            test.ExpectedDiagnostics.Add(GO0001(2));
            await test.RunAsync();
        }
            // ---------------------------------------------------------------------------------------
        // The issue's own cases, on the review's first rework.
        // ---------------------------------------------------------------------------------------

        [Fact]
        public Task Issue8_ThrowIfNullPrologue_NoLongerSwitchesGO0001Off() =>
            VerifyFixAsync(
                With(@"
static class mprotect
{
    static bool may_avoid_write_fault(pte_t pte, vm_area_struct vma, ulong cp_flags)
    {
        ArgumentNullException.ThrowIfNull(vma);

        /* It is unclear whether this optimization can be done safely for NUMA pages. */
        if ((cp_flags & MM_CP_PROT_NUMA) != 0)
            return false;

        /* Never apply write bit if VM_WRITE not set. */
        if ({|#0:(vma.vm_flags & VM_WRITE) == 0|})
            return false;

        return pte_dirty(pte);
    }
}
"),
                With(@"
static class mprotect
{
    static bool may_avoid_write_fault(pte_t pte, vm_area_struct vma, ulong cp_flags)
    {
        ArgumentNullException.ThrowIfNull(vma);

        /* Never apply write bit if VM_WRITE not set. */
        if ((vma.vm_flags & VM_WRITE) == 0)
            return false;

        /* It is unclear whether this optimization can be done safely for NUMA pages. */
        if ((cp_flags & MM_CP_PROT_NUMA) != 0)
            return false;

        return pte_dirty(pte);
    }
}
"),
                GO0001(0).WithMessage("Security check '(vma.vm_flags & VM_WRITE) == 0' should come before '" + Numa + "'"));

        [Fact]
        public Task Issue8_NullTestOfTheDereferencedOperand_IsItsPrecondition_NotReported() =>
            VerifyNoFixAsync(With(@"
static class mprotect
{
    static bool may_avoid_write_fault(pte_t pte, vm_area_struct vma, ulong cp_flags)
    {
        if (vma == null)
            return false;

        /* Never apply write bit if VM_WRITE not set. */
        if ((vma.vm_flags & VM_WRITE) == 0)
            return false;

        /* It is unclear whether this optimization can be done safely for NUMA pages. */
        if ((cp_flags & MM_CP_PROT_NUMA) != 0)
            return false;

        return pte_dirty(pte);
    }
}
"));

        // ---------------------------------------------------------------------------------------
        // Half-typed preconditions never throw from the analyzer.
        // ---------------------------------------------------------------------------------------

        [Theory]
        [InlineData("ArgumentNullException.ThrowIfNull(\n        if ((cp_flags & MM_CP_PROT_NUMA) != 0) return false;\n        if ((vma.vm_flags & VM_WRITE) == 0) return false;")]
        [InlineData("ArgumentNullException.ThrowIfNull();\n        if ((cp_flags & MM_CP_PROT_NUMA) != 0) return false;\n        if ((vma.vm_flags & VM_WRITE) == 0) return false;")]
        [InlineData("_ = vma ?? throw;\n        if ((cp_flags & MM_CP_PROT_NUMA) != 0) return false;\n        if ((vma.vm_flags & VM_WRITE) == 0) return false;")]
        [InlineData("_ = vma ?? throw new ArgumentNullException(nameof());\n        if ((cp_flags & MM_CP_PROT_NUMA) != 0) return false;\n        if ((vma.vm_flags & VM_WRITE) == 0) return false;")]
        [InlineData("if ((cp_flags & MM_CP_PROT_NUMA) != 0) return false;\n        if (vma?. == null) return false;\n        if ((vma.vm_flags & VM_WRITE) == 0) return false;")]
        [InlineData("if ((cp_flags & MM_CP_PROT_NUMA) != 0) return false;\n        if (vmf is not { vma: ) return false;\n        if ((vmf.vma.vm_flags & VM_WRITE) == 0) return false;")]
        [InlineData("if ((cp_flags & MM_CP_PROT_NUMA) != 0) return false;\n        System.Diagnostics.Debug.Assert(vma != );\n        if ((vma.vm_flags & VM_WRITE) == 0) return false;")]
        [InlineData("if ((cp_flags & MM_CP_PROT_NUMA) != 0) return false;\n        if (vma == null) throw new ArgumentNullException(nameof(vma);\n        if (!may_write(vma)) return false;")]
        [InlineData("if ((cp_flags & MM_CP_PROT_NUMA) != 0) return false;\n        if (vma == null) return false;\n        if (!undefined_helper(vma.vm_flags & VM_WRITE)) return false;")]
        public async Task HalfTypedPreconditions_NoAnalyzerException_FixNeverThrows(string body)
        {
            var source = Method(body);
            var diagnostics = await AnalyzerHarness.RunAsync(new GO0001SecurityGuardFirstAnalyzer(), source);
            Assert.DoesNotContain(diagnostics, d => d.Id == "AD0001");

            // Whatever the analysis says, asking for the fix on each diagnostic must not throw.
            using var workspace = new Microsoft.CodeAnalysis.AdhocWorkspace();
            var project = workspace.AddProject("HalfTyped", LanguageNames.CSharp).WithMetadataReferences(AnalyzerHarness.References);
            var document = project.AddDocument("Test.cs", source);
            foreach (var diagnostic in diagnostics.Where(d => d.Id == RuleIdentifiers.SecurityGuardFirst))
            {
                var actions = new System.Collections.Generic.List<Microsoft.CodeAnalysis.CodeActions.CodeAction>();
                await new GO0001MoveSecurityGuardFirstFix().RegisterCodeFixesAsync(
                    new CodeFixContext(document, diagnostic, (a, _) => actions.Add(a), System.Threading.CancellationToken.None));
            }
        }
    }
}
