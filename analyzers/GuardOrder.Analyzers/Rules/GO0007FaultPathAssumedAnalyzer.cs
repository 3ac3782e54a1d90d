using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using GuardOrder.Analyzers.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace GuardOrder.Analyzers
{
    /// <summary>
    /// GO0007 (info): what the sync comparison of a [MustMatchFaultPath] predicate with its fault path
    /// assumed, once per predicate: conditions of the fault path's grant routes on state the
    /// predicate cannot name (the fault's own mode, taken at the granting value), the declared
    /// [FaultPathAssumption]s, and the conditions on members or calls without a GuardOrder annotation
    /// (compared all the same, but listed so that an annotation gap is never silent).
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class GO0007FaultPathAssumedAnalyzer : DiagnosticAnalyzer
    {
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
            ImmutableArray.Create(Descriptors.GO0007FaultPathAssumed);

        public override void Initialize(AnalysisContext context)
        {
            context.EnableConcurrentExecution();
            // Generated code is not analysed (no Analyze flag); the rule reports only inside the code it analyses,
            // so its diagnostics need no generated-code filter (ReportDiagnostics spares the driver's search of a
            // tree's declarations for [GeneratedCode] on each tree's first report: GeneratedCodeTests).
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.ReportDiagnostics);
            context.RegisterCompilationStartAction(start =>
            {
                var symbols = GuardOrderSymbols.TryCreate(start.Compilation);
                if (symbols is null || symbols.MustMatchFaultPath is null)
                {
                    return;
                }

                var faultPaths = SharedModel.For(start.Compilation, symbols).FaultPaths;
                start.RegisterSymbolAction(c => Analyze(c, symbols, faultPaths), SymbolKind.Method);
            });
        }

        private static void Analyze(SymbolAnalysisContext context, GuardOrderSymbols symbols, FaultPathCache faultPaths)
        {
            var predicate = (IMethodSymbol)context.Symbol;
            var target = FaultPathTarget.Resolve(predicate, symbols, context.CancellationToken);
            if (target?.Method is null || target.Problem is not null)
            {
                return;
            }

            var tree = predicate.Locations.Length > 0 ? predicate.Locations[0].SourceTree : null;
            var depth = GuardOrderOptions.MaxHelperDepth(context.Options, tree);
            var faultPath = target.Method.OriginalDefinition;
            var fault = faultPaths.Get(faultPath, depth, context.CancellationToken);
            if (fault is null || fault.HitLimit)
            {
                return;
            }

            var view = fault.ForPredicate(RouteWalker.InputsOf(predicate));
            var declared = FaultPathAssumptions.Find(predicate, faultPath, symbols);
            var parts = new List<string>();
            if (!view.Assumed.IsEmpty)
            {
                parts.Add("assuming " + string.Join(", ", view.Assumed.Select(f => f.Describe()).Distinct()) + " (conditions on state it cannot name)");
            }

            if (!declared.IsEmpty)
            {
                parts.Add("with the declared assumption" + (declared.Length == 1 ? " " : "s ") + string.Join(", ", declared.Select(m => m.Name)));
            }

            if (!view.Gaps.IsEmpty)
            {
                parts.Add("comparing conditions that carry no GuardOrder annotation: " + string.Join(", ", view.Gaps.Select(f => f.Describe()).Distinct()));
            }

            if (!view.Unread.IsEmpty)
            {
                parts.Add("not reading " + string.Join(", ", view.Unread.Select(t => "'" + t + "'")) + " (conditions the analysis cannot evaluate: annotate or simplify them)");
            }

            if (parts.Count > 0)
            {
                context.ReportDiagnostic(Diagnostic.Create(Descriptors.GO0007FaultPathAssumed, predicate.Locations[0], predicate.Name, faultPath.Name, string.Join("; ", parts)));
            }
        }
    }
}
