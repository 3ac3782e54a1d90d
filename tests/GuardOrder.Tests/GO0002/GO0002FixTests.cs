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
using Kit = GuardOrder.Tests.Verifiers.SyncFixTestKit<GuardOrder.Analyzers.GO0002FaultPathSyncAnalyzer, GuardOrder.CodeFixes.GO0002AddFaultPathChecksFix>;
using Verify = GuardOrder.Tests.Verifiers.CSharpCodeFixVerifier<GuardOrder.Analyzers.GO0002FaultPathSyncAnalyzer, GuardOrder.CodeFixes.GO0002AddFaultPathChecksFix>;

namespace GuardOrder.Tests.GO0002
{
    /// <summary>"Add the checks the fault path makes": before/after, the lock, Fix All, comments, refusals.</summary>
    public class GO0002FixTests
    {
        private static DiagnosticResult GO0002(int location) => Kit.Expect(RuleIdentifiers.FaultPathMissingCheck, location);

        private static DiagnosticResult GO0003(int location) => Kit.Expect(RuleIdentifiers.FaultPathCheckOutsideLock, location);

        private static Task VerifyFixAsync(string source, string fixedSource, params DiagnosticResult[] expected)
        {
            var test = new Verify.Test
            {
                TestCode = KernelFixture.With(source),
                CodeActionEquivalenceKey = GO0002AddFaultPathChecksFix.EquivalenceKey,
            };
            Expect(test, expected, KernelFixture.With(fixedSource));
            return test.RunAsync();
        }

        /// <summary>The fixed state is exactly <paramref name="fixedSource"/> with no diagnostic (not the GO0003 the fix also removes, inherited).</summary>
        private static void Expect(Verify.Test test, DiagnosticResult[] expected, string fixedSource)
        {
            test.ExpectedDiagnostics.AddRange(expected);
            foreach (var state in new[] { test.FixedState, test.BatchFixedState })
            {
                state.InheritanceMode = StateInheritanceMode.Explicit;
                state.Sources.Add(("/0/Test0.cs", fixedSource));
            }
        }

        private static Task AssertRefusedAsync(string members, string reasonFragment) =>
            Kit.AssertRefusedAsync(members, RuleIdentifiers.FaultPathMissingCheck, GO0002CheckRepair.ChecksProperty, reasonFragment);

        /// <summary>Peter Xu's v1 shape on v5.13: no page lock, no KSM test, the count read in the granting condition.</summary>
        internal const string NoLock = """
                [MustMatchFaultPath(nameof(do_wp_page))]
                static bool no_lock(pte_t pte, vm_area_struct vma)
                {
                    if ((vma.vm_flags & VM_WRITE) == 0)
                        return false;
                    if (userfaultfd_pte_wp(vma, pte))
                        return false;
                    page? page = vm_normal_page(vma, pte);
                    if (page == null)
                        return false;
                    if (!PageAnon(page))
                        return false;
                    /* only one reference: ours */
                    return {|#0:{|#1:page_count(page)|} == 1|};
                }
            """;

        internal const string NoLockFixed = """
                [MustMatchFaultPath(nameof(do_wp_page))]
                static bool no_lock(pte_t pte, vm_area_struct vma)
                {
                    if ((vma.vm_flags & VM_WRITE) == 0)
                        return false;
                    if (userfaultfd_pte_wp(vma, pte))
                        return false;
                    page? page = vm_normal_page(vma, pte);
                    if (page == null)
                        return false;
                    if (!PageAnon(page))
                        return false;
                    if (!trylock_page(page))
                        return false;
                    if (PageKsm(page))
                    {
                        unlock_page(page);
                        return false;
                    }
                    if (page_mapcount(page) != 1)
                    {
                        unlock_page(page);
                        return false;
                    }
                    if (page_count(page) != 1)
                    {
                        unlock_page(page);
                        return false;
                    }
                    unlock_page(page);
                    /* only one reference: ours */
                    return page_count(page) == 1;
                }
            """;

