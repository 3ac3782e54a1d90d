// Counterexamples worth keeping as regression scenarios: each is a story the kernel's own
// operations produce, and each breaks one check of the predicate if that check is missing. They
// run first in the mutation test (cheap and deterministic) and in KnownScenarioTests.
using static SampleMm.Tests.Scenario.op_kind;

namespace SampleMm.Tests.Scenario
{
    public static class known
    {
        private static op o(op_kind kind, int p = 0, byte value = 0) => new op(kind, p, value);

        /// <summary>
        /// The KSM fork leak (Linus: "the do_wp_page() path treats PageKsm() pages differently").
        /// P0 (Q) and P1 (P) store 1; P2 = fork(P1) keeps a dirty pte; ksmd merges P1's page (the
        /// one P2 shares) with P0's; P0 and P1 exit: the KSM page is mapped by P2 only, refcount
        /// 1, still in the stable tree. P2's mprotect cycle; P3 stores 1 and ksmd merges it into
        /// the KSM page; P2 stores 2 - without PageKsm() in the predicate, P3 reads 2.
        /// </summary>
        public static readonly scenario ksm_fork_leak = scenario.of(
            region_kind.anon_private, 2,
            o(write, 0, 1), o(write, 1, 1), o(op_kind.fork, 1), o(ksm_scan), o(exit, 0), o(exit, 0), o(reprotect, 0),
            o(spawn), o(write, 1, 1), o(ksm_scan), o(write, 0, 2));

        /// <summary>
        /// The soft-dirty polarity (fixed in mainline by 76aefad628aa): clear_refs starts tracking
        /// (VM_SOFTDIRTY cleared, the pte write-protected and its soft-dirty bit cleared, still
        /// dirty); the mprotect cycle must not make it writable, or the next write is not recorded.
        /// </summary>
        public static readonly scenario soft_dirty = scenario.of(
            region_kind.anon_private, 1,
            o(write, 0, 1), o(clear_refs), o(reprotect), o(write, 0, 2));

        /// <summary>mprotect(PROT_READ) of a dirty exclusive page: the store after it must SIGSEGV.</summary>
        public static readonly scenario read_only = scenario.of(
            region_kind.anon_private, 1,
            o(write, 0, 1), o(mprotect_ro), o(write, 0, 2));

        /// <summary>
        /// A GUP write pin (O_DIRECT into the buffer): mapped once, referenced 1025 times. The write
        /// after the mprotect cycle faults and do_wp_page() copies; an early write would land in
        /// the pinned page instead.
        /// </summary>
        public static readonly scenario gup_pin = scenario.of(
            region_kind.anon_private, 1,
            o(write, 0, 1), o(pin), o(reprotect), o(write, 0, 2));

        /// <summary>uffd-wp: the write after the mprotect cycle must reach the monitor.</summary>
        public static readonly scenario uffd_wp = scenario.of(
            region_kind.anon_private, 1,
            o(write, 0, 1), o(uffd_register), o(op_kind.uffd_wp), o(reprotect), o(write, 0, 2));

        /// <summary>Reclaim holds the page lock (and the swap cache holds a reference) across the mprotect cycle.</summary>
        public static readonly scenario swap_out_in_progress = scenario.of(
            region_kind.anon_private, 1,
            o(write, 0, 1), o(swap_out), o(reprotect), o(write, 0, 2), o(read));

        public static readonly (string name, scenario sc)[] all =
        {
            ("KSM fork leak", ksm_fork_leak),
            ("soft-dirty after clear_refs", soft_dirty),
            ("read-only mprotect", read_only),
            ("GUP pin", gup_pin),
            ("uffd-wp", uffd_wp),
            ("swap-out in progress", swap_out_in_progress),
        };
    }
}
