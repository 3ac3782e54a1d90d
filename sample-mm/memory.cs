// mm/memory.c (Linux v5.13): the write-protect fault path (do_wp_page() and the three ways it
// ends: wp_page_reuse(), wp_page_shared(), wp_page_copy()), the anonymous and file faults that
// populate ptes, handle_mm_fault(), fork's copy_page_range() and munmap's zap.
//
// do_wp_page() is the reference the early-write predicate in mprotect.cs must agree with: a pte
// may be made writable early only in a state where this path would grant the write in place.
using System;
using GuardOrder;
using static SampleMm.mm;
using static SampleMm.page_flags;
using static SampleMm.pagemap;
using static SampleMm.pgtable;
using static SampleMm.rmap;
using static SampleMm.userfaultfd;

namespace SampleMm
{
    public static class memory
    {
        /// <summary>
        /// vm_normal_page(): the struct page a pte maps, or null for a "special" mapping with no
        /// page to refcount (the zero page, raw pfn maps). do_wp_page() decides reuse/copy on this
        /// page, so an early-write predicate must look at the same page (not pte_page()).
        /// </summary>
        [FaultPathCheck]
        public static page? vm_normal_page(vm_area_struct vma, ulong addr, pte_t pte)
        {
            ulong pfn = pte_pfn(pte);

            // Special ptes (zero page, VM_PFNMAP/VM_MIXEDMAP pfns) have no page to reuse or refcount.
            if (pte_special(pte))
            {
                return null;
            }

            // The zero page is never a "normal" page, even without the special bit.
            if (is_zero_pfn(pfn))
            {
                return null;
            }

            // A pfn past mem_map is a corrupted pte: print_bad_pte() and treat it as special.
            if (pfn > highest_memmap_pfn)
            {
                Console.Error.WriteLine($"BUG: Bad page map: {pte} in {vma}");
                return null;
            }

            return pfn_to_page(pfn);
        }

        /// <summary>
        /// wp_page_reuse(): handle write page faults for pages that can be reused in the current
        /// vma: the faulting task owns the page, so make the pte writable (and dirty) in place.
        /// </summary>
        [WriteGrant]
        public static void wp_page_reuse(vm_fault vmf)
        {
            var vma = vmf.vma;
            pte_t entry;

            entry = pte_mkyoung(vmf.orig_pte);
            entry = maybe_mkwrite(pte_mkdirty(entry), vma);
            ptep_set_access_flags(vma, vmf.address, vmf.pte, entry, true);
            vma.vm_mm.nr_wp_reuse++;
        }

        /// <summary>
        /// wp_page_copy(): handle the case of a page which we actually need to copy to a new page
        /// (COW): allocate a page, copy the old contents (or zero for the zero page), map the copy
        /// writable, drop the old mapping and the reference do_wp_page() took.
        /// </summary>
        public static uint wp_page_copy(vm_fault vmf)
        {
            var vma = vmf.vma;
            var mm = vma.vm_mm;
            page? old_page = vmf.page;
            page? new_page;
            pte_t entry;
            bool page_copied = false;

            anon_vma_prepare(vma);

            if (is_zero_pfn(pte_pfn(vmf.orig_pte)))
            {
                new_page = alloc_page();
            }
            else
            {
                new_page = alloc_page();
                // cow_user_page(): copy the contents. For a special pfn (no struct page) the kernel
                // copies from the user address, i.e. from the memory that pfn maps; the port keeps
                // that memory in mem_map at the same pfn.
                var src = old_page ?? pfn_to_page(pte_pfn(vmf.orig_pte));
                Array.Copy(src.data, new_page.data, (int)PAGE_SIZE);
            }

            __SetPageUptodate(new_page);

            // Re-check the pte - the kernel dropped the page table lock.
            if (pte_same(vmf.pte.get(), vmf.orig_pte))
            {
                entry = mk_pte(new_page, vma.vm_page_prot);
                entry = pte_mkyoung(entry);
                entry = maybe_mkwrite(pte_mkdirty(entry), vma);
                ptep_get_and_clear(mm, vmf.address, vmf.pte);
                page_add_new_anon_rmap(new_page, vma, vmf.address);
                set_pte_at(mm, vmf.address, vmf.pte, entry);
                if (old_page is not null)
                {
                    page_remove_rmap(old_page);
                }

                // Free the old page..
                new_page = old_page;
                page_copied = true;
                mm.nr_wp_copy++;
            }

            if (new_page is not null)
            {
                put_page(new_page);
            }

            if (old_page is not null)
            {
                put_page(old_page);
            }

            return page_copied ? VM_FAULT_WRITE : 0;
        }

