using System.Threading.Tasks;
using GuardOrder.Tests.Model;
using static GuardOrder.Tests.Sync.SyncTestRunner;

namespace GuardOrder.Tests.Sync
{
    /// <summary>
    /// Issue 8, points 1–3: every condition on the fault path's grant route on state the predicate can
    /// observe is a fact the predicate must establish (flags, comparisons, bool members, null tests),
    /// a check counts only for the object the fault path checks, and every C# form gives the facts of
    /// its if-form.
    /// </summary>
    public class FaultPathConditionTests
    {
        /// <summary>The predicate that is in sync with the fixture's v5.13 do_wp_page (the base of the mutants below).</summary>
        private const string Correct = """
                [MustMatchFaultPath(nameof(do_wp_page))]
                static bool may_avoid_write_fault(pte_t pte, vm_area_struct vma, ulong cp_flags)
                {
                    page? page;
                    bool ret = false;

                    if ((vma.vm_flags & VM_WRITE) == 0)
                        return false;
                    if ((cp_flags & MM_CP_PROT_NUMA) != 0)
                        return false;
                    if (userfaultfd_pte_wp(vma, pte))
                        return false;
                    page = vm_normal_page(vma, pte);
                    if (page == null)
                        return false;
                    if ((cp_flags & MM_CP_DIRTY_ACCT) != 0 && (vma.vm_flags & VM_SHARED) != 0 && !PageAnon(page))
                        return true;
                    if (!PageAnon(page))
                        return false;
                    if (!trylock_page(page))
                        return false;
                    if (PageKsm(page))
                        goto unlock_fail;
                    if (page_mapcount(page) != 1)
                        goto unlock_fail;
                    if (page_count(page) != 1)
                        goto unlock_fail;
                    ret = true;
                unlock_fail:
                    unlock_page(page);
                    return ret;
                }
            """;

        /// <summary>The locked checks of <see cref="Correct"/>, which the everyday-form tests rewrite.</summary>
        private const string LockedChecks = """
                    if (PageKsm(page))
                        goto unlock_fail;
                    if (page_mapcount(page) != 1)
                        goto unlock_fail;
                    if (page_count(page) != 1)
                        goto unlock_fail;
                    ret = true;
                unlock_fail:
                    unlock_page(page);
                    return ret;
                """;

        [Fact]
        public async Task CorrectPredicateIsSilent() =>
            AssertSilent(await RunAsync(KernelFixture.With(Correct)));

        /// <summary>A page-cache page of a private mapping: do_wp_page copies it (wp_page_shared needs VM_SHARED).</summary>
        [Fact]
        public async Task NotAnonReturningTrueLacksVmShared()
        {
            var mutant = Mutate(Correct, """
                    if (!PageAnon(page))
                        return false;
                """, """
                    if (!PageAnon(page))
                        return true;
                """);
            AssertReports(await RunAsync(KernelFixture.With(mutant)), "GO0002", "VM_SHARED");
        }

        /// <summary>The posted 2021 bug: MM_CP_DIRTY_ACCT alone grants.</summary>
        [Fact]
        public async Task DirtyAccountingShortcutWithoutVmShared()
        {
            var mutant = Mutate(Correct, " && (vma.vm_flags & VM_SHARED) != 0", string.Empty);
            AssertReports(await RunAsync(KernelFixture.With(mutant)), "GO0002", "VM_SHARED");
        }

        /// <summary>A multi-bit test on the fault path is two facts: VM_WRITE alone does not establish it.</summary>
        [Fact]
        public async Task TwoBitMaskIsTwoFacts()
        {
            var mutant = Mutate(Correct, "(vma.vm_flags & VM_SHARED) != 0", "(vma.vm_flags & VM_WRITE) != 0");
            AssertReports(await RunAsync(KernelFixture.With(mutant)), "GO0002", "VM_SHARED");
        }

