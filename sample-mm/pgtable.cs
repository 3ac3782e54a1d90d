// arch/x86/include/asm/pgtable.h, pgtable_types.h and include/linux/pgtable.h (Linux v5.13):
// pte bits, the pte helpers, protection_map, and the page-table walk (pgd..pmd folded).
using static SampleMm.mm;

namespace SampleMm
{
    public static class pgtable
    {
        // x86-64 pte bits.
        public const ulong _PAGE_PRESENT = 1UL << 0;
        public const ulong _PAGE_RW = 1UL << 1;
        public const ulong _PAGE_USER = 1UL << 2;
        public const ulong _PAGE_ACCESSED = 1UL << 5;
        public const ulong _PAGE_DIRTY = 1UL << 6;

        /// <summary>_PAGE_PROTNONE shares the GLOBAL bit: only meaningful when _PAGE_PRESENT is clear.</summary>
        public const ulong _PAGE_PROTNONE = 1UL << 8;

        /// <summary>_PAGE_SPECIAL (SOFTW1): no struct page to refcount (zero page, pfn maps).</summary>
        public const ulong _PAGE_SPECIAL = 1UL << 9;

        /// <summary>_PAGE_UFFD_WP (SOFTW2): userfaultfd write-protected.</summary>
        public const ulong _PAGE_UFFD_WP = 1UL << 10;

        /// <summary>_PAGE_SOFT_DIRTY (SOFTW3): written since the last clear_refs.</summary>
        public const ulong _PAGE_SOFT_DIRTY = 1UL << 11;

        public const ulong PTE_PFN_MASK = 0x000ffffffffff000UL;

        /// <summary>_PAGE_SWP_SOFT_DIRTY (_PAGE_PSE): the soft-dirty bit of a swap pte.</summary>
        public const ulong _PAGE_SWP_SOFT_DIRTY = 1UL << 7;

        /// <summary>_PAGE_SWP_UFFD_WP (_PAGE_USER): the uffd-wp bit of a swap pte.</summary>
        public const ulong _PAGE_SWP_UFFD_WP = 1UL << 2;

        /// <summary>Bits pte_modify() keeps from the old pte (_PAGE_CHG_MASK).</summary>
        public const ulong _PAGE_CHG_MASK = PTE_PFN_MASK | _PAGE_SPECIAL | _PAGE_ACCESSED | _PAGE_DIRTY | _PAGE_SOFT_DIRTY | _PAGE_UFFD_WP;

        public static readonly pgprot_t PAGE_NONE = new pgprot_t(_PAGE_PROTNONE | _PAGE_ACCESSED);
        public static readonly pgprot_t PAGE_SHARED = new pgprot_t(_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED);
        public static readonly pgprot_t PAGE_COPY = new pgprot_t(_PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED);
        public static readonly pgprot_t PAGE_READONLY = new pgprot_t(_PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED);

        /// <summary>
        /// protection_map[]: VM_READ|VM_WRITE|VM_EXEC|VM_SHARED to pte bits (exec is not modelled).
        /// Private writable mappings get PAGE_COPY (no _PAGE_RW): the first write faults and COWs.
        /// </summary>
        private static readonly pgprot_t[] protection_map =
        {
            PAGE_NONE, PAGE_READONLY, PAGE_COPY, PAGE_COPY, PAGE_READONLY, PAGE_READONLY, PAGE_COPY, PAGE_COPY,
            PAGE_NONE, PAGE_READONLY, PAGE_SHARED, PAGE_SHARED, PAGE_READONLY, PAGE_READONLY, PAGE_SHARED, PAGE_SHARED,
        };

        /// <summary>vm_get_page_prot().</summary>
        public static pgprot_t vm_get_page_prot(ulong vm_flags) =>
            protection_map[(int)(vm_flags & (VM_READ | VM_WRITE | VM_EXEC | VM_SHARED))];

        public static ulong pte_val(pte_t pte) => pte.pte;

        public static ulong pte_flags(pte_t pte) => pte.pte & ~PTE_PFN_MASK;

        public static ulong pte_pfn(pte_t pte) => (pte.pte & PTE_PFN_MASK) >> PAGE_SHIFT;

