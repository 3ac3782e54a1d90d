// What the mutation test runs against a (mutated) copy of the port: the checks of this test
// project that a bug planted in may_avoid_write_fault() must not survive - the step-wise
// interleaving of the page-lock race, and the outcome property over generated scenarios (all
// operations, and the KSM story's). Generation here is deterministic (fixed PCG seeds) and stops
// at the first difference, so a mutant run is reproducible and short.
using CsCheck;

namespace SampleMm.Tests.Scenario
{
    public static class mutation_entry
    {
        /// <summary>The first scenario of <paramref name="iterations"/> generated from a fixed seed that the predicate gets wrong, or null.</summary>
        public static string? search(may_avoid_write_fault_t predicate, Gen<scenario> gen, long iterations, ulong seed)
        {
            var pcg = new PCG(1, seed);
            for (long i = 0; i < iterations; i++)
            {
                var sc = gen.Generate(pcg, null, out _);
                if (outcome_property.check(predicate, sc) is not null)
                {
                    return outcome_property.check(predicate, outcome_property.minimise(predicate, sc));
                }
            }

            return null;
        }

        /// <summary>
        /// Null when the port passes every check; otherwise every check that fails, the first
        /// failure of each shown: the kept scenarios, the interleaving, and the generated search
        /// (all operations, and the KSM story's).
        /// </summary>
        public static string? run(long iterations)
        {
            may_avoid_write_fault_t port = mprotect.may_avoid_write_fault;
            var failures = new System.Collections.Generic.List<string>();
            foreach (var (name, sc) in known.all)
            {
                var diff = outcome_property.check(port, sc);
                if (diff is not null)
                {
                    failures.Add("known scenario '" + name + "': " + diff);
                }
            }

            var failure = interleaving.check(port);
            if (failure is not null)
            {
                failures.Add("interleaving: " + failure);
            }

            failure = search(port, scenario.gen, iterations, 20210630);
            if (failure is not null)
            {
                failures.Add("generated scenarios: " + failure);
            }

            failure = search(port, scenario.ksm_story_gen, iterations, 20210630);
            if (failure is not null)
            {
                failures.Add("generated KSM-story scenarios: " + failure);
            }

            return failures.Count == 0 ? null : string.Join("\n", failures);
        }
    }
}
