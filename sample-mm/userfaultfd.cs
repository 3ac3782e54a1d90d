// include/linux/userfaultfd_k.h, fs/userfaultfd.c and mm/userfaultfd.c (Linux v5.13): the
// write-protect mode of userfaultfd. A monitor registers a range with UFFDIO_REGISTER_MODE_WP
// (VM_UFFD_WP on the VMA), write-protects ptes with UFFDIO_WRITEPROTECT (the _PAGE_UFFD_WP bit),
// and then must see every write to them as a message.
using System.Collections.Generic;
using GuardOrder;
using static SampleMm.mm;
using static SampleMm.pgtable;

namespace SampleMm
{
    /// <summary>struct uffd_msg (UFFD_EVENT_PAGEFAULT only).</summary>
    public readonly struct uffd_msg
    {
        public uffd_msg(ulong address, ulong flags)
        {
            this.address = address;
            this.flags = flags;
        }

        public readonly ulong address;

        /// <summary>UFFD_PAGEFAULT_FLAG_WRITE / UFFD_PAGEFAULT_FLAG_WP.</summary>
        public readonly ulong flags;
    }

    /// <summary>struct userfaultfd_ctx: the file a monitor reads messages from.</summary>
    public sealed class userfaultfd_ctx
    {
        public userfaultfd_ctx(mm_struct mm)
        {
            this.mm = mm;
        }

        public readonly mm_struct mm;

        /// <summary>fault_pending_wqh: faults waiting for the monitor (read() returns them).</summary>
        public readonly List<uffd_msg> fault_pending = new List<uffd_msg>();
    }

    public static class userfaultfd
    {
        public const ulong UFFDIO_REGISTER_MODE_MISSING = 1UL << 0;
        public const ulong UFFDIO_REGISTER_MODE_WP = 1UL << 1;
        public const ulong UFFDIO_WRITEPROTECT_MODE_WP = 1UL << 0;
        public const ulong UFFD_PAGEFAULT_FLAG_WRITE = 1UL << 0;
        public const ulong UFFD_PAGEFAULT_FLAG_WP = 1UL << 1;

        /// <summary>userfaultfd_wp(): the VMA is registered for write-protect tracking.</summary>
        public static bool userfaultfd_wp(vm_area_struct vma) => (vma.vm_flags & VM_UFFD_WP) != 0;

        /// <summary>userfaultfd_missing().</summary>
        public static bool userfaultfd_missing(vm_area_struct vma) => (vma.vm_flags & VM_UFFD_MISSING) != 0;

        /// <summary>
        /// userfaultfd_pte_wp(): the pte is uffd-wp protected AND the VMA is still registered. The
        /// VMA test is a safety net: UFFDIO_UNREGISTER is lazy and leaves _PAGE_UFFD_WP on the ptes,
        /// and such a left-over bit must not send faults to a monitor that is gone. do_wp_page()
        /// hands the fault to userland exactly when this is true.
        /// </summary>
        [FaultPathCheck]
        public static bool userfaultfd_pte_wp(vm_area_struct vma, pte_t pte) => userfaultfd_wp(vma) && pte_uffd_wp(pte);

        /// <summary>userfaultfd() syscall.</summary>
        public static userfaultfd_ctx sys_userfaultfd(mm_struct mm) => new userfaultfd_ctx(mm);

        /// <summary>
        /// handle_userfault(): queue the fault for the monitor. The kernel sleeps until the monitor
        /// resolves it; the port returns VM_FAULT_RETRY and the faulting access stays blocked.
        /// </summary>
        public static uint handle_userfault(vm_fault vmf, ulong reason)
        {
            var ctx = vmf.vma.vm_userfaultfd_ctx;
            // No context (the VMA was unregistered under us): VM_FAULT_SIGBUS, as in the kernel.
            if (ctx is null)
            {
                return VM_FAULT_SIGBUS;
            }

            ulong flags = 0;
            if ((vmf.flags & FAULT_FLAG_WRITE) != 0)
            {
                flags |= UFFD_PAGEFAULT_FLAG_WRITE;
            }

            if (reason == VM_UFFD_WP)
            {
                flags |= UFFD_PAGEFAULT_FLAG_WP;
            }

            ctx.fault_pending.Add(new uffd_msg(vmf.address, flags));
            return VM_FAULT_RETRY;
        }

