// Real-shaped benchmark corpus (tests/GuardOrder.Benchmarks/RealShaped, replicated with renamed
// namespaces by RealCorpus.cs; not compiled into the benchmark itself). Builds on sample-mm's port.
//
// include/linux/mm.h, page-flags.h, mm_types.h (Linux v5.19 .. v6.17): what the later fault paths
// and can_change_pte_writable() need beyond v5.13: PageAnonExclusive, struct folio and its tests
// (folio_test_*() are plain helpers over the page tests, so that a predicate written on pages and a
// fault path written on folios ask the same [FaultPathCheck] members), the folio lock, the swap
// cache, the LRU, FAULT_FLAG_UNSHARE and soft-dirty helpers.
using System;
using GuardOrder;
using static SampleMm.mm;
using static SampleMm.page_flags;
using static SampleMm.pagemap;
using static SampleMm.pgtable;

namespace SampleMm
{
    /// <summary>struct folio: a view of its head page (the port has order-0 folios only, plus a "large" bit).</summary>
    public sealed class folio
    {
        public folio(page page)
        {
            this.page = page;
        }

        public readonly page page;

        /// <summary>folio_order() &gt; 0: the port never splits, it only refuses to reuse.</summary>
        public bool large;

        /// <summary>folio->_nr_pages_mapped, for folio_maybe_mapped_shared().</summary>
        public int nr_pages_mapped;
    }

    public static class mm_v6
    {
        public const int PG_anon_exclusive = 21;
        public const int PG_lru = 5;
        public const int PG_writeback = 13;
        public const int PG_large_rmappable = 22;

        public const uint FAULT_FLAG_UNSHARE = 0x400;
        public const uint FAULT_FLAG_ORIG_PTE_VALID = 0x800;
        public const uint FAULT_FLAG_VMA_LOCK = 0x1000;
        public const uint FAULT_FLAG_RETRY_NOWAIT = 0x08;
        public const uint FAULT_FLAG_ALLOW_RETRY = 0x04;
        public const uint FAULT_FLAG_KILLABLE = 0x10;

        public const ulong MM_CP_TRY_CHANGE_WRITABLE = 1UL << 0;

        public const uint VM_FAULT_HWPOISON = 0x000010;
        public const uint VM_FAULT_COMPLETED = 0x004000;

        public static int nr_cow_ksm;
        public static int nr_lru_drains;
        public static int nr_tlb_flushes;

        /// <summary>
        /// PageAnonExclusive() (v5.19+): the anonymous page is mapped by exactly one process; the
        /// write fault reuses it without looking at any refcount.
        /// </summary>
        [FaultPathCheck]
        public static bool PageAnonExclusive(page page) => (page.flags & (1UL << PG_anon_exclusive)) != 0;

        public static void SetPageAnonExclusive(page page) => page.flags |= 1UL << PG_anon_exclusive;

        public static void ClearPageAnonExclusive(page page) => page.flags &= ~(1UL << PG_anon_exclusive);

        /// <summary>PageLRU(): the page sits on an LRU list (not in a per-CPU batch).</summary>
        public static bool PageLRU(page page) => (page.flags & (1UL << PG_lru)) != 0;

        public static bool PageWriteback(page page) => (page.flags & (1UL << PG_writeback)) != 0;

        /// <summary>folio_ref_count(): the folio's reference count (the head page's).</summary>
        [FaultPathCheck]
        public static int folio_ref_count(folio folio) => folio.page._refcount;

        /// <summary>page_folio(): the folio a page belongs to.</summary>
        public static folio page_folio(page page) => new folio(page);

        /// <summary>folio_page(folio, 0).</summary>
        public static page folio_page(folio folio) => folio.page;

        /// <summary>folio_test_anon(): a helper over PageAnon() of the head page.</summary>
        public static bool folio_test_anon(folio folio) => PageAnon(folio_page(folio));

        /// <summary>folio_test_ksm(): anonymous and KSM-merged.</summary>
        public static bool folio_test_ksm(folio folio) => PageKsm(folio_page(folio));

        public static bool folio_test_swapcache(folio folio) => PageSwapCache(folio.page);

        public static bool folio_test_lru(folio folio) => PageLRU(folio.page);

        public static bool folio_test_large(folio folio) => folio.large;

        public static bool folio_test_dirty(folio folio) => PageDirty(folio.page);

        public static bool folio_test_writeback(folio folio) => PageWriteback(folio.page);

        public static bool folio_test_uptodate(folio folio) => PageUptodate(folio.page);

        public static bool folio_test_locked(folio folio) => PageLocked(folio.page);

        /// <summary>folio_maybe_mapped_shared() (v6.15+): another process may map a page of the folio.</summary>
        public static bool folio_maybe_mapped_shared(folio folio) => folio.large ? folio.nr_pages_mapped > 1 : page_mapcount(folio.page) > 1;

