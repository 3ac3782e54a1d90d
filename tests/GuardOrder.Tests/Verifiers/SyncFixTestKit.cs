using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading.Tasks;
using GuardOrder.Analyzers;
using GuardOrder.Tests.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace GuardOrder.Tests.Verifiers
{
    /// <summary>
    /// The scaffolding the sync fix tests share (GO0002, GO0003, GO0005): an expected diagnostic with
    /// its evidence locations ignored, a before/after check over <see cref="KernelFixture"/>, and the
    /// check that a fix is refused with a reason.
    /// </summary>
    internal static class SyncFixTestKit<TAnalyzer, TFix>
        where TAnalyzer : DiagnosticAnalyzer, new()
        where TFix : CodeFixProvider, new()
    {
        public static DiagnosticResult Expect(string id, int location) =>
            new DiagnosticResult(id, DiagnosticSeverity.Warning).WithLocation(location).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations);

        /// <summary>The members' diagnostics are <paramref name="expected"/>, and the fix (by <paramref name="equivalenceKey"/>) gives <paramref name="fixedMembers"/>.</summary>
        public static Task VerifyFixAsync(string equivalenceKey, string members, string fixedMembers, params DiagnosticResult[] expected)
        {
            var test = new CSharpCodeFixVerifier<TAnalyzer, TFix>.Test
            {
                TestCode = KernelFixture.With(members),
                FixedCode = KernelFixture.With(fixedMembers),
                CodeActionEquivalenceKey = equivalenceKey,
            };
            test.ExpectedDiagnostics.AddRange(expected);
            return test.RunAsync();
        }

        /// <summary>Every <paramref name="id"/> of the members carries no <paramref name="fixProperty"/> and a fixRefusal containing <paramref name="reasonFragment"/>; returns them.</summary>
        public static async Task<List<Diagnostic>> AssertRefusedAsync(string members, string id, string fixProperty, string reasonFragment)
        {
            var compilation = AnalyzerHarness.Compile(KernelFixture.With(members));
            var run = await AnalyzerHarness.RunAsync(compilation, ImmutableArray.Create<DiagnosticAnalyzer>(new TAnalyzer()));
            run.AssertNoAnalyzerException(members);
            var diagnostics = run.Diagnostics.Where(d => d.Id == id).ToList();
            Assert.NotEmpty(diagnostics);
            foreach (var diagnostic in diagnostics)
            {
                Assert.False(diagnostic.Properties.ContainsKey(fixProperty), "fix offered for " + diagnostic);
                Assert.True(diagnostic.Properties.TryGetValue(GO0004LockRepair.RefusalProperty, out var reason), "no fixRefusal on " + diagnostic);
                Assert.Contains(reasonFragment, reason);
            }

            return diagnostics;
        }
    }
}
