// Real-shaped benchmark corpus: lock users from mm/memory.c, mm/ksm.c, mm/vmscan.c and
// mm/migrate.c (v6.x shapes): the folio/page lock taken with trylock and a sleeping fallback,
// released on every exit of goto-style unwinding (out / out_page / out_nomap / out_release).
using System;
using GuardOrder;
using static SampleMm.mm;
using static SampleMm.mm_v6;
using static SampleMm.page_flags;
using static SampleMm.pagemap;
using static SampleMm.pgtable;
using static SampleMm.rmap;

namespace SampleMm
{
    public static class lock_users
    {
        public static int nr_swapins;
        public static int nr_reclaimed;
        public static int nr_migrated;
        public static int nr_merged;

        /// <summary>
        /// do_swap_page() (v6.7 shape, folded): find the swap-cache folio, lock it (trylock, then
        /// the sleeping lock unless the fault may not retry), re-check it under the lock, map it,
        /// reuse it in place when exclusive; every exit unwinds through labels.
        /// </summary>
        public static uint do_swap_page(vm_fault vmf, folio? swapcache)
        {
            var vma = vmf.vma;
            folio? folio = swapcache;
            page? page;
            pte_t pte;
            uint ret = 0;
            bool exclusive = false;

            if (!vmf.has_pte)
            {
                goto @out;
            }

            if (folio is null)
            {
                // Swap readahead: allocate and "read" a folio.
                var fresh = alloc_page();
                if (fresh is null)
                {
                    ret = VM_FAULT_OOM;
                    goto @out;
                }

                folio = new folio(fresh);
                ret = VM_FAULT_MAJOR;
                nr_swapins++;
            }

            page = folio_page(folio);
            if (!folio_trylock(folio))
            {
                ret |= folio_lock_or_retry_ret(folio, vmf);
                if ((ret & VM_FAULT_RETRY) != 0)
                {
                    goto out_release;
                }

                folio_lock(folio);
            }

            // Make sure folio_free_swap() or swapoff did not release the swapcache from under us.
            if (swapcache is not null && !folio_test_swapcache(folio))
            {
                goto out_page;
            }

            if (!folio_test_uptodate(folio))
            {
                ret = VM_FAULT_SIGBUS;
                goto out_nomap;
            }

            // Back out if somebody else already faulted in this pte.
            if (!vmf.has_pte || !pte_same(vmf.pte.get(), vmf.orig_pte))
            {
                goto out_nomap;
            }

            // Swap entries of an exclusive anonymous page keep the exclusive marker.
            if (PageAnonExclusive(page))
            {
                exclusive = true;
            }
            else if ((vmf.flags & FAULT_FLAG_WRITE) != 0 && folio_ref_count(folio) == 1 + (folio_test_swapcache(folio) ? 1 : 0))
            {
                // The only user of this swap slot: free the slot and make it exclusive.
                exclusive = true;
            }

            if (folio_test_swapcache(folio) && ((vma.vm_flags & VM_LOCKED_) != 0 || exclusive))
            {
                folio_free_swap(folio);
            }

            pte = mk_pte(page, vma.vm_page_prot);

            // Same logic as in do_wp_page(); however, optimize for pages that are certainly not
            // shared either because we just allocated them without exposing them to the swapcache
            // or because the swap entry indicates exclusivity.
            if ((vmf.flags & FAULT_FLAG_WRITE) != 0 && exclusive)
            {
                pte = maybe_mkwrite(pte_mkdirty(pte), vma);
                vmf.flags &= ~FAULT_FLAG_WRITE;
            }

            if (folio == swapcache || PageAnon(page))
            {
                page_add_anon_rmap(page, vma, vmf.address);
            }
            else
            {
                page_add_new_anon_rmap(page, vma, vmf.address);
            }

            if (exclusive)
            {
                SetPageAnonExclusive(page);
            }

            set_pte_at(vma.vm_mm, vmf.address, vmf.pte, pte);
            folio_unlock(folio);

            if ((vmf.flags & FAULT_FLAG_WRITE) != 0)
            {
                // do_wp_page() for the rest (copy-on-write of a shared swap-cache folio).
                ret |= VM_FAULT_WRITE;
            }

            pte_unmap_unlock(vmf);
        @out:
            return ret;
        out_nomap:
            pte_unmap_unlock(vmf);
        out_page:
            folio_unlock(folio!);
        out_release:
            folio_put(folio!);
            return ret;
        }

        /// <summary>
        /// write_protect_page() + replace_page() (mm/ksm.c, folded): under the page lock, write
        /// protect the pte of a candidate page when nobody else holds a reference, then merge it.
        /// </summary>
        public static int try_to_merge_one_page(vm_area_struct vma, page page, page? kpage)
        {
            int err = -EFAULT;

            if (page == kpage)
            {
                // ksm page forked.
                return 0;
            }

            if (!PageAnon(page))
            {
                goto @out;
            }

            // We need the page lock to read a stable PageSwapCache in write_protect_page(). We use
            // trylock_page() instead of lock_page() because we don't want to wait here - we prefer
            // to continue scanning and merging different pages, then come back to this page when
            // it is unlocked.
            if (!trylock_page(page))
            {
                goto @out;
            }

            if (PageTransCompound_(page))
            {
                if (split_huge_page_(page))
                {
                    goto out_unlock;
                }
            }

            // If this anonymous page is mapped only here, its pte may need to be write-protected.
            // If it's mapped elsewhere, all of its ptes are necessarily already write-protected.
            if (page_mapcount(page) + 1 + (PageSwapCache(page) ? 1 : 0) != page_count(page))
            {
                goto out_unlock;
            }

            if (kpage is null)
            {
                // While we hold page lock, upgrade page from PageAnon+anon_vma to PageKsm+NULL
                // stable_node: stable_tree_insert() will update stable_node.
                page.mapping_flags = PAGE_MAPPING_KSM;
                ClearPageAnonExclusive(page);
                err = 0;
            }
            else if (pages_identical_(page, kpage))
            {
                // replace_page(): map kpage where page was.
                if (PageLocked(kpage))
                {
                    goto out_unlock;
                }

                lock_page(kpage);
                get_page(kpage);
                page_remove_rmap(page);
                unlock_page(kpage);
                err = 0;
            }

            if (err == 0 && (vma.vm_flags & VM_LOCKED_) != 0 && kpage is not null)
            {
                // munlock_vma_page(page); mlock_vma_page(kpage).
                kpage.flags |= 1UL << PG_referenced;
            }

            if (err == 0)
            {
                nr_merged++;
            }

        out_unlock:
            unlock_page(page);
        @out:
            return err;
        }