        /// <summary>
        /// wp_pfn_shared(): a shared writable mapping of a pfn with no struct page: nothing to
        /// copy, the write is granted in place (the kernel calls wp_page_reuse()).
        /// </summary>
        [WriteGrant]
        public static uint wp_pfn_shared(vm_fault vmf)
        {
            wp_page_reuse(vmf);
            return VM_FAULT_WRITE;
        }

        /// <summary>
        /// wp_page_shared(): a write fault on a page of a shared writable mapping: never COW, grant
        /// the write in place and account the page dirty (the writenotify that MM_CP_DIRTY_ACCT is
        /// about). The port's files have no ->page_mkwrite, so this is the kernel's else-branch.
        /// </summary>
        [WriteGrant]
        public static uint wp_page_shared(vm_fault vmf)
        {
            var page = vmf.page!;
            uint ret = VM_FAULT_WRITE;

            get_page(page);

            wp_page_reuse(vmf);
            lock_page(page);

            // fault_dirty_shared_page(), inlined so that the page lock is taken and released in one
            // function: set_page_dirty() under the lock, then unlock_page().
            set_page_dirty(page);
            unlock_page(page);

            put_page(page);
            return ret;
        }

        /// <summary>
        /// do_wp_page(): this routine handles present pages, when users try to write to a shared
        /// page. It is done by copying the page to a new address and decrementing the shared-page
        /// counter for the old page.
        ///
        /// Note that this routine assumes that the protection checks have been done by the caller
        /// (the low-level page fault routine in most cases): the fault is a write to a VM_WRITE VMA.
        /// </summary>
        public static uint do_wp_page(vm_fault vmf)
        {
            var vma = vmf.vma;

            vma.vm_mm.nr_wp_faults++;

            // Userfaultfd write-protect: the monitor must see this write before it happens.
            if (userfaultfd_pte_wp(vma, vmf.orig_pte))
            {
                return handle_userfault(vmf, VM_UFFD_WP);
            }

            // (Userfaultfd write-protect can defer TLB flushes; the port has no TLB.)

            vmf.page = vm_normal_page(vma, vmf.address, vmf.orig_pte);
            if (vmf.page is null)
            {
                // VM_MIXEDMAP !pfn_valid() case, or VM_SOFTDIRTY clear on a VM_PFNMAP VMA.
                //
                // We should not cow pages in a shared writeable mapping. Just mark the pages
                // writable and/or call ops->pfn_mkwrite.
                if ((vma.vm_flags & (VM_WRITE | VM_SHARED)) == (VM_WRITE | VM_SHARED))
                {
                    return wp_pfn_shared(vmf);
                }

                return wp_page_copy(vmf);
            }

            // Take out anonymous pages first, anonymous shared vmas are not dirty accountable.
            if (PageAnon(vmf.page))
            {
                var page = vmf.page;

                // PageKsm() doesn't necessarily raise the page refcount.
                if (PageKsm(page) || page_count(page) != 1)
                {
                    goto copy;
                }

                if (!trylock_page(page))
                {
                    goto copy;
                }

                if (PageKsm(page) || page_mapcount(page) != 1 || page_count(page) != 1)
                {
                    unlock_page(page);
                    goto copy;
                }

                // Ok, we've got the only map reference, and the only page count reference, and the
                // page is locked, it's dark out, and we're wearing sunglasses. Hit it.
                unlock_page(page);
                wp_page_reuse(vmf);
                return VM_FAULT_WRITE;
            }
            else if ((vma.vm_flags & (VM_WRITE | VM_SHARED)) == (VM_WRITE | VM_SHARED))
            {
                return wp_page_shared(vmf);
            }

        copy:
            // Ok, we need to copy. Oh, well..
            get_page(vmf.page);

            return wp_page_copy(vmf);
        }