        /// <summary>
        /// A predicate in another class than the fault path: the checks it adds name the fault path's helpers and
        /// constants through their type (<c>mm.PageKsm</c>), where a bare name would not bind; the predicate's own
        /// local holding the page is used, a local out of scope at the return (declared in a nested block) is not,
        /// and a local that hides one of mm's names makes the check name mm's member through its type.
        /// </summary>
        [Fact]
        public async Task PredicateInAnotherClass_NamesTheFaultPathsMembersThroughTheirType()
        {
            var source = KernelFixture.Prelude + """
                public static class early
                {
                    [MustMatchFaultPath(typeof(mm), nameof(mm.do_wp_page))]
                    static bool elsewhere(pte_t pte, vm_area_struct vma)
                    {
                        if ((vma.vm_flags & mm.VM_WRITE) == 0)
                            return false;
                        if (mm.userfaultfd_pte_wp(vma, pte))
                            return false;
                        {
                            page? hidden = mm.vm_normal_page(vma, pte);
                            if (hidden == null)
                                return false;
                        }
                        page? pg = mm.vm_normal_page(vma, pte);
                        if (pg == null)
                            return false;
                        bool PageKsm = false;
                        if (!mm.PageAnon(pg) || PageKsm)
                            return false;
                        return mm.page_count(pg) == 1;
                    }
                }
                """;
            var diagnostic = Assert.Single(await FixHarness.AnalyzeAsync(source), d => d.Id == "GO0002");
            var fixedText = await FixHarness.ApplyAsync(source, diagnostic);
            Assert.NotNull(fixedText);
            Assert.Contains("if (!mm.trylock_page(pg))", fixedText);
            Assert.Contains("if (mm.PageKsm(pg))", fixedText);
            Assert.Contains("mm.unlock_page(pg);", fixedText);
            Assert.DoesNotContain("(hidden)", fixedText);
            var compilation = AnalyzerHarness.Compile(fixedText!);
            Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
            Assert.DoesNotContain(await FixHarness.AnalyzeAsync(fixedText!), d => d.Id == "GO0002");
        }

        /// <summary>The lock the checks need is taken as do_wp_page takes it, the checks are re-made under it, and it is released on every route out.</summary>
        [Fact]
        public Task MissingLockAndKsm_TakenAndCheckedUnderTheLock() =>
            VerifyFixAsync(NoLock, NoLockFixed, GO0002(0), GO0003(1));

        [Fact]
        public async Task FixedCode_HasNoSyncDiagnosticLeft()
        {
            var before = await SyncTestRunner.RunAsync(KernelFixture.With(System.Text.RegularExpressions.Regex.Replace(NoLock, @"\{\|#\d:|\|\}", string.Empty)));
            SyncTestRunner.AssertReports(before, "GO0002", "PageKsm(page) is false");
            var after = await SyncTestRunner.RunAsync(KernelFixture.With(NoLockFixed));
            SyncTestRunner.AssertSilent(after, "GO0002", "GO0003", "GO0004", "GO0005");
        }

        /// <summary>
        /// Only the checks the grant route needs beyond what the other grant routes cover: the shared-mapping
        /// route (wp_page_shared) of a predicate that never looks at the page; vm_normal_page's result is
        /// written as the call (the predicate has no local for it), null-checked before it is read.
        /// Braces follow the method's own style.
        /// </summary>
        [Fact]
        public Task SharedMapping_ChecksWrittenInThePredicatesValues() => VerifyFixAsync(
            """
                [MustMatchFaultPath(nameof(do_wp_page))]
                static bool shared(pte_t pte, vm_area_struct vma)
                {
                    if ((vma.vm_flags & VM_WRITE) == 0)
                    {
                        return false;
                    }
                    // clean ptes must fault
                    if (!pte_dirty(pte))
                    {
                        return false;
                    }
                    return {|#0:true|}; // the write is granted
                }
            """,
            """
                [MustMatchFaultPath(nameof(do_wp_page))]
                static bool shared(pte_t pte, vm_area_struct vma)
                {
                    if ((vma.vm_flags & VM_WRITE) == 0)
                    {
                        return false;
                    }
                    // clean ptes must fault
                    if (!pte_dirty(pte))
                    {
                        return false;
                    }
                    if (userfaultfd_wp(vma))
                    {
                        return false;
                    }
                    if (vm_normal_page(vma, pte) is null)
                    {
                        return false;
                    }
                    if (PageAnon(vm_normal_page(vma, pte)!))
                    {
                        return false;
                    }
                    if ((vma.vm_flags & VM_SHARED) == 0)
                    {
                        return false;
                    }
                    return true; // the write is granted
                }
            """,
            GO0002(0));

