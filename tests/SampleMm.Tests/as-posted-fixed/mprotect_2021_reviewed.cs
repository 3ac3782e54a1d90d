// as-posted/ (excluded from the default build; `dotnet build sample-mm -p:AsPosted=true`).
//
// (c) The reviewed form (the seed's second version: VM_WRITE first, trylock_page(), PageKsm()
// under the lock) exactly as written in 2021, for comparison with mprotect.cs, which keeps this
// structure but makes each check the one do_wp_page() makes. What the build reports (GO0002, the
// block below): the MM_CP_DIRTY_ACCT `return true` is reached without the userfaultfd_pte_wp()
// and vm_normal_page() tests the fault path makes before wp_pfn_shared(); the final `return ret`
// without userfaultfd_pte_wp() (it tests pte_uffd_wp() only) and without page_mapcount() under
// the lock. pte_page() + vma_is_anonymous() (where do_wp_page() uses vm_normal_page() +
// PageAnon()) is not reported: the analysis does not tell those pages apart.
// Run (tests/SampleMm.Tests): the soft-dirty polarity is its one reachable bug (a write after
// clear_refs goes unrecorded); its PageKsm() test under the lock stops the KSM fork leak and the
// interleaving race.
//
// GuardOrder findings in this file (`dotnet build sample-mm -p:AsPosted=true`; AsPostedFindingsTests keeps it in step):
//   line 72: GO0002 naming `userfaultfd_pte_wp`, `vm_normal_page`
//   line 97: GO0002 naming `userfaultfd_pte_wp`, `vm_normal_page`
// (end of findings)
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
