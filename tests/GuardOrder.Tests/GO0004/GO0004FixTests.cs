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
using Verify = GuardOrder.Tests.Verifiers.CSharpCodeFixVerifier<GuardOrder.Analyzers.GO0004LockDisciplineAnalyzer, GuardOrder.CodeFixes.GO0004ReleaseLockFix>;

namespace GuardOrder.Tests.GO0004
{
    /// <summary>"Release the lock on this route": text-level before/after, Fix All, comments, refusals.</summary>
    public class GO0004FixTests
    {
        private static DiagnosticResult GO0004(int location) => new DiagnosticResult(RuleIdentifiers.LockDiscipline, DiagnosticSeverity.Warning).WithLocation(location, DiagnosticLocationOptions.None).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations);

        /// <summary>Any other GO0004 at a markup location (e.g. the unheld release an ignored try-lock causes).</summary>
        private static DiagnosticResult Other(int location) => GO0004(location);

        private static Task VerifyFixAsync(string source, string fixedSource, params DiagnosticResult[] expected)
        {
            var test = new Verify.Test
            {
                TestCode = KernelFixture.With(source),
                FixedCode = KernelFixture.With(fixedSource),
                CodeActionEquivalenceKey = GO0004ReleaseLockFix.EquivalenceKey,
            };
            test.ExpectedDiagnostics.AddRange(expected);
            return test.RunAsync();
        }

        /// <summary>The GO0004 diagnostics of a member, with their properties.</summary>
        private static async Task<ImmutableArray<Diagnostic>> GO0004Of(string members)
        {
            var compilation = AnalyzerHarness.Compile(KernelFixture.With(members));
            var run = await AnalyzerHarness.RunAsync(compilation, ImmutableArray.Create<DiagnosticAnalyzer>(new GO0004LockDisciplineAnalyzer()));
            run.AssertNoAnalyzerException(members);
            return run.Diagnostics.Where(d => d.Id == RuleIdentifiers.LockDiscipline).ToImmutableArray();
        }

