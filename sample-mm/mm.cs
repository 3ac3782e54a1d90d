// include/linux/mm.h (Linux v5.13): VM_* flags, fault flags, page refcounts, and the page
// allocator the port needs (mm/page_alloc.c, folded in).
using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using GuardOrder;
using static SampleMm.page_flags;

namespace SampleMm
{
    /// <summary>BUG(): the kernel stops here; the port throws.</summary>
    public sealed class kernel_bug : Exception
    {
        public kernel_bug(string message)
            : base(message)
        {
        }
    }

    public static class mm
    {
        public const int PAGE_SHIFT = 12;
        public const ulong PAGE_SIZE = 1UL << PAGE_SHIFT;
        public const ulong PAGE_MASK = ~(PAGE_SIZE - 1);
        public const int PTRS_PER_PTE = 512;
        public const ulong PMD_SIZE = PAGE_SIZE * PTRS_PER_PTE;
        public const ulong PMD_MASK = ~(PMD_SIZE - 1);

        // vm_flags (include/linux/mm.h).
        public const ulong VM_NONE = 0x00000000;
        public const ulong VM_READ = 0x00000001;

        /// <summary>
        /// The VMA may be written. Every path that makes a pte writable must have seen this bit:
        /// it is the user's mprotect()/mmap() permission, the one test the review says really matters.
        /// </summary>
        [SecurityCheck]
        public const ulong VM_WRITE = 0x00000002;

        public const ulong VM_EXEC = 0x00000004;

        /// <summary>A shared mapping: do_wp_page() grants a write fault in place (wp_page_shared) only with it.</summary>
        [FaultPathCheck]
        public const ulong VM_SHARED = 0x00000008;
        public const ulong VM_MAYREAD = 0x00000010;
        public const ulong VM_MAYWRITE = 0x00000020;
        public const ulong VM_MAYEXEC = 0x00000040;
        public const ulong VM_MAYSHARE = 0x00000080;
        public const ulong VM_UFFD_MISSING = 0x00000200;
        public const ulong VM_PFNMAP = 0x00000400;
        public const ulong VM_UFFD_WP = 0x00001000;
        public const ulong VM_ACCOUNT = 0x00100000;
        public const ulong VM_SOFTDIRTY = 0x08000000;
        public const ulong VM_MIXEDMAP = 0x10000000;
        public const ulong VM_MERGEABLE = 0x80000000;

        public const ulong VM_ACCESS_FLAGS = VM_READ | VM_WRITE | VM_EXEC;

        // FAULT_FLAG_* (vm_fault.flags).
        public const uint FAULT_FLAG_WRITE = 0x01;
        public const uint FAULT_FLAG_USER = 0x40;

        // vm_fault_t results.
        public const uint VM_FAULT_OOM = 0x000001;
        public const uint VM_FAULT_SIGBUS = 0x000002;
        public const uint VM_FAULT_MAJOR = 0x000004;
        public const uint VM_FAULT_WRITE = 0x000008;
        public const uint VM_FAULT_SIGSEGV = 0x000040;
        public const uint VM_FAULT_NOPAGE = 0x000100;
        public const uint VM_FAULT_LOCKED = 0x000200;
        public const uint VM_FAULT_RETRY = 0x000400;
        public const uint VM_FAULT_ERROR = VM_FAULT_OOM | VM_FAULT_SIGBUS | VM_FAULT_SIGSEGV;

        // change_protection() cp_flags (include/linux/mm.h, v5.13).

        /// <summary>Whether this change is for write protecting a dirty-accountable (shared, writenotify) mapping.</summary>
        public const ulong MM_CP_DIRTY_ACCT = 1UL << 0;

        /// <summary>Whether this protection change is for NUMA hints.</summary>
        public const ulong MM_CP_PROT_NUMA = 1UL << 1;

        /// <summary>Whether this change is for write protecting (userfaultfd-wp).</summary>
        public const ulong MM_CP_UFFD_WP = 1UL << 2;

