// mm/gup.c (Linux v5.13), reduced: pin_user_pages_fast(FOLL_PIN | FOLL_WRITE) of one page, as
// O_DIRECT or RDMA do, and unpin_user_page(). A pin adds GUP_PIN_COUNTING_BIAS to the refcount, so
// a pinned page is never "referenced once".
using static SampleMm.memory;
using static SampleMm.mm;
using static SampleMm.pgtable;

namespace SampleMm
{
    public static class gup
    {
        public const int GUP_PIN_COUNTING_BIAS = 1024;

        /// <summary>page_maybe_dma_pinned().</summary>
        public static bool page_maybe_dma_pinned(page page) => page._refcount >= GUP_PIN_COUNTING_BIAS;

        /// <summary>
        /// pin_user_pages_fast(addr, 1, FOLL_WRITE): fault the page in for writing (breaking COW, as
        /// a write would), then pin it. Null when the address cannot be written (no VMA, no
        /// VM_WRITE, SIGBUS, or a userfaultfd that must resolve the fault first).
        /// </summary>
        public static page? pin_user_page_write(mm_struct mm, ulong addr)
        {
            for (int attempt = 0; attempt < 4; attempt++)
            {
                var vma = find_vma(mm, addr);
                // No mapping at this address.
                if (vma is null || vma.vm_start > addr)
                {
                    return null;
                }

                // check_vma_flags(): a write pin needs VM_WRITE.
                if (check_vma_flags(vma) != 0)
                {
                    return null;
                }

                // follow_page_pte(): a present, writable pte of a normal page.
                pte_t pte = ptep_get(mm, addr);
                if ((pte.pte & _PAGE_PRESENT) != 0 && pte_write(pte))
                {
                    var page = vm_normal_page(vma, addr & PAGE_MASK, pte);
                    if (page is null)
                    {
                        return null;
                    }

                    // try_grab_page(FOLL_PIN).
                    page._refcount += GUP_PIN_COUNTING_BIAS;
                    mm.has_pinned = true;
                    return page;
                }

                // faultin_page(): a write fault.
                uint ret = handle_mm_fault(vma, addr, FAULT_FLAG_WRITE);
                if ((ret & (VM_FAULT_ERROR | VM_FAULT_RETRY)) != 0)
                {
                    return null;
                }
            }

            return null;
        }

        /// <summary>check_vma_flags() for FOLL_WRITE without FOLL_FORCE: the VMA must be writable.</summary>
        private static int check_vma_flags(vm_area_struct vma)
        {
            // A write pin of a VMA without VM_WRITE.
            if ((vma.vm_flags & VM_WRITE) == 0)
            {
                return -EFAULT;
            }

            return 0;
        }

        /// <summary>unpin_user_page(): drop the pin (the last reference frees the page).</summary>
        public static void unpin_user_page(page page)
        {
            VM_BUG_ON_PAGE(page._refcount < GUP_PIN_COUNTING_BIAS, page);
            page._refcount -= GUP_PIN_COUNTING_BIAS - 1;
            put_page(page);
        }
    }
}
