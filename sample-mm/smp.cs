// The other CPUs. The port runs on one CPU, but the kernel code it ports does not: while one CPU
// runs change_pte_range() (under the page table lock of the pte it looks at, not the page's lock),
// another may run ksmd, reclaim, or an exiting process. A test can let such work run at the points
// where the predicate reads the state of a page - page_count(), page_mapcount(), PageKsm() - and so
// run the interleavings the page lock exists for: state read without the page lock can change
// between two reads; state read under it cannot be changed by anyone who needs the lock (ksmd
// merging a page, reclaim swapping it out).
using System;

namespace SampleMm
{
    public static class smp
    {
        /// <summary>
        /// What the other CPUs do at the next read of a page's state; null (the default) means
        /// nothing runs in between. The callback runs at most once at a time (it may read pages itself).
        /// </summary>
        public static Action<page>? other_cpus;

        private static bool running;

        /// <summary>This CPU is about to read the state of <paramref name="page"/>: the other CPUs may run first.</summary>
        public static void before_page_state_read(page page)
        {
            var work = other_cpus;
            if (work is null || running)
            {
                return;
            }

            running = true;
            try
            {
                work(page);
            }
            finally
            {
                running = false;
            }
        }
    }
}
