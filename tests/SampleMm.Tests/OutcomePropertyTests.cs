using CsCheck;
using SampleMm.Tests.Scenario;
using Xunit.Abstractions;

namespace SampleMm.Tests
{
    /// <summary>
    /// The sync invariant of the review, checked on outcomes: over generated scenarios (states the
    /// kernel reaches, built by its own operations), an early write is never observable.
    /// </summary>
    public sealed class OutcomePropertyTests
    {
        private readonly ITestOutputHelper output;

        public OutcomePropertyTests(ITestOutputHelper output)
        {
            this.output = output;
        }

        internal const long iterations = 2_000;

        internal static readonly may_avoid_write_fault_t port = mprotect.may_avoid_write_fault;

        internal static readonly may_avoid_write_fault_t posted =
            (pte, vma, addr, cp_flags) => mprotect_2021.may_avoid_write_fault_2021_posted(pte, vma, cp_flags);

        internal static readonly may_avoid_write_fault_t v1 =
            (pte, vma, addr, cp_flags) => mprotect_2021.may_avoid_write_fault_2021_v1(pte, vma, cp_flags);

        internal static readonly may_avoid_write_fault_t reviewed_2021_text =
            (pte, vma, addr, cp_flags) => mprotect_2021.may_avoid_write_fault_2021_reviewed(pte, vma, cp_flags);

        [Fact]
        public void Port_EarlyWrite_IsNeverObservable()
        {
            var found = outcome_property.find_counterexample(port, iterations);
            Assert.True(found is null, found);
        }

        /// <summary>
        /// The counterexample the property found (in CI, by its random seed) for the port's earlier
        /// form, which tested only userfaultfd_pte_wp(vma, pte): fork leaves the registered parent's
        /// uffd-wp bit in the child (v5.13's copy_present_pte tests the source VMA), the parent exits,
        /// the child mprotects (the early write would make the pte writable: its VMA is not registered),
        /// then registers for WP and writes. do_wp_page() sends that write to userland; the early-writable
        /// pte never faults. The port now refuses on the bit alone, as the 2021 text did.
        /// </summary>
        internal const string stale_uffd_wp_seed = "7xNOJctLoe11";

        [Fact]
        public void Port_StaleUffdWpBitAfterFork_ChildRegistersLater()
        {
            Assert.Null(outcome_property.find_counterexample(port, iterations, seed: stale_uffd_wp_seed));

            // The earlier form, exactly: the bit is seen only where the VMA is registered.
            may_avoid_write_fault_t earlier = (pte, vma, addr, cp_flags) =>
                mprotect.may_avoid_write_fault(userfaultfd.userfaultfd_wp(vma) ? pte : pgtable.pte_clear_uffd_wp(pte), vma, addr, cp_flags);
            var found = outcome_property.find_counterexample(earlier, iterations, seed: stale_uffd_wp_seed);
            Assert.NotNull(found);
            output.WriteLine(found);
            Assert.Contains("UFFDIO_REGISTER", found);
            Assert.Contains("fork", found);
        }

        [Fact]
        public void Port_EarlyWrite_HappensOften_SoThePropertyIsNotVacuous()
        {
            int granted = 0;
            may_avoid_write_fault_t counting = (pte, vma, addr, cp_flags) =>
            {
                bool yes = mprotect.may_avoid_write_fault(pte, vma, addr, cp_flags);
                granted += yes ? 1 : 0;
                return yes;
            };
            outcome_property.find_counterexample(counting, 500);
            output.WriteLine($"{granted} early writes in 500 scenarios");
            Assert.True(granted > 100, $"only {granted} early writes in 500 scenarios");
        }

        [Theory]
        [InlineData("posted")]
        [InlineData("v1")]
        [InlineData("reviewed")]
        public void Variant2021_HasAReachableCounterexample_CsCheckFindsAndShrinksIt(string variant)
        {
            var predicate = variant switch { "posted" => posted, "v1" => v1, _ => reviewed_2021_text };
            var found = outcome_property.find_counterexample(predicate, iterations);
            Assert.True(found is not null, variant + ": no counterexample found");
            output.WriteLine(found);
        }

        /// <summary>Without soft-dirty tracking (no clear_refs) the soft-dirty polarity bug is out of reach.</summary>
        internal static readonly CsCheck.Gen<scenario> without_clear_refs = scenario.gen_of(k => k != op_kind.clear_refs);

        /// <summary>Scenarios of the KSM story's operations only (write, read, fork, exit, ksmd, mprotect cycle, new process).</summary>
        internal static readonly CsCheck.Gen<scenario> ksm_story = scenario.ksm_story_gen;

