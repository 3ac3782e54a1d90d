// mm/ksm.c (Linux v5.13), reduced to what the review needs: ksmd merges identical anonymous pages
// of MADV_MERGEABLE areas into one write-protected KSM page, shared through the stable tree.
//
// "PageKsm() doesn't necessarily raise the page refcount": the stable tree remembers a KSM page
// by its pfn (stable_node.kpfn), not by a reference. Each pte mapping the KSM page holds one
// reference, so when all but one mapper is gone the KSM page has page_count() == 1 - and it is
// still shared: the next ksmd scan can map it into another process. That is why do_wp_page()
// never reuses a KSM page, whatever its refcount.
using System;
using System.Collections.Generic;
using static SampleMm.memory;
using static SampleMm.mm;
using static SampleMm.page_flags;
using static SampleMm.pagemap;
using static SampleMm.pgtable;
using static SampleMm.rmap;

namespace SampleMm
{
    /// <summary>struct stable_node: one KSM page in the stable tree, known by pfn only.</summary>
    public sealed class stable_node
    {
        public stable_node(ulong kpfn)
        {
            this.kpfn = kpfn;
        }

        /// <summary>The KSM page's pfn. No reference is held on it.</summary>
        public readonly ulong kpfn;

        /// <summary>hlist: the rmap_items of the ptes that map it.</summary>
        public readonly List<rmap_item> hlist = new List<rmap_item>();
    }

    /// <summary>struct rmap_item: one scanned virtual page of a mergeable area.</summary>
    public sealed class rmap_item
    {
        public rmap_item(mm_struct mm, ulong address)
        {
            this.mm = mm;
            this.address = address;
        }

        public readonly mm_struct mm;
        public readonly ulong address;
        public stable_node? head;
    }

    public static class ksm
    {
        public const int MADV_MERGEABLE = 12;
        public const int MADV_UNMERGEABLE = 13;

        /// <summary>
        /// The stable tree. The kernel keeps an rbtree ordered by page contents; the port searches a
        /// list with memcmp_pages(), which finds the same node.
        /// </summary>
        public static readonly List<stable_node> root_stable_tree = new List<stable_node>();

        /// <summary>ksm_mm_head: the address spaces ksmd scans.</summary>
        private static readonly List<mm_struct> ksm_mm_list = new List<mm_struct>();

        /// <summary>ksm_madvise(): MADV_MERGEABLE marks the area for ksmd.</summary>
        public static int ksm_madvise(mm_struct mm, ulong start, ulong end, int advice)
        {
            foreach (var vma in mm.mmap)
            {
                if (vma.vm_end <= start || vma.vm_start >= end)
                {
                    continue;
                }

                if (advice == MADV_MERGEABLE)
                {
                    vma.vm_flags |= VM_MERGEABLE;
                }
                else
                {
                    vma.vm_flags &= ~VM_MERGEABLE;
                }
            }

            // __ksm_enter(): let ksmd scan this mm.
            if (advice == MADV_MERGEABLE && !ksm_mm_list.Contains(mm))
            {
                ksm_mm_list.Add(mm);
            }

            return 0;
        }

        /// <summary>__ksm_exit(): the mm is going away.</summary>
        public static void ksm_exit(mm_struct mm) => ksm_mm_list.Remove(mm);

        /// <summary>ksm_fork(): the child joins ksmd's list when the parent is on it.</summary>
        public static void ksm_fork(mm_struct mm, mm_struct oldmm)
        {
            if (ksm_mm_list.Contains(oldmm))
            {
                ksm_mm_list.Add(mm);
            }
        }

        /// <summary>Forget every scanned mm and the stable tree (a test starts a fresh machine).</summary>
        public static void reset()
        {
            ksm_mm_list.Clear();
            root_stable_tree.Clear();
        }

        private static bool memcmp_pages(page a, page b) => a.data.AsSpan().SequenceEqual(b.data);

        /// <summary>page_stable_node().</summary>
        public static stable_node? page_stable_node(page page) => PageKsm(page) ? page.mapping as stable_node : null;

        /// <summary>set_page_stable_node(): make the page a KSM page (mapping | PAGE_MAPPING_KSM).</summary>
        private static void set_page_stable_node(page page, stable_node? stable_node)
        {
            page.mapping = stable_node;
            page.mapping_flags = PAGE_MAPPING_KSM;
        }

