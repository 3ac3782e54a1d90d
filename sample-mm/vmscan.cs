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
        /// Reclaim of one page in progress: <see cref="step"/> runs it to its next step; while it
        /// holds the page lock, lock_page() by anyone else runs it to the end first.
        /// </summary>
        public sealed class reclaim_task
        {
            private readonly page page;
            private readonly IEnumerator<string> steps;

            public reclaim_task(page page)
            {
                this.page = page;
                steps = shrink_page_steps(page, this).GetEnumerator();
            }

            /// <summary>The step reclaim last completed; null when it has finished.</summary>
            public string? current { get; private set; } = "isolated";

            public bool done => current is null;

            /// <summary>Run one more step; false when reclaim has finished.</summary>
            public bool step()
            {
                if (done)
                {
                    return false;
                }

                if (steps.MoveNext())
                {
                    current = steps.Current;
                    return true;
                }

                current = null;
                steps.Dispose();
                return false;
            }

            /// <summary>Run to the end (what a task sleeping in lock_page() waits for).</summary>
            public void finish()
            {
                while (step())
                {
                }
            }

            internal void holds_lock(bool held)
            {
                if (held)
                {
                    pagemap.lock_holders[page] = finish;
                }
                else
                {
                    pagemap.lock_holders.Remove(page);
                }
            }
        }

        /// <summary>
        /// shrink_page_list() for one page, as steps: each <c>yield</c> is a point where other work
        /// may run while reclaim still holds the page lock.
        /// </summary>
        private static IEnumerable<string> shrink_page_steps(page page, reclaim_task task)
        {
            // isolate_lru_page(): reclaim's reference.
            get_page(page);

            // Somebody else holds the page lock: keep the page for the next pass.
            if (!trylock_page(page))
            {
                put_page(page);
                yield break;
            }

            task.holds_lock(true);
            try
            {
                // Only anonymous, mapped, non-KSM pages are swapped out here (KSM pages need
                // rmap_walk_ksm(), which the port does not have).
                if (!PageAnon(page) || PageKsm(page) || !page_mapped(page))
                {
                    yield break;
                }

                if (!PageSwapCache(page) && !swap_state.add_to_swap(page))
                {
                    yield break;
                }

                yield return "add_to_swap(): the page is in the swap cache, locked by reclaim";

                // The page is mapped: unmap it from every pte (each becomes a swap entry). Some pte
                // could not be unmapped: activate the page and try later.
                if (!rmap.try_to_unmap(page))
                {
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
            }
            finally
            {
                task.holds_lock(false);
                unlock_page(page);
                put_page(page);
            }
        }

        /// <summary>Start reclaiming one page: it runs up to its first step (page locked, in the swap cache).</summary>
        public static reclaim_task start_reclaim(page page)
        {
            var task = new reclaim_task(page);
            task.step();
            return task;
        }

        /// <summary>Reclaim one page now (all steps).</summary>
        public static void shrink_page(page page) => new reclaim_task(page).finish();
    }
}
