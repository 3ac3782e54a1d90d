using System.Collections.Immutable;
using System.Linq;
using System.Threading.Tasks;
using GuardOrder.Analyzers;
using GuardOrder.CodeFixes;
using GuardOrder.Tests.Model;
using GuardOrder.Tests.Sync;
using GuardOrder.Tests.Verifiers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;
using Kit = GuardOrder.Tests.Verifiers.SyncFixTestKit<GuardOrder.Analyzers.GO0005SecurityBypassAnalyzer, GuardOrder.CodeFixes.GO0005SecurityGuardFirstOnEveryRouteFix>;
using Verify = GuardOrder.Tests.Verifiers.CSharpCodeFixVerifier<GuardOrder.Analyzers.GO0005SecurityBypassAnalyzer, GuardOrder.CodeFixes.GO0005SecurityGuardFirstOnEveryRouteFix>;

namespace GuardOrder.Tests.GO0005
{
    /// <summary>"Check the security condition first on every route": before/after, Fix All, comments, refusals.</summary>
    public class GO0005FixTests
    {
        private static DiagnosticResult GO0005(int location) => Kit.Expect(RuleIdentifiers.SecurityCheckBypassed, location);

        private static Task VerifyFixAsync(string source, string fixedSource, params DiagnosticResult[] expected) =>
            Kit.VerifyFixAsync(GO0005SecurityGuardFirstOnEveryRouteFix.EquivalenceKey, source, fixedSource, expected);

        private static async Task AssertRefusedAsync(string members, string reasonFragment)
        {
            var diagnostics = await Kit.AssertRefusedAsync(members, RuleIdentifiers.SecurityCheckBypassed, GO0005GuardRepair.FixProperty, reasonFragment);
            var test = new Verify.Test { TestCode = KernelFixture.With(members), FixedCode = KernelFixture.With(members) };
            test.ExpectedDiagnostics.AddRange(diagnostics.Select(d =>
            {
                var span = d.Location.GetLineSpan();
                return new DiagnosticResult(d.Id, d.Severity)
                    .WithSpan("/0/Test0.cs", span.StartLinePosition.Line + 1, span.StartLinePosition.Character + 1, span.EndLinePosition.Line + 1, span.EndLinePosition.Character + 1)
                    .WithOptions(DiagnosticOptions.IgnoreAdditionalLocations);
            }));
            await test.RunAsync(); // no fix offered: the code stays as it is
        }

        private const string Shortcut = """
                static bool shortcut(pte_t pte, vm_area_struct vma, ulong cp_flags)
                {
                    /* NUMA pages are left alone */
                    if ((cp_flags & MM_CP_PROT_NUMA) != 0)
                        return false;
                    if ((cp_flags & MM_CP_DIRTY_ACCT) != 0)
                        return {|#0:true|};

                    /* Never apply write bit if VM_WRITE not set. */
                    if ((vma.vm_flags & VM_WRITE) == 0)
                        return false;
                    return pte_dirty(pte);
                }
            """;

        private const string ShortcutFixed = """
                static bool shortcut(pte_t pte, vm_area_struct vma, ulong cp_flags)
                {
                    /* Never apply write bit if VM_WRITE not set. */
                    if ((vma.vm_flags & VM_WRITE) == 0)
                        return false;
                    /* NUMA pages are left alone */
                    if ((cp_flags & MM_CP_PROT_NUMA) != 0)
                        return false;
                    if ((cp_flags & MM_CP_DIRTY_ACCT) != 0)
                        return true;

                    return pte_dirty(pte);
                }
            """;

        /// <summary>Only pure constant guards stand before it: the security guard moves first, its comment with it.</summary>
        [Fact]
        public Task GuardBehindPureGuards_MovesFirstWithItsComment() => VerifyFixAsync(Shortcut, ShortcutFixed, GO0005(0));

        /// <summary>The posted patch's shape: the VM_WRITE test only on the non-DIRTY_ACCT route; it is copied to the start.</summary>
        [Fact]
        public Task NestedGuard_CopiedToTheStart() => VerifyFixAsync(
            """
                [MustMatchFaultPath(nameof(do_wp_page))]
                static bool posted(pte_t pte, vm_area_struct vma, ulong cp_flags)
                {
                    // The dirty accountable bit indicates that we can always make the page writable.
                    if ((cp_flags & MM_CP_DIRTY_ACCT) == 0)
                    {
                        /* Otherwise, we must have exclusive access to the page. */
                        if ((vma.vm_flags & VM_WRITE) == 0)
                            return false;
                        if (!pte_dirty(pte))
                            return false;
                    }
                    return {|#0:true|};
                }
            """,
            """
                [MustMatchFaultPath(nameof(do_wp_page))]
                static bool posted(pte_t pte, vm_area_struct vma, ulong cp_flags)
                {
                    if ((vma.vm_flags & VM_WRITE) == 0)
                        return false;
                    // The dirty accountable bit indicates that we can always make the page writable.
                    if ((cp_flags & MM_CP_DIRTY_ACCT) == 0)
                    {
                        /* Otherwise, we must have exclusive access to the page. */
                        if ((vma.vm_flags & VM_WRITE) == 0)
                            return false;
                        if (!pte_dirty(pte))
                            return false;
                    }
                    return true;
                }
            """,
            GO0005(0));