        /// <summary>
        /// do_anonymous_page(): first touch of anonymous memory. Reads map the zero page; writes get
        /// a zeroed private page, mapped writable and dirty.
        /// </summary>
        public static uint do_anonymous_page(vm_fault vmf)
        {
            var vma = vmf.vma;
            page page;
            pte_t entry;

            // File mapping without ->vm_ops?
            if ((vma.vm_flags & VM_SHARED) != 0)
            {
                return VM_FAULT_SIGBUS;
            }

            // Use the zero-page for reads.
            if ((vmf.flags & FAULT_FLAG_WRITE) == 0)
            {
                entry = pte_mkspecial(pfn_pte(my_zero_pfn(vmf.address), vma.vm_page_prot));
                set_pte_at(vma.vm_mm, vmf.address, vmf.pte, entry);
                return 0;
            }

            anon_vma_prepare(vma);
            page = alloc_page();
            __SetPageUptodate(page);

            entry = mk_pte(page, vma.vm_page_prot);
            entry = pte_mkyoung(entry);
            entry = maybe_mkwrite(pte_mkdirty(entry), vma);

            // Deliver the page fault to userland.
            if (userfaultfd_missing(vma))
            {
                put_page(page);
                return handle_userfault(vmf, VM_UFFD_MISSING);
            }

            page_add_new_anon_rmap(page, vma, vmf.address);
            set_pte_at(vma.vm_mm, vmf.address, vmf.pte, entry);
            return 0;
        }

        /// <summary>
        /// filemap_fault() (mm/filemap.c), folded: find or create the page-cache page and return it
        /// with a reference for the caller. The page cache itself holds one reference.
        /// </summary>
        private static uint __do_fault(vm_fault vmf)
        {
            var vma = vmf.vma;
            var mapping = vma.vm_file!.f_mapping;
            ulong index = (vmf.address - vma.vm_start) / PAGE_SIZE + vma.vm_pgoff;

            if (!mapping.i_pages.TryGetValue(index, out var page))
            {
                page = alloc_page();
                page.mapping = mapping;
                page.index = index;
                __SetPageUptodate(page);
                mapping.i_pages.Add(index, page);
            }

            get_page(page);
            vmf.page = page;
            return 0;
        }

        /// <summary>do_set_pte() / finish_fault(): map the page the fault found (or the COW copy).</summary>
        private static uint finish_fault(vm_fault vmf)
        {
            var vma = vmf.vma;
            bool write = (vmf.flags & FAULT_FLAG_WRITE) != 0;
            page page;
            pte_t entry;

            if (write && (vma.vm_flags & VM_SHARED) == 0)
            {
                page = vmf.cow_page!;
            }
            else
            {
                page = vmf.page!;
            }

            entry = mk_pte(page, vma.vm_page_prot);
            entry = pte_mkyoung(entry);
            if (write)
            {
                entry = maybe_mkwrite(pte_mkdirty(entry), vma);
            }

            // copy-on-write page
            if (write && (vma.vm_flags & VM_SHARED) == 0)
            {
                page_add_new_anon_rmap(page, vma, vmf.address);
            }
            else
            {
                page_add_file_rmap(page);
            }

            set_pte_at(vma.vm_mm, vmf.address, vmf.pte, entry);
            return 0;
        }

        private static uint do_read_fault(vm_fault vmf)
        {
            uint ret = __do_fault(vmf);
            ret |= finish_fault(vmf);
            return ret;
        }

        private static uint do_cow_fault(vm_fault vmf)
        {
            var vma = vmf.vma;
            anon_vma_prepare(vma);
            vmf.cow_page = alloc_page();
            uint ret = __do_fault(vmf);
            Array.Copy(vmf.page!.data, vmf.cow_page.data, (int)PAGE_SIZE);
            __SetPageUptodate(vmf.cow_page);
            ret |= finish_fault(vmf);
            put_page(vmf.page);
            return ret;
        }

        private static uint do_shared_fault(vm_fault vmf)
        {
            uint ret = __do_fault(vmf);
            ret |= finish_fault(vmf);

            // fault_dirty_shared_page(): the first write makes the page dirty.
            var page = vmf.page!;
            lock_page(page);
            set_page_dirty(page);
            unlock_page(page);
            return ret;
        }

        /// <summary>do_fault(): a file-backed VMA's first touch of a page.</summary>
        private static uint do_fault(vm_fault vmf)
        {
            var vma = vmf.vma;

            // Reads map the page cache page (read-only for private mappings).
            if ((vmf.flags & FAULT_FLAG_WRITE) == 0)
            {
                return do_read_fault(vmf);
            }

            // Writes to a private mapping get their own copy.
            if ((vma.vm_flags & VM_SHARED) == 0)
            {
                return do_cow_fault(vmf);
            }

            return do_shared_fault(vmf);
        }

