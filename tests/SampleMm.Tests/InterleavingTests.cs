using SampleMm.Tests.Scenario;
using Xunit.Abstractions;

namespace SampleMm.Tests
{
    /// <summary>
    /// The page lock's reason, run: ksmd (holding the page lock while it merges) and exiting
    /// processes run on other CPUs at each page-state read of the predicate in turn (Scenario/interleaving.cs).
    /// </summary>
    public sealed class InterleavingTests
    {
        private readonly ITestOutputHelper output;

        public InterleavingTests(ITestOutputHelper output)
        {
            this.output = output;
        }

        [Fact]
        public void Port_TakesThePageLock_TheRaceCannotLeak()
        {
            for (int at = 0; at < interleaving.max_reads; at++)
            {
                var (sees, story) = interleaving.run(mprotect.may_avoid_write_fault, at);
                output.WriteLine(story + "\n");
                Assert.True(sees == 1, story);
            }
        }

        [Fact]
        public void FaultPathOnly_IsTheReference()
        {
            Assert.Null(interleaving.check(outcome_property.fault_path_only));
        }

        [Fact]
        public void AsPosted_NoPageLock_TheRaceLeaks()
        {
            var failure = interleaving.check(OutcomePropertyTests.posted);
            Assert.NotNull(failure);
            output.WriteLine(failure);
        }

        [Fact]
        public void Reviewed2021Text_TakesThePageLock_TheRaceCannotLeak()
        {
            Assert.Null(interleaving.check(OutcomePropertyTests.reviewed_2021_text));
        }
    }
}
