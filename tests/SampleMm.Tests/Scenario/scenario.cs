// A scenario: what processes on the port do, one kernel operation at a time. Every state the
// property looks at is produced by these operations - mmap, stores and loads (faults), fork,
// exit, ksmd, reclaim (swap-out; swap-in is the next access), GUP pins, userfaultfd-wp,
// clear_refs, NUMA hinting, and mprotect() as mprotect_fixup() computes cp_flags - so it is a
// state the kernel reaches.
//
// This file and the others in Scenario/ depend only on SampleMm and CsCheck: the mutation test
// compiles them, in memory, together with a mutated copy of the port.
using System.Collections.Generic;
using System.Linq;
using System.Text;
using CsCheck;

namespace SampleMm.Tests.Scenario
{
    /// <summary>The operations a scenario is made of.</summary>
    public enum op_kind
    {
        /// <summary>A new process maps the region (and, for private mappings, madvise(MADV_MERGEABLE)).</summary>
        spawn,

        /// <summary>A store of <c>value</c> to the region.</summary>
        write,

        /// <summary>A load from the region.</summary>
        read,

        /// <summary>fork(): the child is the newest process.</summary>
        fork,

        /// <summary>exit(): the process and its mappings go.</summary>
        exit,

        /// <summary>One full ksmd pass.</summary>
        ksm_scan,

        /// <summary>mprotect(PROT_READ) then mprotect(PROT_READ|PROT_WRITE): the patch's cycle.</summary>
        reprotect,

        /// <summary>mprotect(PROT_READ).</summary>
        mprotect_ro,

        /// <summary>mprotect(PROT_READ|PROT_WRITE).</summary>
        mprotect_rw,

        /// <summary>echo 4 &gt; /proc/PID/clear_refs: soft-dirty tracking starts.</summary>
        clear_refs,

        /// <summary>Reclaim starts swapping the page out: it takes the page lock, and each later operation lets it run one more step.</summary>
        swap_out,

        /// <summary>pin_user_pages_fast(FOLL_WRITE): O_DIRECT into the region (the pin holder sees the page).</summary>
        pin,

        /// <summary>unpin_user_page() of the oldest pin.</summary>
        unpin,

        /// <summary>UFFDIO_REGISTER (mode WP).</summary>
        uffd_register,

        /// <summary>UFFDIO_WRITEPROTECT (mode WP).</summary>
        uffd_wp,

        /// <summary>UFFDIO_WRITEPROTECT (mode 0): resolve, waking the blocked write.</summary>
        uffd_unwp,

        /// <summary>UFFDIO_UNREGISTER (lazy: the ptes keep their uffd-wp bit).</summary>
        uffd_unregister,

        /// <summary>NUMA balancing marks the region PROT_NONE (change_prot_numa()).</summary>
        numa_hint,
    }

    /// <summary>What the region is.</summary>
    public enum region_kind
    {
        anon_private,
        file_private,
        file_shared,
    }

    /// <summary>One operation. <c>p</c> picks a live process (modulo how many are alive).</summary>
    public readonly record struct op(op_kind kind, int p, byte value);

    /// <summary>A whole scenario: the region kind, how many processes map it at the start, the operations.</summary>
    public sealed record scenario(region_kind region, int initial, op[] ops)
    {
        private static readonly Gen<int> process = Gen.Int[0, 2];
        private static readonly Gen<byte> value = Gen.Int[1, 2].Select(i => (byte)i);

        private static Gen<op> simple(op_kind kind) => process.Select(p => new op(kind, p, 0));

        /// <summary>Operations and their weights, weighted towards the ones the early write is about.</summary>
        private static readonly (int weight, op_kind kind, Gen<op> gen)[] table =
        {
            (30, op_kind.write, Gen.Select(process, value, (p, v) => new op(op_kind.write, p, v))),
            (5, op_kind.read, simple(op_kind.read)),
            (8, op_kind.fork, simple(op_kind.fork)),
            (6, op_kind.exit, simple(op_kind.exit)),
            (10, op_kind.ksm_scan, Gen.Const(new op(op_kind.ksm_scan, 0, 0))),
            (14, op_kind.reprotect, simple(op_kind.reprotect)),
            (3, op_kind.mprotect_ro, simple(op_kind.mprotect_ro)),
            (3, op_kind.mprotect_rw, simple(op_kind.mprotect_rw)),
            (4, op_kind.clear_refs, simple(op_kind.clear_refs)),
            (3, op_kind.swap_out, simple(op_kind.swap_out)),
            (3, op_kind.pin, simple(op_kind.pin)),
            (2, op_kind.unpin, Gen.Const(new op(op_kind.unpin, 0, 0))),
            (3, op_kind.uffd_register, simple(op_kind.uffd_register)),
            (3, op_kind.uffd_wp, simple(op_kind.uffd_wp)),
            (2, op_kind.uffd_unwp, simple(op_kind.uffd_unwp)),
            (2, op_kind.uffd_unregister, simple(op_kind.uffd_unregister)),
            (2, op_kind.numa_hint, simple(op_kind.numa_hint)),
            (3, op_kind.spawn, Gen.Const(new op(op_kind.spawn, 0, 0))),
        };

        /// <summary>Scenarios made of the operations <paramref name="allowed"/> lets through (all by default).</summary>
        public static Gen<scenario> gen_of(System.Func<op_kind, bool>? allowed = null, int max_ops = 32)
        {
            var ops = Gen.Frequency(table.Where(t => allowed is null || allowed(t.kind)).Select(t => (t.weight, (IGen<op>)t.gen)).ToArray());
            return Gen.Select(
                Gen.Frequency((6, Gen.Const(region_kind.anon_private)), (2, Gen.Const(region_kind.file_private)), (2, Gen.Const(region_kind.file_shared))),
                Gen.Int[1, 3],
                ops.Array[1, max_ops],
                (region, initial, o) => new scenario(region, initial, o));
        }

