// as-posted/ (excluded from the default build; `dotnet build sample-mm -p:AsPosted=true`).
//
// (b) may_avoid_write_fault() as the patch "mm: improve mprotect(R|W) efficiency on pages
// referenced once" was posted (mmotm patch 128/192, June 2021), reconstructed: the dirty-accounting
// case skips the whole exclusive-access block - including the VM_WRITE test - on its way to
// `return true` (GO0005); VM_WRITE is the second operand of its && (GO0001); no page lock, no
// PageKsm() test, page_count() read unlocked on pte_page() (GO0002, GO0003).
// Run (tests/SampleMm.Tests): the KSM fork leak and the soft-dirty polarity, as in v1. The
// VM_WRITE bypass needs MM_CP_DIRTY_ACCT without VM_WRITE, which mprotect_fixup() never passes
// (vma_wants_writenotify() requires VM_WRITE|VM_SHARED): GO0005 is about the text, not a
// reachable state.
//
// GuardOrder findings in this file (`dotnet build sample-mm -p:AsPosted=true`; AsPostedFindingsTests keeps it in step):
//   line 35: GO0001 naming `(vma.vm_flags & VM_WRITE) != 0`
//   line 66: GO0002 naming `userfaultfd_pte_wp`, `vm_normal_page`
//   line 66: GO0005 naming `VM_WRITE`
// (end of findings)
using GuardOrder;
using static SampleMm.mm;
using static SampleMm.pgtable;

namespace SampleMm
{
    public static partial class mprotect_2021_fixed
    {
        /// <summary>Determine whether we can avoid taking write faults for known dirty pages (as posted).</summary>
        [MustMatchFaultPath(typeof(memory), nameof(memory.do_wp_page))]
        public static bool may_avoid_write_fault_2021_posted(pte_t pte, vm_area_struct vma, ulong cp_flags, ulong addr)
        {
            if ((vma.vm_flags & VM_WRITE) == 0)
                return false;
            // The dirty accountable bit indicates that we can always make the page writable
            // regardless of the number of references.
            if ((cp_flags & MM_CP_DIRTY_ACCT) == 0)
            {
                // Otherwise, we must have exclusive access to the page.
                if (!((vma.vm_flags & VM_WRITE) != 0 && vma_is_anonymous(vma)))
                {
                    return false;
                }

                if (page_count(pte_page(pte)) != 1)
                {
                    return false;
                }
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
    }
}
