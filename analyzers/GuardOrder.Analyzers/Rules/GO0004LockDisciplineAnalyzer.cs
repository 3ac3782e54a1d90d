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
            // Generated code is not analysed (no Analyze flag); the rule reports only inside the code it analyses,
            // so its diagnostics need no generated-code filter (ReportDiagnostics spares the driver's search of a
            // tree's declarations for [GeneratedCode] on each tree's first report: GeneratedCodeTests).
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.ReportDiagnostics);
            context.RegisterCompilationStartAction(start =>
            {
                var symbols = GuardOrderSymbols.TryCreate(start.Compilation);
                if (symbols is null || !symbols.AnyLockAttribute)
                {
                    return;
                }

                var bodies = SharedModel.For(start.Compilation, symbols).Bodies;
                start.RegisterOperationBlockAction(block => OnMethod(block, symbols, bodies));
            });
        }

        /// <summary>
        /// Only a method that calls a lock primitive is walked. Whether it does is seen by a walk of the
        /// operation tree without allocation (<see cref="CallsLockPrimitive"/>), once per method: an
        /// invocation action registered per method (the way it was learnt before) cost every method of the
        /// compilation a block-start context, two registrations and their closures, and every call a callback.
        /// </summary>
        private static void OnMethod(OperationBlockAnalysisContext block, GuardOrderSymbols symbols, MethodBodies bodies)
        {
            if (block.OwningSymbol is not IMethodSymbol method ||
                symbols.IsAcquiresLock(method) || symbols.IsTryAcquiresLock(method) || symbols.IsReleasesLock(method))
            {
                return; // the lock primitives themselves
            }

            // The blocks are the body's parts (its block, or its expression); their root is the method body.
            IMethodBodyOperation? body = null;
            IOperation? part = null;
            foreach (var operation in block.OperationBlocks)
            {
                var root = operation;
                while (root.Parent is not null)
                {
                    root = root.Parent;
                }

                if (body is null && root is IMethodBodyOperation methodBody)
                {
                    body = methodBody;
                    part = operation;
                }
            }

            if (body is null || part is null)
            {
                return;
            }

            if (CallsLockPrimitive(block.OperationBlocks, symbols))
            {
                Analyze(block, part, body, method, symbols, bodies);
            }
        }

        /// <summary>Some invocation in the blocks (lambdas and local functions included, as the driver's operation actions see them) calls a lock primitive.</summary>
        private static bool CallsLockPrimitive(ImmutableArray<IOperation> blocks, GuardOrderSymbols symbols)
        {
            foreach (var root in blocks)
            {
                if (OperationStack.AnyInvocation(root, symbols, (invocation, s) =>
                    s.IsAcquiresLock(invocation.TargetMethod) || s.IsTryAcquiresLock(invocation.TargetMethod) || s.IsReleasesLock(invocation.TargetMethod)))
                {
                    return true;
                }
            }

            return false;
        }

        /// <param name="part">One of the context's operation blocks (the graph is asked for by it; it is the graph of the whole body).</param>
        private static void Analyze(OperationBlockAnalysisContext context, IOperation part, IMethodBodyOperation body, IMethodSymbol method, GuardOrderSymbols symbols, MethodBodies bodies)
        {
            // A fault path or helper the other rules walked has its graph already (no second one from the driver).
            var cfg = bodies.GraphOf(method, body) ?? context.GetControlFlowGraph(part);
            if (cfg.OriginalOperation != body)
            {
                cfg = Microsoft.CodeAnalysis.FlowAnalysis.ControlFlowGraph.Create(body, context.CancellationToken);
            }

            bodies.Offer(method, body, cfg);

            // First a walk that ends each route once it holds nothing and can reach no lock call: it finds
            // every problem (the rest of such a route cannot add one) in fewer steps where a method's locking
            // is one part of it (the real-shaped corpus's lock_users.do_swap_page: 5,206 → 3,163 steps).
            // It only decides whether the method has a problem, so it keeps no route lines (the messages come
            // from the second walk), and in an acyclic method it merges routes that reach a block with the same
            // state but for their facts (RouteWalker's mergeJoins: it may find a problem no route has, never miss
            // one; what is reported comes from the exact walks below): the real-shaped corpus's lock_users.do_swap_page
            // 3,163 → 1,275 steps, 836 → 158 routes.
            var walker = new RouteWalker(symbols, bodies, RouteMode.Locks, 0, context.CancellationToken, pruneLockFreeTails: true, routeLines: false, mergeJoins: true);
            var routes = walker.Walk(cfg, method);
            if (routes is null)
            {
                if (walker.HitLimit)
                {
                    context.ReportDiagnostic(Diagnostic.Create(Descriptors.GO0008AnalysisLimit, method.Locations[0], method.Name, "GO0004", $"more than {Limits.MaxRoutes} routes or {Limits.MaxSteps} steps"));
                }

                return;
            }

            var backEdge = walker.BackEdgeIssues;
            if (backEdge.Count == 0 && !routes.Value.Any(r => !r.State.Issues.IsEmpty))
            {
                return;
            }

            // A method with a problem is walked again without pruning: the repair reads where each route
            // leaves the method (a release before a return is offered only when every route through that
            // return holds the lock), and the problems and their first routes are the ones the full walk finds.
            var full = new RouteWalker(symbols, bodies, RouteMode.Locks, 0, context.CancellationToken);
            var fullRoutes = full.Walk(cfg, method);
            string? planRefusal = null;
            if (fullRoutes is null)
            {
                context.CancellationToken.ThrowIfCancellationRequested();
                planRefusal = $"the method has more than {Limits.MaxRoutes} routes or {Limits.MaxSteps} steps: where each route leaves it is not known, so no release can be proven right";

                // The problems as the pruning walk finds them, now with the lines of their routes for the messages.
                var pruned = new RouteWalker(symbols, bodies, RouteMode.Locks, 0, context.CancellationToken, pruneLockFreeTails: true);
                if (pruned.Walk(cfg, method) is { } withLines)
                {
                    routes = withLines;
                    backEdge = pruned.BackEdgeIssues;
                }
                else
                {
                    // Without the first walk's merging this walk can pass the bound: the first walk's problems may
                    // be on routes no execution takes, so none is reported, and the bound is.
                    context.CancellationToken.ThrowIfCancellationRequested();
                    context.ReportDiagnostic(Diagnostic.Create(Descriptors.GO0008AnalysisLimit, method.Locations[0], method.Name, "GO0004", $"more than {Limits.MaxRoutes} routes or {Limits.MaxSteps} steps"));
                    return;
                }
            }
            else
            {
                routes = fullRoutes;
                backEdge = full.BackEdgeIssues;
            }

            var reported = new HashSet<(int, string)>();
            foreach (var issue in backEdge.Concat(routes.Value.SelectMany(r => r.State.Issues)))
            {
                {
                    var syntax = issue.Operation.Syntax;
                    if (reported.Add((syntax.SpanStart, issue.Kind)))
                    {
                        // Whether "Release the lock on this route" is offered, and if not, why (fixRefusal).
                        var atBackEdge = backEdge.Contains(issue) || (issue.Kind == "leak" && backEdge.Any(b => b.Kind == "leak" && b.Operation.Syntax == syntax));
                        var properties = planRefusal is null
                            ? GO0004LockRepair.Plan(issue, atBackEdge, routes.Value, body, method, symbols).Properties()
                            : ImmutableDictionary<string, string?>.Empty.Add(GO0004LockRepair.RefusalProperty, planRefusal);
                        context.ReportDiagnostic(Diagnostic.Create(Descriptors.GO0004LockDiscipline, syntax.GetLocation(), GO0002FaultPathSyncAnalyzer.SourceLocations(issue.Related.ToArray()), properties, issue.Message));
                    }
                }
            }
        }
    }
}
