using System.Collections.Generic;
using System.Linq;
using System.Threading;
using GuardOrder.Analyzers;
using GuardOrder.Analyzers.Model;
using GuardOrder.Robustness.Shared;
using GuardOrder.Tests.Verifiers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace GuardOrder.Tests.Model
{
    /// <summary>
    /// <see cref="LeadingSecurityGate.GatesEveryTrueRoute"/>, which lets GO0005 skip the graph and the walk of a
    /// bool method whose first statement rejects on a security read: it says yes only in the narrow forms it
    /// knows (no short-circuit operator, helper of this compilation, local, property, pattern, <c>?.</c>, constant
    /// condition, else branch or other return), and wherever it says yes the walk GO0005 would make finds every
    /// true return gated (the forms here, every bool method of sample-mm and of a generated corpus).
    /// </summary>
    public class LeadingSecurityGateTests
    {
        private const string Members = """
                [SecurityCheck] static bool is_writable(vm_area_struct vma) => (vma.vm_flags & VM_WRITE) != 0;
                [SecurityCheck] static vm_area_struct secure_vma = new vm_area_struct();
                static bool warn_on(bool condition) => condition;
                static vm_area_struct? maybe_vma;

                static bool flag_test(vm_area_struct vma, pte_t pte)
                {
                    if ((vma.vm_flags & VM_WRITE) == 0)
                        return false;
                    return pte.dirty;
                }

                static bool braced(vm_area_struct vma, pte_t pte)
                {
                    // the check that matters
                    if ((vma.vm_flags & VM_WRITE) == 0)
                    {
                        return false;
                    }
                    if (pte.uffd_wp)
                        return false;
                    return true;
                }

                static bool negated_framework_call(vm_area_struct vma, pte_t pte)
                {
                    if (!(vma.vm_flags & VM_WRITE).Equals(VM_WRITE))
                        return false;
                    return pte.dirty;
                }

                static bool security_method(vm_area_struct vma, pte_t pte)
                {
                    if (!is_writable(vma))
                        return false;
                    return pte.dirty;
                }

                static bool non_short_circuit_or(vm_area_struct vma, pte_t pte)
                {
                    if (((vma.vm_flags & VM_WRITE) == 0) | pte.uffd_wp)
                        return false;
                    return pte.dirty;
                }

                static bool through_a_security_field(pte_t pte)
                {
                    if ((secure_vma.vm_flags & 1UL) == 0)
                        return false;
                    return pte.dirty;
                }

                static bool short_circuit_and(vm_area_struct vma, pte_t pte)
                {
                    if (pte.dirty && (vma.vm_flags & VM_WRITE) == 0)
                        return false;
                    return true;
                }

                static bool short_circuit_or(vm_area_struct vma, pte_t pte)
                {
                    if (pte.dirty || (vma.vm_flags & VM_WRITE) == 0)
                        return false;
                    return true;
                }

                static bool wrapped_in_a_helper(vm_area_struct vma, pte_t pte)
                {
                    if (warn_on((vma.vm_flags & VM_WRITE) == 0))
                        return false;
                    return pte.dirty;
                }

                static bool behind_a_declaration(vm_area_struct vma, pte_t pte)
                {
                    var flags = vma.vm_flags;
                    if ((flags & VM_WRITE) == 0)
                        return false;
                    return pte.dirty;
                }

                static bool with_an_else(vm_area_struct vma, pte_t pte)
                {
                    if ((vma.vm_flags & VM_WRITE) == 0)
                        return false;
                    else
                        return pte.dirty;
                }

                static bool returning_true(vm_area_struct vma, pte_t pte)
                {
                    if ((vma.vm_flags & VM_WRITE) != 0)
                        return true;
                    return pte.dirty;
                }

                static bool returning_a_value(vm_area_struct vma, pte_t pte)
                {
                    if ((vma.vm_flags & VM_WRITE) == 0)
                        return pte.dirty;
                    return true;
                }

                static bool no_security(vm_area_struct vma, pte_t pte)
                {
                    if (pte.dirty)
                        return false;
                    return (vma.vm_flags & VM_SHARED) != 0;
                }

                static bool security_only_in_the_receiver(vm_area_struct vma, pte_t pte)
                {
                    if ((vma.vm_flags & VM_WRITE).Equals(0UL))
                        return false;
                    return pte.dirty;
                }

                static bool constant_condition(pte_t pte)
                {
                    if (VM_WRITE == 0)
                        return false;
                    return pte.dirty;
                }

                static bool conditional_access(pte_t pte)
                {
                    if ((maybe_vma?.vm_flags & VM_WRITE) == 0)
                        return false;
                    return pte.dirty;
                }

                static bool pattern(vm_area_struct vma, pte_t pte)
                {
                    if ((vma.vm_flags & VM_WRITE) is 0)
                        return false;
                    return pte.dirty;
                }

                static bool security_second(vm_area_struct vma, pte_t pte)
                {
                    if (pte.uffd_wp)
                        return false;
                    if ((vma.vm_flags & VM_WRITE) == 0)
                        return false;
                    return pte.dirty;
                }

                static bool expression_body(vm_area_struct vma) => (vma.vm_flags & VM_WRITE) != 0;
            """;

        private static Compilation Forms()
        {
            var compilation = AnalyzerHarness.Compile(KernelFixture.With(Members));
            Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
            return compilation;
        }

        [Theory]
        [InlineData("flag_test", true)]
        [InlineData("braced", true)]
        [InlineData("negated_framework_call", true)]
        [InlineData("security_method", true)]
        [InlineData("non_short_circuit_or", true)]
        [InlineData("through_a_security_field", true)]
        [InlineData("short_circuit_and", false)]
        [InlineData("short_circuit_or", false)]
        [InlineData("wrapped_in_a_helper", false)]
        [InlineData("behind_a_declaration", false)]
        [InlineData("with_an_else", false)]
        [InlineData("returning_true", false)]
        [InlineData("returning_a_value", false)]
        [InlineData("no_security", false)]
        [InlineData("security_only_in_the_receiver", false)]
        [InlineData("constant_condition", false)]
        [InlineData("conditional_access", false)]
        [InlineData("pattern", false)]
        [InlineData("security_second", false)]
        [InlineData("expression_body", false)]
        public void TheShortcutHolds_OnlyInTheFormsItKnows(string name, bool gates)
        {
            var compilation = Forms();
            var symbols = GuardOrderSymbols.TryCreate(compilation)!;
            var method = compilation.GetTypeByMetadataName("mm")!.GetMembers(name).OfType<IMethodSymbol>().Single();
            var body = new MethodBodies(compilation).GetBody(method, CancellationToken.None)!;
            Assert.Equal(gates, LeadingSecurityGate.GatesEveryTrueRoute(body, symbols));
        }

        /// <summary>The walk GO0005 makes of a bool method that is not a predicate, and the returns it finds ungated.</summary>
        private static List<IOperation>? Ungated(IMethodBodyOperation body, IMethodSymbol method, GuardOrderSymbols symbols, MethodBodies bodies)
        {
            var cfg = ControlFlowGraph.Create(body);
            var routes = new RouteWalker(symbols, bodies, RouteMode.Predicate, GuardOrderOptions.DefaultMaxHelperDepth, CancellationToken.None).Walk(cfg, method);
            return routes is null ? null : GO0005SecurityBypassAnalyzer.UngatedReturns(routes.Value, isPredicate: false, out _);
        }

        /// <summary>
        /// Every bool method (not a predicate) of these forms, of sample-mm and of a generated corpus: where the
        /// shortcut says its first statement gates every true route, the walk finds no ungated return (and does
        /// not give up); and the shortcut is taken for some of them.
        /// </summary>
        [Fact]
        public void WhereTheShortcutHolds_TheWalkFindsEveryTrueReturnGated()
        {
            var corpus = CorpusGenerator.Generate(6_000, seed: 11, fileLines: 1500)
                .Select(f => CSharpSyntaxTree.ParseText(f.Text, new Microsoft.CodeAnalysis.CSharp.CSharpParseOptions(LanguageVersion.Latest), path: f.Name));
            // sample-mm has no bool method that begins with its security guard (its predicates are walked as such).
            foreach (var (compilation, expectTaken) in new[] { (Forms(), true), (AnalyzerHarness.CompileSampleMm(), false), (AnalyzerHarness.Compile(corpus), true) })
            {
                var symbols = GuardOrderSymbols.TryCreate(compilation)!;
                var bodies = new MethodBodies(compilation);
                var taken = 0;
                foreach (var tree in compilation.SyntaxTrees)
                {
                    var model = compilation.GetSemanticModel(tree);
                    foreach (var node in tree.GetRoot().DescendantNodes().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.MethodDeclarationSyntax>())
                    {
                        if (model.GetDeclaredSymbol(node) is not IMethodSymbol { ReturnType.SpecialType: SpecialType.System_Boolean } method ||
                            GuardOrderSymbols.HasAttribute(method, symbols.MustMatchFaultPath) ||
                            model.GetOperation(node) is not IMethodBodyOperation body)
                        {
                            continue;
                        }

                        var gates = LeadingSecurityGate.GatesEveryTrueRoute(body, symbols);
                        if (!gates)
                        {
                            continue;
                        }

                        taken++;
                        var ungated = Ungated(body, method, symbols, bodies);
                        Assert.True(ungated is not null, $"{method.Name}: the walk gave up where the shortcut holds");
                        Assert.True(ungated!.Count == 0, $"{method.Name} ({node.GetLocation().GetLineSpan()}): the shortcut holds, but the walk finds an ungated true return at {ungated.FirstOrDefault()?.Syntax}");
                    }
                }

                Assert.True(!expectTaken || taken > 0, $"{compilation.AssemblyName}: the shortcut was never taken");
            }
        }

        /// <summary>Where the shortcut does not hold the walk still decides: a security check behind a short-circuit operator is reported.</summary>
        [Fact]
        public void AShortCircuitGuard_IsStillWalkedAndReported()
        {
            var compilation = Forms();
            var symbols = GuardOrderSymbols.TryCreate(compilation)!;
            var bodies = new MethodBodies(compilation);
            var method = compilation.GetTypeByMetadataName("mm")!.GetMembers("short_circuit_and").OfType<IMethodSymbol>().Single();
            var body = bodies.GetBody(method, CancellationToken.None)!;
            Assert.False(LeadingSecurityGate.GatesEveryTrueRoute(body, symbols));
            Assert.NotEmpty(Ungated(body, method, symbols, bodies)!);
        }
    }
}
