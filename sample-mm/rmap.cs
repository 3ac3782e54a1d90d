// mm/rmap.c (Linux v5.13): map counts and the anonymous reverse-map anchor of a page.
using static SampleMm.mm;
using static SampleMm.page_flags;

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
    }
}
