using System.Linq;
using System.Threading;
using GuardOrder.Analyzers.Model;
using GuardOrder.Tests.Verifiers;
using Microsoft.CodeAnalysis;

namespace GuardOrder.Tests.Model
{
    /// <summary>
    /// GO0002 and GO0005 share a predicate's walk (<see cref="PredicateWalks"/>): the first leaves it, the
    /// second takes it, and only when it is the same walk: a walk that met a call of a predicate is made
    /// again for another trusted fault path (GO0002 trusts the predicates of its fault path, GO0005 none).
    /// </summary>
    public class PredicateWalksTests
    {
        private const string Members = """
                [MustMatchFaultPath(nameof(do_wp_page))]
                static bool plain(pte_t pte, vm_area_struct vma)
                {
                    if ((vma.vm_flags & VM_WRITE) == 0)
                        return false;
                    return (vma.vm_flags & VM_SHARED) != 0;
                }

                [MustMatchFaultPath(nameof(do_wp_page))]
                static bool wrapper(pte_t pte, vm_area_struct vma)
                {
                    if ((vma.vm_flags & VM_WRITE) == 0)
                        return false;
                    return plain(pte, vma);
                }

                static bool helper(pte_t pte, vm_area_struct vma) => pte.dirty && plain(pte, vma);

                [MustMatchFaultPath(nameof(do_wp_page))]
                static bool inSwitch(pte_t pte, vm_area_struct vma, int mode)
                {
                    if ((vma.vm_flags & VM_WRITE) == 0)
                        return false;
                    return mode switch
                    {
                        0 => false,
                        _ => pte.dirty ? plain(pte, vma) : false,
                    };
                }

                [MustMatchFaultPath(nameof(do_wp_page))]
                static bool throughHelper(pte_t pte, vm_area_struct vma)
                {
                    if ((vma.vm_flags & VM_WRITE) == 0)
                        return false;
                    return helper(pte, vma);
                }
            """;

        private static (PredicateWalks Walks, GuardOrderSymbols Symbols, MethodBodies Bodies, IMethodSymbol FaultPath, Compilation Compilation) Setup()
        {
            var compilation = AnalyzerHarness.Compile(KernelFixture.With(Members));
            var symbols = GuardOrderSymbols.TryCreate(compilation)!;
            var faultPath = compilation.GetTypeByMetadataName("mm")!.GetMembers("do_wp_page").OfType<IMethodSymbol>().Single();
            return (new PredicateWalks(), symbols, new MethodBodies(compilation), faultPath, compilation);
        }

        private static PredicateWalks.Walked Walk((PredicateWalks Walks, GuardOrderSymbols Symbols, MethodBodies Bodies, IMethodSymbol FaultPath, Compilation Compilation) s, string name, IMethodSymbol? trusted)
        {
            var method = s.Compilation.GetTypeByMetadataName("mm")!.GetMembers(name).OfType<IMethodSymbol>().Single();
            var body = s.Bodies.GetBody(method, CancellationToken.None)!;
            var cfg = s.Bodies.GetControlFlowGraph(method, CancellationToken.None)!;
            return s.Walks.Walk(body, cfg, method, s.Symbols, s.Bodies, 3, trusted, CancellationToken.None);
        }

        private static string[] Dumps(PredicateWalks.Walked walked) => walked.Routes!.Value.Select(r => r.Dump()).ToArray();

        [Fact]
        public void AWalkThatMeetsNoPredicate_IsTakenOnce_ByEitherRule()
        {
            var s = Setup();
            var first = Walk(s, "plain", trusted: null); // GO0005's
            Assert.False(first.MetFaultPathPredicate);
            var second = Walk(s, "plain", trusted: s.FaultPath); // GO0002's: the same walk
            Assert.Same(first, second);
            var third = Walk(s, "plain", trusted: s.FaultPath); // taken already: walked again, the same routes
            Assert.NotSame(second, third);
            Assert.Equal(Dumps(first), Dumps(third));
        }

        [Theory]
        [InlineData("wrapper")]
        [InlineData("throughHelper")] // the predicate call is in an expanded helper
        [InlineData("inSwitch")] // in a conditional inside a switch expression's arm
        public void AWalkThatMeetsAPredicate_IsNotTakenForAnotherTrust(string name)
        {
            var s = Setup();
            var untrusted = Walk(s, name, trusted: null);
            Assert.True(untrusted.MetFaultPathPredicate);
            var trusted = Walk(s, name, trusted: s.FaultPath);
            Assert.NotSame(untrusted, trusted);
            Assert.Contains(Dumps(trusted), d => d.Contains("trusted"));
            Assert.DoesNotContain(Dumps(untrusted), d => d.Contains("trusted"));

            // The other order: GO0002's trusted walk left first, then GO0005's.
            var s2 = Setup();
            var trustedFirst = Walk(s2, name, trusted: s2.FaultPath);
            var untrustedSecond = Walk(s2, name, trusted: null);
            Assert.NotSame(trustedFirst, untrustedSecond);
            Assert.DoesNotContain(Dumps(untrustedSecond), d => d.Contains("trusted"));
        }

        [Fact]
        public void AWalkAtAnotherDepth_IsNotTaken()
        {
            var s = Setup();
            var method = s.Compilation.GetTypeByMetadataName("mm")!.GetMembers("plain").OfType<IMethodSymbol>().Single();
            var body = s.Bodies.GetBody(method, CancellationToken.None)!;
            var cfg = s.Bodies.GetControlFlowGraph(method, CancellationToken.None)!;
            var atThree = s.Walks.Walk(body, cfg, method, s.Symbols, s.Bodies, 3, null, CancellationToken.None);
            var atOne = s.Walks.Walk(body, cfg, method, s.Symbols, s.Bodies, 1, null, CancellationToken.None);
            Assert.NotSame(atThree, atOne);
        }
        /// <summary>
        /// The walk is kept per predicate and taken only for the body it was made of: a rule handed another
        /// binding of the same method (an IDE re-analysis) walks its own, whose routes refer to its operations.
        /// </summary>
        [Fact]
        public void AWalkOfAnotherBodyOfTheSameMethod_IsNotTaken()
        {
            var s = Setup();
            var first = Walk(s, "plain", trusted: null);
            var method = s.Compilation.GetTypeByMetadataName("mm")!.GetMembers("plain").OfType<IMethodSymbol>().Single();
            var otherBodies = new MethodBodies(s.Compilation); // its own semantic model: another body object
            var otherBody = otherBodies.GetBody(method, CancellationToken.None)!;
            Assert.NotSame(s.Bodies.GetBody(method, CancellationToken.None), otherBody);
            var otherCfg = otherBodies.GetControlFlowGraph(method, CancellationToken.None)!;
            var second = s.Walks.Walk(otherBody, otherCfg, method, s.Symbols, otherBodies, 3, s.FaultPath, CancellationToken.None);
            Assert.NotSame(first, second);
            Assert.Equal(Dumps(first), Dumps(second));
            var returned = second.Routes!.Value.Select(r => r.State.ReturnOperation).OfType<IOperation>().First();
            Assert.Contains(otherCfg.Blocks, b => b.BranchValue == returned); // the other graph's operation
            Assert.DoesNotContain(s.Bodies.GetControlFlowGraph(method, CancellationToken.None)!.Blocks, b => b.BranchValue == returned);

            // The later walk replaced the first (one per predicate): the later body's partner takes it.
            Assert.Same(second, s.Walks.Walk(otherBody, otherCfg, method, s.Symbols, otherBodies, 3, null, CancellationToken.None));
        }
    }
}