        /// <summary>
        /// do_numa_page(), folded: a NUMA hinting fault. The port has one node: nothing migrates,
        /// the pte gets the VMA's protection back, and the write permission change_pte_range()
        /// saved in the PROT_NONE pte (preserve_write, pte_mk_savedwrite()).
        /// </summary>
        private static uint do_numa_page(vm_fault vmf)
        {
            var vma = vmf.vma;
            bool was_writable = pte_savedwrite(vmf.orig_pte);
            var pte = pte_modify(vmf.orig_pte, vma.vm_page_prot);
            pte = pte_mkyoung(pte);
            if (was_writable)
            {
                pte = pte_mkwrite(pte);
            }

            set_pte_at(vma.vm_mm, vmf.address, vmf.pte, pte);
            return 0;
        }

        /// <summary>
        /// do_swap_page(): the pte is a swap entry. Find the page in the swap cache (or read it
        /// back), map it - writable right away only for a write fault that reuse_swap_page() allows
        /// - carrying the swap pte's soft-dirty and uffd-wp bits over, and let do_wp_page() handle a
        /// write it could not grant.
        /// </summary>
        private static uint do_swap_page(vm_fault vmf)
        {
            var vma = vmf.vma;
            var entry = pte_to_swp_entry(vmf.orig_pte);
            uint ret = 0;
            pte_t pte;

            var page = swap_state.lookup_swap_cache(entry) ?? swap_state.swapin_readahead(entry);
            lock_page(page);

            pte = mk_pte(page, vma.vm_page_prot);
            if ((vmf.flags & FAULT_FLAG_WRITE) != 0 && swap_state.reuse_swap_page(page, entry))
            {
                pte = maybe_mkwrite(pte_mkdirty(pte), vma);
                vmf.flags &= ~FAULT_FLAG_WRITE;
                ret |= VM_FAULT_WRITE;
            }

            if (pte_swp_soft_dirty(vmf.orig_pte))
            {
                pte = pte_mksoft_dirty(pte);
            }

            if (pte_swp_uffd_wp(vmf.orig_pte))
            {
                pte = pte_mkuffd_wp(pte);
                pte = pte_wrprotect(pte);
            }

            set_pte_at(vma.vm_mm, vmf.address, vmf.pte, pte);
            vmf.orig_pte = pte;

            // do_page_add_anon_rmap(): the first mapping of a page read back from swap sets up its anon_vma.
            if (!page_mapped(page))
            {
                page.mapping = vma.anon_vma;
            }

            page._mapcount++;
            swap_state.swap_free(entry);
            unlock_page(page);

            if ((vmf.flags & FAULT_FLAG_WRITE) != 0)
            {
                ret |= do_wp_page(vmf);
            }

            return ret;
        }

        /// <summary>
        /// handle_pte_fault(): dispatch on the pte: none (first touch), NUMA hint, or a write to a
        /// present, write-protected pte (do_wp_page()).
        /// </summary>
        public static uint handle_pte_fault(vm_fault vmf)
        {
            pte_t entry;

            vmf.orig_pte = vmf.pte.get();

            if (pte_none(vmf.orig_pte))
            {
                if (vma_is_anonymous(vmf.vma))
                {
                    return do_anonymous_page(vmf);
                }

                return do_fault(vmf);
            }

            if (!pte_present(vmf.orig_pte))
            {
                return do_swap_page(vmf);
            }

            if (pte_protnone(vmf.orig_pte) && vma_is_accessible(vmf.vma))
            {
                return do_numa_page(vmf);
            }

            entry = vmf.orig_pte;
            if ((vmf.flags & FAULT_FLAG_WRITE) != 0)
            {
                if (!pte_write(entry))
                {
                    return do_wp_page(vmf);
                }

                entry = pte_mkdirty(entry);
            }

            entry = pte_mkyoung(entry);
            ptep_set_access_flags(vmf.vma, vmf.address, vmf.pte, entry, (vmf.flags & FAULT_FLAG_WRITE) != 0);
            return 0;
        }

        /// <summary>
        /// handle_mm_fault(): the generic fault entry. The caller (fault.cs) has already checked the
        /// access against vma->vm_flags.
        /// </summary>
        public static uint handle_mm_fault(vm_area_struct vma, ulong address, uint flags)
        {
            var vmf = new vm_fault(vma, address & PAGE_MASK, flags);
            pte_offset_map(vma.vm_mm, vmf.address, true, out vmf.pte);
            vmf.has_pte = true;
            vma.vm_mm.nr_page_faults++;
            return handle_pte_fault(vmf);
        }

