// kernel/fork.c (Linux v5.13): dup_mm()/dup_mmap(): the child gets copies of the parent's VMAs
// and, through copy_page_range(), shares its pages copy-on-write.
using static SampleMm.memory;
using static SampleMm.mm;

namespace SampleMm
{
    public static class fork
    {
        /// <summary>dup_mm(): the address space of a forked child.</summary>
        public static mm_struct dup_mm(mm_struct oldmm)
        {
            var mm = new mm_struct { mmap_base = oldmm.mmap_base };

            // ksm_fork(): a child of a KSM-registered mm is scanned too (its VMAs keep VM_MERGEABLE).
            ksm.ksm_fork(mm, oldmm);
            foreach (var mpnt in oldmm.mmap)
            {
                var tmp = mmap.vm_area_dup(mpnt, mm);

                // dup_userfaultfd(): without UFFD_FEATURE_EVENT_FORK the child is not registered.
                tmp.vm_flags &= ~(VM_UFFD_MISSING | VM_UFFD_WP);
                tmp.vm_userfaultfd_ctx = null;

                mm.mmap.Add(tmp);
                copy_page_range(tmp, mpnt);
            }

            return mm;
        }
    }
}
