// mm/mprotect.c (Linux v5.13 plus the 2021 patch "mm: improve mprotect(R|W) efficiency on pages
// referenced once" in its reviewed form): change_protection() and the early-write predicate
// may_avoid_write_fault().
using GuardOrder;
using static SampleMm.memory;
using static SampleMm.mm;
using static SampleMm.page_flags;
using static SampleMm.pagemap;
using static SampleMm.pgtable;
using static SampleMm.userfaultfd;

namespace SampleMm
{
    /// <summary>The signature change_pte_range() calls the early-write predicate through.</summary>
    public delegate bool may_avoid_write_fault_t(pte_t pte, vm_area_struct vma, ulong addr, ulong cp_flags);

    public static class mprotect
    {
        /// <summary>
        /// The predicate change_pte_range() uses. Default: <see cref="may_avoid_write_fault"/>. Tests
        /// (and the AsPosted demo) swap in the 2021 as-posted variants to run the port with them.
        /// </summary>
        public static may_avoid_write_fault_t predicate = may_avoid_write_fault;

        /// <summary>
        /// may_avoid_write_fault(): may change_pte_range() make this pte writable right away, so that
        /// the next write does not fault? Only where do_wp_page() would grant the same write in place
        /// (wp_page_reuse() / wp_page_shared()); everywhere else the write must fault.
        ///
        /// This is the reviewed form from the 2021 thread (Peter Xu's rework with the VM_WRITE test
        /// first and the KSM/page-lock squash), with these deviations so that every check is the
        /// one v5.13's do_wp_page() makes. (Mainline never merged the 2021 patch; v6.0 added
        /// can_change_pte_writable(), commit 64fe24a3e05e, which keys on PageAnonExclusive() - v5.18
        /// - with no page lock and no refcount or mapcount test. v5.13 has no PageAnonExclusive, so
        /// the port keeps do_wp_page()'s checks.)
        ///  1. addr is a parameter: vm_normal_page() needs it.
        ///  2. soft-dirty: the VMA test is the right way round, as mainline fixed it in
        ///     76aefad628aa ("mm/mprotect: fix soft-dirty check in can_change_pte_writable()", v6.0).
        ///  3. pte_uffd_wp(pte), as the 2021 text has it, and with it userfaultfd_pte_wp(vma, pte), the
        ///     test do_wp_page() makes (the first implies the second; GuardOrder compares the second).
        ///  4. vm_normal_page() + PageAnon(page) instead of pte_page(pte) + vma_is_anonymous(vma).
        ///  5. MM_CP_DIRTY_ACCT grants only for a non-anonymous page of a shared mapping: the case
        ///     do_wp_page() sends to wp_page_shared().
        ///  6. page_mapcount() == 1 under the lock, as do_wp_page() re-checks it.
        /// </summary>
        [MustMatchFaultPath(typeof(memory), nameof(memory.do_wp_page))]
        public static bool may_avoid_write_fault(pte_t pte, vm_area_struct vma, ulong addr, ulong cp_flags)
        {
            page? page;
            bool ret = false;

            // Never apply write bit if VM_WRITE not set. This is the permission the user gave the
            // mapping; every other test below is an optimisation detail.
            if ((vma.vm_flags & VM_WRITE) == 0)
            {
                return false;
            }

            // It is unclear whether this optimization can be done safely for NUMA pages.
            if ((cp_flags & MM_CP_PROT_NUMA) != 0)
            {
                return false;
            }

            // A NUMA-hinting / PROT_NONE pte must fault to do_numa_page(), never become writable.
            // (Deviation: mainline tests pte_protnone(); v5.13 relied on the caller.)
            if (pte_protnone(pte))
            {
                return false;
            }

            // Don't do this optimization for clean pages as we need to be notified of the transition
            // from clean to dirty.
            if (!pte_dirty(pte))
            {
                return false;
            }

            // Same for softdirty: while soft-dirty tracking is on for the VMA (VM_SOFTDIRTY clear), a
            // pte that is not soft-dirty must fault so the write gets recorded. (Deviation 2: v5.13
            // read "!pte_soft_dirty(pte) && (vma->vm_flags & VM_SOFTDIRTY)", the VMA test inverted.)
            if (!pte_soft_dirty(pte) && (vma.vm_flags & VM_SOFTDIRTY) == 0)
            {
                return false;
            }

            // For userfaultfd the user program needs to monitor write faults so we can't do this
            // optimization. (Deviation 3: the bit alone refuses, as in the 2021 text, even where the VMA
            // is not registered: v5.13's fork leaves a registered parent's bit in the child, and a child
            // that registers for WP later gets the write fault from do_wp_page(), which a pte made
            // writable now would never take. do_wp_page()'s own test, userfaultfd_pte_wp(), is kept
            // next to it: it is implied, and it is the check GuardOrder compares.)
            if (pte_uffd_wp(pte) || userfaultfd_pte_wp(vma, pte))
            {
                return false;
            }

            // (Deviation 4: the page do_wp_page() would look at, not pte_page(). Special ptes, the
            // zero page included, have none and always fault.)
            page = vm_normal_page(vma, addr, pte);
            if (page is null)
            {
                return false;
            }

            // MM_CP_DIRTY_ACCT indicates that we can always make the page writable regardless of the
            // number of references. (Deviation 5: only for a page-cache page of a shared mapping -
            // do_wp_page() grants those through wp_page_shared(); an anonymous page, or a private
            // mapping, falls through to the exclusive-anonymous test below.)
            if ((cp_flags & MM_CP_DIRTY_ACCT) != 0 && (vma.vm_flags & VM_SHARED) != 0 && !PageAnon(page))
            {
                return true;
            }

            // Otherwise we can only apply the write bit early if it's an anonymous page and we
            // exclusively own it. (Deviation 4: PageAnon(page), as do_wp_page() takes anonymous pages
            // first, instead of vma_is_anonymous(vma).)
            if (!PageAnon(page))
            {
                return false;
            }

            // Best effort to take page lock, don't play trick if failed.
            if (!trylock_page(page))
            {
                return false;
            }

            // KSM pages needs COW; leave them be. (PageKsm() is stable under the page lock.)
            if (PageKsm(page))
            {
                goto unlock_fail;
            }

            // Mapped by this pte only. (Deviation 6: do_wp_page() re-checks page_mapcount() under the lock.)
            if (page_mapcount(page) != 1)
            {
                goto unlock_fail;
            }

            // And referenced by this pte only: no fork sharer, no swap cache, no GUP pin.
            if (page_count(page) != 1)
            {
                goto unlock_fail;
            }

            ret = true;
        unlock_fail:
            unlock_page(page);
            return ret;
        }

