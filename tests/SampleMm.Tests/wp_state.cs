using System.Collections.Generic;
using CsCheck;
using static SampleMm.mm;
using static SampleMm.page_flags;
using static SampleMm.pagemap;
using static SampleMm.pgtable;

namespace SampleMm.Tests
{
    /// <summary>What the pte under test maps.</summary>
    public enum page_kind
    {
        /// <summary>An anonymous page.</summary>
        anon,

        /// <summary>A KSM page (PageAnon and PageKsm).</summary>
        ksm,

        /// <summary>A page-cache page.</summary>
        file,

        /// <summary>The zero page (special pte).</summary>
        zero,

        /// <summary>A raw pfn map (special pte, no page to refcount).</summary>
        pfn,
    }

    /// <summary>The VMA the pte is in.</summary>
    public enum vma_kind
    {
        anon_private,
        file_private,
        file_shared,
    }

    /// <summary>
    /// One state of a page, its pte and its VMA, as change_pte_range() hands it to the predicate
    /// (the pte already write-protected by pte_modify()), and as do_wp_page() would see it on the
    /// next write fault.
    /// </summary>
    public sealed record wp_state(
        vma_kind vma,
        page_kind page,
        bool vm_write,
        bool vm_softdirty,
        bool vma_uffd_wp,
        bool pte_dirty,
        bool pte_soft_dirty,
        bool pte_uffd_wp,
        bool pte_protnone,
        int other_mappings,
        int extra_refs,
        bool swap_cache,
        bool locked_by_other,
        ulong cp_flags)
    {
        public const ulong addr = 0x10000;

        // Biased so that the states the predicate grants (exclusive: no sharer, no extra reference,
        // not locked) come up often enough to exercise both grant routes, while every other state
        // still appears.
        private static readonly Gen<bool> rarely_true = Gen.Int[0, 3].Select(i => i == 0);
        private static readonly Gen<bool> rarely_false = Gen.Int[0, 3].Select(i => i != 0);
        private static readonly Gen<int> mostly_zero = Gen.Int[0, 5].Select(i => i < 4 ? 0 : i - 3);

        public static readonly Gen<wp_state> gen =
            Gen.Select(
                Gen.Enum<vma_kind>(),
                Gen.Enum<page_kind>(),
                rarely_false, // vm_write
                Gen.Bool, // vm_softdirty
                Gen.Bool, // vma_uffd_wp
                Gen.Bool, // pte_dirty
                Gen.Bool, // pte_soft_dirty
                Gen.Bool, // pte_uffd_wp
                rarely_true, // pte_protnone
                mostly_zero, // other_mappings
                mostly_zero, // extra_refs
                rarely_true, // swap_cache
                rarely_true, // locked_by_other
                Gen.Int[0, 15].Select(i => (ulong)i),
                (vma, page, vm_write, vm_softdirty, vma_uffd_wp, pte_dirty, pte_soft_dirty, pte_uffd_wp, protnone, others, extra, swap, locked, cp) =>
                    new wp_state(vma, page, vm_write, vm_softdirty, vma_uffd_wp, pte_dirty, pte_soft_dirty, pte_uffd_wp, protnone, others, extra, swap, locked, cp));

        /// <summary>Build the state on the port: a fresh mm with one VMA, one page, one pte.</summary>
        public built build()
        {
            var mm = new mm_struct();
            ulong vm_flags = VM_READ | VM_MAYREAD | VM_MAYWRITE;
            if (vm_write)
            {
                vm_flags |= VM_WRITE;
            }

            if (vma == vma_kind.file_shared)
            {
                vm_flags |= VM_SHARED | VM_MAYSHARE;
            }

            if (vm_softdirty)
            {
                vm_flags |= VM_SOFTDIRTY;
            }

            if (vma_uffd_wp)
            {
                vm_flags |= VM_UFFD_WP;
            }

            var v = new vm_area_struct(mm, addr, addr + PAGE_SIZE, vm_flags);
            @file? f = null;
            if (vma != vma_kind.anon_private)
            {
                f = new @file(new address_space());
                v.vm_file = f;
                v.vm_ops = mmap.generic_file_vm_ops;
            }

            if (vma_uffd_wp)
            {
                v.vm_userfaultfd_ctx = userfaultfd.sys_userfaultfd(mm);
            }

            if (page == page_kind.pfn)
            {
                v.vm_flags |= VM_PFNMAP;
            }

            rmap.anon_vma_prepare(v);
            mmap.vma_set_page_prot(v);
            mm.mmap.Add(v);

            page p;
            bool special = false;
            switch (page)
            {
                case page_kind.anon:
                    p = alloc_page();
                    rmap.page_add_new_anon_rmap(p, v, addr);
                    break;
                case page_kind.ksm:
                    p = alloc_page();
                    rmap.page_add_new_anon_rmap(p, v, addr);
                    // The stable tree knows the page by pfn only: no reference for it.
                    p.mapping = new stable_node(p.pfn);
                    p.mapping_flags = PAGE_MAPPING_KSM;
                    break;
                case page_kind.file:
                    p = alloc_page();
                    p.mapping = f?.f_mapping ?? new address_space();
                    f?.f_mapping.i_pages.Add(0, p);
                    get_page(p); // the page cache's reference; alloc's is the pte's
                    rmap.page_add_file_rmap(p);
                    break;
                case page_kind.zero:
                    p = ZERO_PAGE;
                    special = true;
                    break;
                default:
                    // A pfn map: a page exists in mem_map but the pte is special (not refcounted).
                    p = alloc_page();
                    special = true;
                    break;
            }

            // Contents, so a copy is distinguishable (never into the shared zero page).
            if (page != page_kind.zero)
            {
                p.data[0] = 0x5a;
            }

            if (!special)
            {
                for (int i = 0; i < other_mappings; i++)
                {
                    get_page(p);
                    rmap.page_dup_rmap(p);
                }

                for (int i = 0; i < extra_refs; i++)
                {
                    get_page(p);
                }

                if (swap_cache && PageAnon(p))
                {
                    lock_page(p);
                    swap_state.add_to_swap_cache(p, swap_state.get_swap_page(p));
                    unlock_page(p);
                }

                if (locked_by_other)
                {
                    // Whoever holds the page lock holds a reference too.
                    get_page(p);
                    p.flags |= 1UL << PG_locked;
                }
            }

            // The pte as pte_modify(oldpte, newprot) leaves it: present (or protnone), not writable.
            ulong bits = _PAGE_USER | _PAGE_ACCESSED | (pte_protnone ? _PAGE_PROTNONE : _PAGE_PRESENT);
            if (pte_dirty)
            {
                bits |= _PAGE_DIRTY;
            }

            if (pte_soft_dirty)
            {
                bits |= _PAGE_SOFT_DIRTY;
            }

            if (pte_uffd_wp)
            {
                bits |= _PAGE_UFFD_WP;
            }

            if (special)
            {
                bits |= _PAGE_SPECIAL;
            }

            var pte = pfn_pte(p.pfn, new pgprot_t(bits));
            pte_offset_map(mm, addr, true, out var ptep);
            set_pte_at(mm, addr, ptep, pte);
            return new built(mm, v, p, pte, ptep, special);
        }

        /// <summary>
        /// Tear the state down: unmap the pte (whatever page it maps now), then let the fictitious
        /// sharers go - the other tasks' lock and reference, the swap cache, extra references, the
        /// other mappings, the page cache - so the page is freed with consistent counts (a refcount
        /// or mapcount do_wp_page() got wrong would trip VM_BUG_ON_PAGE here).
        /// </summary>
        public void teardown(built b)
        {
            var p = b.page;
            if (b.special)
            {
                mmap.exit_mmap(b.mm);
                if (page == page_kind.pfn)
                {
                    put_page(p);
                }

                return;
            }

            // The fault path freed the page (it copied, and nobody else held a reference): done.
            if (PageBuddy(p))
            {
                mmap.exit_mmap(b.mm);
                return;
            }

            // Our own reference while we take the page apart, like any kernel caller's.
            get_page(p);
            mmap.exit_mmap(b.mm);

            if (locked_by_other)
            {
                // lock_page() in the fault path models waiting for this holder: it may be gone.
                if (PageLocked(p))
                {
                    unlock_page(p);
                }

                put_page(p);
            }

            if (PageSwapCache(p))
            {
                lock_page(p);
                swap_state.delete_from_swap_cache(p);
                unlock_page(p);
            }

            for (int i = 0; i < extra_refs; i++)
            {
                put_page(p);
            }

            for (int i = 0; i < other_mappings; i++)
            {
                rmap.page_remove_rmap(p);
                put_page(p);
            }

            if (page == page_kind.file)
            {
                put_page(p);
            }

            put_page(p);
            VM_BUG_ON_PAGE(!PageBuddy(p), p);
        }
    }