        /// <summary>Two bypassing returns in one method: one edit fixes both (Fix All does not insert twice).</summary>
        [Fact]
        public Task TwoBypassingReturns_OneGuard() => VerifyFixAsync(
            """
                static bool two(pte_t pte, vm_area_struct vma, ulong cp_flags)
                {
                    if ((cp_flags & MM_CP_DIRTY_ACCT) != 0)
                        return {|#0:true|};
                    if (pte_soft_dirty(pte))
                        return {|#1:true|};
                    if ((vma.vm_flags & VM_WRITE) == 0)
                        return false;
                    return pte_dirty(pte);
                }
            """,
            """
                static bool two(pte_t pte, vm_area_struct vma, ulong cp_flags)
                {
                    if ((vma.vm_flags & VM_WRITE) == 0)
                        return false;
                    if ((cp_flags & MM_CP_DIRTY_ACCT) != 0)
                        return true;
                    if (pte_soft_dirty(pte))
                        return true;
                    return pte_dirty(pte);
                }
            """,
            GO0005(0),
            GO0005(1));

        [Theory]
        [InlineData(FixAllScope.Document)]
        [InlineData(FixAllScope.Project)]
        [InlineData(FixAllScope.Solution)]
        public async Task FixAll_EveryScope(FixAllScope scope)
        {
            const string second = """
                public static class other
                {
                    static bool more(pte_t pte, vm_area_struct vma)
                    {
                        if (mm.pte_soft_dirty(pte))
                            return {|#1:true|};
                        if ((vma.vm_flags & mm.VM_WRITE) == 0)
                            return false;
                        return false;
                    }
                }
                """;
            const string secondFixed = """
                public static class other
                {
                    static bool more(pte_t pte, vm_area_struct vma)
                    {
                        if ((vma.vm_flags & mm.VM_WRITE) == 0)
                            return false;
                        if (mm.pte_soft_dirty(pte))
                            return true;
                        return false;
                    }
                }
                """;
            var test = new Verify.Test { CodeActionEquivalenceKey = GO0005SecurityGuardFirstOnEveryRouteFix.EquivalenceKey };
            test.TestState.Sources.Add(("/0/mm.cs", KernelFixture.With(Shortcut)));
            test.TestState.Sources.Add(("/0/other.cs", "using GuardOrder;\n" + second));
            test.FixedState.Sources.Add(("/0/mm.cs", KernelFixture.With(ShortcutFixed)));
            test.FixedState.Sources.Add(("/0/other.cs", "using GuardOrder;\n" + secondFixed));
            test.BatchFixedState.Sources.Add(("/0/mm.cs", KernelFixture.With(ShortcutFixed)));
            test.BatchFixedState.Sources.Add(("/0/other.cs", "using GuardOrder;\n" + secondFixed));
            test.ExpectedDiagnostics.Add(GO0005(0));
            test.ExpectedDiagnostics.Add(GO0005(1));
            test.CodeFixTestBehaviors = scope switch
            {
                FixAllScope.Document => CodeFixTestBehaviors.SkipFixAllInProjectCheck | CodeFixTestBehaviors.SkipFixAllInSolutionCheck,
                FixAllScope.Project => CodeFixTestBehaviors.SkipFixAllInDocumentCheck | CodeFixTestBehaviors.SkipFixAllInSolutionCheck,
                _ => CodeFixTestBehaviors.SkipFixAllInDocumentCheck | CodeFixTestBehaviors.SkipFixAllInProjectCheck,
            };
            await test.RunAsync();
        }

        [Fact]
        public async Task FixedCode_HasNoSyncDiagnosticLeft()
        {
            var before = await SyncTestRunner.RunAsync(KernelFixture.With(Shortcut.Replace("{|#0:", string.Empty).Replace("|}", string.Empty)));
            SyncTestRunner.AssertReports(before, "GO0005", "shortcut");
            var after = await SyncTestRunner.RunAsync(KernelFixture.With(ShortcutFixed));
            SyncTestRunner.AssertSilent(after, "GO0002", "GO0003", "GO0004", "GO0005");
        }

