// Runs a scenario on the port and records, after every operation, what the processes and the
// rest of the system can observe: each live process's view of the region, the pagemap soft-dirty
// bit, whether the page must be written back (dirty), the file's contents, the userfaultfd
// messages each monitor received, what each GUP pin holder sees, and the result of the operation.
using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using static SampleMm.mm;
using static SampleMm.page_flags;
using static SampleMm.pagemap;
using static SampleMm.pgtable;

namespace SampleMm.Tests.Scenario
{
    /// <summary>A process of the scenario.</summary>
    public sealed class task
    {
        public task(int id, mm_struct mm, ulong addr)
        {
            this.id = id;
            this.mm = mm;
            this.addr = addr;
        }

        public readonly int id;
        public readonly mm_struct mm;
        public readonly ulong addr;
        public userfaultfd_ctx? uffd;

        public override string ToString() => "P" + id;
    }

    /// <summary>One run of a scenario with one predicate.</summary>
    public sealed class world : IDisposable
    {
        private readonly scenario sc;
        private readonly @file file = new @file(new address_space());
        private readonly List<task> alive = new List<task>();
        private readonly List<(task owner, page page)> pins = new List<(task, page)>();
        private vmscan.reclaim_task? reclaim;
        private int next_id;

        /// <summary>How often the predicate said yes during the run.</summary>
        public int early_writes;

        /// <summary>Observations: [0] after the initial mmaps, [k] after operation k.</summary>
        public readonly List<string> observations = new List<string>();

        public world(scenario sc)
        {
            this.sc = sc;
        }

        /// <summary>The live processes, oldest first.</summary>
        public IReadOnlyList<task> processes => alive;

        /// <summary>
        /// Run the scenario with <paramref name="predicate"/> as change_pte_range()'s early-write
        /// predicate. The port's global state (KSM, swap) starts empty.
        /// </summary>
        public static world run(scenario sc, may_avoid_write_fault_t predicate, int? stop_after = null)
        {
            var w = new world(sc);
            var saved = mprotect.predicate;
            mprotect.predicate = (pte, vma, addr, cp_flags) =>
            {
                bool yes = predicate(pte, vma, addr, cp_flags);
                w.early_writes += yes ? 1 : 0;
                return yes;
            };
            ksm.reset();
            swap_state.reset();
            try
            {
                for (int i = 0; i < sc.initial; i++)
                {
                    w.spawn();
                }

                w.observations.Add(w.observe("mapped"));
                int n = stop_after ?? sc.ops.Length;
                for (int k = 0; k < n && k < sc.ops.Length; k++)
                {
                    string result = w.apply(sc.ops[k]);
                    w.step_reclaim();
                    w.observations.Add(w.observe(result));
                }
            }
            finally
            {
                mprotect.predicate = saved;
            }

            return w;
        }

        private task spawn()
        {
            var mm = new mm_struct();
            ulong flags = sc.region == region_kind.file_shared ? MAP_SHARED : MAP_PRIVATE;
            ulong addr = sc.region == region_kind.anon_private
                ? mmap.do_mmap(mm, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS)
                : mmap.do_mmap(mm, PAGE_SIZE, PROT_READ | PROT_WRITE, flags, file);
            if (sc.region != region_kind.file_shared)
            {
                ksm.ksm_madvise(mm, addr, addr + PAGE_SIZE, ksm.MADV_MERGEABLE);
            }

            var t = new task(next_id++, mm, addr);
            alive.Add(t);
            return t;
        }

        private task? pick(op o) => alive.Count == 0 ? null : alive[o.p % alive.Count];

