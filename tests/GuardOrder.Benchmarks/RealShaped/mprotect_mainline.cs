// Real-shaped benchmark corpus: mm/mprotect.c can_change_pte_writable() as mainline wrote it after
// the 2021 review: v6.0 (VM_BUG_ON on VM_WRITE, PageAnonExclusive), v6.2 (WARN_ON_ONCE, the shared
// mapping needs a dirty pte), v6.17 (split into private and shared helpers), each tied to the
// do_wp_page() of its time; and change_pte_range() in its v6.17 shape (NUMA skip tests, uffd-wp,
// MM_CP_TRY_CHANGE_WRITABLE).
using GuardOrder;
using static SampleMm.memory;
using static SampleMm.mm;
using static SampleMm.mm_v6;
using static SampleMm.page_flags;
using static SampleMm.pagemap;
using static SampleMm.pgtable;
using static SampleMm.userfaultfd;

namespace SampleMm
{
    public static class mprotect_mainline
    {
        /// <summary>can_change_pte_writable() v6.0, against the do_wp_page() of v5.19/v6.0 (anonymous pages first).</summary>
        [MustMatchFaultPath(typeof(memory_v5_19), nameof(memory_v5_19.do_wp_page))]
        public static bool can_change_pte_writable_v6_0(vm_area_struct vma, ulong addr, pte_t pte)
        {
            page? page;

            VM_BUG_ON((vma.vm_flags & VM_WRITE) == 0 || pte_write(pte));

            if (pte_protnone(pte) || !pte_dirty(pte))
            {
                return false;
            }

            // Do we need write faults for softdirty tracking?
            if (vma_soft_dirty_enabled(vma) && !pte_soft_dirty(pte))
            {
                return false;
            }

            // Do we need write faults for uffd-wp tracking?
            if (userfaultfd_pte_wp(vma, pte))
            {
                return false;
            }

            if ((vma.vm_flags & VM_SHARED) == 0)
            {
                // We can only special-case on exclusive anonymous pages, because we know that our
                // write-fault handler similarly would map them writable without any additional
                // checks while holding the PT lock.
                page = vm_normal_page(vma, addr, pte);
                if (page is null || !PageAnon(page) || !PageAnonExclusive(page))
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>can_change_pte_writable() v6.2, against the shared-first do_wp_page() (v6.2+).</summary>
        [MustMatchFaultPath(typeof(memory_v6_7), nameof(memory_v6_7.do_wp_page))]
        public static bool can_change_pte_writable_v6_2(vm_area_struct vma, ulong addr, pte_t pte)
        {
            page? page;

            if (WARN_ON_ONCE((vma.vm_flags & VM_WRITE) == 0))
            {
                return false;
            }

            // Don't touch entries that are not even readable.
            if (pte_protnone(pte))
            {
                return false;
            }

            // Do we need write faults for softdirty tracking?
            if (vma_soft_dirty_enabled(vma) && !pte_soft_dirty(pte))
            {
                return false;
            }

            // Do we need write faults for uffd-wp tracking?
            if (userfaultfd_pte_wp(vma, pte))
            {
                return false;
            }

            if ((vma.vm_flags & VM_SHARED) == 0)
            {
                // Writable MAP_PRIVATE mapping: We can only special-case on exclusive anonymous
                // pages, because we know that our write-fault handler similarly would map them
                // writable without any additional checks while holding the PT lock.
                page = vm_normal_page(vma, addr, pte);
                return page is not null && PageAnon(page) && PageAnonExclusive(page);
            }

            // Writable MAP_SHARED mapping: "clean" might indicate that the FS still needs a real
            // write-fault for writenotify (see vma_wants_writenotify()). If "dirty", the assumption
            // is that the FS was already notified and we can simply mark the PTE writable just like
            // the write-fault handler would do.
            return pte_dirty(pte);
        }

        /// <summary>maybe_change_pte_writable() (v6.17): the tests both mapping kinds share.</summary>
        private static bool maybe_change_pte_writable(vm_area_struct vma, pte_t pte)
        {
            if (WARN_ON_ONCE((vma.vm_flags & VM_WRITE) == 0))
            {
                return false;
            }

            // Don't touch entries that are not even readable.
            if (pte_protnone(pte))
            {
                return false;
            }

            // Do we need write faults for softdirty tracking?
            if (pte_needs_soft_dirty_wp(vma, pte))
            {
                return false;
            }

            // Do we need write faults for uffd-wp tracking?
            if (userfaultfd_pte_wp(vma, pte))
            {
                return false;
            }

            return true;
        }

        /// <summary>can_change_private_pte_writable() (v6.17).</summary>
        private static bool can_change_private_pte_writable(vm_area_struct vma, ulong addr, pte_t pte)
        {
            page? page;

            if (!maybe_change_pte_writable(vma, pte))
            {
                return false;
            }

            // Writable MAP_PRIVATE mapping: We can only special-case on exclusive anonymous pages,
            // because we know that our write-fault handler similarly would map them writable
            // without any additional checks while holding the PT lock.
            page = vm_normal_page(vma, addr, pte);
            return page is not null && PageAnon(page) && PageAnonExclusive(page);
        }

        /// <summary>can_change_shared_pte_writable() (v6.17).</summary>
        private static bool can_change_shared_pte_writable(vm_area_struct vma, pte_t pte)
        {
            if (!maybe_change_pte_writable(vma, pte))
            {
                return false;
            }

            WARN_ON_ONCE(is_zero_pfn(pte_pfn(pte)) && pte_dirty(pte));

            // Writable MAP_SHARED mapping: "clean" might indicate that the FS still needs a real
            // write-fault for writenotify (see vma_wants_writenotify()). If "dirty", the assumption
            // is that the FS was already notified and we can simply mark the PTE writable just like
            // the write-fault handler would do.
            return pte_dirty(pte);
        }

        /// <summary>can_change_pte_writable() v6.17: dispatch on the mapping kind.</summary>
        [MustMatchFaultPath(typeof(memory_v6_7), nameof(memory_v6_7.do_wp_page))]
        public static bool can_change_pte_writable_v6_17(vm_area_struct vma, ulong addr, pte_t pte)
        {
            if ((vma.vm_flags & VM_SHARED) == 0)
            {
                return can_change_private_pte_writable(vma, addr, pte);
            }

            return can_change_shared_pte_writable(vma, pte);
        }

        /// <summary>
        /// change_pte_range() (v6.17 shape): NUMA hinting skips zero/KSM/shared-COW/dirty-file folios
        /// and folios already on the target node; uffd-wp marks; MM_CP_TRY_CHANGE_WRITABLE asks the
        /// predicate. Returns the number of ptes changed.
        /// </summary>
        public static long change_pte_range(vm_area_struct vma, ulong addr, ulong end, pgprot_t newprot, ulong cp_flags, int target_node)
        {
            var mm = vma.vm_mm;
            long pages = 0;
            bool prot_numa = (cp_flags & MM_CP_PROT_NUMA) != 0;
            bool uffd_wp = (cp_flags & MM_CP_UFFD_WP) != 0;
            bool uffd_wp_resolve = (cp_flags & MM_CP_UFFD_WP_RESOLVE) != 0;

            if (prot_numa && (vma.vm_flags & VM_SHARED) == 0 && mm.mmap.Count == 1)
            {
                target_node = 0;
            }

            for (; addr != end; addr += PAGE_SIZE)
            {
                if (!pte_offset_map(mm, addr, false, out var ptep))
                {
                    return -EAGAIN_;
                }

                pte_t oldpte = ptep.get();
                if (pte_present(oldpte))
                {
                    pte_t ptent;

                    // Avoid trapping faults against the zero or KSM pages. See similar comment in
                    // change_huge_pmd.
                    if (prot_numa)
                    {
                        // Avoid TLB flush if possible.
                        if (pte_protnone(oldpte))
                        {
                            continue;
                        }

                        var page = vm_normal_page(vma, addr, oldpte);
                        if (page is null)
                        {
                            continue;
                        }

                        var folio = page_folio(page);
                        if (folio_test_ksm(folio))
                        {
                            continue;
                        }

                        // Also skip shared copy-on-write pages.
                        if (is_cow_mapping(vma.vm_flags) && (folio_maybe_dma_pinned(folio) || folio_maybe_mapped_shared(folio)))
                        {
                            continue;
                        }

                        // While migration can move some dirty pages, it cannot move them all from
                        // MIGRATE_ASYNC context.
                        if (!folio_test_anon(folio) && folio_test_dirty(folio))
                        {
                            continue;
                        }

                        // Don't mess with PTEs if page is already on the node a single-threaded
                        // process is running on.
                        int nid = (int)(page.pfn & 1);
                        if (target_node == nid)
                        {
                            continue;
                        }
                    }

                    ptent = pte_modify(oldpte, newprot);

                    if (uffd_wp)
                    {
                        ptent = pte_mkuffd_wp(ptent);
                    }
                    else if (uffd_wp_resolve)
                    {
                        ptent = pte_clear_uffd_wp(ptent);
                    }

                    // In some writable, shared mappings, we might want to catch actual write access
                    // -- see vma_wants_writenotify(). In all writable, private mappings, we have to
                    // properly handle COW. In both cases, we can sometimes still change PTEs
                    // writable and avoid the write-fault handler, for example, if a PTE is already
                    // dirty and no other COW or special handling is required.
                    if ((cp_flags & MM_CP_TRY_CHANGE_WRITABLE) != 0 && !pte_write(ptent) && can_change_pte_writable_v6_17(vma, addr, ptent))
                    {
                        ptent = pte_mkwrite(ptent);
                    }

                    set_pte_at(mm, addr, ptep, ptent);
                    pages++;
                }
                else if (!pte_none(oldpte))
                {
                    // A swap / migration entry: the port keeps the entry, only the uffd-wp bit moves.
                    pte_t newpte = oldpte;
                    if (uffd_wp)
                    {
                        newpte = pte_mkuffd_wp(newpte);
                    }
                    else if (uffd_wp_resolve)
                    {
                        newpte = pte_clear_uffd_wp(newpte);
                    }

                    if (!pte_same(oldpte, newpte))
                    {
                        set_pte_at(mm, addr, ptep, newpte);
                        pages++;
                    }
                }
                else
                {
                    // It must be an none page, or what else?..
                    if (!uffd_wp)
                    {
                        continue;
                    }

                    if (!vma_is_anonymous(vma))
                    {
                        // A marker for file-backed memory: wr-protect a none pte.
                        set_pte_at(mm, addr, ptep, pte_mkuffd_wp(new pte_t(0)));
                        pages++;
                    }
                }
            }

            return pages;
        }

        private const long EAGAIN_ = 11;
    }
}