        /// <summary>folio_maybe_dma_pinned(): a GUP pin holds extra references.</summary>
        public static bool folio_maybe_dma_pinned(folio folio) => folio.page._refcount > 1024;

        public static void folio_get(folio folio) => get_page(folio.page);

        public static void folio_put(folio folio) => put_page(folio.page);

        /// <summary>folio_trylock(): the page lock of the head page.</summary>
        [TryAcquiresLock]
        public static bool folio_trylock(folio folio)
        {
            if (PageLocked(folio.page))
            {
                return false;
            }

            folio.page.flags |= 1UL << PG_locked;
            return true;
        }

        /// <summary>folio_lock(): sleep until the head page's lock is ours.</summary>
        [AcquiresLock]
        public static void folio_lock(folio folio)
        {
            if (PageLocked(folio.page))
            {
                nr_lock_waits++;
                folio.page.flags &= ~(1UL << PG_locked);
            }

            folio.page.flags |= 1UL << PG_locked;
        }

        /// <summary>folio_unlock().</summary>
        [ReleasesLock]
        public static void folio_unlock(folio folio)
        {
            VM_BUG_ON(!PageLocked(folio.page), "folio_unlock of an unlocked folio");
            folio.page.flags &= ~(1UL << PG_locked);
        }

        /// <summary>folio_lock_or_retry(): take the lock, or drop the VMA lock and retry the fault when not allowed to sleep.</summary>
        public static uint folio_lock_or_retry_ret(folio folio, vm_fault vmf)
        {
            if (folio_test_locked(folio) && (vmf.flags & FAULT_FLAG_RETRY_NOWAIT) != 0)
            {
                return VM_FAULT_RETRY;
            }

            return 0;
        }

        /// <summary>lru_add_drain(): flush this CPU's LRU batches (drops their page references).</summary>
        public static void lru_add_drain() => nr_lru_drains++;

        /// <summary>folio_free_swap(): drop the swap cache's reference when nothing else uses the slot.</summary>
        public static bool folio_free_swap(folio folio)
        {
            if (!folio_test_swapcache(folio))
            {
                return false;
            }

            if (folio_test_writeback(folio))
            {
                return false;
            }

            ClearPageSwapCache(folio.page);
            folio.page._refcount--;
            return true;
        }

        /// <summary>try_to_free_swap() (v5.19 page API).</summary>
        public static bool try_to_free_swap(page page) => folio_free_swap(page_folio(page));

        /// <summary>folio_move_anon_rmap() / page_move_anon_rmap(): the page now belongs to this VMA's anon_vma only.</summary>
        public static void folio_move_anon_rmap(folio folio, vm_area_struct vma)
        {
            folio.page.mapping = vma.anon_vma;
            SetPageAnonExclusive(folio.page);
        }

        public static void page_move_anon_rmap(page page, vm_area_struct vma) => folio_move_anon_rmap(page_folio(page), vma);

        /// <summary>vma_soft_dirty_enabled() (v6.0): soft-dirty tracking is on for the VMA (VM_SOFTDIRTY clear).</summary>
        public static bool vma_soft_dirty_enabled(vm_area_struct vma) => (vma.vm_flags & VM_SOFTDIRTY) == 0;

        /// <summary>pte_needs_soft_dirty_wp() (v6.5+).</summary>
        public static bool pte_needs_soft_dirty_wp(vm_area_struct vma, pte_t pte) => vma_soft_dirty_enabled(vma) && !pte_soft_dirty(pte);

        /// <summary>mm_tlb_flush_pending(): a batched TLB flush is in flight for the mm.</summary>
        public static bool mm_tlb_flush_pending(mm_struct mm) => mm.nr_wp_faults < 0;

        public static void flush_tlb_page(vm_area_struct vma, ulong address) => nr_tlb_flushes++;

        /// <summary>userfaultfd_wp_async() (v6.7): async uffd-wp resolves the fault in the kernel.</summary>
        public static bool userfaultfd_wp_async(vm_area_struct vma) => vma.vm_userfaultfd_ctx is not null && vma.vm_userfaultfd_ctx.fault_pending.Count < 0;

        public static void count_vm_event_cow_ksm() => nr_cow_ksm++;

        /// <summary>pte_unmap_unlock(): the port's page table lock is implicit (one CPU).</summary>
        public static void pte_unmap_unlock(vm_fault vmf) => vmf.has_pte = false;

        /// <summary>vmf_orig_pte_uffd_wp() (v6.4+).</summary>
        public static bool vmf_orig_pte_uffd_wp(vm_fault vmf) => (vmf.flags & FAULT_FLAG_ORIG_PTE_VALID) != 0 && pte_uffd_wp(vmf.orig_pte);
    }
}