        /// <summary>Whether this change is for resolving a userfaultfd-wp.</summary>
        public const ulong MM_CP_UFFD_WP_RESOLVE = 1UL << 3;

        public const ulong MM_CP_UFFD_WP_ALL = MM_CP_UFFD_WP | MM_CP_UFFD_WP_RESOLVE;

        // mmap()/mprotect() arguments (include/uapi/asm-generic/mman-common.h).
        public const ulong PROT_NONE = 0x0;
        public const ulong PROT_READ = 0x1;
        public const ulong PROT_WRITE = 0x2;
        public const ulong PROT_EXEC = 0x4;
        public const ulong MAP_SHARED = 0x01;
        public const ulong MAP_PRIVATE = 0x02;
        public const ulong MAP_ANONYMOUS = 0x20;

        // errno.
        public const int ENOENT = 2;
        public const int ENOMEM = 12;
        public const int EACCES = 13;
        public const int EFAULT = 14;
        public const int EBUSY = 16;
        public const int EEXIST = 17;
        public const int EINVAL = 22;

        /// <summary>
        /// VM_BUG_ON(): an assertion the kernel BUG()s on. [DoesNotReturnIf(true)] tells the compiler
        /// (and GuardOrder) that nothing after a true condition runs.
        /// </summary>
        public static void VM_BUG_ON([DoesNotReturnIf(true)] bool cond, string what = "VM_BUG_ON")
        {
            if (cond)
            {
                throw new kernel_bug(what);
            }
        }

        /// <summary>VM_BUG_ON_PAGE(): VM_BUG_ON() that dumps the page.</summary>
        public static void VM_BUG_ON_PAGE([DoesNotReturnIf(true)] bool cond, page page)
        {
            if (cond)
            {
                throw new kernel_bug("VM_BUG_ON_PAGE: " + page);
            }
        }

        private static readonly HashSet<string> warned = new HashSet<string>();

        /// <summary>
        /// WARN_ON_ONCE(): reports the first time the condition is true and returns it, so the caller
        /// can still bail out. Not an assertion: execution continues, hence no [DoesNotReturnIf].
        /// </summary>
        public static bool WARN_ON_ONCE(bool cond, string what = "WARN_ON_ONCE")
        {
            if (cond)
            {
                lock (warned)
                {
                    if (warned.Add(what))
                    {
                        Console.Error.WriteLine("WARNING: " + what);
                    }
                }
            }

            return cond;
        }

        // ---- page refcounts (include/linux/mm.h, include/linux/page_ref.h) ----

        /// <summary>
        /// page_count(): the page's reference count. do_wp_page() reuses an anonymous page only when it
        /// is 1 (checked again under the page lock), so an early-write predicate depends on it too.
        /// </summary>
        [FaultPathCheck]
        public static int page_count(page page)
        {
            smp.before_page_state_read(page);
            return page._refcount;
        }

        /// <summary>get_page(): take a reference.</summary>
        public static void get_page(page page)
        {
            VM_BUG_ON_PAGE(page._refcount <= 0, page);
            page._refcount++;
        }

        /// <summary>put_page(): drop a reference; the last one frees the page.</summary>
        public static void put_page(page page)
        {
            // Reserved pages (the zero page) are never freed.
            if (PageReserved(page))
            {
                return;
            }

            VM_BUG_ON_PAGE(page._refcount <= 0, page);
            page._refcount--;
            if (page._refcount == 0)
            {
                __free_page(page);
            }
        }

        /// <summary>
        /// page_mapcount(): how many ptes map the page. do_wp_page() v5.13 re-checks it under the
        /// page lock (page_mapcount(page) != 1 =&gt; copy) before reusing an anonymous page. It is
        /// annotated [FaultPathCheck] so that GO0002 asks every early-write predicate for it: a
        /// predicate that skipped it would grant writes the fault path refuses. (page_count() == 1
        /// normally implies it, since each mapping holds a reference, but that is an invariant of
        /// other files, not something the predicate shows.)
        /// </summary>
        [FaultPathCheck]
        public static int page_mapcount(page page)
        {
            smp.before_page_state_read(page);
            return page._mapcount + 1;
        }

