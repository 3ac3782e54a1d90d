// Real-shaped benchmark corpus: mm/memory.c (Linux v6.7 shape) do_wp_page() on folios: the shared
// mapping is handled first, then a private anonymous folio is reused when its page is
// PageAnonExclusive or wp_can_reuse_anon_folio() says so (a helper chain: do_wp_page ->
// wp_can_reuse_anon_folio -> folio_test_ksm -> PageKsm), else copied. wp_page_copy() keeps the
// kernel's goto unwinding (oom / oom_free_new / out) as labels. userfaultfd_pte_wp() reads
// vmf.orig_pte (the kernel: ptep_get(vmf->pte), the same pte under the page table lock), as sample-mm does.
using System;
using GuardOrder;
using static SampleMm.memory;
using static SampleMm.mm;
using static SampleMm.mm_v6;
using static SampleMm.page_flags;
using static SampleMm.pagemap;
using static SampleMm.pgtable;
using static SampleMm.rmap;
using static SampleMm.userfaultfd;

namespace SampleMm
{
    public static class memory_v6_7
    {
        /// <summary>wp_page_reuse(): grant the write in place (the folio is exclusive, or the mapping shared).</summary>
        [WriteGrant]
        public static void wp_page_reuse(vm_fault vmf, folio? folio)
        {
            var vma = vmf.vma;
            pte_t entry;

            VM_BUG_ON((vmf.flags & FAULT_FLAG_UNSHARE) != 0);
            if (folio is not null && folio_test_anon(folio))
            {
                // We can only reuse an exclusive page; the caller made sure of it.
                VM_BUG_ON(!PageAnonExclusive(folio_page(folio)), "reuse of a non-exclusive anon page");
            }

            entry = pte_mkyoung(vmf.orig_pte);
            entry = maybe_mkwrite(pte_mkdirty(entry), vma);
            if (ptep_set_access_flags(vma, vmf.address, vmf.pte, entry, true))
            {
                vma.vm_mm.nr_wp_reuse++;
            }

            pte_unmap_unlock(vmf);
        }

        /// <summary>wp_can_reuse_anon_folio() (v6.5+): the refcount dance of v5.19, on a folio, under the folio lock.</summary>
        public static bool wp_can_reuse_anon_folio(folio folio, vm_area_struct vma)
        {
            // We could currently only reuse a subpage of a large folio if no other subpages of the
            // large folios are still mapped. However, let's just consistently not reuse subpages
            // even if we could reuse in that scenario, and give back a large folio a bit sooner.
            if (folio_test_large(folio))
            {
                return false;
            }

            // We have to verify under folio lock: these early checks are just an optimization to
            // avoid locking the folio and freeing the swapcache if there is little hope that we can
            // reuse.
            //
            // KSM doesn't necessarily raise the folio refcount.
            if (folio_test_ksm(folio) || folio_ref_count(folio) > 3)
            {
                return false;
            }

            if (!folio_test_lru(folio))
            {
                // We cannot easily detect+handle references from remote LRU caches or references to
                // LRU folios.
                lru_add_drain();
            }

            if (folio_ref_count(folio) > 1 + (folio_test_swapcache(folio) ? 1 : 0))
            {
                return false;
            }

            if (!folio_trylock(folio))
            {
                return false;
            }

            if (folio_test_swapcache(folio))
            {
                folio_free_swap(folio);
            }

            if (folio_test_ksm(folio) || folio_ref_count(folio) != 1)
            {
                folio_unlock(folio);
                return false;
            }

            // Ok, we've got the only folio reference from our mapping and the folio is locked, it's
            // dark out, and we're wearing sunglasses. Hit it.
            folio_move_anon_rmap(folio, vma);
            folio_unlock(folio);
            return true;
        }

