// The demo: the fork -> KSM -> mprotect -> write story of the 2021 review, run on the port.
//
//   dotnet run --project sample-mm                     the port's predicate (default build)
//   dotnet run --project sample-mm -p:AsPosted=true    then the same story with the 2021 as-posted predicate
using System;
using static SampleMm.memory;
using static SampleMm.mm;
using static SampleMm.page_flags;
using static SampleMm.pgtable;
using static SampleMm.userfaultfd;

namespace SampleMm
{
    public static class Program
    {
        public static int Main()
        {
            bool leaked = story("may_avoid_write_fault (the port, default build)", mprotect.may_avoid_write_fault);
            int status = leaked ? 1 : 0;

#if AS_POSTED
            Console.WriteLine();
            bool posted_leaked = story(
                "may_avoid_write_fault_2021_posted (as posted, -p:AsPosted=true)",
                (pte, vma, addr, cp_flags) => mprotect_2021.may_avoid_write_fault_2021_posted(pte, vma, cp_flags));
            status |= posted_leaked ? 0 : 2;
#endif

            return status;
        }

        /// <summary>
        /// What do_wp_page() would do with a write to this pte, decided without doing it: the same
        /// tests, in the same order.
        /// </summary>
        private static string wp_decision(vm_area_struct vma, ulong addr, pte_t pte)
        {
            if (userfaultfd_pte_wp(vma, pte))
            {
                return "hand the write to the userfaultfd monitor";
            }

            var page = vm_normal_page(vma, addr, pte);
            if (page is null)
            {
                return "no page to reuse";
            }

            if (!PageAnon(page))
            {
                return (vma.vm_flags & VM_SHARED) != 0 ? "wp_page_shared(): write in place" : "copy (a page-cache page)";
            }

            if (PageKsm(page))
            {
                return "copy (PageKsm)";
            }

            if (page_count(page) != 1 || page_mapcount(page) != 1)
            {
                return $"copy (page_count {page_count(page)}, page_mapcount {page_mapcount(page)})";
            }

            return "wp_page_reuse(): write in place";
        }

        private static string describe(page page) =>
            $"{(PageKsm(page) ? "KSM page" : "page")} pfn {page.pfn}: page_count {page_count(page)}, page_mapcount {page_mapcount(page)}";

        /// <summary>Run the story with <paramref name="predicate"/>; true when R reads C's write.</summary>
        private static bool story(string title, may_avoid_write_fault_t predicate)
        {
            Console.WriteLine(title);
            var saved = mprotect.predicate;
            ksm.reset();
            var q = new mm_struct();
            var p = new mm_struct();
            var r = new mm_struct();
            ulong addr = mmap.do_mmap(q, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
            mmap.do_mmap(p, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
            mmap.do_mmap(r, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
            ksm.ksm_madvise(q, addr, addr + PAGE_SIZE, ksm.MADV_MERGEABLE);
            ksm.ksm_madvise(p, addr, addr + PAGE_SIZE, ksm.MADV_MERGEABLE);

            cpu.store(q, addr, 1);
            cpu.store(p, addr, 1);
            var c = fork.dup_mm(p);
            Console.WriteLine($"  1. Q and P store 1; C = fork(P). C's pte: {ptep_get(c, addr)}");

            ksm.ksm_do_scan();
            var kpage = pfn_to_page(pte_pfn(ptep_get(c, addr)));
            Console.WriteLine($"  2. ksmd merges P's page (shared with C) and Q's: {describe(kpage)}; it cleaned P's pte, C's is still dirty");

            mmap.exit_mmap(q);
            mmap.exit_mmap(p);
            Console.WriteLine($"  3. Q and P exit: {describe(kpage)} - mapped by C only, still in the stable tree");

            var vma = find_vma(c, addr)!;
            string decided = "not asked";
            mprotect.predicate = (pte, v, a, cp_flags) =>
            {
                bool yes = predicate(pte, v, a, cp_flags);
                if ((v.vm_flags & VM_WRITE) != 0)
                {
                    decided = (yes ? "yes (pte made writable)" : "no") + "; do_wp_page() would: " + wp_decision(v, a, pte);
                }

                return yes;
            };
            mprotect.sys_mprotect(c, addr, PAGE_SIZE, PROT_READ);
            mprotect.sys_mprotect(c, addr, PAGE_SIZE, PROT_READ | PROT_WRITE);
            mprotect.predicate = saved;
            Console.WriteLine($"  4. C: mprotect(PROT_READ); mprotect(PROT_READ|PROT_WRITE). Predicate: {decided}");

            cpu.store(r, addr, 1);
            ksm.ksm_madvise(r, addr, addr + PAGE_SIZE, ksm.MADV_MERGEABLE);
            ksm.ksm_do_scan();
            bool shared = pte_pfn(ptep_get(r, addr)) == kpage.pfn;
            Console.WriteLine($"  5. R stores 1; ksmd merges R's page into the {(shared ? "same KSM page" : "stable tree")}: {describe(kpage)}");

            int faults = c.nr_page_faults;
            string before = wp_decision(vma, addr, ptep_get(c, addr));
            cpu.store(c, addr, 2);
            string how = c.nr_page_faults == faults
                ? $"no fault: the pte was writable (do_wp_page() would have: {before})"
                : $"write fault: do_wp_page() {(c.nr_wp_copy > 0 ? "copied the page" : "reused the page")}";
            Console.WriteLine($"  6. C stores 2: {how}");

            byte seen = cpu.peek(r, addr);
            bool leak = seen == 2;
            Console.WriteLine($"  7. R reads {seen}: {(leak ? "C's write LEAKED into R's memory" : "R's memory stayed private")}");

            mmap.exit_mmap(c);
            mmap.exit_mmap(r);
            ksm.reset();
            return leak;
        }
    }
}
