// The machine the port runs on: one CPU whose MMU walks the process's page tables on every user
// load and store, sets the accessed/dirty bits, and raises a page fault when the pte does not
// allow the access. Tests and the demo drive the port through it, like a process would.
using static SampleMm.mm;
using static SampleMm.pgtable;

namespace SampleMm
{
    /// <summary>What a user access ended in.</summary>
    public enum access_result
    {
        /// <summary>The access completed.</summary>
        ok,

        /// <summary>SIGSEGV: no VMA, or the VMA forbids the access.</summary>
        sigsegv,

        /// <summary>SIGBUS.</summary>
        sigbus,

        /// <summary>The access sleeps in handle_userfault() until the userfaultfd monitor resolves it.</summary>
        blocked_in_userfault,
    }

    public static class cpu
    {
        /// <summary>A user store of one byte at addr.</summary>
        public static access_result store(mm_struct mm, ulong addr, byte value) =>
            access(mm, addr, true, value, out _);

        /// <summary>A user load of one byte at addr.</summary>
        public static access_result load(mm_struct mm, ulong addr, out byte value) =>
            access(mm, addr, false, 0, out value);

        /// <summary>Load that must succeed (test helper).</summary>
        public static byte peek(mm_struct mm, ulong addr)
        {
            var result = load(mm, addr, out byte value);
            VM_BUG_ON(result != access_result.ok, "peek: " + result);
            return value;
        }

        private static access_result access(mm_struct mm, ulong addr, bool write, byte value, out byte loaded)
        {
            loaded = 0;
            for (int attempt = 0; attempt < 4; attempt++)
            {
                bool have_pte = pte_offset_map(mm, addr, false, out var ptep);
                pte_t pte = have_pte ? ptep.get() : default;
                bool present = (pte.pte & _PAGE_PRESENT) != 0;

                // The MMU lets the access through: no fault, no kernel involved.
                if (present && (!write || pte_write(pte)))
                {
                    var page = pfn_to_page(pte_pfn(pte));
                    int offset = (int)(addr & ~PAGE_MASK);
                    if (write)
                    {
                        page.data[offset] = value;
                        ptep.set(new pte_t(pte.pte | _PAGE_ACCESSED | _PAGE_DIRTY));
                    }
                    else
                    {
                        loaded = page.data[offset];
                        ptep.set(new pte_t(pte.pte | _PAGE_ACCESSED));
                    }

                    return access_result.ok;
                }

                ulong error_code = fault.X86_PF_USER;
                if (write)
                {
                    error_code |= fault.X86_PF_WRITE;
                }

                if (present)
                {
                    error_code |= fault.X86_PF_PROT;
                }

                uint ret = fault.do_user_addr_fault(mm, error_code, addr);
                if ((ret & VM_FAULT_SIGSEGV) != 0)
                {
                    return access_result.sigsegv;
                }

                if ((ret & VM_FAULT_SIGBUS) != 0)
                {
                    return access_result.sigbus;
                }

                if ((ret & VM_FAULT_RETRY) != 0)
                {
                    return access_result.blocked_in_userfault;
                }
            }

            throw new kernel_bug("the fault handler made no progress at 0x" + addr.ToString("x"));
        }
    }
}