        /// <summary>wp_page_copy(): the COW copy with the kernel's error unwinding.</summary>
        public static uint wp_page_copy(vm_fault vmf)
        {
            bool unshare = (vmf.flags & FAULT_FLAG_UNSHARE) != 0;
            var vma = vmf.vma;
            var mm = vma.vm_mm;
            folio? old_folio = null;
            folio? new_folio = null;
            pte_t entry;
            int page_copied = 0;
            uint ret;
            bool pfn_is_zero;

            if (vmf.page is not null)
            {
                old_folio = page_folio(vmf.page);
            }

            ret = anon_vma_prepare(vma) != 0 ? VM_FAULT_OOM : 0;
            if (ret != 0)
            {
                goto @out;
            }

            pfn_is_zero = is_zero_pfn(pte_pfn(vmf.orig_pte));
            new_folio = new folio(alloc_page());
            if (new_folio.page is null)
            {
                goto oom;
            }

            if (!pfn_is_zero)
            {
                // __wp_page_copy_user(): a racing unmap makes the copy fail; the fault is retried.
                if (vmf.page is not null && vmf.page.data.Length != new_folio.page.data.Length)
                {
                    folio_put(new_folio);
                    if (old_folio is not null)
                    {
                        folio_put(old_folio);
                    }

                    return 0;
                }

                if (vmf.page is not null)
                {
                    Array.Copy(vmf.page.data, new_folio.page.data, (int)PAGE_SIZE);
                }
            }

            if (new_folio.page._refcount > 1024)
            {
                // mem_cgroup_charge() failed.
                goto oom_free_new;
            }

            __SetPageUptodate(new_folio.page);

            // Re-check the pte - we dropped the lock.
            if (vmf.has_pte && pte_same(vmf.pte.get(), vmf.orig_pte))
            {
                if (old_folio is not null)
                {
                    if (!folio_test_anon(old_folio))
                    {
                        mm.nr_wp_copy++;
                    }
                }
                else
                {
                    mm.nr_wp_copy++;
                }

                entry = mk_pte(new_folio.page, vma.vm_page_prot);
                entry = pte_mkyoung(entry);
                if (unshare)
                {
                    if (pte_soft_dirty(vmf.orig_pte))
                    {
                        entry = pte_mksoft_dirty(entry);
                    }

                    if (pte_uffd_wp(vmf.orig_pte))
                    {
                        entry = pte_mkuffd_wp(entry);
                    }
                }
                else
                {
                    entry = maybe_mkwrite(pte_mkdirty(entry), vma);
                }

                ptep_get_and_clear(mm, vmf.address, vmf.pte);
                page_add_new_anon_rmap(new_folio.page, vma, vmf.address);
                SetPageAnonExclusive(new_folio.page);
                set_pte_at(mm, vmf.address, vmf.pte, entry);
                if (old_folio is not null)
                {
                    page_remove_rmap(old_folio.page);
                }

                // Free the old page..
                new_folio = old_folio;
                page_copied = 1;
                pte_unmap_unlock(vmf);
            }
            else if (vmf.has_pte)
            {
                // update_mmu_tlb(): someone else changed the pte.
                pte_unmap_unlock(vmf);
            }

            if (new_folio is not null)
            {
                folio_put(new_folio);
            }

            if (old_folio is not null)
            {
                folio_put(old_folio);
            }

            return page_copied != 0 && !unshare ? VM_FAULT_WRITE : 0;
        oom_free_new:
            folio_put(new_folio);
        oom:
            ret = VM_FAULT_OOM;
        @out:
            if (old_folio is not null)
            {
                folio_put(old_folio);
            }

            return ret;
        }

        /// <summary>wp_pfn_shared(): a shared pfn mapping; ->pfn_mkwrite() may refuse.</summary>
        [WriteGrant]
        public static uint wp_pfn_shared(vm_fault vmf)
        {
            var vma = vmf.vma;
            if (vma.vm_ops is not null && vma.vm_file is not null)
            {
                pte_unmap_unlock(vmf);
                if ((vmf.flags & FAULT_FLAG_VMA_LOCK) != 0)
                {
                    return VM_FAULT_RETRY;
                }

                if (!vmf.has_pte || !pte_same(vmf.pte.get(), vmf.orig_pte))
                {
                    return 0;
                }
            }

            wp_page_reuse(vmf, null);
            return 0;
        }