        public static pte_t pfn_pte(ulong pfn, pgprot_t prot) => new pte_t((pfn << PAGE_SHIFT) & PTE_PFN_MASK | prot.pgprot);

        /// <summary>mk_pte().</summary>
        public static pte_t mk_pte(page page, pgprot_t prot) => pfn_pte(page.pfn, prot);

        /// <summary>pte_page(): the struct page of any pte, special or not (unlike vm_normal_page()).</summary>
        public static page pte_page(pte_t pte) => pfn_to_page(pte_pfn(pte));

        public static bool pte_none(pte_t pte) => pte.pte == 0;

        /// <summary>pte_present(): present, or PROT_NONE/NUMA-hinting (still maps a page).</summary>
        public static bool pte_present(pte_t pte) => (pte.pte & (_PAGE_PRESENT | _PAGE_PROTNONE)) != 0;

        /// <summary>pte_protnone(): a NUMA-hinting or PROT_NONE pte.</summary>
        public static bool pte_protnone(pte_t pte) => (pte.pte & (_PAGE_PROTNONE | _PAGE_PRESENT)) == _PAGE_PROTNONE;

        public static bool pte_write(pte_t pte) => (pte.pte & _PAGE_RW) != 0;

        public static bool pte_dirty(pte_t pte) => (pte.pte & _PAGE_DIRTY) != 0;

        public static bool pte_young(pte_t pte) => (pte.pte & _PAGE_ACCESSED) != 0;

        public static bool pte_special(pte_t pte) => (pte.pte & _PAGE_SPECIAL) != 0;

        public static bool pte_soft_dirty(pte_t pte) => (pte.pte & _PAGE_SOFT_DIRTY) != 0;

        public static bool pte_uffd_wp(pte_t pte) => (pte.pte & _PAGE_UFFD_WP) != 0;

        public static pte_t pte_mkwrite(pte_t pte) => new pte_t(pte.pte | _PAGE_RW);

        public static pte_t pte_wrprotect(pte_t pte) => new pte_t(pte.pte & ~_PAGE_RW);

        /// <summary>pte_mkdirty(): x86 sets the soft-dirty bit with the dirty bit.</summary>
        public static pte_t pte_mkdirty(pte_t pte) => new pte_t(pte.pte | _PAGE_DIRTY | _PAGE_SOFT_DIRTY);

        public static pte_t pte_mkclean(pte_t pte) => new pte_t(pte.pte & ~_PAGE_DIRTY);

        public static pte_t pte_mkyoung(pte_t pte) => new pte_t(pte.pte | _PAGE_ACCESSED);

        public static pte_t pte_mkold(pte_t pte) => new pte_t(pte.pte & ~_PAGE_ACCESSED);

        public static pte_t pte_mkspecial(pte_t pte) => new pte_t(pte.pte | _PAGE_SPECIAL);

        public static pte_t pte_mksoft_dirty(pte_t pte) => new pte_t(pte.pte | _PAGE_SOFT_DIRTY);

        public static pte_t pte_clear_soft_dirty(pte_t pte) => new pte_t(pte.pte & ~_PAGE_SOFT_DIRTY);

        public static pte_t pte_mkuffd_wp(pte_t pte) => new pte_t(pte.pte | _PAGE_UFFD_WP);

        public static pte_t pte_clear_uffd_wp(pte_t pte) => new pte_t(pte.pte & ~_PAGE_UFFD_WP);

        /// <summary>
        /// pte_mk_savedwrite() / pte_savedwrite(): NUMA hinting keeps the write permission of a
        /// PROT_NONE pte. x86 uses the generic fallbacks: the saved write bit is the write bit.
        /// </summary>
        public static pte_t pte_mk_savedwrite(pte_t pte) => pte_mkwrite(pte);

        public static bool pte_savedwrite(pte_t pte) => pte_write(pte);

        // ---- swap ptes (include/linux/swapops.h, arch/x86/include/asm/pgtable_64.h) ----

        /// <summary>is_swap_pte(): not none and not present: the page is in swap.</summary>
        public static bool is_swap_pte(pte_t pte) => !pte_none(pte) && !pte_present(pte);

