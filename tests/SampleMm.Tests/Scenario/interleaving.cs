// The race the page lock closes, run step by step. P writes its page and forks C; Q has a page
// with the same contents. C runs mprotect(PROT_READ) and mprotect(PROT_READ|PROT_WRITE); while the
// predicate reads the state of C's page (trylock_page(), PageKsm(), page_mapcount(),
// page_count()), the other CPUs run - once, at one chosen read - a ksmd pass (which merges P's
// page, the one C shares, with Q's into a KSM page, holding the page lock while it does) and the
// exits of P and Q. Then R maps a page with the same contents and ksmd merges it; then C writes.
// Whatever the interleaving, R must keep reading its own contents, as it does when every write
// faults. A predicate that reads PageKsm() without the page lock can see "not KSM" before the
// merge and "mapped once, referenced once" after the exits: it makes the KSM page writable.
using System.Text;
using static SampleMm.mm;
using static SampleMm.pgtable;

namespace SampleMm.Tests.Scenario
{
    public static class interleaving
    {
        /// <summary>How many page-state reads of the predicate the other CPUs are tried at.</summary>
        public const int max_reads = 8;

        /// <summary>What R reads at the end, and the story, with the other CPUs running at read <paramref name="at"/> of the predicate.</summary>
        public static (byte r_sees, string story) run(may_avoid_write_fault_t predicate, int at)
        {
            var story = new StringBuilder();
            var saved = mprotect.predicate;
            ksm.reset();
            swap_state.reset();
            var q = new mm_struct();
            var p = new mm_struct();
            mm_struct? c = null;
            var r = new mm_struct();
            try
            {
                ulong addr = mmap.do_mmap(q, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
                mmap.do_mmap(p, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
                ksm.ksm_madvise(q, addr, addr + PAGE_SIZE, ksm.MADV_MERGEABLE);
                ksm.ksm_madvise(p, addr, addr + PAGE_SIZE, ksm.MADV_MERGEABLE);
                cpu.store(q, addr, 1);
                cpu.store(p, addr, 1);
                c = fork.dup_mm(p);
                story.Append("Q: *addr = 1; P: *addr = 1; C = fork(P); C: mprotect(addr, PROT_READ)");
                mprotect.sys_mprotect(c, addr, PAGE_SIZE, PROT_READ);

                int reads = 0;
                bool ran = false;
                void other_cpus(page page)
                {
                    if (reads++ != at)
                    {
                        return;
                    }

                    ran = true;
                    story.Append($"\n  [at the predicate's page-state read #{at}: other CPUs run ksmd (merges P's page, shared with C, and Q's), P and Q exit]");
                    ksm.ksm_do_scan();
                    mmap.exit_mmap(p);
                    mmap.exit_mmap(q);
                }

                mprotect.predicate = (pte, vma, a, cp_flags) =>
                {
                    smp.other_cpus = other_cpus;
                    try
                    {
                        bool yes = predicate(pte, vma, a, cp_flags);
                        story.Append($"\n  predicate: {(yes ? "yes, the pte becomes writable" : "no")}");
                        return yes;
                    }
                    finally
                    {
                        smp.other_cpus = null;
                    }
                };
                story.Append("\nC: mprotect(addr, PROT_READ|PROT_WRITE)");
                mprotect.sys_mprotect(c, addr, PAGE_SIZE, PROT_READ | PROT_WRITE);
                mprotect.predicate = saved;
                if (!ran)
                {
                    story.Append("\n  [the predicate made fewer reads: other CPUs run after mprotect()]");
                    ksm.ksm_do_scan();
                    mmap.exit_mmap(p);
                    mmap.exit_mmap(q);
                }

                mmap.do_mmap(r, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
                ksm.ksm_madvise(r, addr, addr + PAGE_SIZE, ksm.MADV_MERGEABLE);
                cpu.store(r, addr, 1);
                ksm.ksm_do_scan();
                story.Append("\nR: *addr = 1; ksmd: scan");
                var result = cpu.store(c, addr, 2);
                story.Append($"\nC: *addr = 2 ({result})");
                byte sees = cpu.peek(r, addr);
                story.Append($"\nR: read *addr -> {sees}");
                return (sees, story.ToString());
            }
            finally
            {
                mprotect.predicate = saved;
                smp.other_cpus = null;
                mmap.exit_mmap(p);
                mmap.exit_mmap(q);
                if (c is not null)
                {
                    mmap.exit_mmap(c);
                }

                mmap.exit_mmap(r);
                ksm.reset();
            }
        }

        /// <summary>Null when R reads its own contents at every interleaving; otherwise the story where it does not.</summary>
        public static string? check(may_avoid_write_fault_t predicate)
        {
            for (int at = 0; at < max_reads; at++)
            {
                var (sees, story) = run(predicate, at);
                if (sees != 1)
                {
                    return "R reads C's write:\n" + story;
                }
            }

            return null;
        }
    }
}
