// The property: an early write must not be observable. Run the same scenario twice - once with
// the predicate under test, once with a predicate that never says yes (every write to a
// write-protected pte takes the fault, do_wp_page() decides) - and compare what can be observed
// after every operation. A difference is a write the fault path would not have granted in place
// (a leak to another sharer, a write through a read-only mapping, a lost soft-dirty record, a
// missed userfaultfd message, a detached GUP pin), found in a state the kernel reaches.
using System;
using System.Linq;
using System.Text;
using CsCheck;

namespace SampleMm.Tests.Scenario
{
    public static class outcome_property
    {
        /// <summary>The reference: no early write, every write faults.</summary>
        public static readonly may_avoid_write_fault_t fault_path_only = (pte, vma, addr, cp_flags) => false;

        /// <summary>
        /// Null when the scenario ends the same with <paramref name="predicate"/> as with the fault
        /// path alone; otherwise the first operation after which they differ, and both observations.
        /// </summary>
        public static string? check(may_avoid_write_fault_t predicate, scenario sc)
        {
            string[] early;
            string[] faulting;
            using (var w = world.run(sc, predicate))
            {
                early = w.observations.ToArray();

                // The predicate never said yes: every write went through the fault path already.
                if (w.early_writes == 0)
                {
                    return null;
                }
            }

            using (var w = world.run(sc, fault_path_only))
            {
                faulting = w.observations.ToArray();
            }

            for (int k = 0; k < early.Length; k++)
            {
                if (early[k] != faulting[k])
                {
                    // The operations up to the first difference are the counterexample.
                    var shown = sc with { ops = sc.ops[..k] };
                    var lines = sc.lines();
                    var sb = new StringBuilder();
                    sb.Append(shown.ToString());
                    sb.Append("\n  differs after: ").Append(k == 0 ? "the initial mmaps" : lines[sc.initial + k - 1]);
                    sb.Append("\n    with the early write:  ").Append(early[k]);
                    sb.Append("\n    with the write fault:  ").Append(faulting[k]);
                    return sb.ToString();
                }
            }

            return null;
        }

        /// <summary>
        /// Shrink a failing scenario further, deterministically: drop operations (in chunks, then one
        /// by one), fewer initial processes, smaller values - keeping each change that still fails.
        /// CsCheck's own shrinking searches randomly for smaller failing inputs; this pass finishes
        /// the job so the printed counterexample is the story and nothing else.
        /// </summary>
        public static scenario minimise(may_avoid_write_fault_t predicate, scenario sc)
        {
            bool fails(scenario s) => check(predicate, s) is not null;
            bool changed = true;
            while (changed)
            {
                changed = false;
                for (int chunk = System.Math.Max(1, sc.ops.Length / 2); chunk >= 1; chunk /= 2)
                {
                    for (int i = 0; i + chunk <= sc.ops.Length;)
                    {
                        var candidate = sc with { ops = sc.ops[..i].Concat(sc.ops[(i + chunk)..]).ToArray() };
                        if (fails(candidate))
                        {
                            sc = candidate;
                            changed = true;
                        }
                        else
                        {
                            i++;
                        }
                    }
                }

                if (sc.initial > 1 && fails(sc with { initial = sc.initial - 1 }))
                {
                    sc = sc with { initial = sc.initial - 1 };
                    changed = true;
                }

                for (int i = 0; i < sc.ops.Length; i++)
                {
                    // Each simplification starts from the current operation, so none undoes another.
                    for (int which = 0; which < 2; which++)
                    {
                        var current = sc.ops[i];
                        var simpler = which == 0 ? current with { p = 0 } : current with { value = current.value == 0 ? (byte)0 : (byte)1 };
                        if (simpler != current)
                        {
                            var ops = sc.ops.ToArray();
                            ops[i] = simpler;
                            if (fails(sc with { ops = ops }))
                            {
                                sc = sc with { ops = ops };
                                changed = true;
                            }
                        }
                    }
                }
            }

            return sc;
        }

        /// <summary>
        /// Generate scenarios and look for one where the predicate is observable; CsCheck shrinks
        /// what it finds. Null when none was found in <paramref name="iterations"/>; otherwise the
        /// shrunk scenario with the difference.
        /// </summary>
        public static string? find_counterexample(may_avoid_write_fault_t predicate, long iterations, string? seed = null, Gen<scenario>? gen = null)
        {
            try
            {
                (gen ?? scenario.gen).Sample(
                    sc => check(predicate, sc) is null,
                    iter: iterations,
                    threads: 1,
                    seed: seed,
                    print: sc => "\n" + check(predicate, minimise(predicate, sc)));
                return null;
            }
            catch (CsCheckException e)
            {
                return e.Message;
            }
        }
    }
}