        /// <summary>swp_entry_to_pte(): the swap offset in the pfn field, present and protnone clear.</summary>
        public static pte_t swp_entry_to_pte(swp_entry_t entry) => new pte_t((entry.val << PAGE_SHIFT) & PTE_PFN_MASK);

        /// <summary>pte_to_swp_entry().</summary>
        public static swp_entry_t pte_to_swp_entry(pte_t pte) => new swp_entry_t((pte.pte & PTE_PFN_MASK) >> PAGE_SHIFT);

        public static bool pte_swp_soft_dirty(pte_t pte) => (pte.pte & _PAGE_SWP_SOFT_DIRTY) != 0;

        public static pte_t pte_swp_mksoft_dirty(pte_t pte) => new pte_t(pte.pte | _PAGE_SWP_SOFT_DIRTY);

        public static pte_t pte_swp_clear_soft_dirty(pte_t pte) => new pte_t(pte.pte & ~_PAGE_SWP_SOFT_DIRTY);

        public static bool pte_swp_uffd_wp(pte_t pte) => (pte.pte & _PAGE_SWP_UFFD_WP) != 0;

        public static pte_t pte_swp_mkuffd_wp(pte_t pte) => new pte_t(pte.pte | _PAGE_SWP_UFFD_WP);

        public static pte_t pte_swp_clear_uffd_wp(pte_t pte) => new pte_t(pte.pte & ~_PAGE_SWP_UFFD_WP);

        /// <summary>pte_modify(): new protection bits, keeping pfn, dirty, accessed, soft-dirty, uffd-wp.</summary>
        public static pte_t pte_modify(pte_t pte, pgprot_t newprot) =>
            new pte_t((pte.pte & _PAGE_CHG_MASK) | (newprot.pgprot & ~_PAGE_CHG_MASK));

        public static bool pte_same(pte_t a, pte_t b) => a.pte == b.pte;

        /// <summary>
        /// pte_offset_map(): the pte slot for addr, allocating the pte table (__pte_alloc) when
        /// <paramref name="alloc"/> is set. Returns false when there is no table and none was allocated.
        /// </summary>
        public static bool pte_offset_map(mm_struct mm, ulong addr, bool alloc, out pte_ptr ptep)
        {
            ulong pmd = addr & PMD_MASK;
            if (!mm.pgd.TryGetValue(pmd, out var table))
            {
                if (!alloc)
                {
                    ptep = default;
                    return false;
                }

                table = new pte_t[PTRS_PER_PTE];
                mm.pgd.Add(pmd, table);
            }

            ptep = new pte_ptr(table, (int)((addr >> PAGE_SHIFT) & (PTRS_PER_PTE - 1)));
            return true;
        }

        /// <summary>The current pte for addr, or pte_none when there is no table.</summary>
        public static pte_t ptep_get(mm_struct mm, ulong addr) =>
            pte_offset_map(mm, addr, false, out var ptep) ? ptep.get() : default;

        /// <summary>set_pte_at().</summary>
        public static void set_pte_at(mm_struct mm, ulong addr, pte_ptr ptep, pte_t pte) => ptep.set(pte);

        /// <summary>ptep_set_wrprotect().</summary>
        public static void ptep_set_wrprotect(mm_struct mm, ulong addr, pte_ptr ptep) => ptep.set(pte_wrprotect(ptep.get()));

        /// <summary>ptep_get_and_clear() / ptep_clear_flush().</summary>
        public static pte_t ptep_get_and_clear(mm_struct mm, ulong addr, pte_ptr ptep)
        {
            var pte = ptep.get();
            ptep.set(default);
            return pte;
        }

        /// <summary>ptep_set_access_flags(): install a pte that only adds access (dirty/young/write).</summary>
        public static bool ptep_set_access_flags(vm_area_struct vma, ulong address, pte_ptr ptep, pte_t entry, bool dirty)
        {
            bool changed = !pte_same(ptep.get(), entry);
            if (changed)
            {
                ptep.set(entry);
            }

            return changed;
        }
    }
}
