// mm/rmap.c (Linux v5.13): map counts, the anonymous reverse-map anchor of a page, and
// try_to_unmap() (reclaim replaces every pte of a swap cache page with its swap entry).
using static SampleMm.mm;
using static SampleMm.page_flags;
using static SampleMm.pagemap;
using static SampleMm.pgtable;

namespace SampleMm
{
    public static class rmap
    {
        /// <summary>anon_vma_prepare(): give the VMA an anon_vma before its first anonymous page.</summary>
        public static int anon_vma_prepare(vm_area_struct vma)
        {
            if (vma.anon_vma is null)
            {
                vma.anon_vma = new anon_vma();
            }

            return 0;
        }

        /// <summary>page_add_new_anon_rmap(): a freshly allocated page becomes anonymous, mapped once.</summary>
        public static void page_add_new_anon_rmap(page page, vm_area_struct vma, ulong address)
        {
            VM_BUG_ON_PAGE(page_mapped(page), page);
            page._mapcount = 0;
            page.mapping = vma.anon_vma;
            page.mapping_flags = PAGE_MAPPING_ANON;
            page.index = (address - vma.vm_start) / PAGE_SIZE + vma.vm_pgoff;
        }

        /// <summary>page_add_anon_rmap(): one more pte maps an existing anonymous page (KSM merge).</summary>
        public static void page_add_anon_rmap(page page, vm_area_struct vma, ulong address)
        {
            VM_BUG_ON_PAGE(!PageAnon(page), page);
            page._mapcount++;
        }

        /// <summary>page_add_file_rmap(): one more pte maps a page-cache page.</summary>
        public static void page_add_file_rmap(page page)
        {
            page._mapcount++;
        }

        /// <summary>page_dup_rmap(): fork copied a pte that maps the page.</summary>
        public static void page_dup_rmap(page page)
        {
            page._mapcount++;
        }

        /// <summary>page_remove_rmap(): a pte that mapped the page is gone.</summary>
        public static void page_remove_rmap(page page)
        {
            VM_BUG_ON_PAGE(!page_mapped(page), page);
            page._mapcount--;
        }

        /// <summary>
        /// try_to_unmap() for a locked swap cache page: the rmap walk (the port searches every mm's
        /// page tables for the pfn) replaces each pte with the page's swap entry, keeping its
        /// soft-dirty and uffd-wp bits in the swap pte, and drops the pte's map count and reference.
        /// A pte whose page table lock another CPU holds is left mapped (the kernel would spin on
        /// it; the port gives up, as a failed trylock would). True when the page is no longer mapped.
        /// </summary>
        public static bool try_to_unmap(page page)
        {
            VM_BUG_ON_PAGE(!PageLocked(page), page);
            VM_BUG_ON_PAGE(!PageSwapCache(page), page);
            var entry = page.private_swap;
            foreach (var mm in mm_struct.all.ToArray())
            {
                foreach (var vma in mm.mmap)
                {
                    for (ulong address = vma.vm_start; address < vma.vm_end; address += PAGE_SIZE)
                    {
                        if (!pte_offset_map(mm, address, false, out var ptep))
                        {
                            continue;
                        }

                        pte_t pteval = ptep.get();
                        if (!pte_present(pteval) || pte_special(pteval) || pte_pfn(pteval) != page.pfn)
                        {
                            continue;
                        }

                        // The pte is locked by the CPU that walks this mm's page table.
                        if (mm.page_table_lock_held)
                        {
                            continue;
                        }

                        pteval = ptep_get_and_clear(mm, address, ptep);

                        // Move the dirty bit to the page now the pte is gone.
                        if (pte_dirty(pteval))
                        {
                            set_page_dirty(page);
                        }

                        swap_state.swap_duplicate(entry);
                        var swp_pte = swp_entry_to_pte(entry);
                        if (pte_soft_dirty(pteval))
                        {
                            swp_pte = pte_swp_mksoft_dirty(swp_pte);
                        }

                        if (pte_uffd_wp(pteval))
                        {
                            swp_pte = pte_swp_mkuffd_wp(swp_pte);
                        }

                        set_pte_at(mm, address, ptep, swp_pte);
                        page_remove_rmap(page);
                        put_page(page);
                    }
                }
            }

            return !page_mapped(page);
        }
    }
}