        private static async Task AssertRefusedAsync(string members, string reasonFragment)
        {
            var diagnostics = await GO0004Of(members);
            Assert.NotEmpty(diagnostics);
            foreach (var diagnostic in diagnostics)
            {
                Assert.False(diagnostic.Properties.ContainsKey(GO0004LockRepair.FixProperty), "fix offered for " + diagnostic);
                Assert.True(diagnostic.Properties.ContainsKey(GO0004LockRepair.RefusalProperty), "no fixRefusal on " + diagnostic);
            }

            Assert.Contains(diagnostics, d => d.Properties[GO0004LockRepair.RefusalProperty]!.Contains(reasonFragment));
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

        private const string EarlyReturn = """
                static bool reviewed(page page)
                {
                    bool ret = false;
                    if (!{|#0:trylock_page(page)|})
                        return false;
                    /* KSM pages needs COW; leave them be */
                    if (PageKsm(page))
                        return false; // keep the page as it is
                    if (page_count(page) == 1)
                        ret = true;
                    unlock_page(page);
                    return ret;
                }
            """;

        private const string EarlyReturnFixed = """
                static bool reviewed(page page)
                {
                    bool ret = false;
                    if (!trylock_page(page))
                        return false;
                    /* KSM pages needs COW; leave them be */
                    if (PageKsm(page))
                    {
                        unlock_page(page);
                        return false;
                    } // keep the page as it is
                    if (page_count(page) == 1)
                        ret = true;
                    unlock_page(page);
                    return ret;
                }
            """;

        [Fact]
        public Task EmbeddedReturn_BecomesBlockWithRelease() => VerifyFixAsync(EarlyReturn, EarlyReturnFixed, GO0004(0));

        [Fact]
        public Task ReturnInBlock_ReleaseGoesBeforeIt_CommentStaysOnTop() => VerifyFixAsync(
            """
                static bool reviewed(page page)
                {
                    {|#0:lock_page(page)|};
                    if (PageKsm(page))
                    {
                        // KSM pages needs COW
                        return false;
                    }
                    unlock_page(page);
                    return true;
                }
            """,
            """
                static bool reviewed(page page)
                {
                    lock_page(page);
                    if (PageKsm(page))
                    {
                        // KSM pages needs COW
                        unlock_page(page);
                        return false;
                    }
                    unlock_page(page);
                    return true;
                }
            """,
            GO0004(0));

        [Fact]
        public Task SingleLineIf_AndElse_EveryLeakingExitOfTheAcquisitionIsFixed() => VerifyFixAsync(
            """
                static bool reviewed(page page, bool strict)
                {
                    if (!{|#0:trylock_page(page)|}) return false;
                    if (PageKsm(page)) return false;
                    if (strict)
                        page.refcount++;
                    else
                        return false;
                    unlock_page(page);
                    return true;
                }
            """,
            """
                static bool reviewed(page page, bool strict)
                {
                    if (!trylock_page(page)) return false;
                    if (PageKsm(page))
                    {
                        unlock_page(page);
                        return false;
                    }
                    if (strict)
                        page.refcount++;
                    else
                    {
                        unlock_page(page);
                        return false;
                    }
                    unlock_page(page);
                    return true;
                }
            """,
            GO0004(0));

        [Fact]
        public Task SwitchSection_ReleaseBeforeReturn() => VerifyFixAsync(
            """
                static bool reviewed(page page, int mode)
                {
                    {|#0:lock_page(page)|};
                    switch (mode)
                    {
                        case 1:
                            return false;
                        default:
                            break;
                    }
                    unlock_page(page);
                    return true;
                }
            """,
            """
                static bool reviewed(page page, int mode)
                {
                    lock_page(page);
                    switch (mode)
                    {
                        case 1:
                            unlock_page(page);
                            return false;
                        default:
                            break;
                    }
                    unlock_page(page);
                    return true;
                }
            """,
            GO0004(0));

        [Fact]
        public Task IgnoredTryLockInPredicate_BranchesOnIt() => VerifyFixAsync(
            """
                [MustMatchFaultPath(typeof(mm), nameof(mm.do_wp_page))]
                static bool ignored(pte_t pte, vm_area_struct vma)
                {
                    if ((vma.vm_flags & VM_WRITE) == 0)
                        return false;
                    page page = pte_page(pte);
                    /* best effort */
                    {|#0:trylock_page(page)|}; // result dropped
                    bool ret = !PageKsm(page);
                    {|#1:unlock_page(page)|};
                    return ret;
                }
            """,
            """
                [MustMatchFaultPath(typeof(mm), nameof(mm.do_wp_page))]
                static bool ignored(pte_t pte, vm_area_struct vma)
                {
                    if ((vma.vm_flags & VM_WRITE) == 0)
                        return false;
                    page page = pte_page(pte);
                    /* best effort */
                    if (!trylock_page(page))
                        return false; // result dropped
                    bool ret = !PageKsm(page);
                    unlock_page(page);
                    return ret;
                }
            """,
            GO0004(0),
            Other(1));

        [Fact]
        public Task DiscardedTryLock_WhereTheMethodAlreadyReturnsFalseOnAFailedTry_BranchesOnIt() => VerifyFixAsync(
            """
                static bool both(page page, bool fast)
                {
                    if (fast)
                    {
                        if (!trylock_page(page))
                            return false;
                        unlock_page(page);
                        return true;
                    }
                    _ = {|#0:trylock_page(page)|};
                    bool ret = !PageKsm(page);
                    {|#1:unlock_page(page)|};
                    return ret;
                }
            """,
            """
                static bool both(page page, bool fast)
                {
                    if (fast)
                    {
                        if (!trylock_page(page))
                            return false;
                        unlock_page(page);
                        return true;
                    }
                    if (!trylock_page(page))
                        return false;
                    bool ret = !PageKsm(page);
                    unlock_page(page);
                    return ret;
                }
            """,
            GO0004(0),
            Other(1));

        /// <summary>Returning false on the failed try would leak the other lock held there: the fresh walk says no, nothing is offered.</summary>
        [Fact]
        public async Task DiscardedTryLock_WithAnotherLockHeld_FixDeclinedByTheRecheck()
        {
            const string code = """
                static bool both(page page, page other)
                {
                    if (!trylock_page(other))
                        return false;
                    _ = {|#0:trylock_page(page)|};
                    bool ret = !PageKsm(page);
                    unlock_page(page);
                    {|#1:unlock_page(other)|};
                    return ret;
                }
            """;
            await VerifyFixAsync(code, code, GO0004(0), Other(1));
        }

        [Theory]
        [InlineData(FixAllScope.Document)]
        [InlineData(FixAllScope.Project)]
        [InlineData(FixAllScope.Solution)]
        public async Task FixAll_EveryScope(FixAllScope scope)
        {
            const string first = """
                static bool a(page page)
                {
                    if (!{|#0:trylock_page(page)|})
                        return false;
                    if (PageKsm(page))
                        return false;
                    unlock_page(page);
                    return true;
                }

                static bool b(page page)
                {
                    {|#1:lock_page(page)|};
                    if (page_count(page) != 1)
                        return false;
                    unlock_page(page);
                    return true;
                }
            """;
            const string firstFixed = """
                static bool a(page page)
                {
                    if (!trylock_page(page))
                        return false;
                    if (PageKsm(page))
                    {
                        unlock_page(page);
                        return false;
                    }
                    unlock_page(page);
                    return true;
                }

                static bool b(page page)
                {
                    lock_page(page);
                    if (page_count(page) != 1)
                    {
                        unlock_page(page);
                        return false;
                    }
                    unlock_page(page);
                    return true;
                }
            """;
            const string second = """
                public static class other
                {
                    static bool c(page page)
                    {
                        {|#2:mm.lock_page(page)|};
                        if (mm.PageAnon(page))
                            return true;
                        mm.unlock_page(page);
                        return false;
                    }
                }
                """;
            const string secondFixed = """
                public static class other
                {
                    static bool c(page page)
                    {
                        mm.lock_page(page);
                        if (mm.PageAnon(page))
                        {
                            mm.unlock_page(page);
                            return true;
                        }
                        mm.unlock_page(page);
                        return false;
                    }
                }
                """;
            var test = new Verify.Test { CodeActionEquivalenceKey = GO0004ReleaseLockFix.EquivalenceKey };
            test.TestState.Sources.Add(("/0/mm.cs", KernelFixture.With(first)));
            test.TestState.Sources.Add(("/0/other.cs", "using GuardOrder;\n" + second));
            test.FixedState.Sources.Add(("/0/mm.cs", KernelFixture.With(firstFixed)));
            test.FixedState.Sources.Add(("/0/other.cs", "using GuardOrder;\n" + secondFixed));
            test.BatchFixedState.Sources.Add(("/0/mm.cs", KernelFixture.With(firstFixed)));
            test.BatchFixedState.Sources.Add(("/0/other.cs", "using GuardOrder;\n" + secondFixed));
            test.ExpectedDiagnostics.Add(GO0004(0));
            test.ExpectedDiagnostics.Add(GO0004(1));
            test.ExpectedDiagnostics.Add(GO0004(2));
            test.CodeFixTestBehaviors = scope switch
            {
                FixAllScope.Document => CodeFixTestBehaviors.SkipFixAllInProjectCheck | CodeFixTestBehaviors.SkipFixAllInSolutionCheck,
                FixAllScope.Project => CodeFixTestBehaviors.SkipFixAllInDocumentCheck | CodeFixTestBehaviors.SkipFixAllInSolutionCheck,
                _ => CodeFixTestBehaviors.SkipFixAllInDocumentCheck | CodeFixTestBehaviors.SkipFixAllInProjectCheck,
            };
            await test.RunAsync();
        }

        /// <summary>The fixed predicate leaves nothing for GO0002–GO0005 on that method.</summary>
        [Fact]
        public async Task FixedCode_HasNoSyncDiagnosticLeft()
        {
            var before = await SyncTestRunner.RunAsync(KernelFixture.With(EarlyReturn.Replace("{|#0:", string.Empty).Replace("|}", string.Empty)));
            SyncTestRunner.AssertReports(before, "GO0004", "trylock_page(page)");
            var after = await SyncTestRunner.RunAsync(KernelFixture.With(EarlyReturnFixed));
            SyncTestRunner.AssertSilent(after, "GO0002", "GO0003", "GO0004", "GO0005");
        }

        [Fact]
        public Task Refused_ExitAlsoReachedWithoutTheLock() => AssertRefusedAsync(
            """
                static bool leaky(page page)
                {
                    bool ret = false;
                    if (!trylock_page(page))
                        return false;
                    if (PageKsm(page))
                        goto out_fail;
                    if (page_count(page) == 1)
                        ret = true;
                    unlock_page(page);
                out_fail:
                    return ret;
                }
            """,
            "also reached without the lock held");

        /// <summary>The method releases this lock in a finally: the leaking region is wrapped the same way.</summary>
        [Fact]
        public Task TryFinallyMethod_TheLockedRegionIsWrapped() => VerifyFixAsync(
            """
                static bool guarded(page page)
                {
                    lock_page(page);
                    try
                    {
                        if (PageKsm(page))
                            return false;
                    }
                    finally
                    {
                        unlock_page(page);
                    }
                    {|#0:lock_page(page)|};
                    // the count is read under the lock
                    return page_count(page) == 1;
                }
            """,
            """
                static bool guarded(page page)
                {
                    lock_page(page);
                    try
                    {
                        if (PageKsm(page))
                            return false;
                    }
                    finally
                    {
                        unlock_page(page);
                    }
                    lock_page(page);
                    try
                    {
                        // the count is read under the lock
                        return page_count(page) == 1;
                    }
                    finally
                    {
                        unlock_page(page);
                    }
                }
            """,
            GO0004(0));

        /// <summary>An early exit between the try-lock and the try whose finally releases it: it moves into that try.</summary>
        [Fact]
        public Task ExitBeforeTheTry_MovesIntoIt() => VerifyFixAsync(
            """
                static bool early(page page)
                {
                    if (!{|#0:trylock_page(page)|})
                        return false;
                    /* KSM pages need COW */
                    if (PageKsm(page))
                        return false;
                    try
                    {
                        return page_count(page) == 1;
                    }
                    finally
                    {
                        unlock_page(page);
                    }
                }
            """,
            """
                static bool early(page page)
                {
                    if (!trylock_page(page))
                        return false;
                    try
                    {
                        /* KSM pages need COW */
                        if (PageKsm(page))
                            return false;
                        return page_count(page) == 1;
                    }
                    finally
                    {
                        unlock_page(page);
                    }
                }
            """,
            GO0004(0));

        [Fact]
        public Task Refused_TryFinallyMethod_RegionAlsoReleases() => AssertRefusedAsync(
            """
                static bool both(page page)
                {
                    lock_page(page);
                    try
                    {
                        if (PageKsm(page))
                            return false;
                    }
                    finally
                    {
                        unlock_page(page);
                    }
                    lock_page(page);
                    if (page_count(page) != 1)
                    {
                        unlock_page(page);
                        return false;
                    }
                    return true;
                }
            """,
            "also releases the lock");

        [Fact]
        public Task Refused_ReturnValueComputedUnderTheLock() => AssertRefusedAsync(
            """
                static bool computed(page page)
                {
                    if (!trylock_page(page))
                        return false;
                    if (PageKsm(page))
                    {
                        unlock_page(page);
                        return false;
                    }
                    return page_count(page) == 1;
                }
            """,
            "under the lock");

        [Fact]
        public Task Refused_NoReleaseInTheMethod() => AssertRefusedAsync(
            """
                static bool never(page page)
                {
                    if (!trylock_page(page))
                        return false;
                    return true;
                }
            """,
            "never releases");

        [Fact]
        public Task Refused_IgnoredTryLockOutsideAPredicate() => AssertRefusedAsync(
            """
                static bool plain(page page)
                {
                    trylock_page(page);
                    bool ret = !PageKsm(page);
                    unlock_page(page);
                    return ret;
                }
            """,
            "[MustMatchFaultPath]");

        [Fact]
        public Task Refused_IgnoredTryLockInVoidMethod() => AssertRefusedAsync(
            """
                static void touch(page page)
                {
                    trylock_page(page);
                    page.refcount++;
                    unlock_page(page);
                }
            """,
            "does not return bool");

        [Fact]
        public Task LeakAtContinue_ReleasedBeforeIt() => VerifyFixAsync(
            """
                static bool all(page[] pages)
                {
                    foreach (var page in pages)
                    {
                        {|#0:lock_page(page)|};
                        /* KSM pages are skipped */
                        if (PageKsm(page))
                            continue;
                        page.refcount++;
                        unlock_page(page);
                    }
                    return true;
                }
            """,
            """
                static bool all(page[] pages)
                {
                    foreach (var page in pages)
                    {
                        lock_page(page);
                        /* KSM pages are skipped */
                        if (PageKsm(page))
                        {
                            unlock_page(page);
                            continue;
                        }
                        page.refcount++;
                        unlock_page(page);
                    }
                    return true;
                }
            """,
            GO0004(0));

        [Fact]
        public Task Refused_LeakAtTheLoopBackEdgeWithoutContinue() => AssertRefusedAsync(
            """
                static bool all(page[] pages)
                {
                    foreach (var page in pages)
                    {
                        lock_page(page);
                        if (PageKsm(page))
                            unlock_page(page);
                    }
                    return true;
                }
            """,
            "back edge");

        /// <summary>
        /// An ignored try-lock followed by an exit that does not release: branching on the result adds a
        /// 'return false' only where the lock was not taken, so the leak the fresh walk then shows was
        /// already there on the routes that took it. The fix is applied (it used to be planned by the
        /// analyzer and declined by the provider), the leak is reported, and its own fix releases it.
        /// </summary>
        [Fact]
        public async Task IgnoredTryLockThenAnExitThatDoesNotRelease_BranchesAndShowsTheLeak()
        {
            var source = KernelFixture.With("""
                    [MustMatchFaultPath(nameof(do_wp_page))]
                    static bool ignored_then_exit(pte_t pte, vm_area_struct vma)
                    {
                        page? page = vm_normal_page(vma, pte);
                        if (page == null)
                            return false;
                        trylock_page(page);
                        if ((vma.vm_flags & VM_WRITE) == 0)
                            return false; // leaks the lock when the try-lock took it
                        if (PageKsm(page)) { unlock_page(page); return false; }
                        unlock_page(page);
                        return true;
                    }
                """);
            var ignored = Assert.Single(await FixHarness.AnalyzeAsync(source), d => d.Id == "GO0004" && d.GetMessage().Contains("ignores whether the lock was taken"));
            var branched = await FixHarness.ApplyAsync(source, ignored);
            Assert.NotNull(branched);
            Assert.Contains("if (!trylock_page(page))", branched);

            var leak = Assert.Single(await FixHarness.AnalyzeAsync(branched!), d => d.Id == "GO0004");
            Assert.Contains("is not released", leak.GetMessage());
            var released = await FixHarness.ApplyAsync(branched!, leak);
            Assert.NotNull(released);
            Assert.DoesNotContain(await FixHarness.AnalyzeAsync(released!), d => d.Id == "GO0004");
        }
    }
}