        /// <summary>A fault path that grants for either of two counts (its two routes merge into one).</summary>
        private const string FaultEither = """
                static int fault_either(vm_fault vmf)
                {
                    page? page = vmf.page;
                    if (page == null)
                        return 0;
                    if (page.mapcount == 1 || page.mapcount == 3)
                    {
                        wp_page_reuse(vmf);
                        return 1;
                    }
                    return 0;
                }

            """;

        /// <summary>
        /// The fault path grants for either of two counts: its routes merge into one allowing both
        /// (<c>mapcount in {1, 3}</c>), and the fix writes the check that is false for both.
        /// </summary>
        [Fact]
        public Task MergedRouteAllowingTwoValues_OneCheckForBoth() => VerifyFixAsync(
            FaultEither + """
                [MustMatchFaultPath(nameof(fault_either))]
                static bool either(vm_area_struct vma, page? page)
                {
                    if ((vma.vm_flags & VM_WRITE) == 0 || page == null)
                        return false;
                    return {|#0:true|};
                }
            """,
            FaultEither + """
                [MustMatchFaultPath(nameof(fault_either))]
                static bool either(vm_area_struct vma, page? page)
                {
                    if ((vma.vm_flags & VM_WRITE) == 0 || page == null)
                        return false;
                    if (page.mapcount != 1 && page.mapcount != 3)
                        return false;
                    return true;
                }
            """,
            GO0002(0));

        /// <summary>A granting return that is an if's branch becomes a block of the checks and the return.</summary>
        [Fact]
        public Task ReturnInAnIfBranch_BecomesABlock() => VerifyFixAsync(
            """
                [MustMatchFaultPath(nameof(do_wp_page))]
                static bool branch(pte_t pte, vm_area_struct vma)
                {
                    if ((vma.vm_flags & VM_WRITE) == 0)
                        return false;
                    if (userfaultfd_pte_wp(vma, pte))
                        return false;
                    page? page = vm_normal_page(vma, pte);
                    if (page != null && PageAnon(page) && !{|#1:PageKsm(page)|})
                        return {|#0:true|};
                    return false;
                }
            """,
            """
                [MustMatchFaultPath(nameof(do_wp_page))]
                static bool branch(pte_t pte, vm_area_struct vma)
                {
                    if ((vma.vm_flags & VM_WRITE) == 0)
                        return false;
                    if (userfaultfd_pte_wp(vma, pte))
                        return false;
                    page? page = vm_normal_page(vma, pte);
                    if (page != null && PageAnon(page) && !PageKsm(page))
                    {
                        if (!trylock_page(page))
                            return false;
                        if (PageKsm(page))
                        {
                            unlock_page(page);
                            return false;
                        }
                        if (page_mapcount(page) != 1)
                        {
                            unlock_page(page);
                            return false;
                        }
                        if (page_count(page) != 1)
                        {
                            unlock_page(page);
                            return false;
                        }
                        unlock_page(page);
                        return true;
                    }
                    return false;
                }
            """,
            GO0002(0),
            GO0003(1));

        /// <summary>'if (x) return true;' on one line: the branch becomes a block on lines of its own.</summary>
        [Fact]
        public Task OneLineBranch_BecomesABlockOnItsOwnLines() => VerifyFixAsync(
            """
                [MustMatchFaultPath(nameof(do_wp_page))]
                static bool one_line(pte_t pte, vm_area_struct vma)
                {
                    if ((vma.vm_flags & VM_WRITE) == 0) return false;
                    if (pte_dirty(pte)) return {|#0:true|};
                    return false;
                }
            """,
            """
                [MustMatchFaultPath(nameof(do_wp_page))]
                static bool one_line(pte_t pte, vm_area_struct vma)
                {
                    if ((vma.vm_flags & VM_WRITE) == 0) return false;
                    if (pte_dirty(pte))
                    {
                        if (userfaultfd_wp(vma))
                            return false;
                        if (vm_normal_page(vma, pte) is null)
                            return false;
                        if (PageAnon(vm_normal_page(vma, pte)!))
                            return false;
                        if ((vma.vm_flags & VM_SHARED) == 0)
                            return false;
                        return true;
                    }
                    return false;
                }
            """,
            GO0002(0));

