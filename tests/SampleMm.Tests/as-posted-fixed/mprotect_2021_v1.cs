// as-posted/ (excluded from the default build; `dotnet build sample-mm -p:AsPosted=true`).
//
// (a) Peter Xu's first rework of may_avoid_write_fault() (linux-mm, 30 June 2021), the version
// Linus answered with "Please just put that VM_WRITE test first. It's the one that really
// *matters*." Kept as posted: the NUMA test comes BEFORE the VM_WRITE test (GO0001), and it has
// neither the page lock nor the PageKsm() test that do_wp_page() makes (GO0002, GO0003).
// Run (tests/SampleMm.Tests): the KSM fork leak - a fork child's dirty pte on a KSM page that
// only it still maps becomes writable and the next process ksmd merges reads the child's writes -
// and the soft-dirty polarity (a write after clear_refs goes unrecorded).
//
// GuardOrder findings in this file (`dotnet build sample-mm -p:AsPosted=true`; AsPostedFindingsTests keeps it in step):
//   line 35: GO0001 naming `(vma.vm_flags & VM_WRITE) == 0`
//   line 64: GO0002 naming `userfaultfd_pte_wp`, `vm_normal_page`
//   line 71: GO0002 naming `userfaultfd_pte_wp`, `vm_normal_page`
// (end of findings)
using GuardOrder;
using static SampleMm.mm;
using static SampleMm.pgtable;

namespace SampleMm
{
    public static partial class mprotect_2021_fixed
    {
        /// <summary>may_avoid_write_fault(), Peter Xu's first rework (NUMA test first).</summary>
        [MustMatchFaultPath(typeof(memory), nameof(memory.do_wp_page))]
        public static bool may_avoid_write_fault_2021_v1(pte_t pte, vm_area_struct vma, ulong cp_flags, ulong addr)
        {
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

            // Othewise it means !MM_CP_DIRTY_ACCT. We can only apply write bit early if it's
            // anonymous page and we exclusively own it.
            if (vma_is_anonymous(vma) && page_count(pte_page(pte)) == 1)
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

            // Don't play any trick.
            return false;
        }
    }
}
