using static SampleMm.mm;
using static SampleMm.pgtable;

namespace SampleMm.Tests
{
    /// <summary>A user process on the port: an address space plus the syscalls and accesses tests use.</summary>
    internal sealed class process
    {
        public readonly mm_struct mm;

        public process()
            : this(new mm_struct())
        {
        }

        private process(mm_struct mm)
        {
            this.mm = mm;
        }

        public ulong mmap_anon(ulong prot = PROT_READ | PROT_WRITE, ulong pages = 1) =>
            mmap.do_mmap(mm, pages * PAGE_SIZE, prot, MAP_PRIVATE | MAP_ANONYMOUS);

        public ulong mmap_file(@file file, ulong flags, ulong prot = PROT_READ | PROT_WRITE) =>
            mmap.do_mmap(mm, PAGE_SIZE, prot, flags, file);

        public int mprotect(ulong addr, ulong prot) => SampleMm.mprotect.sys_mprotect(mm, addr, PAGE_SIZE, prot);

        /// <summary>The mprotect(PROT_READ) then mprotect(PROT_READ|PROT_WRITE) cycle of the patch.</summary>
        public void reprotect_read_then_read_write(ulong addr)
        {
            Assert.Equal(0, mprotect(addr, PROT_READ));
            Assert.False(pte_write(pte(addr)), "mprotect(PROT_READ) must write-protect the pte");
            Assert.Equal(0, mprotect(addr, PROT_READ | PROT_WRITE));
        }

        public access_result store(ulong addr, byte value) => cpu.store(mm, addr, value);

        public byte load(ulong addr) => cpu.peek(mm, addr);

        /// <summary>exit(): leave ksmd's list and unmap everything (pages shared with others survive).</summary>
        public void exit()
        {
            ksm.ksm_exit(mm);
            mmap.exit_mmap(mm);
        }

        public process fork() => new process(SampleMm.fork.dup_mm(mm));

        public pte_t pte(ulong addr) => ptep_get(mm, addr);

        public page page(ulong addr) => pte_page(pte(addr));

        /// <summary>Store and report how many page faults it took.</summary>
        public int store_counting_faults(ulong addr, byte value)
        {
            int before = mm.nr_page_faults;
            Assert.Equal(access_result.ok, store(addr, value));
            return mm.nr_page_faults - before;
        }
    }
}
