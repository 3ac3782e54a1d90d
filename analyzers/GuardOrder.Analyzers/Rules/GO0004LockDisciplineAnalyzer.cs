using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using GuardOrder.Analyzers.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace GuardOrder.Analyzers
{
    /// <summary>
    /// GO0004: in any method that calls lock-annotated methods, walks every acyclic route of the
    /// control-flow graph: a lock taken ([AcquiresLock], or [TryAcquiresLock] on its true branch)
    /// must be released ([ReleasesLock]) on every route out (early returns and gotos included); a
    /// release needs a held lock; a try-lock's result must be branched on before the guarded code.
    /// Exceptional routes are not walked; a method with more routes than the walk's cap is skipped.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class GO0004LockDisciplineAnalyzer : DiagnosticAnalyzer
    {
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
            ImmutableArray.Create(Descriptors.GO0004LockDiscipline, Descriptors.GO0008AnalysisLimit);

        public override void Initialize(AnalysisContext context)
        {
            context.EnableConcurrentExecution();
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.RegisterCompilationStartAction(start =>
            {
                var symbols = GuardOrderSymbols.TryCreate(start.Compilation);
                if (symbols is null || !symbols.AnyLockAttribute)
                {
                    return;
                }

                var bodies = SharedModel.For(start.Compilation, symbols).Bodies;
                start.RegisterOperationAction(c => Analyze(c, symbols, bodies), OperationKind.MethodBody);
            });
        }

        private static void Analyze(OperationAnalysisContext context, GuardOrderSymbols symbols, MethodBodies bodies)
        {
            var body = (IMethodBodyOperation)context.Operation;
            if (context.ContainingSymbol is not IMethodSymbol method ||
                symbols.IsAcquiresLock(method) || symbols.IsTryAcquiresLock(method) || symbols.IsReleasesLock(method))
            {
                return; // the lock primitives themselves
            }

            var callsLocks = body.Descendants().OfType<IInvocationOperation>().Any(i =>
                symbols.IsAcquiresLock(i.TargetMethod) || symbols.IsTryAcquiresLock(i.TargetMethod) || symbols.IsReleasesLock(i.TargetMethod));
            if (!callsLocks)
            {
                return;
            }

            var cfg = context.GetControlFlowGraph();
            bodies.Offer(method, body, cfg);
            var walker = new RouteWalker(symbols, bodies, RouteMode.Locks, 0, context.CancellationToken);
            var routes = walker.Walk(cfg, method);
            if (routes is null)
            {
                if (walker.HitLimit)
                {
                    context.ReportDiagnostic(Diagnostic.Create(Descriptors.GO0008AnalysisLimit, method.Locations[0], method.Name, "GO0004", $"more than {Limits.MaxRoutes} routes or {Limits.MaxSteps} steps"));
                }

                return;
            }

            var reported = new HashSet<(int, string)>();
            var backEdge = walker.BackEdgeIssues;
            foreach (var issue in backEdge.Concat(routes.Value.SelectMany(r => r.State.Issues)))
            {
                {
                    var syntax = issue.Operation.Syntax;
                    if (reported.Add((syntax.SpanStart, issue.Kind)))
                    {
                        // Whether "Release the lock on this route" is offered, and if not, why (fixRefusal).
                        var atBackEdge = backEdge.Contains(issue) || (issue.Kind == "leak" && backEdge.Any(b => b.Kind == "leak" && b.Operation.Syntax == syntax));
                        var repair = GO0004LockRepair.Plan(issue, atBackEdge, routes.Value, body, method, symbols);
                        context.ReportDiagnostic(Diagnostic.Create(Descriptors.GO0004LockDiscipline, syntax.GetLocation(), GO0002FaultPathSyncAnalyzer.SourceLocations(issue.Related.ToArray()), repair.Properties(), issue.Message));
                    }
                }
            }
        }
    }
}
