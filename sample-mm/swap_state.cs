// mm/swap_state.c (Linux v5.13): the swap cache. Reclaim puts an anonymous page into the swap
// cache (add_to_swap()) before it unmaps it; from then on the swap cache holds a reference, so
// page_count() is 2 for a page still mapped by one pte - the race Linus asked about in the review.
using static SampleMm.mm;
using static SampleMm.page_flags;
using static SampleMm.pagemap;

namespace SampleMm
{
    public static class swap_state
    {
        private static ulong next_swap_offset = 1;

        /// <summary>The swap cache: swap entry to page (swapper_spaces[]).</summary>
        public static readonly System.Collections.Generic.Dictionary<ulong, page> swapper_space =
            new System.Collections.Generic.Dictionary<ulong, page>();

        /// <summary>get_swap_page(): allocate a swap slot.</summary>
        public static swp_entry_t get_swap_page(page page) => new swp_entry_t(next_swap_offset++);

        /// <summary>
        /// add_to_swap_cache(): the swap cache takes a reference to the (locked) page and remembers
        /// its swap entry.
        /// </summary>
        public static int add_to_swap_cache(page page, swp_entry_t entry)
        {
            VM_BUG_ON_PAGE(!PageLocked(page), page);
            VM_BUG_ON_PAGE(PageSwapCache(page), page);

            // page_ref_add(page, nr): the swap cache's reference.
            page._refcount++;
            SetPageSwapCache(page);
            page.private_swap = entry;
            swapper_space[entry.val] = page;
            return 0;
        }

        /// <summary>delete_from_swap_cache(): drop the swap cache's reference (page locked).</summary>
        public static void delete_from_swap_cache(page page)
        {
            VM_BUG_ON_PAGE(!PageLocked(page), page);
            VM_BUG_ON_PAGE(!PageSwapCache(page), page);

            swapper_space.Remove(page.private_swap.val);
            ClearPageSwapCache(page);
            page.private_swap = default;
            put_page(page);
        }

        /// <summary>
        /// add_to_swap(): allocate swap space for a locked anonymous page and add it to the swap
        /// cache (shrink_page_list() calls this with the page locked, before try_to_unmap()).
        /// </summary>
        public static bool add_to_swap(page page)
        {
            VM_BUG_ON_PAGE(!PageLocked(page), page);
            VM_BUG_ON_PAGE(!PageUptodate(page), page);

            var entry = get_swap_page(page);
            // Out of swap space.
            if (entry.val == 0)
            {
                return false;
            }

            add_to_swap_cache(page, entry);

            // Normally the page will be dirtied in unmap because its pte should be dirty. A special
            // case is MADV_FREE page. Mark it dirty anyway.
            set_page_dirty(page);
            return true;
        }
    }
}