        /// <summary>
        /// get_ksm_page(): the page a stable node points to, with a reference, or null (and the node
        /// removed) when the page was freed meanwhile - the node never held a reference on it.
        /// </summary>
        private static page? get_ksm_page(stable_node stable_node)
        {
            var page = pfn_to_page(stable_node.kpfn);
            // The page was freed (and maybe reused): the node is stale.
            if (PageBuddy(page) || !PageKsm(page) || page.mapping != stable_node)
            {
                root_stable_tree.Remove(stable_node);
                return null;
            }

            get_page(page);
            return page;
        }

        /// <summary>stable_tree_search(): a KSM page with the same contents, with a reference.</summary>
        private static page? stable_tree_search(page page)
        {
            foreach (var stable_node in root_stable_tree.ToArray())
            {
                var tree_page = get_ksm_page(stable_node);
                if (tree_page is null)
                {
                    continue;
                }

                if (memcmp_pages(page, tree_page))
                {
                    return tree_page;
                }

                put_page(tree_page);
            }

            return null;
        }

        /// <summary>
        /// write_protect_page(): write-protect (and clean) the pte that maps the page, refusing when
        /// someone else holds an unexpected reference (O_DIRECT, GUP): mapcount + our reference +
        /// the swap cache must be the whole refcount.
        /// </summary>
        private static int write_protect_page(vm_area_struct vma, page page, ulong address, out pte_t orig_pte)
        {
            var mm = vma.vm_mm;
            orig_pte = default;
            // Another CPU holds this mm's page table lock (change_pte_range()): ksmd would spin on
            // it; the port gives up on the page for this pass.
            if (mm.page_table_lock_held)
            {
                return -EFAULT;
            }

            // The pte no longer maps this page.
            if (!pte_offset_map(mm, address, false, out var ptep) || pte_pfn(ptep.get()) != page.pfn || !pte_present(ptep.get()))
            {
                return -EFAULT;
            }

            if (pte_write(ptep.get()) || pte_dirty(ptep.get()))
            {
                int swapped = PageSwapCache(page) ? 1 : 0;
                var entry = ptep_get_and_clear(mm, address, ptep);

                // Check that no O_DIRECT or similar I/O is in progress on the page.
                if (page_mapcount(page) + 1 + swapped != page_count(page))
                {
                    set_pte_at(mm, address, ptep, entry);
                    return -EFAULT;
                }

                if (pte_dirty(entry))
                {
                    set_page_dirty(page);
                }

                entry = pte_mkclean(pte_wrprotect(entry));
                set_pte_at(mm, address, ptep, entry);
            }

            orig_pte = ptep.get();
            return 0;
        }

        /// <summary>
        /// replace_page(): map kpage, write-protected, where page was mapped; the KSM page gains a
        /// reference and a mapcount, the old page loses both.
        /// </summary>
        private static int replace_page(vm_area_struct vma, page page, page kpage, ulong address, pte_t orig_pte)
        {
            var mm = vma.vm_mm;
            // The pte changed under us (or its page table is locked by another CPU).
            if (mm.page_table_lock_held)
            {
                return -EFAULT;
            }

            if (!pte_offset_map(mm, address, false, out var ptep) || !pte_same(ptep.get(), orig_pte))
            {
                return -EFAULT;
            }

            get_page(kpage);
            page_add_anon_rmap(kpage, vma, address);
            var newpte = mk_pte(kpage, vma.vm_page_prot);

            ptep_get_and_clear(mm, address, ptep);
            set_pte_at(mm, address, ptep, newpte);

            page_remove_rmap(page);
            put_page(page);
            return 0;
        }

        /// <summary>
        /// try_to_merge_one_page(): take one anonymous page and check that it can be merged:
        /// lock it, write-protect its pte, then either make it the KSM page (kpage null) or replace
        /// it with kpage.
        /// </summary>
        private static int try_to_merge_one_page(vm_area_struct vma, page page, ulong address, page? kpage)
        {
            int err = -EFAULT;

            // Nothing to do: already the KSM page.
            if (page == kpage)
            {
                return 0;
            }

            // Only anonymous pages are merged.
            if (!PageAnon(page))
            {
                goto out_;
            }

            // We need the page lock to read a stable PageSwapCache in write_protect_page().
            if (!trylock_page(page))
            {
                goto out_;
            }

            if (write_protect_page(vma, page, address, out var orig_pte) == 0)
            {
                if (kpage is null)
                {
                    // While we hold page lock, upgrade page from PageAnon+anon_vma to PageKsm+NULL
                    // stable_node: stable_tree_insert() will update stable_node.
                    set_page_stable_node(page, null);
                    SetPageDirty(page);
                    err = 0;
                }
                else if (memcmp_pages(page, kpage))
                {
                    err = replace_page(vma, page, kpage, address, orig_pte);
                }
            }

            unlock_page(page);
        out_:
            return err;
        }