        [Theory]
        [InlineData(FixAllScope.Document)]
        [InlineData(FixAllScope.Project)]
        [InlineData(FixAllScope.Solution)]
        public async Task FixAll_EveryScope(FixAllScope scope)
        {
            var second = NoLock.Replace("no_lock", "second").Replace("#1", "#3").Replace("#0", "#2");
            var secondFixed = NoLockFixed.Replace("no_lock", "second");
            var test = new Verify.Test { CodeActionEquivalenceKey = GO0002AddFaultPathChecksFix.EquivalenceKey };
            test.TestState.Sources.Add(("/0/Test0.cs", KernelFixture.With(NoLock + "\n" + second)));
            Expect(test, new[] { GO0002(0), GO0003(1), GO0002(2), GO0003(3) }, KernelFixture.With(NoLockFixed + "\n" + secondFixed));
            test.CodeFixTestBehaviors = scope switch
            {
                FixAllScope.Document => CodeFixTestBehaviors.SkipFixAllInProjectCheck | CodeFixTestBehaviors.SkipFixAllInSolutionCheck,
                FixAllScope.Project => CodeFixTestBehaviors.SkipFixAllInDocumentCheck | CodeFixTestBehaviors.SkipFixAllInSolutionCheck,
                _ => CodeFixTestBehaviors.SkipFixAllInDocumentCheck | CodeFixTestBehaviors.SkipFixAllInProjectCheck,
            };
            await test.RunAsync();
        }

        /// <summary>The lock is still held at the return: an added 'return false' would leak it (GO0004's fix comes first).</summary>
        [Fact]
        public Task Refused_LockHeldAtTheReturn() => AssertRefusedAsync(
            """
                [MustMatchFaultPath(nameof(do_wp_page))]
                static bool held(pte_t pte, vm_area_struct vma)
                {
                    if ((vma.vm_flags & VM_WRITE) == 0)
                        return false;
                    if (userfaultfd_pte_wp(vma, pte))
                        return false;
                    page? page = vm_normal_page(vma, pte);
                    if (page == null || !PageAnon(page))
                        return false;
                    if (!trylock_page(page))
                        return false;
                    return page_count(page) == 1;
                }
            """,
            "a lock is held at this return");

        /// <summary>The predicate never names the pte: the fault path's vmf.orig_pte has no value in it.</summary>
        [Fact]
        public Task Refused_SubjectWithNoValueInThePredicate() => AssertRefusedAsync(
            """
                [MustMatchFaultPath(nameof(do_wp_page))]
                static bool no_pte(vm_area_struct vma)
                {
                    if ((vma.vm_flags & VM_WRITE) == 0)
                        return false;
                    return true;
                }
            """,
            "pte_t has no value in the predicate");

        /// <summary>An expression-bodied predicate gets a block body, the checks before its return.</summary>
        [Fact]
        public Task ExpressionBody_BecomesABlock() => VerifyFixAsync(
            """
                [MustMatchFaultPath(nameof(do_wp_page))]
                static bool arrow(pte_t pte, vm_area_struct vma) => {|#0:(vma.vm_flags & VM_WRITE) != 0 && pte_dirty(pte)|}; // dirty and writable
            """,
            """
                [MustMatchFaultPath(nameof(do_wp_page))]
                static bool arrow(pte_t pte, vm_area_struct vma)
                {
                    if (userfaultfd_wp(vma))
                        return false;
                    if (vm_normal_page(vma, pte) is null)
                        return false;
                    if (PageAnon(vm_normal_page(vma, pte)!))
                        return false;
                    if ((vma.vm_flags & VM_SHARED) == 0)
                        return false;
                    return (vma.vm_flags & VM_WRITE) != 0 && pte_dirty(pte);
                } // dirty and writable
            """,
            GO0002(0));