        /// <summary>page_mapped().</summary>
        public static bool page_mapped(page page) => page._mapcount >= 0;

        // ---- VMA helpers ----

        /// <summary>vma_is_anonymous(): a VMA with no vm_ops is anonymous memory.</summary>
        public static bool vma_is_anonymous(vm_area_struct vma) => vma.vm_ops is null;

        /// <summary>vma_is_accessible().</summary>
        public static bool vma_is_accessible(vm_area_struct vma) => (vma.vm_flags & VM_ACCESS_FLAGS) != 0;

        /// <summary>is_cow_mapping(): private and may be written.</summary>
        public static bool is_cow_mapping(ulong flags) => (flags & (VM_SHARED | VM_MAYWRITE)) == VM_MAYWRITE;

        /// <summary>
        /// maybe_mkwrite(): the fault handlers' write grant on a pte: writable only when the VMA
        /// allows writing.
        /// </summary>
        public static pte_t maybe_mkwrite(pte_t pte, vm_area_struct vma)
        {
            if ((vma.vm_flags & VM_WRITE) != 0)
            {
                pte = pgtable.pte_mkwrite(pte);
            }

            return pte;
        }

        /// <summary>find_vma(): the first VMA with vm_end &gt; addr (which may not contain addr).</summary>
        public static vm_area_struct? find_vma(mm_struct mm, ulong addr)
        {
            foreach (var vma in mm.mmap)
            {
                if (vma.vm_end > addr)
                {
                    return vma;
                }
            }

            return null;
        }

        // ---- mem_map and the page allocator (mm/page_alloc.c, folded) ----

        private static readonly object mem_map_lock = new object();
        private static readonly List<page> mem_map = new List<page>();
        private static readonly Stack<page> free_list = new Stack<page>();

        /// <summary>The zero page: pfn 0, reserved, mapped read-only for reads of untouched anonymous memory.</summary>
        public static readonly page ZERO_PAGE = create_zero_page();

        private static page create_zero_page()
        {
            var zero = new page(0);
            zero.flags |= 1UL << PG_reserved;
            zero._refcount = 1;
            mem_map.Add(zero);
            return zero;
        }

        /// <summary>my_zero_pfn().</summary>
        public static ulong my_zero_pfn(ulong addr) => 0;

        /// <summary>is_zero_pfn().</summary>
        public static bool is_zero_pfn(ulong pfn) => pfn == 0;

        /// <summary>highest_memmap_pfn.</summary>
        public static ulong highest_memmap_pfn
        {
            get
            {
                lock (mem_map_lock)
                {
                    return (ulong)mem_map.Count - 1;
                }
            }
        }

        /// <summary>pfn_to_page().</summary>
        public static page pfn_to_page(ulong pfn)
        {
            lock (mem_map_lock)
            {
                return mem_map[(int)pfn];
            }
        }

        /// <summary>alloc_page(): a free page with one reference, contents zeroed.</summary>
        public static page alloc_page()
        {
            page page;
            lock (mem_map_lock)
            {
                if (free_list.Count > 0)
                {
                    page = free_list.Pop();
                }
                else
                {
                    page = new page((ulong)mem_map.Count);
                    mem_map.Add(page);
                }
            }

            page.flags = 0;
            page._refcount = 1;
            page._mapcount = -1;
            page.mapping = null;
            page.mapping_flags = 0;
            page.index = 0;
            page.private_swap = default;
            Array.Clear(page.data, 0, page.data.Length);
            return page;
        }

        /// <summary>__free_page(): back to the allocator (reached from put_page()).</summary>
        private static void __free_page(page page)
        {
            VM_BUG_ON_PAGE(page_mapped(page), page);
            VM_BUG_ON_PAGE(PageLocked(page), page);
            page.mapping = null;
            page.mapping_flags = 0;
            page.flags = 1UL << PG_buddy;
            lock (mem_map_lock)
            {
                free_list.Push(page);
            }
        }
    }
}
