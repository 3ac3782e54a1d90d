// mm/vmscan.c (Linux v5.13), reduced to one anonymous page: shrink_page_list() swapping it out.
// Reclaim holds a reference (from LRU isolation) and the page lock across several steps: while it
// works, trylock_page() by anyone else fails, and page_count() is at least 2.
using System;
using System.Collections.Generic;
using static SampleMm.mm;
using static SampleMm.page_flags;
using static SampleMm.pagemap;

namespace SampleMm
{
    public static class vmscan
    {
        /// <summary>
        /// shrink_page_list() for one page, as steps: each <c>yield</c> is a point where other work
        /// may run while reclaim still holds the page lock. Run it to the end with
        /// <see cref="shrink_page"/>, or step it (tests interleave other operations).
        /// </summary>
        public static IEnumerable<string> shrink_page_steps(page page)
        {
            // isolate_lru_page(): reclaim's reference.
            get_page(page);

            // Somebody else holds the page lock: keep the page for the next pass.
            if (!trylock_page(page))
            {
                put_page(page);
                yield break;
            }

            // Only anonymous, mapped, non-KSM pages are swapped out here (KSM pages need rmap_walk_ksm,
            // which the port does not have).
            if (!PageAnon(page) || PageKsm(page) || !page_mapped(page))
            {
                unlock_page(page);
                put_page(page);
                yield break;
            }

            if (!PageSwapCache(page) && !swap_state.add_to_swap(page))
            {
                unlock_page(page);
                put_page(page);
                yield break;
            }

            yield return "add_to_swap(): the page is in the swap cache, locked by reclaim";

            // The page is mapped: unmap it from every pte (each becomes a swap entry).
            if (!rmap.try_to_unmap(page))
            {
                // Some pte could not be unmapped: activate the page and try later.
                unlock_page(page);
                put_page(page);
                yield break;
            }

            yield return "try_to_unmap(): every pte is a swap entry";

            // pageout(): write the page to its swap slot; it is clean afterwards.
            swap_state.swap_device[page.private_swap.val] = (byte[])page.data.Clone();
            page.flags &= ~(1UL << PG_dirty);

            // __remove_mapping(): only reclaim and the swap cache hold it (no GUP pin, no other
            // reference): take it out of the swap cache; the last put_page() frees it.
            if (page_count(page) == 2)
            {
                swap_state.delete_from_swap_cache(page);
            }

            unlock_page(page);
            put_page(page);
        }

        /// <summary>Reclaim one page now (all steps).</summary>
        public static void shrink_page(page page)
        {
            foreach (var _ in shrink_page_steps(page))
            {
            }
        }
    }
}