        /// <summary>A fault path that decides on a number (vmf.address) it passes to a check.</summary>
        internal const string AddressDomain = """
                    public sealed class fault_ctx { public vm_area_struct vma = new vm_area_struct(); public ulong address; public pte_t orig_pte; }

                    [FaultPathCheck] public static bool addr_ok(vm_area_struct vma, ulong addr, pte_t pte) => addr != 0;
                    [WriteGrant] public static void grant_at(fault_ctx vmf) { }

                    public static int fault_at(fault_ctx vmf)
                    {
                        if (!addr_ok(vmf.vma, vmf.address, vmf.orig_pte))
                            return 0;
                        if (pte_dirty(vmf.orig_pte))
                            return 0;
                        grant_at(vmf);
                        return 1;
                    }
                """;

        /// <summary>
        /// A number the fault path passes (vmf.address) maps to the predicate's own argument in its own
        /// call of the same method, or to its parameter of the name and type the method gives it.
        /// </summary>
        [Fact]
        public async Task NumberArgument_MappedThroughThePredicatesOwnCall_OrItsParameter()
        {
            const string Domain = AddressDomain;
            var source = KernelFixture.With(Domain + """
                    [MustMatchFaultPath(nameof(fault_at))]
                    static bool with_addr(pte_t pte, vm_area_struct vma, ulong addr)
                    {
                        if (pte_dirty(pte))
                            return false;
                        if (addr == 0 && !addr_ok(vma, addr, pte))
                            return false;
                        return true;
                    }
                """);
            var diagnostic = Assert.Single(await FixHarness.AnalyzeAsync(source), d => d.Id == "GO0002");
            var fixedText = await FixHarness.ApplyAsync(source, diagnostic);
            Assert.NotNull(fixedText);
            Assert.Contains("if (!addr_ok(vma, addr, pte))\n            return false;\n        return true;", fixedText!.Replace("\r\n", "\n"));
            Assert.DoesNotContain(await FixHarness.AnalyzeAsync(fixedText), d => d.Id == "GO0002");

            // No call of its own, but a parameter of the name and type addr_ok gives the argument.
            var byName = KernelFixture.With(Domain + """
                    [MustMatchFaultPath(nameof(fault_at))]
                    static bool by_name(pte_t pte, vm_area_struct vma, ulong addr)
                    {
                        if (pte_dirty(pte))
                            return false;
                        return true;
                    }
                """);
            var named = Assert.Single(await FixHarness.AnalyzeAsync(byName), d => d.Id == "GO0002");
            var namedFixed = await FixHarness.ApplyAsync(byName, named);
            Assert.NotNull(namedFixed);
            Assert.Contains("if (!addr_ok(vma, addr, pte))", namedFixed);
        }

        /// <summary>
        /// With no value for the number (the 2021 predicates take no address), the fix adds the parameter
        /// the fault path's check names (<c>ulong addr</c>) and every caller, in any document, passes its own
        /// <c>addr</c> (a parameter, a lambda's parameter); with two granting returns (Fix All) the
        /// parameter is added once. The other <c>ulong</c> parameter is not taken for the address. (The
        /// second check is braced: after the first fix the method has a braced branch, whose style it follows.)
        /// </summary>
        [Fact]
        public async Task NumberArgument_NoValue_ParameterAddedAndEveryCallerPassesItsOwn()
        {
            const string Predicate = """
                    [MustMatchFaultPath(nameof(fault_at))]
                    internal static bool no_addr(pte_t pte, vm_area_struct vma, ulong flags)
                    {
                        if (pte_dirty(pte))
                            return false;
                        if ((flags & 1) != 0)
                            return {|#0:true|}; // the first grant
                        return {|#1:true|};
                    }
                """;
            const string PredicateFixed = """
                    [MustMatchFaultPath(nameof(fault_at))]
                    internal static bool no_addr(pte_t pte, vm_area_struct vma, ulong flags, ulong addr)
                    {
                        if (pte_dirty(pte))
                            return false;
                        if ((flags & 1) != 0)
                        {
                            if (!addr_ok(vma, addr, pte))
                                return false;
                            return true;
                        } // the first grant
                        if (!addr_ok(vma, addr, pte))
                        {
                            return false;
                        }
                        return true;
                    }
                """;
            const string Callers = """
                public static class callers
                {
                    public static bool call(pte_t pte, vm_area_struct vma, ulong addr) => mm.no_addr(pte, vma, 0);
                    public static readonly System.Func<pte_t, vm_area_struct, ulong, ulong, bool> Through = (pte, vma, addr, flags) => mm.no_addr(pte, vma, flags /* as given */);
                }
                """;
            const string CallersFixed = """
                public static class callers
                {
                    public static bool call(pte_t pte, vm_area_struct vma, ulong addr) => mm.no_addr(pte, vma, 0, addr);
                    public static readonly System.Func<pte_t, vm_area_struct, ulong, ulong, bool> Through = (pte, vma, addr, flags) => mm.no_addr(pte, vma, flags /* as given */, addr);
                }
                """;
            var test = new Verify.Test
            {
                CodeActionEquivalenceKey = GO0002AddFaultPathChecksFix.EquivalenceKey,
            };
            test.TestState.Sources.Add(("/0/Test0.cs", KernelFixture.With(AddressDomain + Predicate)));
            test.TestState.Sources.Add(("/0/Test1.cs", Callers));
            test.ExpectedDiagnostics.Add(GO0002(0));
            test.ExpectedDiagnostics.Add(GO0002(1));
            foreach (var state in new[] { test.FixedState, test.BatchFixedState })
            {
                state.InheritanceMode = StateInheritanceMode.Explicit;
                state.Sources.Add(("/0/Test0.cs", KernelFixture.With(AddressDomain + PredicateFixed)));
                state.Sources.Add(("/0/Test1.cs", CallersFixed));
            }

            test.NumberOfIncrementalIterations = 2;
            await test.RunAsync();

            // The title says what else changes.
            var source = KernelFixture.With(AddressDomain + System.Text.RegularExpressions.Regex.Replace(Predicate, @"\{\|#\d:|\|\}", string.Empty));
            var diagnostic = (await FixHarness.AnalyzeAsync(source)).First(d => d.Id == "GO0002");
            Assert.StartsWith("parameter\tulong addr\n", diagnostic.Properties[GO0002CheckRepair.ChecksProperty]);
        }

