using System;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace GuardOrder.Benchmarks
{
    /// <summary>
    /// <c>--retention N [--mixed]</c>: what stays reachable while a sequential analysis runs. This probe's
    /// operation action on the body of the last method of the compilation's last tree (the driver reaches it at the end of a
    /// sequential analysis), forces a full collection and reads the heap; run next to GuardOrder and next to
    /// the no-op floor, the difference is what GuardOrder keeps alive at that point (its per-compilation
    /// model: bound bodies, graphs, the fault paths' routes), which every full collection of the build walks.
    /// </summary>
#pragma warning disable RS2008, RS1001 // a benchmark probe, not a shipped analyzer: no release tracking, not found by reflection
    internal sealed class RetentionProbe : DiagnosticAnalyzer
    {
        private static readonly DiagnosticDescriptor Never = new DiagnosticDescriptor("BENCH1", "probe", "probe", "probe", DiagnosticSeverity.Hidden, isEnabledByDefault: true);
        private readonly string _lastMethod;

        public RetentionProbe(string lastMethod)
        {
            _lastMethod = lastMethod;
        }

        /// <summary>The heap after a full collection when the probe fired (0: it did not).</summary>
        public long Retained { get; private set; }

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Never);

        public override void Initialize(AnalysisContext context)
        {
            context.EnableConcurrentExecution();
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.RegisterOperationAction(
                c =>
                {
                    if (c.ContainingSymbol.ToDisplayString() == _lastMethod)
                    {
                        Retained = GC.GetTotalMemory(forceFullCollection: true);
                    }
                },
                Microsoft.CodeAnalysis.OperationKind.MethodBody);
        }
    }
#pragma warning restore RS2008, RS1001
}