        /// <summary>
        /// The KSM fork leak needs about ten operations in the right order: CsCheck found it once in a
        /// 600,000-scenario search of <see cref="ksm_story"/> (1 min 48 s on 2 shared cores, posted
        /// predicate). Its seed replays that generation (and CsCheck shrinks from there), so the test
        /// does not pay for the search. The seed depends on the generator: if scenario.cs changes,
        /// search again (set KSM_SEARCH=600000 and run Search_KsmForkLeak) and paste the new seed.
        /// </summary>
        internal const string ksm_fork_seed = "9luPaUNcaRe1";

        [Fact]
        public void Search_KsmForkLeak()
        {
            long n = long.Parse(System.Environment.GetEnvironmentVariable("KSM_SEARCH") ?? "0");
            if (n == 0)
            {
                return;
            }

            var found = outcome_property.find_counterexample(posted, n, gen: ksm_story);
            output.WriteLine(found ?? "none found");
        }

        [Fact]
        public void Port_EarlyWrite_IsNeverObservable_InKsmStories()
        {
            var found = outcome_property.find_counterexample(port, iterations, gen: ksm_story);
            Assert.True(found is null, found);
            found = outcome_property.find_counterexample(port, iterations, seed: ksm_fork_seed, gen: ksm_story);
            Assert.True(found is null, found);
        }

        [Theory]
        [InlineData("posted")]
        [InlineData("v1")]
        public void Variant2021_FromForkKsmMprotectScenarios_CsCheckFindsTheKsmForkLeak(string variant)
        {
            var predicate = variant == "posted" ? posted : v1;
            var found = outcome_property.find_counterexample(predicate, iterations, seed: ksm_fork_seed, gen: ksm_story);
            Assert.True(found is not null, variant + ": no counterexample found");
            output.WriteLine(found);
            Assert.Contains("fork", found);
            Assert.Contains("ksmd: scan", found);
        }

        [Fact]
        public void Reviewed2021Text_WithoutSoftDirtyTracking_HasNoCounterexample()
        {
            var found = outcome_property.find_counterexample(reviewed_2021_text, iterations, gen: without_clear_refs);
            Assert.True(found is null, found);
        }

        /// <summary>The as-posted predicates as the GuardOrder fixes repair them (as-posted-fixed/).</summary>
        internal static may_avoid_write_fault_t repaired(string variant) => variant switch
        {
            "posted" => (pte, vma, addr, cp_flags) => mprotect_2021_fixed.may_avoid_write_fault_2021_posted(pte, vma, cp_flags, addr),
            "v1" => (pte, vma, addr, cp_flags) => mprotect_2021_fixed.may_avoid_write_fault_2021_v1(pte, vma, cp_flags, addr),
            _ => (pte, vma, addr, cp_flags) => mprotect_2021_fixed.may_avoid_write_fault_2021_reviewed(pte, vma, cp_flags, addr),
        };

        /// <summary>
        /// Issue 10's proof on the port: the three as-posted predicates, repaired by `dotnet format
        /// analyzers ... --diagnostics GO0001 GO0002 GO0003 GO0004 GO0005` (kept in as-posted-fixed/), have
        /// no counterexample, also in the KSM stories and from the seeds that break the originals. They
        /// follow the fault-path route GO0002 names, wp_pfn_shared, so they grant only where a pte has no
        /// normal page: the early writes they grant are counted and printed, not required.
        /// </summary>
        [Theory]
        [InlineData("posted")]
        [InlineData("v1")]
        [InlineData("reviewed")]
        public void Variant2021_RepairedByTheFixes_EarlyWriteIsNeverObservable(string variant)
        {
            int granted = 0;
            var fixed_predicate = repaired(variant);
            may_avoid_write_fault_t counting = (pte, vma, addr, cp_flags) =>
            {
                bool yes = fixed_predicate(pte, vma, addr, cp_flags);
                granted += yes ? 1 : 0;
                return yes;
            };
            var found = outcome_property.find_counterexample(counting, iterations);
            Assert.True(found is null, variant + " (repaired): " + found);
            found = outcome_property.find_counterexample(counting, iterations, gen: ksm_story);
            Assert.True(found is null, variant + " (repaired, KSM stories): " + found);
            found = outcome_property.find_counterexample(counting, iterations, seed: ksm_fork_seed, gen: ksm_story);
            Assert.True(found is null, variant + " (repaired, KSM fork seed): " + found);
            found = outcome_property.find_counterexample(counting, iterations, seed: stale_uffd_wp_seed);
            Assert.True(found is null, variant + " (repaired, stale uffd-wp seed): " + found);
            output.WriteLine($"{variant} repaired: {granted} early writes granted");
        }
    }
}