        /// <summary>wp_page_shared(): ->page_mkwrite(), grant in place, fault_dirty_shared_page().</summary>
        [WriteGrant]
        public static uint wp_page_shared(vm_fault vmf, folio folio)
        {
            var vma = vmf.vma;
            uint ret = 0;

            folio_get(folio);

            if (vma.vm_ops is not null && vma.vm_file is not null)
            {
                if ((vmf.flags & FAULT_FLAG_VMA_LOCK) != 0)
                {
                    folio_put(folio);
                    return VM_FAULT_RETRY;
                }

                pte_unmap_unlock(vmf);
                folio_lock(folio);
                if (folio.page.mapping is null)
                {
                    // The file was truncated under us.
                    folio_unlock(folio);
                    folio_put(folio);
                    return VM_FAULT_NOPAGE;
                }

                if (!vmf.has_pte || !pte_same(vmf.pte.get(), vmf.orig_pte))
                {
                    folio_unlock(folio);
                    folio_put(folio);
                    return ret;
                }

                wp_page_reuse(vmf, folio);
                set_page_dirty(folio.page);
                folio_unlock(folio);
            }
            else
            {
                wp_page_reuse(vmf, folio);
                folio_lock(folio);
                set_page_dirty(folio.page);
                folio_unlock(folio);
            }

            folio_put(folio);
            return ret;
        }

        /// <summary>
        /// do_wp_page() (v6.7 shape): userfaultfd (async mode resolves in place); the page and its
        /// folio; a shared mapping is granted first (pfn or page); a private anonymous folio is
        /// reused when exclusive or when wp_can_reuse_anon_folio() proves it; otherwise copy.
        /// </summary>
        public static uint do_wp_page(vm_fault vmf)
        {
            bool unshare = (vmf.flags & FAULT_FLAG_UNSHARE) != 0;
            var vma = vmf.vma;
            folio? folio = null;
            pte_t pte;

            vma.vm_mm.nr_wp_faults++;

            if (!unshare)
            {
                if (userfaultfd_pte_wp(vma, vmf.orig_pte))
                {
                    if (!userfaultfd_wp_async(vma))
                    {
                        pte_unmap_unlock(vmf);
                        return handle_userfault(vmf, VM_UFFD_WP);
                    }

                    // Nothing needed (cache flush, TLB invalidations, etc.) because we're only
                    // removing the uffd-wp bit, which is completely invisible to the user.
                    pte = pte_clear_uffd_wp(vmf.orig_pte);
                    set_pte_at(vma.vm_mm, vmf.address, vmf.pte, pte);

                    // Update this to be prepared for following up CoW handling.
                    vmf.orig_pte = pte;
                }

                // Userfaultfd write-protect can defer flushes. Ensure the TLB is flushed in this
                // case before copying.
                if (userfaultfd_wp(vmf.vma) && mm_tlb_flush_pending(vmf.vma.vm_mm))
                {
                    flush_tlb_page(vmf.vma, vmf.address);
                }
            }

            vmf.page = vm_normal_page(vma, vmf.address, vmf.orig_pte);

            if (vmf.page is not null)
            {
                folio = page_folio(vmf.page);
            }

            // Shared mapping: we are guaranteed to have VM_WRITE and FAULT_FLAG_WRITE set at this
            // point.
            if ((vma.vm_flags & (VM_SHARED | VM_MAYSHARE)) != 0)
            {
                // VM_MIXEDMAP !pfn_valid() case, or VM_SOFTDIRTY clear on a VM_PFNMAP VMA.
                //
                // We should not cow pages in a shared writeable mapping. Just mark the pages
                // writable and/or call ops->pfn_mkwrite.
                if (vmf.page is null)
                {
                    return wp_pfn_shared(vmf);
                }

                return wp_page_shared(vmf, folio!);
            }

            // Private mapping: create an exclusive anonymous page copy if reuse is impossible. We
            // might miss VM_WRITE for FOLL_FORCE handling.
            //
            // If we encounter a page that is marked exclusive, we must reuse the page without
            // further checks.
            if (folio is not null && folio_test_anon(folio) &&
                (PageAnonExclusive(vmf.page!) || wp_can_reuse_anon_folio(folio, vma)))
            {
                if (!PageAnonExclusive(vmf.page!))
                {
                    SetPageAnonExclusive(vmf.page!);
                }

                if (unshare)
                {
                    pte_unmap_unlock(vmf);
                    return 0;
                }

                wp_page_reuse(vmf, folio);
                return 0;
            }

            // Ok, we need to copy. Oh, well..
            if (folio is not null)
            {
                folio_get(folio);
            }

            pte_unmap_unlock(vmf);
            if (folio is not null && folio_test_ksm(folio))
            {
                count_vm_event_cow_ksm();
            }

            return wp_page_copy(vmf);
        }
    }
}