    /// <summary>A built state.</summary>
    public sealed record built(mm_struct mm, vm_area_struct vma, page page, pte_t pte, pte_ptr ptep, bool special);

    /// <summary>The sync invariant, checked at run time.</summary>
    public static class sync_invariant
    {
        /// <summary>
        /// Run the predicate on the state; if it says "make it writable early", run the write fault
        /// the early write replaces on the same state: the access check of the arch fault handler,
        /// then do_wp_page(). True when they agree (or the predicate said no); otherwise the reason.
        /// </summary>
        public static string? check(may_avoid_write_fault_t predicate, wp_state state)
        {
            var s = state.build();
            try
            {
                return check(predicate, state, s);
            }
            finally
            {
                state.teardown(s);
            }
        }

        private static string? check(may_avoid_write_fault_t predicate, wp_state state, built s)
        {
            bool locked_before = PageLocked(s.page);
            bool early = predicate(s.pte, s.vma, wp_state.addr, state.cp_flags);

            // The predicate must leave the page lock as it found it (GO0004 at run time).
            if (PageLocked(s.page) != locked_before)
            {
                return "the predicate changed the page lock";
            }

            if (!early)
            {
                return null;
            }

            // A write fault would first meet access_error(): no VM_WRITE, no write.
            if (fault.access_error(fault.X86_PF_WRITE | fault.X86_PF_PROT | fault.X86_PF_USER, s.vma))
            {
                return "early write on a VMA without VM_WRITE: the write fault would SIGSEGV";
            }

            var vmf = new vm_fault(s.vma, wp_state.addr, FAULT_FLAG_WRITE | FAULT_FLAG_USER)
            {
                orig_pte = s.pte,
                pte = s.ptep,
                has_pte = true,
            };
            int reuse_before = s.mm.nr_wp_reuse;
            uint ret = memory.do_wp_page(vmf);
            pte_t after = s.ptep.get();

            if ((ret & VM_FAULT_RETRY) != 0)
            {
                return "do_wp_page() hands this write to the userfaultfd monitor";
            }

            if (s.mm.nr_wp_reuse != reuse_before + 1)
            {
                return $"do_wp_page() copies this page (ret=0x{ret:x})";
            }

            if (pte_pfn(after) != s.page.pfn || !pte_write(after))
            {
                return "do_wp_page() did not make this same page writable";
            }

            return null;
        }
    }
}