        private static vm_area_struct? find_mergeable_vma(mm_struct mm, ulong address)
        {
            var vma = find_vma(mm, address);
            // Gone, or no longer mergeable.
            if (vma is null || vma.vm_start > address || (vma.vm_flags & VM_MERGEABLE) == 0 || vma.anon_vma is null)
            {
                return null;
            }

            return vma;
        }

        private static int try_to_merge_with_ksm_page(rmap_item rmap_item, page page, page? kpage)
        {
            var vma = find_mergeable_vma(rmap_item.mm, rmap_item.address);
            // The area went away or stopped being mergeable.
            if (vma is null)
            {
                return -EFAULT;
            }

            return try_to_merge_one_page(vma, page, rmap_item.address, kpage);
        }

        /// <summary>try_to_merge_two_pages(): make page the KSM page and merge tree_page into it.</summary>
        private static page? try_to_merge_two_pages(rmap_item rmap_item, page page, rmap_item tree_rmap_item, page tree_page)
        {
            int err = try_to_merge_with_ksm_page(rmap_item, page, null);
            if (err == 0)
            {
                err = try_to_merge_with_ksm_page(tree_rmap_item, tree_page, page);
            }

            return err == 0 ? page : null;
        }

        private static void stable_tree_append(rmap_item rmap_item, stable_node stable_node)
        {
            rmap_item.head = stable_node;
            stable_node.hlist.Add(rmap_item);
        }

        /// <summary>stable_tree_insert(): a new KSM page enters the stable tree (page locked).</summary>
        private static stable_node stable_tree_insert(page kpage)
        {
            var stable_node = new stable_node(kpage.pfn);
            set_page_stable_node(kpage, stable_node);
            root_stable_tree.Add(stable_node);
            return stable_node;
        }

        /// <summary>
        /// cmp_and_merge_page(): first see if page can be merged into the stable tree; if not, compare
        /// with the pages seen so far in this scan (the unstable tree) and merge two into a new KSM page.
        /// </summary>
        private static void cmp_and_merge_page(page page, rmap_item rmap_item, List<(rmap_item item, page page)> unstable_tree)
        {
            // Already a KSM page (forked, or merged by an earlier scan).
            if (PageKsm(page))
            {
                return;
            }

            // We first start with searching the page inside the stable tree.
            var kpage = stable_tree_search(page);
            if (kpage is not null)
            {
                int err = try_to_merge_with_ksm_page(rmap_item, page, kpage);
                if (err == 0)
                {
                    lock_page(kpage);
                    stable_tree_append(rmap_item, page_stable_node(kpage)!);
                    unlock_page(kpage);
                }

                put_page(kpage);
                return;
            }

            foreach (var (tree_rmap_item, tree_page) in unstable_tree)
            {
                // Only a page still mapped where it was seen, with the same contents, is a candidate.
                if (tree_page == page || PageBuddy(tree_page) || PageKsm(tree_page) || !memcmp_pages(page, tree_page))
                {
                    continue;
                }

                get_page(tree_page);
                kpage = try_to_merge_two_pages(rmap_item, page, tree_rmap_item, tree_page);
                put_page(tree_page);
                if (kpage is not null)
                {
                    lock_page(kpage);
                    var stable_node = stable_tree_insert(kpage);
                    stable_tree_append(tree_rmap_item, stable_node);
                    stable_tree_append(rmap_item, stable_node);
                    unlock_page(kpage);
                }

                return;
            }

            unstable_tree.Add((rmap_item, page));
        }

        /// <summary>ksm_do_scan(): one full pass of ksmd over every mergeable area.</summary>
        public static void ksm_do_scan()
        {
            var unstable_tree = new List<(rmap_item item, page page)>();
            foreach (var mm in ksm_mm_list.ToArray())
            {
                foreach (var vma in mm.mmap.ToArray())
                {
                    if ((vma.vm_flags & VM_MERGEABLE) == 0 || vma.anon_vma is null)
                    {
                        continue;
                    }

                    for (ulong address = vma.vm_start; address < vma.vm_end; address += PAGE_SIZE)
                    {
                        var pte = ptep_get(mm, address);
                        if (!pte_present(pte))
                        {
                            continue;
                        }

                        // follow_page(FOLL_GET): the scan holds a reference while it looks.
                        var page = vm_normal_page(vma, address, pte);
                        if (page is null || !PageAnon(page))
                        {
                            continue;
                        }

                        get_page(page);
                        cmp_and_merge_page(page, new rmap_item(mm, address), unstable_tree);
                        put_page(page);
                    }
                }
            }
        }
    }
}
