using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using GuardOrder.Robustness.Shared;
using Microsoft.CodeAnalysis.Operations;

namespace GuardOrder.Benchmarks
{
    /// <summary>
    /// `--floor-probe N`: what the analyzer driver costs by itself, before any rule runs, on N lines of the
    /// real-shaped corpus: a do-nothing analyzer with one operation action on every method body (the driver
    /// binds every body to hand it over, as for GuardOrder's operation actions), against one with one
    /// syntax-node action on every method declaration (no body is bound for it), and the compile itself.
    /// CPU of this process, median of five, interleaved.
    /// </summary>
#pragma warning disable RS1001, RS1025, RS1026, RS2008 // a measuring probe, never shipped
    internal static class FloorProbe
    {
        private static readonly DiagnosticDescriptor Never = new DiagnosticDescriptor("PROBE", "probe", "probe", "probe", DiagnosticSeverity.Hidden, isEnabledByDefault: true);

        /// <summary>A do-nothing analyzer whose one registration <paramref name="register"/> makes.</summary>
        private sealed class Floor : DiagnosticAnalyzer
        {
            private readonly Action<AnalysisContext> _register;

            public Floor(Action<AnalysisContext> register)
            {
                _register = register;
            }

            public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Never);

            public override void Initialize(AnalysisContext context)
            {
                context.EnableConcurrentExecution();
                context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
                _register(context);
            }
        }

        public static int Run(int lines)
        {
            var corpus = RealCorpus.Create(lines);
            var operation = ImmutableArray.Create<DiagnosticAnalyzer>(new Floor(c => c.RegisterOperationAction(static _ => { }, OperationKind.MethodBody)));
            var syntax = ImmutableArray.Create<DiagnosticAnalyzer>(new Floor(c => c.RegisterSyntaxNodeAction(static _ => { }, SyntaxKind.MethodDeclaration)));
            var codeBlock = ImmutableArray.Create<DiagnosticAnalyzer>(new Floor(c => c.RegisterCodeBlockAction(static _ => { })));
            var guardOrder = GuardOrderAssemblies.CreateAnalyzers();
            var compile = new List<double>();
            var operations = new List<double>();
            var syntaxes = new List<double>();
            var guardOrders = new List<double>();
            var codeBlocks = new List<double>();
            for (var i = -1; i < 5; i++)
            {
                Measure.Collect();
                Measure.CompileMs(corpus, out _, out var c);
                Measure.Collect();
                var o = Measure.Analyze(corpus, operation).CpuMilliseconds;
                Measure.Collect();
                var s = Measure.Analyze(corpus, syntax).CpuMilliseconds;
                Measure.Collect();
                var g = Measure.Analyze(corpus, guardOrder).CpuMilliseconds;
                Measure.Collect();
                var b = Measure.Analyze(corpus, codeBlock).CpuMilliseconds;
                if (i >= 0)
                {
                    compile.Add(c);
                    operations.Add(o);
                    syntaxes.Add(s);
                    guardOrders.Add(g);
                    codeBlocks.Add(b);
                }
            }

            Console.WriteLine($"{corpus.Lines:N0} lines (real-shaped), CPU ms, median of 5: compile+emit {Measure.Median(compile):F0}; " +
                $"driver with one empty operation action per body {Measure.Median(operations):F0}; " +
                $"driver with one empty syntax-node action per method {Measure.Median(syntaxes):F0}; " +
                $"driver with one empty code-block action {Measure.Median(codeBlocks):F0}; GuardOrder {Measure.Median(guardOrders):F0}");
            return 0;
        }
    }
}
