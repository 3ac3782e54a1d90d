// include/linux/pagemap.h and mm/filemap.c (Linux v5.13): the page lock.
//
// The port runs on one CPU. A page can still be "locked by someone else": a test (or reclaim,
// swap_state.cs) sets PG_locked on behalf of another task. trylock_page() then fails, like it
// would while that task runs; lock_page() models sleeping until the holder unlocks.
using GuardOrder;
using static SampleMm.mm;
using static SampleMm.page_flags;

namespace SampleMm
{
    public static class pagemap
    {
        /// <summary>How often lock_page() had to wait for another holder (a test can watch it).</summary>
        public static int nr_lock_waits;

        /// <summary>
        /// trylock_page(): take PG_locked if nobody holds it; true when taken. Callers that cannot
        /// sleep (may_avoid_write_fault() under the page table lock, do_wp_page()) use this.
        /// </summary>
        [TryAcquiresLock]
        public static bool trylock_page(page page)
        {
            // Reading PG_locked is reading the page's state: other CPUs may run first (smp.cs).
            smp.before_page_state_read(page);

            // Someone else holds the lock: do not wait.
            if (PageLocked(page))
            {
                return false;
            }

            page.flags |= 1UL << PG_locked;
            return true;
        }

        /// <summary>
        /// Tasks that hold a page lock across steps (reclaim, vmscan.cs): how to run each to the end,
        /// its unlock_page() included. lock_page() on such a page runs the holder first.
        /// </summary>
        public static readonly System.Collections.Generic.Dictionary<page, System.Action> lock_holders =
            new System.Collections.Generic.Dictionary<page, System.Action>();

        /// <summary>
        /// lock_page(): take PG_locked, sleeping until the current holder unlocks. On the port's one
        /// CPU the holder is a simulated task: waiting means that task finishes and calls unlock_page().
        /// </summary>
        [AcquiresLock]
        public static void lock_page(page page)
        {
            // Contended: __lock_page() sleeps; the other holder runs to its unlock_page().
            if (PageLocked(page))
            {
                nr_lock_waits++;
                if (lock_holders.TryGetValue(page, out var run_to_unlock))
                {
                    run_to_unlock();
                }
                else
                {
                    // A holder the port does not run (a test set PG_locked for "someone"): it finishes now.
                    page.flags &= ~(1UL << PG_locked);
                }
            }

            page.flags |= 1UL << PG_locked;
        }

        /// <summary>unlock_page(): release PG_locked; unlocking an unlocked page is a kernel bug.</summary>
        [ReleasesLock]
        public static void unlock_page(page page)
        {
            VM_BUG_ON_PAGE(!PageLocked(page), page);
            page.flags &= ~(1UL << PG_locked);
        }

        /// <summary>set_page_dirty(): the page's contents must be written back.</summary>
        public static bool set_page_dirty(page page)
        {
            // Already dirty: nothing to account.
            if (PageDirty(page))
            {
                return false;
            }

            SetPageDirty(page);
            return true;
        }
    }
}
