// as-posted-fixed/ (compiled into SampleMm.Tests; see README.md here): sample-mm/as-posted/mprotect_2021_reviewed.cs
// as GuardOrder's code fixes repair it (`dotnet format analyzers sample-mm.csproj --diagnostics GO0001
// GO0002 GO0003 GO0004 GO0005`, the root README's commands), class renamed to mprotect_2021_fixed.
// The repair added `ulong addr` (do_wp_page() decides on vm_normal_page(vma, vmf.address, ...)) and the
// checks of the grant route GO0002 named, wp_pfn_shared(), before each `return true`; the comments
// inside are the original's.
//
// GuardOrder findings in this file: none (AsPostedFormatTests builds it with every GO rule an error).
// Run (tests/SampleMm.Tests OutcomePropertyTests): no counterexample; the early writes it grants are
// printed (0 in the runs of 2026-12-01: the wp_pfn_shared route needs a pte with no normal page).
using GuardOrder;
using static SampleMm.mm;
using static SampleMm.page_flags;
using static SampleMm.pagemap;
using static SampleMm.pgtable;

namespace SampleMm
{
    public static partial class mprotect_2021_fixed
    {
        /// <summary>may_avoid_write_fault(), the reviewed 2021 text.</summary>
        [MustMatchFaultPath(typeof(memory), nameof(memory.do_wp_page))]
        public static bool may_avoid_write_fault_2021_reviewed(pte_t pte, vm_area_struct vma, ulong cp_flags, ulong addr)
        {
            page page;
            bool ret = false;

            // Never apply write bit if VM_WRITE not set.
            if ((vma.vm_flags & VM_WRITE) == 0)
            {
                return false;
            }

            // It is unclear whether this optimization can be done safely for NUMA pages.
            if ((cp_flags & MM_CP_PROT_NUMA) != 0)
            {
                return false;
            }

            // Don't do this optimization for clean pages as we need to be notified of the transition
            // from clean to dirty.
            if (!pte_dirty(pte))
            {
                return false;
            }

            // Same for softdirty.
            if (!pte_soft_dirty(pte) && (vma.vm_flags & VM_SOFTDIRTY) != 0)
            {
                return false;
            }

            // For userfaultfd the user program needs to monitor write faults so we can't do this
            // optimization.
            if (pte_uffd_wp(pte))
            {
                return false;
            }

            // MM_CP_DIRTY_ACCT indicates that we can always make the page writable regardless of the
            // number of references. Time to set the write bit.
            if ((cp_flags & MM_CP_DIRTY_ACCT) != 0)
            {
                if (userfaultfd.userfaultfd_pte_wp(vma, pte))
                {
                    return false;
                }
                if (memory.vm_normal_page(vma, addr, pte) is not null)
                {
                    return false;
                }
                if ((vma.vm_flags & VM_SHARED) == 0)
                {
                    return false;
                }
                return true;
            }

            page = pte_page(pte);
            // Best effort to take page lock, don't play trick if failed.
            if (!trylock_page(page))
            {
                return false;
            }

            // KSM pages needs COW; leave them be.
            if (PageKsm(page))
            {
                goto unlock_fail;
            }

            // Othewise it means !MM_CP_DIRTY_ACCT and !KSM. We can only apply write bit early if it's
            // anonymous page and we exclusively own it.
            if (vma_is_anonymous(vma) && page_count(page) == 1)
            {
                ret = true;
            }

        unlock_fail:
            unlock_page(page);
            if (userfaultfd.userfaultfd_pte_wp(vma, pte))
            {
                return false;
            }
            if (memory.vm_normal_page(vma, addr, pte) is not null)
            {
                return false;
            }
            if ((vma.vm_flags & VM_SHARED) == 0)
            {
                return false;
            }
            return ret;
        }
    }
}