        /// <summary>Apply one operation; returns what the operation itself returned.</summary>
        public string apply(op o)
        {
            switch (o.kind)
            {
                case op_kind.spawn:
                    return "P" + spawn().id + " mapped";
                case op_kind.ksm_scan:
                    ksm.ksm_do_scan();
                    return "scanned";
                case op_kind.unpin:
                    if (pins.Count == 0)
                    {
                        return "no pin";
                    }

                    gup.unpin_user_page(pins[0].page);
                    pins.RemoveAt(0);
                    return "unpinned";
            }

            var t = pick(o);
            if (t is null)
            {
                return "skipped";
            }

            switch (o.kind)
            {
                case op_kind.write:
                    return "store " + cpu.store(t.mm, t.addr, o.value);
                case op_kind.read:
                {
                    var r = cpu.load(t.mm, t.addr, out byte v);
                    return "load " + r + (r == access_result.ok ? " " + v : string.Empty);
                }

                case op_kind.fork:
                {
                    var child = new task(next_id++, fork.dup_mm(t.mm), t.addr);
                    alive.Add(child);
                    return "forked P" + child.id;
                }

                case op_kind.exit:
                    mmap.exit_mmap(t.mm);
                    alive.Remove(t);
                    return "exited";
                case op_kind.reprotect:
                {
                    int a = mprotect.sys_mprotect(t.mm, t.addr, PAGE_SIZE, PROT_READ);
                    int b = mprotect.sys_mprotect(t.mm, t.addr, PAGE_SIZE, PROT_READ | PROT_WRITE);
                    return $"mprotect {a} {b}";
                }

                case op_kind.mprotect_ro:
                    return "mprotect " + mprotect.sys_mprotect(t.mm, t.addr, PAGE_SIZE, PROT_READ);
                case op_kind.mprotect_rw:
                    return "mprotect " + mprotect.sys_mprotect(t.mm, t.addr, PAGE_SIZE, PROT_READ | PROT_WRITE);
                case op_kind.clear_refs:
                    task_mmu.clear_refs_soft_dirty(t.mm);
                    return "cleared";
                case op_kind.swap_out:
                {
                    // One reclaim at a time: finish the previous one first.
                    finish_reclaim();
                    pte_t pte = ptep_get(t.mm, t.addr);
                    if ((pte.pte & _PAGE_PRESENT) == 0 || pte_special(pte))
                    {
                        return "nothing to reclaim";
                    }

                    reclaim = vmscan.start_reclaim(pfn_to_page(pte_pfn(pte)));
                    return "reclaim: " + (reclaim.current ?? "done");
                }

                case op_kind.pin:
                {
                    var page = gup.pin_user_page_write(t.mm, t.addr);
                    if (page is null)
                    {
                        return "pin failed";
                    }

                    pins.Add((t, page));
                    return "pinned";
                }

                case op_kind.uffd_register:
                    t.uffd ??= userfaultfd.sys_userfaultfd(t.mm);
                    return "register " + userfaultfd.UFFDIO_REGISTER(t.uffd, t.addr, PAGE_SIZE, userfaultfd.UFFDIO_REGISTER_MODE_WP);
                case op_kind.uffd_wp:
                    return t.uffd is null ? "no uffd" : "wp " + userfaultfd.UFFDIO_WRITEPROTECT(t.uffd, t.addr, PAGE_SIZE, userfaultfd.UFFDIO_WRITEPROTECT_MODE_WP);
                case op_kind.uffd_unwp:
                    return t.uffd is null ? "no uffd" : "unwp " + userfaultfd.UFFDIO_WRITEPROTECT(t.uffd, t.addr, PAGE_SIZE, 0);
                case op_kind.uffd_unregister:
                    return t.uffd is null ? "no uffd" : "unregister " + userfaultfd.UFFDIO_UNREGISTER(t.uffd, t.addr, PAGE_SIZE);
                case op_kind.numa_hint:
                {
                    var vma = find_vma(t.mm, t.addr);
                    return vma is null ? "no vma" : "numa " + mprotect.change_prot_numa(vma, vma.vm_start, vma.vm_end);
                }
            }

            throw new InvalidOperationException(o.ToString());
        }

        private void step_reclaim()
        {
            if (reclaim is not null && !reclaim.step())
            {
                reclaim = null;
            }
        }

        private void finish_reclaim()
        {
            reclaim?.finish();
            reclaim = null;
        }

        /// <summary>What a load from the process would return, without faulting.</summary>
        public byte view(task t)
        {
            pte_t pte = ptep_get(t.mm, t.addr);
            if (pte_present(pte))
            {
                return pfn_to_page(pte_pfn(pte)).data[0];
            }

            if (is_swap_pte(pte))
            {
                var entry = pte_to_swp_entry(pte);
                return swap_state.swapper_space.TryGetValue(entry.val, out var cached) ? cached.data[0] : swap_state.swap_device[entry.val][0];
            }

            // Not populated: zero for anonymous memory, the file's contents otherwise.
            if (sc.region == region_kind.anon_private)
            {
                return 0;
            }

            return file.f_mapping.i_pages.TryGetValue(0, out var cache) ? cache.data[0] : (byte)0;
        }

        /// <summary>Whether the contents the process sees must be written back (dirty pte or dirty page).</summary>
        private bool dirty(task t)
        {
            pte_t pte = ptep_get(t.mm, t.addr);
            if (pte_present(pte))
            {
                return pte_dirty(pte) || PageDirty(pfn_to_page(pte_pfn(pte)));
            }

            return false;
        }

        /// <summary>Everything observable, as one line.</summary>
        public string observe(string result)
        {
            var sb = new StringBuilder(result);
            foreach (var t in alive)
            {
                ulong pm = task_mmu.pagemap_entry(t.mm, t.addr);
                sb.Append(" | P").Append(t.id).Append(": ").Append(view(t))
                  .Append((pm & task_mmu.PM_SOFT_DIRTY) != 0 ? " soft-dirty" : string.Empty)
                  .Append(dirty(t) ? " dirty" : string.Empty);
                if (t.uffd is not null && t.uffd.fault_pending.Count > 0)
                {
                    sb.Append(" uffd-msgs=").Append(t.uffd.fault_pending.Count);
                }
            }

            if (sc.region != region_kind.anon_private && file.f_mapping.i_pages.TryGetValue(0, out var cache))
            {
                sb.Append(" | file: ").Append(cache.data[0]).Append(PageDirty(cache) ? " dirty" : string.Empty);
            }

            foreach (var (owner, page) in pins)
            {
                sb.Append(" | pin(P").Append(owner.id).Append("): ").Append(page.data[0]);
            }

            return sb.ToString();
        }

        /// <summary>Free everything the run allocated (pins, processes, page cache, swap cache).</summary>
        public void Dispose()
        {
            finish_reclaim();
            foreach (var (_, page) in pins)
            {
                gup.unpin_user_page(page);
            }

            pins.Clear();
            foreach (var t in alive)
            {
                mmap.exit_mmap(t.mm);
            }

            alive.Clear();
            foreach (var page in swap_state.swapper_space.Values.ToArray())
            {
                if (!page_mapped(page))
                {
                    get_page(page);
                    if (trylock_page(page))
                    {
                        swap_state.delete_from_swap_cache(page);
                        unlock_page(page);
                    }

                    put_page(page);
                }
            }

            foreach (var page in file.f_mapping.i_pages.Values)
            {
                if (!page_mapped(page))
                {
                    put_page(page);
                }
            }

            file.f_mapping.i_pages.Clear();
            ksm.reset();
            swap_state.reset();
        }
    }
}