        /// <summary>
        /// The posted patch's guard also tests vma_is_anonymous: only its security alternative is copied to the
        /// start (a route that passes the guard has it false, so it refuses nothing more than the security check).
        /// </summary>
        [Fact]
        public Task GuardAlsoTestsSomethingElse_ItsSecurityAlternativeIsCopied() => VerifyFixAsync(
            """
                [MustMatchFaultPath(nameof(do_wp_page))]
                static bool posted(pte_t pte, vm_area_struct vma, ulong cp_flags)
                {
                    if ((cp_flags & MM_CP_DIRTY_ACCT) == 0)
                    {
                        if (!(vma_is_anonymous(vma) && (vma.vm_flags & VM_WRITE) != 0))
                            return false;
                    }
                    return {|#0:true|};
                }
            """,
            """
                [MustMatchFaultPath(nameof(do_wp_page))]
                static bool posted(pte_t pte, vm_area_struct vma, ulong cp_flags)
                {
                    if ((vma.vm_flags & VM_WRITE) == 0)
                        return false;
                    if ((cp_flags & MM_CP_DIRTY_ACCT) == 0)
                    {
                        if (!(vma_is_anonymous(vma) && (vma.vm_flags & VM_WRITE) != 0))
                            return false;
                    }
                    return true;
                }
            """,
            GO0005(0));

        /// <summary>The security test is one conjunct of the refused case: a route that passes the guard knows nothing about it alone.</summary>
        [Fact]
        public Task Refused_SecurityTestInsideAConjunction() => AssertRefusedAsync(
            """
                [MustMatchFaultPath(nameof(do_wp_page))]
                static bool conjunct(pte_t pte, vm_area_struct vma, ulong cp_flags)
                {
                    if ((cp_flags & MM_CP_DIRTY_ACCT) == 0)
                    {
                        if (vma_is_anonymous(vma) && (vma.vm_flags & VM_WRITE) == 0)
                            return false;
                    }
                    return true;
                }
            """,
            "its security test is not one alternative of its condition");

        [Fact]
        public Task Refused_NoSecurityGuardInThePredicate() => AssertRefusedAsync(
            """
                [MustMatchFaultPath(nameof(do_wp_page))]
                static bool unguarded(pte_t pte, vm_area_struct vma, ulong cp_flags)
                {
                    if ((cp_flags & MM_CP_PROT_NUMA) != 0)
                        return false;
                    return pte_dirty(pte);
                }
            """,
            "no 'if (<security check>) return false;' guard");

        [Fact]
        public Task Refused_GuardReadsALocal() => AssertRefusedAsync(
            """
                [MustMatchFaultPath(nameof(do_wp_page))]
                static bool local(pte_t pte, vm_area_struct vma, ulong cp_flags)
                {
                    if ((cp_flags & MM_CP_DIRTY_ACCT) == 0)
                    {
                        ulong flags = vma.vm_flags;
                        if ((flags & VM_WRITE) == 0)
                            return false;
                    }
                    return true;
                }
            """,
            "reads the local 'flags'");

        [Fact]
        public Task Refused_GuardMayThrowFirst() => AssertRefusedAsync(
            """
                [MustMatchFaultPath(nameof(do_wp_page))]
                static bool nullable(pte_t pte, vm_area_struct? vma, ulong cp_flags)
                {
                    if (vma == null)
                        return false;
                    if ((cp_flags & MM_CP_DIRTY_ACCT) != 0)
                        return true;
                    if ((vma.vm_flags & VM_WRITE) == 0)
                        return false;
                    return true;
                }
            """,
            "may throw");

        [Fact]
        public Task Refused_ParameterAssigned() => AssertRefusedAsync(
            """
                [MustMatchFaultPath(nameof(do_wp_page))]
                static bool reassigned(pte_t pte, vm_area_struct vma, vm_area_struct other, ulong cp_flags)
                {
                    if ((cp_flags & MM_CP_DIRTY_ACCT) != 0)
                        return true;
                    vma = other;
                    if ((vma.vm_flags & VM_WRITE) == 0)
                        return false;
                    return true;
                }
            """,
            "'vma' is assigned");

        [Fact]
        public Task Refused_TwoDifferentSecurityGuards() => AssertRefusedAsync(
            """
                [MustMatchFaultPath(nameof(do_wp_page))]
                static bool two(pte_t pte, vm_area_struct vma, ulong cp_flags)
                {
                    if ((cp_flags & MM_CP_DIRTY_ACCT) != 0)
                    {
                        if ((vma.vm_flags & (VM_WRITE | VM_SHARED)) != (VM_WRITE | VM_SHARED))
                            return false;
                    }
                    else if (pte_dirty(pte))
                    {
                        if ((vma.vm_flags & VM_WRITE) == 0)
                            return false;
                    }
                    return true;
                }
            """,
            "more than one security guard");
    }
}
