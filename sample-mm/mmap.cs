// mm/mmap.c (Linux v5.13): creating, splitting and removing VMAs, and the writenotify decision
// that makes mprotect() pass MM_CP_DIRTY_ACCT.
using static SampleMm.memory;
using static SampleMm.mm;
using static SampleMm.pgtable;

namespace SampleMm
{
    public static class mmap
    {
        /// <summary>Shared file mappings get these vm_ops (vma_is_anonymous() is false for them).</summary>
        public static readonly vm_operations_struct generic_file_vm_ops = new vm_operations_struct("generic_file_vm_ops");

        /// <summary>
        /// vma_wants_writenotify(): some shared mappings will want the pages marked read-only to
        /// track write events (dirty accounting). Then mprotect() passes MM_CP_DIRTY_ACCT.
        /// </summary>
        public static bool vma_wants_writenotify(vm_area_struct vma, pgprot_t vm_page_prot)
        {
            ulong vm_flags = vma.vm_flags;

            // If it was private or non-writable, the write bit is already clear.
            if ((vm_flags & (VM_WRITE | VM_SHARED)) != (VM_WRITE | VM_SHARED))
            {
                return false;
            }

            // Do we need to track softdirty?
            if ((vm_flags & VM_SOFTDIRTY) == 0)
            {
                return true;
            }

            // Specialty mapping?
            if ((vm_flags & VM_PFNMAP) != 0)
            {
                return false;
            }

            // Can the mapping track the dirty pages?
            return vma.vm_file is not null && vma.vm_file.f_mapping.can_writeback;
        }

        /// <summary>
        /// vma_set_page_prot(): vm_page_prot from vm_flags; a writenotify mapping gets the private
        /// (read-only) protection so the first write to each page faults into wp_page_shared().
        /// </summary>
        public static void vma_set_page_prot(vm_area_struct vma)
        {
            ulong vm_flags = vma.vm_flags;
            pgprot_t vm_page_prot = vm_get_page_prot(vm_flags);
            if (vma_wants_writenotify(vma, vm_page_prot))
            {
                vm_flags &= ~VM_SHARED;
                vm_page_prot = vm_get_page_prot(vm_flags);
            }

            vma.vm_page_prot = vm_page_prot;
        }

        /// <summary>
        /// do_mmap(): a new VMA at a free address. <paramref name="file"/> null with MAP_ANONYMOUS
        /// gives anonymous memory; a file gives a (shared or private) file mapping.
        /// </summary>
        public static ulong do_mmap(mm_struct mm, ulong len, ulong prot, ulong flags, @file? file = null, ulong pgoff = 0)
        {
            len = (len + PAGE_SIZE - 1) & PAGE_MASK;
            ulong addr = mm.mmap_base;
            foreach (var existing in mm.mmap)
            {
                if (existing.vm_end > addr)
                {
                    addr = existing.vm_end;
                }
            }

            // Leave a guard gap so that VMAs never merge by accident.
            addr += PAGE_SIZE;

            ulong vm_flags = (prot & (PROT_READ | PROT_WRITE | PROT_EXEC)) | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;
            if ((flags & MAP_SHARED) != 0)
            {
                vm_flags |= VM_SHARED | VM_MAYSHARE;
            }

            var vma = new vm_area_struct(mm, addr, addr + len, vm_flags)
            {
                vm_file = file,
                vm_pgoff = pgoff,
                vm_ops = file is null ? null : generic_file_vm_ops,
            };

            // New mappings start soft-dirty: no soft-dirty tracking until clear_refs.
            vma.vm_flags |= VM_SOFTDIRTY;
            vma_set_page_prot(vma);
            insert_vm_struct(mm, vma);
            return addr;
        }

        /// <summary>insert_vm_struct(): keep mm->mmap sorted.</summary>
        public static void insert_vm_struct(mm_struct mm, vm_area_struct vma)
        {
            int i = 0;
            while (i < mm.mmap.Count && mm.mmap[i].vm_start < vma.vm_start)
            {
                i++;
            }

            mm.mmap.Insert(i, vma);
        }

        /// <summary>vm_area_dup(): a copy of a VMA for split_vma() and fork.</summary>
        public static vm_area_struct vm_area_dup(vm_area_struct orig, mm_struct mm)
        {
            return new vm_area_struct(mm, orig.vm_start, orig.vm_end, orig.vm_flags)
            {
                vm_page_prot = orig.vm_page_prot,
                anon_vma = orig.anon_vma,
                vm_ops = orig.vm_ops,
                vm_pgoff = orig.vm_pgoff,
                vm_file = orig.vm_file,
                vm_userfaultfd_ctx = orig.vm_userfaultfd_ctx,
            };
        }

        /// <summary>__split_vma(): split at addr; the VMA keeps [vm_start, addr), the new one [addr, vm_end).</summary>
        public static vm_area_struct split_vma(vm_area_struct vma, ulong addr)
        {
            var mm = vma.vm_mm;
            var tail = vm_area_dup(vma, mm);
            tail.vm_start = addr;
            tail.vm_pgoff += (addr - vma.vm_start) / PAGE_SIZE;
            vma.vm_end = addr;
            insert_vm_struct(mm, tail);
            return tail;
        }

        /// <summary>Split so that one VMA covers exactly [start, end) and return it (mprotect_fixup()).</summary>
        public static vm_area_struct split_vma_range(vm_area_struct vma, ulong start, ulong end)
        {
            if (start > vma.vm_start)
            {
                vma = split_vma(vma, start);
            }

            if (end < vma.vm_end)
            {
                split_vma(vma, end);
            }

            return vma;
        }

        /// <summary>do_munmap(): unmap [start, start+len): zap the ptes and drop the VMAs.</summary>
        public static int do_munmap(mm_struct mm, ulong start, ulong len)
        {
            len = (len + PAGE_SIZE - 1) & PAGE_MASK;
            ulong end = start + len;
            foreach (var vma in mm.mmap.ToArray())
            {
                if (vma.vm_end <= start || vma.vm_start >= end)
                {
                    continue;
                }

                var victim = split_vma_range(vma, start > vma.vm_start ? start : vma.vm_start, end < vma.vm_end ? end : vma.vm_end);
                zap_page_range(victim, victim.vm_start, victim.vm_end);
                mm.mmap.Remove(victim);
            }

            return 0;
        }

        /// <summary>exit_mmap(): the process exits; every mapping goes.</summary>
        public static void exit_mmap(mm_struct mm)
        {
            // mmput(): ksm_exit() first, then the mappings go.
            ksm.ksm_exit(mm);
            foreach (var vma in mm.mmap.ToArray())
            {
                zap_page_range(vma, vma.vm_start, vma.vm_end);
            }

            mm.mmap.Clear();
            mm_struct.all.Remove(mm);
        }
    }
}
