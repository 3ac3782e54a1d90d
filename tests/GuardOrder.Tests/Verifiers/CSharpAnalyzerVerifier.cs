using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace GuardOrder.Tests.Verifiers
{
    /// <summary>
    /// Analyzer verifier over the offline references. Markup: <c>{|GO0001:text|}</c> or
    /// <c>[|text|]</c> for the analyzer's single descriptor.
    /// </summary>
    public static class CSharpAnalyzerVerifier<TAnalyzer>
        where TAnalyzer : DiagnosticAnalyzer, new()
    {
        // The evidence locations of GO0002-GO0005 are checked by tests of their own (Sync/EvidenceTests).
        public static DiagnosticResult Diagnostic(string diagnosticId) =>
            CSharpAnalyzerVerifier<TAnalyzer, DefaultVerifier>.Diagnostic(diagnosticId).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations);

        public static DiagnosticResult Diagnostic(DiagnosticDescriptor descriptor) =>
            CSharpAnalyzerVerifier<TAnalyzer, DefaultVerifier>.Diagnostic(descriptor).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations);

        public static Task VerifyAnalyzerAsync(string source, params DiagnosticResult[] expected) =>
            VerifyAnalyzerAsync(source, withAnnotations: true, expected);

        public static async Task VerifyAnalyzerAsync(string source, bool withAnnotations, params DiagnosticResult[] expected)
        {
            var test = new Test(withAnnotations) { TestCode = source };
            test.ExpectedDiagnostics.AddRange(expected);
            await test.RunAsync(CancellationToken.None);
        }

        public sealed class Test : CSharpAnalyzerTest<TAnalyzer, DefaultVerifier>
        {
            public Test()
                : this(withAnnotations: true)
            {
            }

            public Test(bool withAnnotations)
            {
                ReferenceAssemblies = TestReferences.Empty;
                TestReferences.Configure(TestState, withAnnotations);
            }
        }
    }
}