        /// <summary>
        /// change_pte_range(): apply newprot to the present ptes of [addr, end) of one VMA, and make a
        /// pte writable early where the predicate allows it. Returns the number of ptes changed.
        /// </summary>
        public static ulong change_pte_range(vm_area_struct vma, ulong addr, ulong end, pgprot_t newprot, ulong cp_flags)
        {
            var mm = vma.vm_mm;

            // pte_offset_map_lock(): another CPU cannot change these ptes while the walk runs.
            mm.page_table_lock_held = true;
            try
            {
                return change_pte_range_locked(vma, addr, end, newprot, cp_flags);
            }
            finally
            {
                mm.page_table_lock_held = false;
            }
        }

        private static ulong change_pte_range_locked(vm_area_struct vma, ulong addr, ulong end, pgprot_t newprot, ulong cp_flags)
        {
            var mm = vma.vm_mm;
            ulong pages = 0;
            bool prot_numa = (cp_flags & MM_CP_PROT_NUMA) != 0;
            bool uffd_wp = (cp_flags & MM_CP_UFFD_WP) != 0;
            bool uffd_wp_resolve = (cp_flags & MM_CP_UFFD_WP_RESOLVE) != 0;

            for (; addr < end; addr += PAGE_SIZE)
            {
                if (!pte_offset_map(mm, addr, false, out var ptep))
                {
                    continue;
                }

                pte_t oldpte = ptep.get();
                pte_t ptent;

                if (pte_none(oldpte))
                {
                    continue;
                }

                // A swap entry: only the uffd-wp bit changes.
                if (!pte_present(oldpte))
                {
                    pte_t newpte = oldpte;
                    if (uffd_wp)
                    {
                        newpte = pte_swp_mkuffd_wp(newpte);
                    }
                    else if (uffd_wp_resolve)
                    {
                        newpte = pte_swp_clear_uffd_wp(newpte);
                    }

                    if (!pte_same(oldpte, newpte))
                    {
                        set_pte_at(mm, addr, ptep, newpte);
                        pages++;
                    }

                    continue;
                }

                // NUMA hinting keeps the write permission in the PROT_NONE pte (do_numa_page() restores it).
                bool preserve_write = prot_numa && pte_write(oldpte);

                // Avoid trapping faults against the zero or KSM pages.
                if (prot_numa)
                {
                    // Avoid TLB flush if possible.
                    if (pte_protnone(oldpte))
                    {
                        continue;
                    }

                    var page = vm_normal_page(vma, addr, oldpte);
                    if (page is null || PageKsm(page))
                    {
                        continue;
                    }

                    // Also skip shared copy-on-write pages.
                    if (is_cow_mapping(vma.vm_flags) && page_mapcount(page) != 1)
                    {
                        continue;
                    }
                }

                ptent = pte_modify(oldpte, newprot);
                if (preserve_write)
                {
                    ptent = pte_mk_savedwrite(ptent);
                }

                if (uffd_wp)
                {
                    ptent = pte_wrprotect(ptent);
                    ptent = pte_mkuffd_wp(ptent);
                }
                else if (uffd_wp_resolve)
                {
                    // Leave the write bit to be handled by PF interrupt handler, then things like COW
                    // could be properly handled.
                    ptent = pte_clear_uffd_wp(ptent);
                }

                // Avoid taking write faults for known dirty pages.
                if (!pte_write(ptent) && predicate(ptent, vma, addr, cp_flags))
                {
                    ptent = pte_mkwrite(ptent);
                }

                set_pte_at(mm, addr, ptep, ptent);
                pages++;
            }

            return pages;
        }

