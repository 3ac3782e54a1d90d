namespace GuardOrder.Tests.Model
{
    /// <summary>
    /// A compact C# mirror of the mm pieces the 2021 review is about: page/pte/vma state, the
    /// annotated checks, page lock primitives, write grants, and do_wp_page as in v5.13. Tests append
    /// their predicate to the partial class <c>mm</c>.
    /// </summary>
    internal static class KernelFixture
    {
        public const string Prelude = """
            #nullable enable
            using GuardOrder;
            using System.Diagnostics.CodeAnalysis;

            public sealed class page { public int refcount; public int mapcount; public bool anon; public bool ksm; public bool locked; public bool exclusive; }
            public struct pte_t { public bool dirty; public bool soft_dirty; public bool uffd_wp; public page? pg; }
            public sealed class vm_area_struct { public ulong vm_flags; }
            public sealed class vm_fault { public vm_area_struct vma = new vm_area_struct(); public pte_t orig_pte; public page? page; }

            public static partial class mm
            {
                [SecurityCheck] public const ulong VM_WRITE = 0x2;
                public const ulong VM_SHARED = 0x8;
                public const ulong VM_SOFTDIRTY = 0x8000000;
                public const ulong VM_UFFD_WP = 0x1000;
                public const ulong MM_CP_DIRTY_ACCT = 1;
                public const ulong MM_CP_PROT_NUMA = 2;
                public const int VM_FAULT_WRITE = 8;

                [FaultPathCheck] public static bool PageKsm(page p) => p.ksm;
                [FaultPathCheck] public static bool PageAnon(page p) => p.anon;
                [FaultPathCheck] public static bool PageAnonExclusive(page p) => p.exclusive;
                [FaultPathCheck] public static int page_count(page p) => p.refcount;
                [FaultPathCheck] public static int page_mapcount(page p) => p.mapcount;
                [FaultPathCheck] public static page? vm_normal_page(vm_area_struct vma, pte_t pte) => pte.pg;
                [FaultPathCheck] public static bool pte_uffd_wp(pte_t pte) => pte.uffd_wp;
                [FaultPathCheck] public static bool userfaultfd_wp(vm_area_struct vma) => (vma.vm_flags & VM_UFFD_WP) != 0;
                public static bool userfaultfd_pte_wp(vm_area_struct vma, pte_t pte) => userfaultfd_wp(vma) && pte_uffd_wp(pte);
                public static bool pte_dirty(pte_t pte) => pte.dirty;
                public static bool pte_soft_dirty(pte_t pte) => pte.soft_dirty;
                public static bool vma_is_anonymous(vm_area_struct vma) => true;
                public static page pte_page(pte_t pte) => pte.pg!;
                [TryAcquiresLock] public static bool trylock_page(page p) { if (p.locked) return false; p.locked = true; return true; }
                [AcquiresLock] public static void lock_page(page p) => p.locked = true;
                [ReleasesLock] public static void unlock_page(page p) => p.locked = false;
                [WriteGrant] public static void wp_page_reuse(vm_fault vmf) { }
                [WriteGrant] public static int wp_page_shared(vm_fault vmf) => 0;
                public static int wp_page_copy(vm_fault vmf) => 0;
                public static int handle_userfault(vm_fault vmf) => 0;
                public static void VM_BUG_ON([DoesNotReturnIf(true)] bool condition) { }

                /* do_wp_page as in v5.13 (mm/memory.c), reduced to the decisions. */
                public static int do_wp_page(vm_fault vmf)
                {
                    vm_area_struct vma = vmf.vma;

                    if (userfaultfd_pte_wp(vma, vmf.orig_pte))
                        return handle_userfault(vmf);

                    vmf.page = vm_normal_page(vma, vmf.orig_pte);
                    if (vmf.page == null)
                        return wp_page_copy(vmf);

                    /* Take out anonymous pages first, anonymous shared vmas are not dirty accountable. */
                    if (PageAnon(vmf.page))
                    {
                        page page = vmf.page;

                        /* PageKsm() doesn't necessarily raise the page refcount */
                        if (PageKsm(page) || page_count(page) != 1)
                            goto copy;
                        if (!trylock_page(page))
                            goto copy;
                        if (PageKsm(page) || page_mapcount(page) != 1 || page_count(page) != 1)
                        {
                            unlock_page(page);
                            goto copy;
                        }
                        unlock_page(page);
                        wp_page_reuse(vmf);
                        return VM_FAULT_WRITE;
                    }
                    else if ((vma.vm_flags & (VM_WRITE | VM_SHARED)) == (VM_WRITE | VM_SHARED))
                    {
                        return wp_page_shared(vmf);
                    }
            copy:
                    return wp_page_copy(vmf);
                }
            }

            """;

        /// <summary>Wraps a member in the partial class after the prelude.</summary>
        public static string With(string members) => Prelude + "public static partial class mm\n{\n" + members + "\n}\n";
    }
}
