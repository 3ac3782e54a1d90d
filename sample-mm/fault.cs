// arch/x86/mm/fault.c (Linux v5.13), reduced: the user page fault handler. It checks the access
// against the VMA (a write needs VM_WRITE) before handle_mm_fault() - do_wp_page() relies on that.
using static SampleMm.memory;
using static SampleMm.mm;

namespace SampleMm
{
    public static class fault
    {
        // Page fault error code bits.
        public const ulong X86_PF_PROT = 1UL << 0;
        public const ulong X86_PF_WRITE = 1UL << 1;
        public const ulong X86_PF_USER = 1UL << 2;

        /// <summary>access_error() for a write: the VMA must allow writing.</summary>
        private static bool access_error_write(vm_area_struct vma)
        {
            // write, present and write, not present: a write to a VMA without VM_WRITE is SIGSEGV.
            if ((vma.vm_flags & VM_WRITE) == 0)
            {
                return true;
            }

            return false;
        }

        /// <summary>access_error(): is this access forbidden by the VMA's permissions?</summary>
        public static bool access_error(ulong error_code, vm_area_struct vma)
        {
            // Writes have their own test: VM_WRITE.
            if ((error_code & X86_PF_WRITE) != 0)
            {
                return access_error_write(vma);
            }

            // read, present: a protection fault on a read is always an error.
            if ((error_code & X86_PF_PROT) != 0)
            {
                return true;
            }

            // read, not present: the VMA must be accessible at all.
            return !vma_is_accessible(vma);
        }

        /// <summary>do_user_addr_fault(): find the VMA, check the access, handle the fault.</summary>
        public static uint do_user_addr_fault(mm_struct mm, ulong error_code, ulong address)
        {
            uint flags = FAULT_FLAG_USER;
            var vma = find_vma(mm, address);

            // No mapping at this address: bad_area().
            if (vma is null || vma.vm_start > address)
            {
                return VM_FAULT_SIGSEGV;
            }

            // Ok, we have a good vm_area for this memory access, so we can handle it..
            if (access_error(error_code, vma))
            {
                return VM_FAULT_SIGSEGV;
            }

            if ((error_code & X86_PF_WRITE) != 0)
            {
                flags |= FAULT_FLAG_WRITE;
            }

            return handle_mm_fault(vma, address, flags);
        }
    }
}