        /// <summary>A caller with no value of the name and type to pass: the signature is not changed.</summary>
        [Fact]
        public Task NumberArgument_CallerWithoutTheValue_Refused() => AssertRefusedAsync(
            AddressDomain + """
                [MustMatchFaultPath(nameof(fault_at))]
                static bool no_addr(pte_t pte, vm_area_struct vma)
                {
                    if (pte_dirty(pte))
                        return false;
                    return true;
                }

                static bool caller(pte_t pte, vm_area_struct vma, ulong address) => no_addr(pte, vma);
            """,
            "vmf.address has no value in the predicate, and a parameter 'ulong addr' cannot be added: a caller has no local or parameter 'addr' of that type to pass");

        /// <summary>A caller's 'addr' of another type is not the address.</summary>
        [Fact]
        public Task NumberArgument_CallerValueOfAnotherType_Refused() => AssertRefusedAsync(
            AddressDomain + """
                [MustMatchFaultPath(nameof(fault_at))]
                static bool no_addr(pte_t pte, vm_area_struct vma)
                {
                    if (pte_dirty(pte))
                        return false;
                    return true;
                }

                static bool caller(pte_t pte, vm_area_struct vma, int addr) => no_addr(pte, vma);
            """,
            "a caller has no local or parameter 'addr' of that type to pass");

        /// <summary>A predicate used as a delegate keeps its signature.</summary>
        [Fact]
        public Task NumberArgument_PredicateUsedAsADelegate_Refused() => AssertRefusedAsync(
            AddressDomain + """
                [MustMatchFaultPath(nameof(fault_at))]
                static bool no_addr(pte_t pte, vm_area_struct vma)
                {
                    if (pte_dirty(pte))
                        return false;
                    return true;
                }

                static readonly System.Func<pte_t, vm_area_struct, bool> AsDelegate = no_addr;
            """,
            "the predicate is used as a delegate");

        /// <summary>A predicate that already uses the name (a field it reads would be shadowed) keeps its signature.</summary>
        [Fact]
        public Task NumberArgument_NameAlreadyUsed_Refused() => AssertRefusedAsync(
            AddressDomain + """
                static ulong addr = 1;

                [MustMatchFaultPath(nameof(fault_at))]
                static bool no_addr(pte_t pte, vm_area_struct vma)
                {
                    if (pte_dirty(pte) || addr == 0)
                        return false;
                    return true;
                }
            """,
            "the predicate already uses the name 'addr'");
    }
}