        /// <summary>change_protection(): the pgd/p4d/pud/pmd walk is folded into change_pte_range().</summary>
        public static ulong change_protection(vm_area_struct vma, ulong start, ulong end, pgprot_t newprot, ulong cp_flags)
        {
            return change_pte_range(vma, start, end, newprot, cp_flags);
        }

        /// <summary>change_prot_numa() (mm/mempolicy.c): NUMA balancing marks ptes PROT_NONE to sample accesses.</summary>
        public static ulong change_prot_numa(vm_area_struct vma, ulong addr, ulong end)
        {
            return change_protection(vma, addr, end, PAGE_NONE, MM_CP_PROT_NUMA);
        }

        /// <summary>
        /// mprotect_fixup(): new vm_flags for one VMA (split to [start, end) first), new vm_page_prot,
        /// and change_protection() with MM_CP_DIRTY_ACCT when the mapping is dirty accountable.
        /// </summary>
        public static int mprotect_fixup(vm_area_struct vma, ulong start, ulong end, ulong newflags)
        {
            ulong oldflags = vma.vm_flags;
            bool dirty_accountable;

            // Nothing changes.
            if (newflags == oldflags)
            {
                return 0;
            }

            vma = mmap.split_vma_range(vma, start, end);

            // vm_flags and vm_page_prot are protected by the mmap_lock held in write mode.
            vma.vm_flags = newflags;
            dirty_accountable = mmap.vma_wants_writenotify(vma, vma.vm_page_prot);
            mmap.vma_set_page_prot(vma);

            change_protection(vma, start, end, vma.vm_page_prot, dirty_accountable ? MM_CP_DIRTY_ACCT : 0);
            return 0;
        }

        /// <summary>do_mprotect_pkey() / sys_mprotect(): change the protection of [start, start+len).</summary>
        public static int sys_mprotect(mm_struct mm, ulong start, ulong len, ulong prot)
        {
            // start must be page aligned.
            if ((start & ~PAGE_MASK) != 0)
            {
                return -EINVAL;
            }

            // Nothing to do.
            if (len == 0)
            {
                return 0;
            }

            len = (len + PAGE_SIZE - 1) & PAGE_MASK;
            ulong end = start + len;

            // Wrap-around.
            if (end <= start)
            {
                return -ENOMEM;
            }

            ulong vm_prot = prot & (PROT_READ | PROT_WRITE | PROT_EXEC);
            ulong nstart = start;
            while (nstart < end)
            {
                var vma = find_vma(mm, nstart);
                // Every page of the range must be mapped.
                if (vma is null || vma.vm_start > nstart)
                {
                    return -ENOMEM;
                }

                // Here we know that vma->vm_start <= nstart < vma->vm_end.
                ulong newflags = vm_prot | (vma.vm_flags & ~(VM_READ | VM_WRITE | VM_EXEC));

                // newflags >> 4 shift VM_MAY% in place of VM_%: asking for a permission the mapping
                // may never have (a read-only file opened for reading) is refused.
                if ((newflags & ~(newflags >> 4) & VM_ACCESS_FLAGS) != 0)
                {
                    return -EACCES;
                }

                ulong tmp = vma.vm_end < end ? vma.vm_end : end;
                int error = mprotect_fixup(vma, nstart, tmp, newflags);
                if (error != 0)
                {
                    return error;
                }

                nstart = tmp;
            }

            return 0;
        }
    }
}
