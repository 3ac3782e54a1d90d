using CsCheck;

namespace SampleMm.Tests
{
    /// <summary>
    /// The sync invariant of the review, at run time, over generated page/pte/VMA states:
    /// may_avoid_write_fault(state) == true =&gt; do_wp_page() on the same state grants the write in
    /// place (wp_page_reuse()/wp_page_shared(), no copy, no userfault, VM_WRITE present).
    /// </summary>
    /// <remarks>
    /// Samples run on one thread: a state's teardown inspects pages the fault path may have freed,
    /// which another thread's allocation could otherwise reuse in between.
    /// </remarks>
    public sealed class SyncPropertyTests
    {
        private const long iterations = 20_000;

        private static string print(wp_state s) => s.ToString();

        private static bool holds(may_avoid_write_fault_t predicate, wp_state s) => sync_invariant.check(predicate, s) is null;

        private static readonly may_avoid_write_fault_t reviewed_port = mprotect.may_avoid_write_fault;

        private static readonly may_avoid_write_fault_t posted =
            (pte, vma, addr, cp_flags) => mprotect_2021.may_avoid_write_fault_2021_posted(pte, vma, cp_flags);

        private static readonly may_avoid_write_fault_t v1 =
            (pte, vma, addr, cp_flags) => mprotect_2021.may_avoid_write_fault_2021_v1(pte, vma, cp_flags);

        private static readonly may_avoid_write_fault_t reviewed_2021_text =
            (pte, vma, addr, cp_flags) => mprotect_2021.may_avoid_write_fault_2021_reviewed(pte, vma, cp_flags);

        [Fact]
        public void Port_Predicate_ImpliesTheFaultPathReusesInPlace()
        {
            wp_state.gen.Sample(s => holds(reviewed_port, s), iter: iterations, threads: 1, print: print);
        }

        [Fact]
        public void Port_Predicate_SaysYesOften_ThroughBothGrants_SoThePropertyIsNotVacuous()
        {
            int yes_anon = 0;
            int yes_shared = 0;
            wp_state.gen.Sample(
                s =>
                {
                    var b = s.build();
                    if (mprotect.may_avoid_write_fault(b.pte, b.vma, wp_state.addr, s.cp_flags))
                    {
                        if (page_flags.PageAnon(b.page))
                        {
                            yes_anon++;
                        }
                        else
                        {
                            yes_shared++;
                        }
                    }

                    s.teardown(b);
                },
                iter: iterations,
                threads: 1);
            // wp_page_reuse() (exclusive anonymous) and wp_page_shared() (dirty-accounted shared) states.
            Assert.True(yes_anon > iterations / 2000, $"only {yes_anon} of {iterations} states were granted as exclusive anonymous");
            Assert.True(yes_shared > iterations / 2000, $"only {yes_shared} of {iterations} states were granted as shared");
        }

        [Fact]
        public void AsPosted_Predicate_HasACounterexample_CsCheckFindsIt()
        {
            var failure = Assert.Throws<CsCheckException>(
                () => wp_state.gen.Sample(s => holds(posted, s), iter: iterations, threads: 1, print: print));
            Assert.Contains("wp_state", failure.Message);
        }

        [Fact]
        public void V1_Predicate_HasACounterexample_CsCheckFindsIt()
        {
            Assert.Throws<CsCheckException>(
                () => wp_state.gen.Sample(s => holds(v1, s), iter: iterations, threads: 1, print: print));
        }

        [Fact]
        public void Reviewed2021Text_HasACounterexample_CsCheckFindsIt()
        {
            Assert.Throws<CsCheckException>(
                () => wp_state.gen.Sample(s => holds(reviewed_2021_text, s), iter: iterations, threads: 1, print: print));
        }

        /// <summary>The concrete counterexample: a KSM page only this pte maps, refcount 1, dirty.</summary>
        private static readonly wp_state ksm_refcount_one = new wp_state(
            vma: vma_kind.anon_private,
            page: page_kind.ksm,
            vm_write: true,
            vm_softdirty: true,
            vma_uffd_wp: false,
            pte_dirty: true,
            pte_soft_dirty: true,
            pte_uffd_wp: false,
            pte_protnone: false,
            other_mappings: 0,
            extra_refs: 0,
            swap_cache: false,
            locked_by_other: false,
            cp_flags: 0);

        [Fact]
        public void AsPosted_KsmPageWithRefcountOne_IsACounterexample()
        {
            Assert.Equal("do_wp_page() copies this page (ret=0x8)", sync_invariant.check(posted, ksm_refcount_one));
            Assert.Equal("do_wp_page() copies this page (ret=0x8)", sync_invariant.check(v1, ksm_refcount_one));
            Assert.Null(sync_invariant.check(reviewed_port, ksm_refcount_one));
            Assert.Null(sync_invariant.check(reviewed_2021_text, ksm_refcount_one));
        }

        [Fact]
        public void AsPosted_DirtyAcctWithoutVmWrite_IsACounterexample()
        {
            var state = ksm_refcount_one with
            {
                vma = vma_kind.file_shared,
                page = page_kind.file,
                vm_write = false,
                cp_flags = mm.MM_CP_DIRTY_ACCT,
            };
            Assert.Equal("early write on a VMA without VM_WRITE: the write fault would SIGSEGV", sync_invariant.check(posted, state));
            Assert.Null(sync_invariant.check(reviewed_port, state));
        }

        [Fact]
        public void Reviewed2021Text_DirtyAcctOnAPrivateCowPage_IsACounterexample()
        {
            var state = ksm_refcount_one with
            {
                page = page_kind.anon,
                other_mappings = 1,
                cp_flags = mm.MM_CP_DIRTY_ACCT,
            };
            Assert.Equal("do_wp_page() copies this page (ret=0x8)", sync_invariant.check(reviewed_2021_text, state));
            Assert.Null(sync_invariant.check(reviewed_port, state));
        }

        [Fact]
        public void Port_ExclusiveAnonPage_IsGranted_AndTheFaultPathAgrees()
        {
            var state = ksm_refcount_one with { page = page_kind.anon };
            var b = state.build();
            Assert.True(mprotect.may_avoid_write_fault(b.pte, b.vma, wp_state.addr, 0));
            state.teardown(b);
            Assert.Null(sync_invariant.check(reviewed_port, state));
        }
    }
}