        /// <summary>
        /// Scenarios of the KSM story: anonymous memory, two or three processes, and only the
        /// operations the story is made of - stores, fork, exit, ksmd, the mprotect cycle, a new
        /// process - weighted towards ksmd and fork.
        /// </summary>
        public static readonly Gen<scenario> ksm_story_gen = Gen.Select(
            Gen.Int[2, 3],
            Gen.Frequency(
                (30, Gen.Select(process, value, (p, v) => new op(op_kind.write, p, v))),
                (12, simple(op_kind.fork)),
                (8, simple(op_kind.exit)),
                (16, Gen.Const(new op(op_kind.ksm_scan, 0, 0))),
                (16, simple(op_kind.reprotect)),
                (4, Gen.Const(new op(op_kind.spawn, 0, 0)))).Array[4, 24],
            (initial, o) => new scenario(region_kind.anon_private, initial, o));

        /// <summary>The operations of the KSM story: processes that write, read, fork and exit, ksmd, and the mprotect cycle.</summary>
        public static bool ksm_story(op_kind kind) =>
            kind is op_kind.write or op_kind.read or op_kind.fork or op_kind.exit or op_kind.ksm_scan or op_kind.reprotect or op_kind.spawn;

        /// <summary>Scenarios of every operation.</summary>
        public static readonly Gen<scenario> gen = gen_of();

        /// <summary>The operations as the processes run them, one per line ("P2 = fork(P1)", "P0: *addr = 1", ...).</summary>
        public IReadOnlyList<string> lines()
        {
            var lines = new List<string>();
            var alive = new List<int>();
            int next = 0;
            string map = region switch
            {
                region_kind.anon_private => "mmap(PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS) + madvise(MADV_MERGEABLE)",
                region_kind.file_private => "mmap(file, PROT_READ|PROT_WRITE, MAP_PRIVATE) + madvise(MADV_MERGEABLE)",
                _ => "mmap(file, PROT_READ|PROT_WRITE, MAP_SHARED)",
            };
            for (int i = 0; i < initial; i++)
            {
                lines.Add($"P{next}: addr = {map}");
                alive.Add(next++);
            }

            foreach (var o in ops)
            {
                if (o.kind == op_kind.spawn)
                {
                    lines.Add($"P{next}: addr = {map}");
                    alive.Add(next++);
                    continue;
                }

                if (o.kind == op_kind.ksm_scan)
                {
                    lines.Add("ksmd: scan");
                    continue;
                }

                if (o.kind == op_kind.unpin)
                {
                    lines.Add("unpin_user_page(oldest pin)");
                    continue;
                }

                if (alive.Count == 0)
                {
                    lines.Add("(no process left: " + o.kind + " skipped)");
                    continue;
                }

                int who = alive[o.p % alive.Count];
                string P = "P" + who;
                switch (o.kind)
                {
                    case op_kind.write: lines.Add($"{P}: *addr = {o.value}"); break;
                    case op_kind.read: lines.Add($"{P}: read *addr"); break;
                    case op_kind.fork: lines.Add($"P{next} = fork({P})"); alive.Add(next++); break;
                    case op_kind.exit: lines.Add($"{P}: exit()"); alive.Remove(who); break;
                    case op_kind.reprotect: lines.Add($"{P}: mprotect(addr, PROT_READ); mprotect(addr, PROT_READ|PROT_WRITE)"); break;
                    case op_kind.mprotect_ro: lines.Add($"{P}: mprotect(addr, PROT_READ)"); break;
                    case op_kind.mprotect_rw: lines.Add($"{P}: mprotect(addr, PROT_READ|PROT_WRITE)"); break;
                    case op_kind.clear_refs: lines.Add($"{P}: echo 4 > /proc/self/clear_refs"); break;
                    case op_kind.swap_out: lines.Add($"reclaim: swap out {P}'s page (holds the page lock; one step per later operation)"); break;
                    case op_kind.pin: lines.Add($"{P}: pin_user_pages_fast(addr, FOLL_WRITE) (O_DIRECT)"); break;
                    case op_kind.uffd_register: lines.Add($"{P}: UFFDIO_REGISTER(addr, MODE_WP)"); break;
                    case op_kind.uffd_wp: lines.Add($"{P}: UFFDIO_WRITEPROTECT(addr, MODE_WP)"); break;
                    case op_kind.uffd_unwp: lines.Add($"{P}: UFFDIO_WRITEPROTECT(addr, 0)"); break;
                    case op_kind.uffd_unregister: lines.Add($"{P}: UFFDIO_UNREGISTER(addr)"); break;
                    case op_kind.numa_hint: lines.Add($"NUMA balancing: change_prot_numa({P}'s region)"); break;
                }
            }

            return lines;
        }

        public override string ToString()
        {
            var sb = new StringBuilder();
            sb.Append("scenario (").Append(region).Append(", ").Append(ops.Length).Append(" operations):");
            foreach (var line in lines())
            {
                sb.Append("\n    ").Append(line);
            }

            return sb.ToString();
        }

        /// <summary>Parse helper for tests: a scenario from operations.</summary>
        public static scenario of(region_kind region, int initial, params op[] ops) => new scenario(region, initial, ops.ToArray());
    }
}