        /// <summary>The same facts written as a two-bit equality in the predicate are accepted.</summary>
        [Fact]
        public async Task TwoBitEqualityInPredicateIsAccepted()
        {
            var variant = Mutate(Correct, "(vma.vm_flags & VM_SHARED) != 0", "(vma.vm_flags & (VM_WRITE | VM_SHARED)) == (VM_WRITE | VM_SHARED)");
            AssertSilent(await RunAsync(KernelFixture.With(variant)));
        }

        /// <summary>pte_page(pte) is not the page do_wp_page decides on (vm_normal_page(vma, pte)).</summary>
        [Fact]
        public async Task PtePageIsNotTheNormalPage()
        {
            var mutant = Mutate(Correct, "page = vm_normal_page(vma, pte);", "page = pte_page(pte);");
            AssertReports(await RunAsync(KernelFixture.With(mutant)), "GO0002", "vm_normal_page");
        }

        /// <summary>PageKsm of another page than the one the fault path tests does not count.</summary>
        [Fact]
        public async Task CheckOnAnotherObjectDoesNotCount()
        {
            var mutant = Mutate(Correct, "if (PageKsm(page))", "if (PageKsm(pte_page(pte)))");
            AssertReports(await RunAsync(KernelFixture.With(mutant)), "GO0002", "PageKsm(page)");
        }

        /// <summary>With two parameters of one type, which one is "the" pte cannot be decided: nothing the predicate checks on them counts.</summary>
        [Fact]
        public async Task AmbiguousInputsMapToNothing()
        {
            var mutant = Mutate(Correct, "static bool may_avoid_write_fault(pte_t pte, vm_area_struct vma, ulong cp_flags)", "static bool may_avoid_write_fault(pte_t pte, vm_area_struct vma, ulong cp_flags, pte_t other)");
            AssertReports(await RunAsync(KernelFixture.With(mutant)), "GO0002", "vm_normal_page");
        }

        /// <summary>The same producer with the same (mapped) arguments is the same object: a second call is fine.</summary>
        [Fact]
        public async Task SameProducerSameArgumentsIsTheSameObject()
        {
            var variant = Mutate(Correct, "if (PageKsm(page))", "if (PageKsm(vm_normal_page(vma, pte)!))");
            AssertSilent(await RunAsync(KernelFixture.With(variant)));
        }

        /// <summary>A ThrowIfNull prologue gives the fact of its if-form: the page is not null after it.</summary>
        [Fact]
        public async Task ThrowIfNullGivesTheNotNullFact()
        {
            var variant = Mutate(Correct, """
                    if (page == null)
                        return false;
                """, "System.ArgumentNullException.ThrowIfNull(page);");
            AssertSilent(await RunAsync(KernelFixture.With(variant)));
            var without = Mutate(Correct, """
                    if (page == null)
                        return false;
                """, string.Empty);
            AssertReports(await RunAsync(KernelFixture.With(without)), "GO0002", "is not null");
        }

        /// <summary>The posted 2021 predicate with its grant assigned as a && chain: the grant is as visible as in the if-form.</summary>
        [Fact]
        public async Task AssignedConjunctionIsAGrant()
        {
            var source = KernelFixture.With("""
                    [MustMatchFaultPath(nameof(do_wp_page))]
                    static bool may_avoid_write_fault(pte_t pte, vm_area_struct vma, ulong cp_flags)
                    {
                        bool ret = false;
                        if ((vma.vm_flags & VM_WRITE) == 0)
                            return false;
                        if ((cp_flags & MM_CP_DIRTY_ACCT) != 0)
                            return true;
                        page? page = vm_normal_page(vma, pte);
                        if (page == null || !PageAnon(page))
                            return false;
                        ret = page_count(page) == 1 && !PageKsm(page);
                        return ret;
                    }
                """);
            var diagnostics = await RunAsync(source);
            AssertReports(diagnostics, "GO0002", "VM_SHARED");
            AssertReports(diagnostics, "GO0002", "trylock_page(page)");
        }

