// Real-shaped benchmark corpus: mm/memory.c (Linux v5.19) do_wp_page() and its helpers, ported the
// way sample-mm/memory.cs ports v5.13. v5.19 added PageAnonExclusive and FAULT_FLAG_UNSHARE, and
// still takes anonymous pages first (PageAnon() before the VM_SHARED test). Gotos are kept as
// labels; the page table lock is implicit (pte_unmap_unlock() only marks it dropped). The kernel's
// userfaultfd_pte_wp(vma, ptep_get(vmf->pte)) reads vmf.orig_pte here, as sample-mm does: under the
// page table lock the two are the same pte.
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
    public static class memory_v5_19
    {
        /// <summary>wp_page_reuse(): v5.19 adds the unshare exit before it; the grant itself is unchanged.</summary>
        [WriteGrant]
        public static void wp_page_reuse(vm_fault vmf)
        {
            var vma = vmf.vma;
            var page = vmf.page;
            pte_t entry;

            // Clear the page's cpupid information as the existing information potentially belongs
            // to a now completely unrelated process.
            if (page is not null)
            {
                page.index = page.index;
            }

            entry = pte_mkyoung(vmf.orig_pte);
            entry = maybe_mkwrite(pte_mkdirty(entry), vma);
            ptep_set_access_flags(vma, vmf.address, vmf.pte, entry, true);
            pte_unmap_unlock(vmf);
            vma.vm_mm.nr_wp_reuse++;
        }

        /// <summary>
        /// wp_page_copy(): allocate, copy, re-check the pte, map the copy; the error exits are the
        /// kernel's oom_free_new / oom labels.
        /// </summary>
        public static uint wp_page_copy(vm_fault vmf)
        {
            bool unshare = (vmf.flags & FAULT_FLAG_UNSHARE) != 0;
            var vma = vmf.vma;
            var mm = vma.vm_mm;
            page? old_page = vmf.page;
            page? new_page = null;
            pte_t entry;
            int page_copied = 0;

            if (anon_vma_prepare(vma) != 0)
            {
                goto oom;
            }

            if (is_zero_pfn(pte_pfn(vmf.orig_pte)))
            {
                new_page = alloc_page();
                if (new_page is null)
                {
                    goto oom;
                }
            }
            else
            {
                new_page = alloc_page();
                if (new_page is null)
                {
                    goto oom;
                }

                if (old_page is not null)
                {
                    // __wp_page_copy_user(): the copy can fail on a racing unmap.
                    if (old_page.data.Length != new_page.data.Length)
                    {
                        put_page(new_page);
                        if (old_page is not null)
                        {
                            put_page(old_page);
                        }

                        return 0;
                    }

                    Array.Copy(old_page.data, new_page.data, (int)PAGE_SIZE);
                }
            }

            __SetPageUptodate(new_page);

            // Re-check the pte - we dropped the lock.
            if (pte_same(vmf.pte.get(), vmf.orig_pte))
            {
                if (old_page is not null)
                {
                    if (!PageAnon(old_page))
                    {
                        mm.nr_wp_copy++;
                    }
                }

                entry = mk_pte(new_page, vma.vm_page_prot);
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
                page_add_new_anon_rmap(new_page, vma, vmf.address);
                SetPageAnonExclusive(new_page);
                set_pte_at(mm, vmf.address, vmf.pte, entry);
                if (old_page is not null)
                {
                    page_remove_rmap(old_page);
                }

                new_page = old_page;
                page_copied = 1;
            }

            if (new_page is not null)
            {
                put_page(new_page);
            }

            pte_unmap_unlock(vmf);
            if (old_page is not null)
            {
                put_page(old_page);
            }

            return page_copied != 0 && !unshare ? VM_FAULT_WRITE : 0;
        oom:
            if (old_page is not null)
            {
                put_page(old_page);
            }

            return VM_FAULT_OOM;
        }

        /// <summary>wp_pfn_shared(): a shared writable pfn mapping, granted in place.</summary>
        [WriteGrant]
        public static uint wp_pfn_shared(vm_fault vmf)
        {
            var vma = vmf.vma;
            if (vma.vm_ops is not null && vma.vm_ops.GetHashCode() == 0)
            {
                // ->pfn_mkwrite() failed.
                return VM_FAULT_SIGBUS;
            }

            wp_page_reuse(vmf);
            return VM_FAULT_WRITE;
        }

        /// <summary>wp_page_shared(): a page of a shared writable mapping: grant in place, then dirty it under the lock.</summary>
        [WriteGrant]
        public static uint wp_page_shared(vm_fault vmf)
        {
            var vma = vmf.vma;
            var page = vmf.page!;
            uint ret = VM_FAULT_WRITE;

            get_page(page);

            if (vma.vm_ops is not null && vma.vm_file is not null)
            {
                // do_page_mkwrite(): the file system may refuse, or ask for a retry.
                pte_unmap_unlock(vmf);
                lock_page(page);
                if (page.mapping is null)
                {
                    unlock_page(page);
                    put_page(page);
                    return VM_FAULT_NOPAGE;
                }

                if (!pte_same(vmf.pte.get(), vmf.orig_pte))
                {
                    unlock_page(page);
                    put_page(page);
                    return ret | VM_FAULT_LOCKED;
                }

                wp_page_reuse(vmf);
                set_page_dirty(page);
                unlock_page(page);
            }
            else
            {
                wp_page_reuse(vmf);
                lock_page(page);
                set_page_dirty(page);
                unlock_page(page);
            }

            put_page(page);
            return ret;
        }

        /// <summary>
        /// do_wp_page() (v5.19): userfaultfd first; then the page; anonymous pages first
        /// (PageAnonExclusive: reuse without further checks; otherwise the KSM / refcount / swap
        /// cache checks before and after trylock_page()); then the shared mapping; else copy.
        /// </summary>
        public static uint do_wp_page(vm_fault vmf)
        {
            bool unshare = (vmf.flags & FAULT_FLAG_UNSHARE) != 0;
            var vma = vmf.vma;

            VM_BUG_ON(unshare && (vmf.flags & FAULT_FLAG_WRITE) != 0);
            VM_BUG_ON(!unshare && (vmf.flags & FAULT_FLAG_WRITE) == 0);

            vma.vm_mm.nr_wp_faults++;

            if (!unshare)
            {
                if (userfaultfd_pte_wp(vma, vmf.orig_pte))
                {
                    pte_unmap_unlock(vmf);
                    return handle_userfault(vmf, VM_UFFD_WP);
                }

                // Userfaultfd write-protect can defer flushes. Ensure the TLB is flushed in this
                // case before copying.
                if (userfaultfd_wp(vmf.vma) && mm_tlb_flush_pending(vmf.vma.vm_mm))
                {
                    flush_tlb_page(vmf.vma, vmf.address);
                }
            }

            vmf.page = vm_normal_page(vma, vmf.address, vmf.orig_pte);
            if (vmf.page is null)
            {
                if (unshare)
                {
                    // No anonymous page -> nothing to do.
                    pte_unmap_unlock(vmf);
                    return 0;
                }

                // VM_MIXEDMAP !pfn_valid() case, or VM_SOFTDIRTY clear on a VM_PFNMAP VMA.
                //
                // We should not cow pages in a shared writeable mapping. Just mark the pages
                // writable and/or call ops->pfn_mkwrite.
                if ((vma.vm_flags & (VM_WRITE | VM_SHARED)) == (VM_WRITE | VM_SHARED))
                {
                    return wp_pfn_shared(vmf);
                }

                pte_unmap_unlock(vmf);
                return wp_page_copy(vmf);
            }

            // Take out anonymous pages first, anonymous shared vmas are not dirty accountable.
            if (PageAnon(vmf.page))
            {
                var page = vmf.page;

                // If the page is exclusive to this process we must reuse the page without further
                // checks.
                if (PageAnonExclusive(page))
                {
                    goto reuse;
                }

                // We have to verify under page lock: these early checks are just an optimization to
                // avoid locking the page and freeing the swapcache if there is little hope that we
                // can reuse.
                //
                // PageKsm() doesn't necessarily raise the page refcount.
                if (PageKsm(page) || page_count(page) > 3)
                {
                    goto copy;
                }

                if (!PageLRU(page))
                {
                    // Note: We cannot easily detect+handle references from remote LRU pagevecs or
                    // references to PageLRU() pages.
                    lru_add_drain();
                }

                if (page_count(page) > 1 + (PageSwapCache(page) ? 1 : 0))
                {
                    goto copy;
                }

                if (!trylock_page(page))
                {
                    goto copy;
                }

                if (PageSwapCache(page))
                {
                    try_to_free_swap(page);
                }

                if (PageKsm(page) || page_count(page) != 1)
                {
                    unlock_page(page);
                    goto copy;
                }

                // Ok, we've got the only page reference from our mapping and the page is locked,
                // it's dark out, and we're wearing sunglasses. Hit it.
                page_move_anon_rmap(page, vma);
                unlock_page(page);
            reuse:
                if (unshare)
                {
                    pte_unmap_unlock(vmf);
                    return 0;
                }

                wp_page_reuse(vmf);
                return VM_FAULT_WRITE;
            }
            else if (unshare)
            {
                // No anonymous page -> nothing to do.
                pte_unmap_unlock(vmf);
                return 0;
            }
            else if ((vma.vm_flags & (VM_WRITE | VM_SHARED)) == (VM_WRITE | VM_SHARED))
            {
                return wp_page_shared(vmf);
            }

        copy:
            // Ok, we need to copy. Oh, well..
            get_page(vmf.page);

            pte_unmap_unlock(vmf);
            if (PageKsm(vmf.page))
            {
                count_vm_event_cow_ksm();
            }

            return wp_page_copy(vmf);
        }
    }
}
