// include/linux/mm_types.h (Linux v5.13), the parts the mprotect/do_wp_page review is about.
//
// The port is single-threaded: one "CPU" (cpu.cs) runs user accesses and the kernel paths they
// fault into. Locks that only serialise CPUs (mmap_lock, the page table lock) are not modelled; the
// page lock is, because may_avoid_write_fault() and do_wp_page() both reason about it.
using System;
using System.Collections.Generic;
using System.Text;
using static SampleMm.mm;
using static SampleMm.pgtable;

namespace SampleMm
{
    /// <summary>struct page: one physical page frame, with real contents.</summary>
    public sealed class page
    {
        public page(ulong pfn)
        {
            this.pfn = pfn;
        }

        /// <summary>PG_* bits (page-flags.cs).</summary>
        public ulong flags;

        /// <summary>page_count(): every pte mapping, the swap cache and every get_page() hold one.</summary>
        public int _refcount;

        /// <summary>page_mapcount() - 1: -1 means "not mapped by any pte".</summary>
        public int _mapcount = -1;

        /// <summary>
        /// page->mapping: the anon_vma of an anonymous page, the address_space of a page-cache page or
        /// the stable_node of a KSM page. The kernel keeps PAGE_MAPPING_ANON / PAGE_MAPPING_KSM in the
        /// pointer's low bits; the port keeps them in <see cref="mapping_flags"/>.
        /// </summary>
        public object? mapping;

        /// <summary>The low bits of page->mapping (PAGE_MAPPING_ANON, PAGE_MAPPING_MOVABLE, PAGE_MAPPING_KSM).</summary>
        public ulong mapping_flags;

        /// <summary>page->index: offset in the file, or the anonymous page's linear index.</summary>
        public ulong index;

        /// <summary>page_private(): the swap entry of a PageSwapCache page.</summary>
        public swp_entry_t private_swap;

        /// <summary>page_to_pfn().</summary>
        public readonly ulong pfn;

        /// <summary>The page's contents.</summary>
        public readonly byte[] data = new byte[PAGE_SIZE];

        public override string ToString() =>
            $"page(pfn={pfn}, count={_refcount}, mapcount={_mapcount + 1}, flags=0x{flags:x}, mapping_flags={mapping_flags})";
    }

    /// <summary>pte_t: x86-64 layout, pfn in bits 12..51, flag bits below (pgtable.cs).</summary>
    public readonly struct pte_t : IEquatable<pte_t>
    {
        public pte_t(ulong pte)
        {
            this.pte = pte;
        }

        public readonly ulong pte;

        public bool Equals(pte_t other) => pte == other.pte;

        public override bool Equals(object? obj) => obj is pte_t other && Equals(other);

        public override int GetHashCode() => pte.GetHashCode();

        public static bool operator ==(pte_t a, pte_t b) => a.pte == b.pte;

        public static bool operator !=(pte_t a, pte_t b) => a.pte != b.pte;

        public override string ToString()
        {
            var sb = new StringBuilder();
            if (pte != 0 && (pte & (_PAGE_PRESENT | _PAGE_PROTNONE)) == 0)
            {
                sb.Append("swp(offset=").Append(pte_pfn(this));
                if ((pte & _PAGE_SWP_SOFT_DIRTY) != 0) sb.Append(" soft-dirty");
                if ((pte & _PAGE_SWP_UFFD_WP) != 0) sb.Append(" uffd-wp");
                return sb.Append(')').ToString();
            }

            sb.Append("pte(pfn=").Append(pte_pfn(this));
            if ((pte & _PAGE_PRESENT) != 0) sb.Append(" present");
            if ((pte & _PAGE_PROTNONE) != 0) sb.Append(" protnone");
            if ((pte & _PAGE_RW) != 0) sb.Append(" write");
            if ((pte & _PAGE_DIRTY) != 0) sb.Append(" dirty");
            if ((pte & _PAGE_SOFT_DIRTY) != 0) sb.Append(" soft-dirty");
            if ((pte & _PAGE_UFFD_WP) != 0) sb.Append(" uffd-wp");
            if ((pte & _PAGE_SPECIAL) != 0) sb.Append(" special");
            return sb.Append(')').ToString();
        }
    }

    /// <summary>pgprot_t: the protection bits of a pte.</summary>
    public readonly struct pgprot_t
    {
        public pgprot_t(ulong pgprot)
        {
            this.pgprot = pgprot;
        }

        public readonly ulong pgprot;
    }

    /// <summary>swp_entry_t: a slot in swap.</summary>
    public readonly struct swp_entry_t
    {
        public swp_entry_t(ulong val)
        {
            this.val = val;
        }

        public readonly ulong val;
    }

    /// <summary>
    /// A pointer to a pte (<c>pte_t *</c>): one slot of a page-table page. The port folds
    /// pgd/p4d/pud/pmd into one map from PMD-sized regions to pte tables (mm_struct.pgd).
    /// </summary>
    public readonly struct pte_ptr
    {
        public pte_ptr(pte_t[] table, int index)
        {
            this.table = table;
            this.index = index;
        }

        public readonly pte_t[] table;
        public readonly int index;

        /// <summary><c>*ptep</c>.</summary>
        public pte_t get() => table[index];

        /// <summary><c>*ptep = pte</c> (set_pte_at()).</summary>
        public void set(pte_t pte) => table[index] = pte;
    }

