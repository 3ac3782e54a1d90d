// A small demo: mprotect(PROT_READ) then mprotect(PROT_READ|PROT_WRITE) on three kinds of pages,
// and whether the next write still faults.
//
//   dotnet run --project sample-mm                     the reviewed predicate (default build)
//   dotnet run --project sample-mm -p:AsPosted=true    also the 2021 as-posted predicate
using System;
using static SampleMm.mm;
using static SampleMm.pgtable;

namespace SampleMm
{
    public static class Program
    {
        public static int Main()
        {
            Console.WriteLine("may_avoid_write_fault (reviewed, default build):");
            int failures = run_all();

#if AS_POSTED
            Console.WriteLine();
            Console.WriteLine("may_avoid_write_fault_2021_posted (as posted, -p:AsPosted=true):");
            mprotect.predicate = (pte, vma, addr, cp_flags) => mprotect_2021.may_avoid_write_fault_2021_posted(pte, vma, cp_flags);
            run_all();
            mprotect.predicate = mprotect.may_avoid_write_fault;
#endif

            return failures;
        }

        private static int run_all()
        {
            int failures = 0;
            failures += report("exclusive dirty anonymous page", exclusive_anon(), expect_avoided: true);
            failures += report("KSM page shared by two processes", ksm_page(), expect_avoided: false);
            failures += report("COW page shared with a forked child", cow_page(), expect_avoided: false);
            failures += report("COW page, caller passes MM_CP_DIRTY_ACCT", cow_page_dirty_acct(), expect_avoided: false);
            return failures;
        }

        private readonly struct outcome
        {
            public outcome(bool avoided, bool sharer_sees_write)
            {
                this.avoided = avoided;
                this.sharer_sees_write = sharer_sees_write;
            }

            public readonly bool avoided;
            public readonly bool sharer_sees_write;
        }

        private static int report(string what, outcome o, bool expect_avoided)
        {
            string avoided = o.avoided ? "write fault AVOIDED (pte writable after mprotect)" : "write fault taken";
            string leak = o.sharer_sees_write ? "; the other sharer SEES the write" : string.Empty;
            Console.WriteLine($"  {what,-44} {avoided}{leak}");
            return o.avoided == expect_avoided && !o.sharer_sees_write ? 0 : 1;
        }

        /// <summary>mprotect(R) then mprotect(RW) and one store: did the store fault?</summary>
        private static bool reprotect_and_store(mm_struct mm, ulong addr, byte value)
        {
            mprotect.sys_mprotect(mm, addr, PAGE_SIZE, PROT_READ);
            mprotect.sys_mprotect(mm, addr, PAGE_SIZE, PROT_READ | PROT_WRITE);
            bool writable = pte_write(ptep_get(mm, addr));
            int faults = mm.nr_page_faults;
            cpu.store(mm, addr, value);
            return writable && mm.nr_page_faults == faults;
        }

        private static outcome exclusive_anon()
        {
            var mm = new mm_struct();
            ulong addr = mmap.do_mmap(mm, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
            cpu.store(mm, addr, 1);
            bool avoided = reprotect_and_store(mm, addr, 2);
            return new outcome(avoided, sharer_sees_write: false);
        }

        private static outcome ksm_page()
        {
            var a = new mm_struct();
            var b = new mm_struct();
            ulong addr_a = mmap.do_mmap(a, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
            ulong addr_b = mmap.do_mmap(b, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
            cpu.store(a, addr_a, 7);
            cpu.store(b, addr_b, 7);
            ksm.ksm_madvise(a, addr_a, addr_a + PAGE_SIZE, ksm.MADV_MERGEABLE);
            ksm.ksm_madvise(b, addr_b, addr_b + PAGE_SIZE, ksm.MADV_MERGEABLE);
            ksm.ksm_do_scan();
            bool avoided = reprotect_and_store(a, addr_a, 8);
            bool leak = cpu.peek(b, addr_b) == 8;
            ksm.ksm_exit(a);
            ksm.ksm_exit(b);
            return new outcome(avoided, leak);
        }

        private static outcome cow_page()
        {
            var parent = new mm_struct();
            ulong addr = mmap.do_mmap(parent, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
            cpu.store(parent, addr, 3);
            var child = fork.dup_mm(parent);
            bool avoided = reprotect_and_store(parent, addr, 4);
            bool leak = cpu.peek(child, addr) == 4;
            return new outcome(avoided, leak);
        }

        /// <summary>
        /// A caller that asks for dirty accounting on a private mapping (mprotect_fixup() never does;
        /// the predicate must not depend on that): the reviewed port still refuses the shared page,
        /// the as-posted predicate makes it writable and the child sees the parent's write.
        /// </summary>
        private static outcome cow_page_dirty_acct()
        {
            var parent = new mm_struct();
            ulong addr = mmap.do_mmap(parent, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
            cpu.store(parent, addr, 3);
            var child = fork.dup_mm(parent);
            var vma = find_vma(parent, addr)!;
            mprotect.change_protection(vma, addr, addr + PAGE_SIZE, vma.vm_page_prot, MM_CP_DIRTY_ACCT);
            bool writable = pte_write(ptep_get(parent, addr));
            int faults = parent.nr_page_faults;
            cpu.store(parent, addr, 4);
            bool avoided = writable && parent.nr_page_faults == faults;
            bool leak = cpu.peek(child, addr) == 4;
            return new outcome(avoided, leak);
        }
    }
}