        /// <summary>vma_can_userfault(): v5.13 supports uffd-wp on anonymous memory only.</summary>
        private static bool vma_can_userfault(vm_area_struct vma, ulong vm_flags)
        {
            // Anonymous memory supports every mode.
            if (vma_is_anonymous(vma))
            {
                return true;
            }

            // FIXME (v5.13): add WP support to hugetlbfs and shmem.
            return (vm_flags & VM_UFFD_WP) == 0;
        }

        /// <summary>UFFDIO_REGISTER: mark the VMAs of [start, start+len) with VM_UFFD_MISSING / VM_UFFD_WP.</summary>
        public static int UFFDIO_REGISTER(userfaultfd_ctx ctx, ulong start, ulong len, ulong mode)
        {
            ulong vm_flags = 0;
            if ((mode & UFFDIO_REGISTER_MODE_MISSING) != 0)
            {
                vm_flags |= VM_UFFD_MISSING;
            }

            if ((mode & UFFDIO_REGISTER_MODE_WP) != 0)
            {
                vm_flags |= VM_UFFD_WP;
            }

            ulong end = start + len;
            foreach (var vma in ctx.mm.mmap)
            {
                if (vma.vm_end <= start || vma.vm_start >= end)
                {
                    continue;
                }

                // Check not compatible VMAs.
                if (!vma_can_userfault(vma, vm_flags))
                {
                    return -EINVAL;
                }

                // Check that this VMA isn't already owned by a different userfaultfd.
                if (vma.vm_userfaultfd_ctx is not null && vma.vm_userfaultfd_ctx != ctx)
                {
                    return -EBUSY;
                }

                vma.vm_flags = (vma.vm_flags & ~(VM_UFFD_MISSING | VM_UFFD_WP)) | vm_flags;
                vma.vm_userfaultfd_ctx = ctx;
            }

            return 0;
        }

        /// <summary>
        /// UFFDIO_UNREGISTER: clear VM_UFFD_* and the context. Lazy: the ptes keep their
        /// _PAGE_UFFD_WP bits (that is why the fault path tests userfaultfd_pte_wp(), not pte_uffd_wp()).
        /// </summary>
        public static int UFFDIO_UNREGISTER(userfaultfd_ctx ctx, ulong start, ulong len)
        {
            ulong end = start + len;
            foreach (var vma in ctx.mm.mmap)
            {
                if (vma.vm_end <= start || vma.vm_start >= end)
                {
                    continue;
                }

                vma.vm_flags &= ~(VM_UFFD_MISSING | VM_UFFD_WP);
                vma.vm_userfaultfd_ctx = null;
            }

            // Wake up the faults of this range: they retry and see an unregistered VMA.
            ctx.fault_pending.RemoveAll(msg => msg.address >= start && msg.address < end);
            return 0;
        }

        /// <summary>
        /// UFFDIO_WRITEPROTECT (mwriteprotect_range()): set (mode WP) or clear _PAGE_UFFD_WP on the
        /// ptes of the range through change_protection().
        /// </summary>
        public static int UFFDIO_WRITEPROTECT(userfaultfd_ctx ctx, ulong start, ulong len, ulong mode)
        {
            bool enable_wp = (mode & UFFDIO_WRITEPROTECT_MODE_WP) != 0;
            var dst_vma = find_vma(ctx.mm, start);
            // The range must be one registered VMA.
            if (dst_vma is null || start < dst_vma.vm_start || start + len > dst_vma.vm_end)
            {
                return -ENOENT;
            }

            // Only a VMA registered for uffd-wp can be write-protected.
            if (!userfaultfd_wp(dst_vma))
            {
                return -ENOENT;
            }

            pgprot_t newprot;
            if (enable_wp)
            {
                newprot = vm_get_page_prot(dst_vma.vm_flags & ~VM_WRITE);
            }
            else
            {
                newprot = vm_get_page_prot(dst_vma.vm_flags);
            }

            mprotect.change_protection(dst_vma, start, start + len, newprot, enable_wp ? MM_CP_UFFD_WP : MM_CP_UFFD_WP_RESOLVE);

            // Resolving wakes the faults the monitor was sitting on.
            if (!enable_wp)
            {
                ctx.fault_pending.RemoveAll(msg => msg.address >= start && msg.address < start + len);
            }

            return 0;
        }
    }
}
