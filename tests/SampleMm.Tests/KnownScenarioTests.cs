using SampleMm.Tests.Scenario;
using Xunit.Abstractions;

namespace SampleMm.Tests
{
    /// <summary>The kept counterexamples (Scenario/known.cs): the port gets each right; the 2021 texts do not.</summary>
    public sealed class KnownScenarioTests
    {
        private readonly ITestOutputHelper output;

        public KnownScenarioTests(ITestOutputHelper output)
        {
            this.output = output;
        }

        public static TheoryData<string> names()
        {
            var data = new TheoryData<string>();
            foreach (var (name, _) in known.all)
            {
                data.Add(name);
            }

            return data;
        }

        private static scenario get(string name) => System.Array.Find(known.all, k => k.name == name).sc;

        [Theory]
        [MemberData(nameof(names))]
        public void Port_GetsItRight(string name)
        {
            var diff = outcome_property.check(mprotect.may_avoid_write_fault, get(name));
            Assert.True(diff is null, diff);
        }

        [Fact]
        public void KsmForkLeak_PostedAndV1Leak_TheReviewedTextDoesNot()
        {
            var posted = outcome_property.check(OutcomePropertyTests.posted, known.ksm_fork_leak);
            Assert.NotNull(posted);
            output.WriteLine(posted);
            Assert.Contains("P3: 2", posted);
            Assert.NotNull(outcome_property.check(OutcomePropertyTests.v1, known.ksm_fork_leak));
            Assert.Null(outcome_property.check(OutcomePropertyTests.reviewed_2021_text, known.ksm_fork_leak));
        }

        [Fact]
        public void SoftDirty_EveryVariant2021_LosesTheRecord()
        {
            foreach (var predicate in new[] { OutcomePropertyTests.posted, OutcomePropertyTests.v1, OutcomePropertyTests.reviewed_2021_text })
            {
                var diff = outcome_property.check(predicate, known.soft_dirty);
                Assert.NotNull(diff);
                Assert.Contains("with the write fault:  store ok | P0: 2 soft-dirty", diff);
                output.WriteLine(diff);
            }
        }
    }
}
