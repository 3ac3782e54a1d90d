// include/linux/page-flags.h (Linux v5.13): the page flag bits and the PageXxx() tests the
// write-fault path looks at.
using GuardOrder;

namespace SampleMm
{
    public static class page_flags
    {
        // Bit numbers in page->flags.
        public const int PG_locked = 0;
        public const int PG_referenced = 2;
        public const int PG_uptodate = 3;
        public const int PG_dirty = 4;
        public const int PG_reserved = 10;
        public const int PG_swapcache = 15;

        /// <summary>The port marks pages that sit on its free list (the kernel uses the Buddy page type).</summary>
        public const int PG_buddy = 30;

        // Low bits of page->mapping (page.mapping_flags).
        public const ulong PAGE_MAPPING_ANON = 0x1;
        public const ulong PAGE_MAPPING_MOVABLE = 0x2;
        public const ulong PAGE_MAPPING_KSM = PAGE_MAPPING_ANON | PAGE_MAPPING_MOVABLE;
        public const ulong PAGE_MAPPING_FLAGS = PAGE_MAPPING_ANON | PAGE_MAPPING_MOVABLE;

        private static bool test_bit(int nr, page page) => (page.flags & (1UL << nr)) != 0;

        /// <summary>PageLocked().</summary>
        public static bool PageLocked(page page) => test_bit(PG_locked, page);

        /// <summary>PageDirty().</summary>
        public static bool PageDirty(page page) => test_bit(PG_dirty, page);

        /// <summary>SetPageDirty().</summary>
        public static void SetPageDirty(page page) => page.flags |= 1UL << PG_dirty;

        /// <summary>PageUptodate().</summary>
        public static bool PageUptodate(page page) => test_bit(PG_uptodate, page);

        /// <summary>__SetPageUptodate().</summary>
        public static void __SetPageUptodate(page page) => page.flags |= 1UL << PG_uptodate;

        /// <summary>PageReserved().</summary>
        public static bool PageReserved(page page) => test_bit(PG_reserved, page);

        /// <summary>PageBuddy(): the page is free.</summary>
        public static bool PageBuddy(page page) => test_bit(PG_buddy, page);

        /// <summary>PageSwapCache(): the page is in the swap cache, which holds a reference (swap_state.cs).</summary>
        public static bool PageSwapCache(page page) => test_bit(PG_swapcache, page);

        /// <summary>SetPageSwapCache().</summary>
        public static void SetPageSwapCache(page page) => page.flags |= 1UL << PG_swapcache;

        /// <summary>ClearPageSwapCache().</summary>
        public static void ClearPageSwapCache(page page) => page.flags &= ~(1UL << PG_swapcache);

        /// <summary>
        /// PageAnon(): anonymous memory (KSM pages included). do_wp_page() takes anonymous pages
        /// first: only they can be reused in place through wp_page_reuse(); other pages are granted
        /// through wp_page_shared() or copied.
        /// </summary>
        [FaultPathCheck]
        public static bool PageAnon(page page) => (page.mapping_flags & PAGE_MAPPING_ANON) != 0;

        /// <summary>
        /// PageKsm(): a page merged by KSM and shared through the stable tree. do_wp_page() never
        /// reuses it: "PageKsm() doesn't necessarily raise the page refcount" (the stable tree keeps
        /// the pfn, not a reference), so page_count() == 1 does not make it exclusive. Stable only
        /// under the page lock, which is why do_wp_page() tests it again after trylock_page().
        /// </summary>
        [FaultPathCheck]
        public static bool PageKsm(page page)
        {
            smp.before_page_state_read(page);
            return (page.mapping_flags & PAGE_MAPPING_FLAGS) == PAGE_MAPPING_KSM;
        }
    }
}
