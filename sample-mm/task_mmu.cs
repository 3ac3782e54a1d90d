// fs/proc/task_mmu.c (Linux v5.13): /proc/PID/clear_refs ("4": clear the soft-dirty bits) and
// /proc/PID/pagemap (what a soft-dirty tracker such as CRIU reads back).
using static SampleMm.memory;
using static SampleMm.mm;
using static SampleMm.pgtable;

namespace SampleMm
{
    public static class task_mmu
    {
        public const ulong PM_SOFT_DIRTY = 1UL << 55;
        public const ulong PM_MMAP_EXCLUSIVE = 1UL << 56;
        public const ulong PM_FILE = 1UL << 61;
        public const ulong PM_SWAP = 1UL << 62;
        public const ulong PM_PRESENT = 1UL << 63;

        /// <summary>
        /// pte_is_pinned(): clear_refs leaves a writable pte of a COW mapping alone when its page may
        /// be pinned for DMA (write-protecting it would make the next write copy the page away from
        /// the pin).
        /// </summary>
        private static bool pte_is_pinned(vm_area_struct vma, ulong addr, pte_t pte)
        {
            if (!pte_write(pte) || !is_cow_mapping(vma.vm_flags) || !vma.vm_mm.has_pinned)
            {
                return false;
            }

            var page = vm_normal_page(vma, addr, pte);
            return page is not null && gup.page_maybe_dma_pinned(page);
        }

        /// <summary>
        /// clear_refs_write(CLEAR_REFS_SOFT_DIRTY): soft-dirty tracking starts (VM_SOFTDIRTY cleared,
        /// the VMA protection recomputed: shared mappings now want write notification), and every
        /// pte is write-protected with its soft-dirty bit cleared - its dirty bit stays - so the next
        /// write faults and sets soft-dirty again.
        /// </summary>
        public static void clear_refs_soft_dirty(mm_struct mm)
        {
            foreach (var vma in mm.mmap)
            {
                if ((vma.vm_flags & VM_SOFTDIRTY) != 0)
                {
                    vma.vm_flags &= ~VM_SOFTDIRTY;
                    mmap.vma_set_page_prot(vma);
                }

                for (ulong addr = vma.vm_start; addr < vma.vm_end; addr += PAGE_SIZE)
                {
                    if (!pte_offset_map(mm, addr, false, out var ptep))
                    {
                        continue;
                    }

                    pte_t ptent = ptep.get();
                    if (pte_present(ptent))
                    {
                        if (pte_is_pinned(vma, addr, ptent))
                        {
                            continue;
                        }

                        ptent = pte_wrprotect(ptent);
                        ptent = pte_clear_soft_dirty(ptent);
                        set_pte_at(mm, addr, ptep, ptent);
                    }
                    else if (is_swap_pte(ptent))
                    {
                        set_pte_at(mm, addr, ptep, pte_swp_clear_soft_dirty(ptent));
                    }
                }
            }
        }

        /// <summary>
        /// pagemap_read() for one address: PM_PRESENT / PM_SWAP, PM_SOFT_DIRTY (the pte's or swap
        /// pte's soft-dirty bit, or the VMA's VM_SOFTDIRTY), PM_MMAP_EXCLUSIVE. The pfn is left out
        /// (v5.13 hides it from unprivileged readers).
        /// </summary>
        public static ulong pagemap_entry(mm_struct mm, ulong addr)
        {
            var vma = find_vma(mm, addr);
            if (vma is null || vma.vm_start > addr)
            {
                return 0;
            }

            ulong flags = 0;
            pte_t pte = ptep_get(mm, addr);
            if (pte_present(pte))
            {
                flags |= PM_PRESENT;
                if (pte_soft_dirty(pte))
                {
                    flags |= PM_SOFT_DIRTY;
                }

                var page = vm_normal_page(vma, addr, pte);
                if (page is not null && !page_flags.PageAnon(page))
                {
                    flags |= PM_FILE;
                }

                if (page is not null && page._mapcount == 0)
                {
                    flags |= PM_MMAP_EXCLUSIVE;
                }
            }
            else if (is_swap_pte(pte))
            {
                flags |= PM_SWAP;
                if (pte_swp_soft_dirty(pte))
                {
                    flags |= PM_SOFT_DIRTY;
                }
            }

            if ((vma.vm_flags & VM_SOFTDIRTY) != 0)
            {
                flags |= PM_SOFT_DIRTY;
            }

            return flags;
        }
    }
}
