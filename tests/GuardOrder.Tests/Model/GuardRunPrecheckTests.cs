using System.Linq;
using System.Threading;
using GuardOrder.Analyzers.Model;
using GuardOrder.Tests.Verifiers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace GuardOrder.Tests.Model
{
    /// <summary>
    /// <see cref="GuardRun.MayHoldSecurityGuard"/>, asked before a body's guard run is built (GO0001, GO0005):
    /// it says no only where the built run holds no security guard, in every form a guard takes (an <c>if</c>,
    /// an assert call, a throw helper, <c>_ = x ?? throw</c>, behind declarations), and it says no for the
    /// bodies whose security reads are not guards of the run.
    /// </summary>
    public class GuardRunPrecheckTests
    {
        private const string Members = """
                static void ThrowIfNull(object? o, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(o))] string? name = null) { }

                static bool if_guard(vm_area_struct vma)
                {
                    if ((vma.vm_flags & VM_WRITE) == 0)
                        return false;
                    return true;
                }

                static bool behind_declarations_and_other_guards(vm_area_struct vma, pte_t pte)
                {
                    var flags = vma.vm_flags;
                    if (pte.dirty)
                        return false;
                    ulong mask = 1;
                    if ((flags & VM_WRITE & ~mask) == 0)
                        return false;
                    return true;
                }

                static void assert_guard(vm_area_struct vma)
                {
                    VM_BUG_ON((vma.vm_flags & VM_WRITE) == 0);
                }

                static void throw_helper(vm_area_struct? vma)
                {
                    ArgumentNullException.ThrowIfNull(vma);
                    System.ArgumentOutOfRangeException.ThrowIfEqual(vma.vm_flags & VM_WRITE, 0UL);
                }

                [SecurityCheck] static vm_area_struct? secure_vma;

                static void coalesce_guard()
                {
                    _ = secure_vma ?? throw new System.InvalidOperationException();
                }

                static bool pattern_guard(vm_area_struct vma)
                {
                    if (vma is { vm_flags: var flags } && (flags & VM_WRITE) == 0)
                    {
                        return false;
                    }
                    return true;
                }

                static bool wrapped_guard(vm_area_struct vma)
                {
                    if (warn_on((vma.vm_flags & VM_WRITE) == 0))
                        return false;
                    return true;
                }

                static bool warn_on(bool condition) => condition;

                static bool security_in_a_switch(vm_area_struct vma)
                {
                    switch (vma.vm_flags & VM_WRITE)
                    {
                        case 0: return false;
                        default: return true;
                    }
                }

                static bool security_in_a_try(vm_area_struct vma)
                {
                    try
                    {
                        if ((vma.vm_flags & VM_WRITE) == 0)
                            return false;
                    }
                    finally { }
                    return true;
                }

                static bool no_security(vm_area_struct vma, pte_t pte)
                {
                    if (pte.dirty)
                        return false;
                    return (vma.vm_flags & VM_SHARED) != 0;
                }

                static bool security_after_the_run(vm_area_struct vma, pte_t pte)
                {
                    if (pte.dirty)
                        return false;
                    for (var i = 0; i < 2; i++) { }
                    if ((vma.vm_flags & VM_WRITE) == 0)
                        return false;
                    return true;
                }

                static bool security_in_an_if_with_else(vm_area_struct vma)
                {
                    if ((vma.vm_flags & VM_WRITE) == 0)
                        return false;
                    else
                        return true;
                }

                static bool security_in_the_return(vm_area_struct vma) => (vma.vm_flags & VM_WRITE) != 0;

                static int security_in_nameof(vm_area_struct vma)
                {
                    if (nameof(VM_WRITE).Length == 0)
                        return 0;
                    return 1;
                }
            """;

        private static (Compilation Compilation, GuardOrderSymbols Symbols, MethodBodies Bodies) Setup()
        {
            var compilation = AnalyzerHarness.Compile(KernelFixture.Prelude.Replace("using GuardOrder;", "using GuardOrder;\nusing System;") + "public static partial class mm\n{\n" + Members + "\n}\n");
            Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
            return (compilation, GuardOrderSymbols.TryCreate(compilation)!, new MethodBodies(compilation));
        }

        private static IBlockOperation? Block(Compilation compilation, MethodBodies bodies, string name)
        {
            var method = compilation.GetTypeByMetadataName("mm")!.GetMembers(name).OfType<IMethodSymbol>().Single();
            return bodies.GetBody(method, CancellationToken.None)?.BlockBody;
        }

        [Theory]
        [InlineData("if_guard", true)]
        [InlineData("behind_declarations_and_other_guards", true)]
        [InlineData("assert_guard", true)]
        [InlineData("throw_helper", true)]
        [InlineData("coalesce_guard", true)]
        [InlineData("pattern_guard", true)] // a property pattern, a braced body
        [InlineData("wrapped_guard", true)] // the read is an argument of a call in the condition
        [InlineData("no_security", false)]
        [InlineData("security_in_a_switch", false)] // a switch is no guard clause: the run is empty
        [InlineData("security_in_a_try", false)] // nor is a try statement
        [InlineData("security_after_the_run", false)] // the for statement ends the run
        [InlineData("security_in_an_if_with_else", false)] // no guard clause: the run is empty
        [InlineData("security_in_nameof", false)] // nameof is not a read
        public void ABodyMayHoldASecurityGuard_ExactlyWhenItsRunHoldsOne(string name, bool holds)
        {
            var (compilation, symbols, bodies) = Setup();
            var block = Block(compilation, bodies, name)!;
            Assert.Equal(holds, GuardRun.Build(block, symbols, purity: null, CancellationToken.None).Items.Any(i => i.IsSecurityGuard));
            Assert.Equal(holds, GuardRun.MayHoldSecurityGuard(block, symbols));
        }

        /// <summary>Over every block body of sample-mm and of these forms (lambdas and local functions included): ruled out only without a security guard in the run.</summary>
        [Fact]
        public void NoBodyWithASecurityGuardInItsRun_IsRuledOut()
        {
            foreach (var compilation in new[] { Setup().Compilation, AnalyzerHarness.CompileSampleMm() })
            {
                var symbols = GuardOrderSymbols.TryCreate(compilation)!;
                var withGuard = 0;
                var ruledOut = 0;
                foreach (var tree in compilation.SyntaxTrees)
                {
                    var model = compilation.GetSemanticModel(tree);
                    foreach (var node in tree.GetRoot().DescendantNodes())
                    {
                        if (model.GetOperation(node) is not { } operation || GuardRun.BodyOf(operation) is not { } block)
                        {
                            continue;
                        }

                        var holds = GuardRun.Build(block, symbols, purity: null, CancellationToken.None).Items.Any(i => i.IsSecurityGuard);
                        var may = GuardRun.MayHoldSecurityGuard(block, symbols);
                        Assert.True(may || !holds, $"{node.GetLocation().GetLineSpan()}: ruled out, but its guard run holds a security guard");
                        withGuard += holds ? 1 : 0;
                        ruledOut += may ? 0 : 1;
                    }
                }

                Assert.True(withGuard > 0, "no body with a security guard was checked");
                Assert.True(ruledOut > withGuard, $"{ruledOut} bodies ruled out, {withGuard} with a security guard");
            }
        }
    }
}