    /// <summary>struct anon_vma: the reverse-map anchor of anonymous pages (only its identity is used).</summary>
    public sealed class anon_vma
    {
    }

    /// <summary>struct address_space: a file's page cache.</summary>
    public sealed class address_space
    {
        /// <summary>i_pages: page cache pages by file offset (page->index).</summary>
        public readonly Dictionary<ulong, page> i_pages = new Dictionary<ulong, page>();

        /// <summary>mapping_can_writeback(): the backing store tracks dirty pages (dirty accounting).</summary>
        public bool can_writeback = true;
    }

    /// <summary>struct file: only f_mapping is used.</summary>
    public sealed class @file
    {
        public @file(address_space f_mapping)
        {
            this.f_mapping = f_mapping;
        }

        public readonly address_space f_mapping;
    }

    /// <summary>
    /// struct vm_operations_struct. vma_is_anonymous() is "vm_ops == NULL". The port's files have
    /// no ->page_mkwrite (like ramfs), so wp_page_shared() takes its no-page_mkwrite branch.
    /// </summary>
    public sealed class vm_operations_struct
    {
        public vm_operations_struct(string name)
        {
            this.name = name;
        }

        public readonly string name;
    }

    /// <summary>struct vm_area_struct.</summary>
    public sealed class vm_area_struct
    {
        public vm_area_struct(mm_struct vm_mm, ulong vm_start, ulong vm_end, ulong vm_flags)
        {
            this.vm_mm = vm_mm;
            this.vm_start = vm_start;
            this.vm_end = vm_end;
            this.vm_flags = vm_flags;
        }

        public ulong vm_start;
        public ulong vm_end;
        public mm_struct vm_mm;

        /// <summary>Access permissions of this VMA, as pte bits.</summary>
        public pgprot_t vm_page_prot;

        /// <summary>VM_* flags (mm.cs).</summary>
        public ulong vm_flags;

        public anon_vma? anon_vma;
        public vm_operations_struct? vm_ops;
        public ulong vm_pgoff;
        public @file? vm_file;

        /// <summary>vm_userfaultfd_ctx.ctx.</summary>
        public userfaultfd_ctx? vm_userfaultfd_ctx;

        public override string ToString() => $"vma[0x{vm_start:x}-0x{vm_end:x} flags=0x{vm_flags:x}]";
    }

    /// <summary>struct mm_struct: one process address space.</summary>
    public sealed class mm_struct
    {
        /// <summary>
        /// Every live address space (the port's for_each_process()): rmap walks (try_to_unmap())
        /// search their page tables for the ptes that map a page. exit_mmap() removes the mm.
        /// </summary>
        public static readonly List<mm_struct> all = new List<mm_struct>();

        public mm_struct()
        {
            all.Add(this);
        }

        /// <summary>
        /// The page table lock of this mm is held (change_pte_range() walks its ptes). Another CPU
        /// that needs a pte of this mm (ksmd's write_protect_page(), try_to_unmap()) would spin on it:
        /// the port makes it back off instead.
        /// </summary>
        public bool page_table_lock_held;

        /// <summary>mm->has_pinned: some page of this mm was pinned with FOLL_PIN.</summary>
        public bool has_pinned;

        /// <summary>The VMAs, sorted by address (the kernel's mmap list / rbtree).</summary>
        public readonly List<vm_area_struct> mmap = new List<vm_area_struct>();

        /// <summary>Page tables: one pte table per PMD_SIZE region (pgd..pmd folded).</summary>
        public readonly Dictionary<ulong, pte_t[]> pgd = new Dictionary<ulong, pte_t[]>();

        /// <summary>Where the next mmap() without a hint goes.</summary>
        public ulong mmap_base = 0x7f0000000000UL;

        // Counters a test watches, like the task's min_flt and the vm events PGREUSE / COW copies.

        /// <summary>Page faults taken by this process (task->min_flt).</summary>
        public int nr_page_faults;

        /// <summary>Write-protect faults handled by do_wp_page().</summary>
        public int nr_wp_faults;

        /// <summary>do_wp_page() reused the page in place (wp_page_reuse(): count_vm_event(PGREUSE)).</summary>
        public int nr_wp_reuse;

        /// <summary>do_wp_page() copied the page (wp_page_copy()).</summary>
        public int nr_wp_copy;

        public override string ToString() => $"mm(vmas={mmap.Count})";
    }

    /// <summary>struct vm_fault: what the fault handlers pass around.</summary>
    public sealed class vm_fault
    {
        public vm_fault(vm_area_struct vma, ulong address, uint flags)
        {
            this.vma = vma;
            this.address = address;
            this.flags = flags;
        }

        public readonly vm_area_struct vma;

        /// <summary>Faulting virtual address, page aligned.</summary>
        public readonly ulong address;

        /// <summary>FAULT_FLAG_* (mm.cs).</summary>
        public uint flags;

        /// <summary>Value of the pte at the time of the fault.</summary>
        public pte_t orig_pte;

        /// <summary>Pointer to the pte (vmf->pte); default when the pte table does not exist yet.</summary>
        public pte_ptr pte;

        /// <summary>Whether <see cref="pte"/> points at a pte (vmf->pte != NULL).</summary>
        public bool has_pte;

        /// <summary>->fault handlers set this.</summary>
        public page? page;

        /// <summary>Page handler may use for COW fault.</summary>
        public page? cow_page;
    }
}
