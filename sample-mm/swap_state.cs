// mm/swap_state.c and mm/swapfile.c (Linux v5.13): the swap cache and the swap slots. Reclaim
// (vmscan.cs) puts an anonymous page into the swap cache (add_to_swap()) before it unmaps it;
// from then on the swap cache holds a reference, so page_count() is 2 for a page still mapped by
// one pte - the race Linus asked about in the review. try_to_unmap() then replaces the ptes with
// swap entries, each holding a count on the slot (swap_map); do_swap_page() maps the page back.
using System;
using System.Collections.Generic;
using static SampleMm.mm;
using static SampleMm.page_flags;
using static SampleMm.pagemap;

namespace SampleMm
{
    public static class swap_state
    {
        private static ulong next_swap_offset = 1;

        /// <summary>The swap cache: swap entry to page (swapper_spaces[]).</summary>
        public static readonly Dictionary<ulong, page> swapper_space = new Dictionary<ulong, page>();

        /// <summary>swap_info_struct.swap_map: how many swap ptes refer to each allocated slot.</summary>
        public static readonly Dictionary<ulong, int> swap_map = new Dictionary<ulong, int>();

        /// <summary>The swap device: what pageout() wrote to each slot.</summary>
        public static readonly Dictionary<ulong, byte[]> swap_device = new Dictionary<ulong, byte[]>();

        /// <summary>Forget every slot (a test starts a fresh machine).</summary>
        public static void reset()
        {
            swapper_space.Clear();
            swap_map.Clear();
            swap_device.Clear();
        }

        /// <summary>get_swap_page(): allocate a swap slot.</summary>
        public static swp_entry_t get_swap_page(page page)
        {
            var entry = new swp_entry_t(next_swap_offset++);
            swap_map[entry.val] = 0;
            return entry;
        }

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

            var entry = page.private_swap;
            swapper_space.Remove(entry.val);
            ClearPageSwapCache(page);
            page.private_swap = default;
            // The slot is free once no swap pte refers to it either.
            if (swap_map.TryGetValue(entry.val, out int count) && count == 0)
            {
                swap_map.Remove(entry.val);
                swap_device.Remove(entry.val);
            }

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

        /// <summary>swap_duplicate(): one more swap pte refers to the slot (try_to_unmap(), fork).</summary>
        public static void swap_duplicate(swp_entry_t entry) => swap_map[entry.val]++;

        /// <summary>swap_count of a slot: how many swap ptes refer to it.</summary>
        public static int __swap_count(swp_entry_t entry) => swap_map.TryGetValue(entry.val, out int count) ? count : 0;

        /// <summary>swap_free(): a swap pte that referred to the slot is gone.</summary>
        public static void swap_free(swp_entry_t entry)
        {
            int count = swap_map[entry.val] - 1;
            swap_map[entry.val] = count;
            // Last reference and no swap cache page: the slot is free.
            if (count == 0 && !swapper_space.ContainsKey(entry.val))
            {
                swap_map.Remove(entry.val);
                swap_device.Remove(entry.val);
            }
        }

        /// <summary>
        /// free_swap_and_cache() (zap of a swap pte): drop the slot's count and, when nothing else
        /// uses it, the swap cache page too.
        /// </summary>
        public static void free_swap_and_cache(swp_entry_t entry)
        {
            swap_free(entry);
            if (__swap_count(entry) == 0 && swapper_space.TryGetValue(entry.val, out var page) && !page_mapped(page))
            {
                // find_get_page(): our reference keeps the page while we take it out, locked.
                get_page(page);
                if (trylock_page(page))
                {
                    delete_from_swap_cache(page);
                    unlock_page(page);
                }

                put_page(page);
            }
        }

        /// <summary>lookup_swap_cache(): the swap cache page of an entry, with a reference, or null.</summary>
        public static page? lookup_swap_cache(swp_entry_t entry)
        {
            if (!swapper_space.TryGetValue(entry.val, out var page))
            {
                return null;
            }

            get_page(page);
            return page;
        }

        /// <summary>
        /// swapin_readahead() / read_swap_cache_async(), one page: a new page in the swap cache, read
        /// from the swap device. Returned with a reference for the caller.
        /// </summary>
        public static page swapin_readahead(swp_entry_t entry)
        {
            var page = alloc_page();
            Array.Copy(swap_device[entry.val], page.data, (int)PAGE_SIZE);
            __SetPageUptodate(page);
            // It was an anonymous page when it went out (__page_set_anon_rmap() redoes the anon_vma).
            page.mapping_flags = PAGE_MAPPING_ANON;
            lock_page(page);
            add_to_swap_cache(page, entry);
            unlock_page(page);
            return page;
        }

        /// <summary>
        /// reuse_swap_page(): may a write fault reuse this locked swap cache page? Only when its
        /// mappings plus the swap ptes that still refer to it add up to one (the faulting pte). It
        /// then leaves the swap cache. Never for a KSM page.
        /// </summary>
        public static bool reuse_swap_page(page page, swp_entry_t entry)
        {
            VM_BUG_ON_PAGE(!PageLocked(page), page);
            if (PageKsm(page))
            {
                return false;
            }

            int count = page_mapcount(page) + __swap_count(entry);
            // Exclusive: take it out of the swap cache; its contents are now only in memory.
            if (count == 1 && PageSwapCache(page))
            {
                delete_from_swap_cache(page);
                SetPageDirty(page);
            }

            return count <= 1;
        }
    }
}