        /// <summary>
        /// copy_present_pte(): fork. Share the page with the child: take a reference and a map
        /// count, and for a COW mapping write-protect the pte in both parent and child so that the
        /// first write from either side goes through do_wp_page().
        /// </summary>
        private static void copy_present_pte(vm_area_struct dst_vma, vm_area_struct src_vma, pte_ptr dst_pte, pte_ptr src_pte, ulong addr)
        {
            var src_mm = src_vma.vm_mm;
            ulong vm_flags = src_vma.vm_flags;
            pte_t pte = src_pte.get();
            page? page;

            page = vm_normal_page(src_vma, addr, pte);
            if (page is not null)
            {
                get_page(page);
                page_dup_rmap(page);
            }

            // If it's a COW mapping, write protect it both in the parent and the child.
            if (is_cow_mapping(vm_flags) && pte_write(pte))
            {
                ptep_set_wrprotect(src_mm, addr, src_pte);
                pte = pte_wrprotect(pte);
            }

            // If it's a shared mapping, mark it clean in the child.
            if ((vm_flags & VM_SHARED) != 0)
            {
                pte = pte_mkclean(pte);
            }

            pte = pte_mkold(pte);

            // Make sure the _PAGE_UFFD_WP bit is cleared if the new VMA does not have VM_UFFD_WP,
            // which means that the uffd fork event is not enabled. (v5.13 tests the SOURCE VMA's
            // vm_flags here, so a registered parent's bit reaches the unregistered child; v5.14's
            // "mm/userfaultfd: fix uffd-wp special cases for fork()" tests dst_vma. The child's
            // VMA has no VM_UFFD_WP, so userfaultfd_pte_wp() ignores the left-over bit - until the
            // child registers for WP itself: then do_wp_page() sends the write to userland, which is
            // why may_avoid_write_fault() refuses on the bit alone.)
            if ((vm_flags & VM_UFFD_WP) == 0)
            {
                pte = pte_clear_uffd_wp(pte);
            }

            set_pte_at(dst_vma.vm_mm, addr, dst_pte, pte);
        }

        /// <summary>copy_page_range(): fork copies the parent's ptes of one VMA into the child.</summary>
        public static int copy_page_range(vm_area_struct dst_vma, vm_area_struct src_vma)
        {
            // Don't copy ptes where a page fault will fill them correctly (shared file mappings).
            if (src_vma.anon_vma is null && (src_vma.vm_flags & (VM_PFNMAP | VM_MIXEDMAP)) == 0)
            {
                return 0;
            }

            for (ulong addr = src_vma.vm_start; addr < src_vma.vm_end; addr += PAGE_SIZE)
            {
                if (!pte_offset_map(src_vma.vm_mm, addr, false, out var src_pte))
                {
                    continue;
                }

                if (pte_none(src_pte.get()))
                {
                    continue;
                }

                pte_offset_map(dst_vma.vm_mm, addr, true, out var dst_pte);

                // copy_nonpresent_pte(): a swap entry gains a user; the child's pte is the same entry
                // (v5.13 keeps its uffd-wp bit).
                if (!pte_present(src_pte.get()))
                {
                    swap_state.swap_duplicate(pte_to_swp_entry(src_pte.get()));
                    set_pte_at(dst_vma.vm_mm, addr, dst_pte, src_pte.get());
                    continue;
                }

                copy_present_pte(dst_vma, src_vma, dst_pte, src_pte, addr);
            }

            return 0;
        }

        /// <summary>zap_pte_range(): unmap [start, end) of a VMA, dropping map counts and references.</summary>
        public static void zap_page_range(vm_area_struct vma, ulong start, ulong end)
        {
            var mm = vma.vm_mm;
            for (ulong addr = start; addr < end; addr += PAGE_SIZE)
            {
                if (!pte_offset_map(mm, addr, false, out var ptep))
                {
                    continue;
                }

                pte_t ptent = ptep.get();
                if (pte_none(ptent))
                {
                    continue;
                }

                ptep_get_and_clear(mm, addr, ptep);

                // A swap entry: drop its count (and the swap cache page nobody uses any more).
                if (!pte_present(ptent))
                {
                    swap_state.free_swap_and_cache(pte_to_swp_entry(ptent));
                    continue;
                }

                var page = vm_normal_page(vma, addr, ptent);
                if (page is null)
                {
                    continue;
                }

                // A dirty pte means the page was written: the page must be written back.
                if (!PageAnon(page) && pte_dirty(ptent))
                {
                    set_page_dirty(page);
                }

                page_remove_rmap(page);
                put_page(page);
            }
        }
    }
}