        /// <summary>`bool ret;` with no initial value, assigned under the lock on every route.</summary>
        [Fact]
        public async Task UninitialisedResultAssignedUnderLock()
        {
            var variant = Mutate(Mutate(Correct, "bool ret = false;", "bool ret;"), """
                    if (PageKsm(page))
                        goto unlock_fail;
                    if (page_mapcount(page) != 1)
                        goto unlock_fail;
                    if (page_count(page) != 1)
                        goto unlock_fail;
                    ret = true;
                unlock_fail:
                """, """
                    ret = !PageKsm(page) && page_mapcount(page) == 1 && page_count(page) == 1;
                """);
            AssertSilent(await RunAsync(KernelFixture.With(variant)));
        }

        /// <summary>Conditional expression and `is false` / `== false` forms give the if-form's facts.</summary>
        [Theory]
        [InlineData("return PageKsm(page) ? Unlock(page, false) : Unlock(page, page_mapcount(page) == 1 && page_count(page) == 1);")]
        [InlineData("ret = PageKsm(page) is false && page_mapcount(page) is 1 && page_count(page) is not > 1 and not < 1; unlock_page(page); return ret;")]
        [InlineData("ret = PageKsm(page) == false && !(page_mapcount(page) != 1) && page_count(page) <= 1 && page_count(page) >= 1; unlock_page(page); return ret;")]
        [InlineData("switch (PageKsm(page)) { case true: ret = false; break; case false: ret = page_mapcount(page) == 1 && page_count(page) == 1; break; } unlock_page(page); return ret;")]
        public async Task EverydayFormsOfTheLockedChecks(string locked)
        {
            var variant = Mutate(Correct, LockedChecks, locked) + """
                    static bool Unlock(page page, bool result)
                    {
                        unlock_page(page);
                        return result;
                    }
                """;
            var diagnostics = await RunAsync(KernelFixture.With(variant));
            AssertSilent(diagnostics, "GO0002", "GO0003", "GO0005");
        }

        /// <summary>The same forms, each missing page_count: every one is reported.</summary>
        [Theory]
        [InlineData("ret = PageKsm(page) is false && page_mapcount(page) is 1; unlock_page(page); return ret;")]
        [InlineData("ret = PageKsm(page) == false && !(page_mapcount(page) != 1); unlock_page(page); return ret;")]
        [InlineData("switch (PageKsm(page)) { case true: ret = false; break; case false: ret = page_mapcount(page) == 1; break; } unlock_page(page); return ret;")]
        [InlineData("ret = page_count(page) is > 1 or < 1 ? false : !PageKsm(page); unlock_page(page); return ret;")]
        public async Task EverydayFormsMissingACheck(string locked)
        {
            var variant = Mutate(Correct, LockedChecks, locked);
            AssertReports(await RunAsync(KernelFixture.With(variant)), "GO0002");
        }

        /// <summary>The unlock in a finally (try/finally form): in sync, no leak; without PageKsm, reported.</summary>
        [Fact]
        public async Task TryFinallyFormOfTheLockedChecks()
        {
            const string Locked = """
                    try
                    {
                        if (PageKsm(page))
                            return false;
                        return page_mapcount(page) == 1 && page_count(page) == 1;
                    }
                    finally
                    {
                        unlock_page(page);
                    }
                """;
            var variant = Mutate(Correct, LockedChecks, Locked);
            AssertSilent(await RunAsync(KernelFixture.With(variant)), "GO0002", "GO0003", "GO0004", "GO0005");
            var mutant = Mutate(variant, """
                        if (PageKsm(page))
                            return false;
                """, string.Empty);
            AssertReports(await RunAsync(KernelFixture.With(mutant)), "GO0002", "PageKsm(page) is false");
        }