        /// <summary>
        /// shrink_folio_list() (mm/vmscan.c, one folio): trylock or keep; dirty / writeback /
        /// mapped / swap-cache decisions; every outcome unlocks (activate_locked / keep_locked) or
        /// frees the folio.
        /// </summary>
        public static int shrink_folio(folio folio, bool may_swap, bool may_writepage, bool ignore_references)
        {
            int nr = 0;
            bool dirty = false;
            bool writeback = false;

            if (!folio_trylock(folio))
            {
                goto keep;
            }

            if (folio_test_large(folio) && !may_swap)
            {
                goto keep_locked;
            }

            writeback = folio_test_writeback(folio);
            dirty = folio_test_dirty(folio);

            // A folio under writeback: the writer is in flight, mark it for immediate reclaim and
            // keep it locked until the next pass.
            if (writeback)
            {
                if (!may_writepage)
                {
                    goto activate_locked;
                }

                goto keep_locked;
            }

            if (!ignore_references && (folio.page.flags & (1UL << PG_referenced)) != 0)
            {
                folio.page.flags &= ~(1UL << PG_referenced);
                goto activate_locked;
            }

            // Anonymous process memory has backing store?
            if (folio_test_anon(folio) && !folio_test_swapcache(folio))
            {
                if (!may_swap)
                {
                    goto keep_locked;
                }

                // add_to_swap(): the swap cache takes a reference.
                SetPageSwapCache(folio.page);
                folio.page._refcount++;
            }

            // The folio is mapped into the page tables of one or more processes. Try to unmap it.
            if (page_mapped(folio.page))
            {
                if (folio_maybe_mapped_shared(folio))
                {
                    goto activate_locked;
                }

                folio.page._mapcount = -1;
            }

            if (dirty)
            {
                if (!may_writepage)
                {
                    goto keep_locked;
                }

                // pageout(): the folio is written back and unlocked by the I/O completion.
                folio.page.flags &= ~(1UL << PG_dirty);
                folio_unlock(folio);
                return nr;
            }

            // The folio is clean and unmapped: free it.
            if (folio_ref_count(folio) > 2)
            {
                goto keep_locked;
            }

            if (folio_test_swapcache(folio))
            {
                folio_free_swap(folio);
            }

            folio_unlock(folio);
            nr_reclaimed++;
            nr++;
            return nr;
        activate_locked:
            folio.page.flags |= 1UL << PG_referenced;
        keep_locked:
            folio_unlock(folio);
        keep:
            return nr;
        }

        /// <summary>
        /// migrate_folio_unmap() + move_to_new_folio() (mm/migrate.c, folded): lock the source (a
        /// trylock in async mode, the sleeping lock otherwise), bail out on writeback, lock the
        /// destination, copy, and unlock both on every route.
        /// </summary>
        public static int migrate_one_folio(folio src, folio dst, bool async_mode, bool force)
        {
            int rc = -EAGAIN_;

            if (folio_ref_count(src) == 1)
            {
                // Folio was freed from under us. So we are done.
                return 0;
            }

            if (!folio_trylock(src))
            {
                if (async_mode)
                {
                    goto @out;
                }

                if (!force && folio_test_writeback(src))
                {
                    goto @out;
                }

                folio_lock(src);
            }

            if (folio_test_writeback(src))
            {
                // Only in the case of a full synchronous migration is it necessary to wait for
                // writeback.
                if (async_mode || !force)
                {
                    rc = -EBUSY;
                    goto out_unlock;
                }
            }

            if (!folio_trylock(dst))
            {
                rc = -EAGAIN_;
                goto out_unlock;
            }

            if (folio_test_anon(src) && PageAnonExclusive(src.page))
            {
                SetPageAnonExclusive(dst.page);
                ClearPageAnonExclusive(src.page);
            }

            Array.Copy(src.page.data, dst.page.data, (int)PAGE_SIZE);
            dst.page.mapping = src.page.mapping;
            dst.page.mapping_flags = src.page.mapping_flags;
            if (folio_test_dirty(src))
            {
                SetPageDirty(dst.page);
            }

            rc = 0;
            nr_migrated++;
            folio_unlock(dst);
        out_unlock:
            folio_unlock(src);
        @out:
            return rc;
        }

        private const ulong VM_LOCKED_ = 0x00002000;
        private const int EAGAIN_ = 11;

        private static bool PageTransCompound_(page page) => (page.flags & (1UL << PG_large_rmappable)) != 0;

        private static bool split_huge_page_(page page) => page.index == ulong.MaxValue;

        private static bool pages_identical_(page a, page b) => a.data.AsSpan().SequenceEqual(b.data);
    }
}