        /// <summary>The checks inside a loop that runs once (a retry loop's shape): the same facts, the same finding when one is dropped.</summary>
        [Fact]
        public async Task RetryLoopFormOfTheLockedChecks()
        {
            const string Locked = """
                    for (int attempt = 0; attempt < 1; attempt++)
                    {
                        if (PageKsm(page) || page_mapcount(page) != 1)
                            break;
                        ret = page_count(page) == 1;
                    }
                    unlock_page(page);
                    return ret;
                """;
            var variant = Mutate(Correct, LockedChecks, Locked);
            AssertSilent(await RunAsync(KernelFixture.With(variant)), "GO0002", "GO0003", "GO0004", "GO0005");
            var mutant = Mutate(variant, "if (PageKsm(page) || page_mapcount(page) != 1)", "if (page_mapcount(page) != 1)");
            AssertReports(await RunAsync(KernelFixture.With(mutant)), "GO0002", "PageKsm(page) is false");
        }

        /// <summary>A predicate returning another predicate of the same fault path trusts it (it is checked on its own).</summary>
        [Fact]
        public async Task CalleePredicateOfTheSameFaultPathIsTrusted()
        {
            var source = KernelFixture.With(Correct + """
                    [MustMatchFaultPath(nameof(do_wp_page))]
                    static bool wrapper(pte_t pte, vm_area_struct vma, ulong cp_flags)
                    {
                        if ((vma.vm_flags & VM_WRITE) == 0)
                            return false;
                        return may_avoid_write_fault(pte, vma, cp_flags);
                    }
                """);
            AssertSilent(await RunAsync(source));
        }

        /// <summary>A callee predicate of ANOTHER fault path is not trusted.</summary>
        [Fact]
        public async Task CalleePredicateOfAnotherFaultPathIsNotTrusted()
        {
            var source = KernelFixture.With("""
                    static int other_fault(vm_fault vmf) { wp_page_reuse(vmf); return 0; }

                    [MustMatchFaultPath(nameof(other_fault))]
                    static bool anything(vm_area_struct vma) => (vma.vm_flags & VM_WRITE) != 0;

                    [MustMatchFaultPath(nameof(do_wp_page))]
                    static bool wrapper(pte_t pte, vm_area_struct vma)
                    {
                        if ((vma.vm_flags & VM_WRITE) == 0)
                            return false;
                        return anything(vma);
                    }
                """);
            AssertReports(await RunAsync(source), "GO0002", "wrapper");
        }
        /// <summary>
        /// A fault path that grants only inside a helper, through a call the helper's syntax does not name
        /// (a collection initializer's <c>Add</c>) or through an attributed local function: the helper is
        /// still expanded (the syntax pre-check, <c>GrantSyntax</c>, says "maybe" for both), so the
        /// grant's VM_SHARED condition is still required of the predicate.
        /// </summary>
        [Theory]
        [InlineData("_ = new Reuser { vmf.vma.vm_flags };")]
        [InlineData("[WriteGrant] static void grant(vm_fault v) { } grant(vmf);")]
        public async Task AGrantTheHelpersSyntaxDoesNotName_IsStillAGrant(string helperBody)
        {
            var source = KernelFixture.With("""
                    sealed class Reuser : System.Collections.IEnumerable
                    {
                        [WriteGrant] public void Add(ulong flags) { }
                        public System.Collections.IEnumerator GetEnumerator() => throw null!;
                    }

                    static void reuse(vm_fault vmf) { HELPER }

                    static int shared_fault(vm_fault vmf)
                    {
                        if ((vmf.vma.vm_flags & VM_SHARED) != 0)
                            reuse(vmf);
                        return 0;
                    }

                    [MustMatchFaultPath(nameof(shared_fault))]
                    static bool early(vm_area_struct vma) => (vma.vm_flags & VM_WRITE) != 0;
                """.Replace("HELPER", helperBody, System.StringComparison.Ordinal));
            AssertReports(await RunAsync(source), "GO0002", "VM_SHARED");
        }
    }
}
