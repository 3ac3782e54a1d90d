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
    /// GO0005: in a [MustMatchFaultPath] predicate, and in a bool method whose leading guard run
    /// rejects (returns false) on a [SecurityCheck] read, every route that can return true must be
    /// GATED by a [SecurityCheck] read: it took the only side of a branch on such a read from which
    /// the method returns true (a guard that lost its return gates nothing), passed a
    /// [DoesNotReturnIf] assert on one (a [Conditional] assert the compiler removes does not count),
    /// returns a condition that reads one, or returns a trusted predicate of the same fault path.
    /// Reported once per offending return. A predicate that reads no security check at all is
    /// reported on every true return; another bool method without one is not checked. A method past
    /// the walk's bounds gets GO0008.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class GO0005SecurityBypassAnalyzer : DiagnosticAnalyzer
    {
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
            ImmutableArray.Create(Descriptors.GO0005SecurityCheckBypassed, Descriptors.GO0008AnalysisLimit);

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
                if (symbols is null || symbols.SecurityCheck is null)
                {
                    return;
                }

                var shared = SharedModel.For(start.Compilation, symbols);
                var bodies = shared.Bodies;
                var walks = shared.PredicateWalks;
                var purity = new Purity(start.Compilation);
                // The body the driver bound (no second binding); handed to the shared model for the other rules.
                start.RegisterOperationAction(c => Analyze(c, symbols, bodies, walks, purity), OperationKind.MethodBody);
            });
        }

        private static void Analyze(OperationAnalysisContext context, GuardOrderSymbols symbols, MethodBodies bodies, PredicateWalks walks, Purity purity)
        {
            if (context.ContainingSymbol is not IMethodSymbol method || method.ReturnType.SpecialType != SpecialType.System_Boolean ||
                context.Operation is not IMethodBodyOperation body || (body.BlockBody is null && body.ExpressionBody is null))
            {
                return;
            }

            var isPredicate = GuardOrderSymbols.HasAttribute(method, symbols.MustMatchFaultPath);
            if (!isPredicate &&
                (LeadingSecurityGate.GatesEveryTrueRoute(body, symbols) || !HasSecurityGuardReturningFalse(body, symbols, context.CancellationToken)))
            {
                return; // nothing to check, or its first statement gates every true return (no graph, no walk)
            }

            // A method a walk expanded as a helper has its graph already (no second one from the driver).
            var cfg = bodies.GraphOf(method, body) ?? context.GetControlFlowGraph();
            bodies.Offer(method, body, cfg);

            var tree = method.Locations.Length > 0 ? method.Locations[0].SourceTree : null;
            var depth = GuardOrderOptions.MaxHelperDepth(context.Options, tree);
            // A predicate's walk is the one GO0002 makes when no predicate call in it is trusted (PredicateWalks);
            // another bool method is GO0005's alone.
            ImmutableArray<Route>? routes;
            bool hitLimit;
            if (isPredicate)
            {
                var walked = walks.Walk(body, cfg, method, symbols, bodies, depth, trustedFaultPath: null, context.CancellationToken);
                (routes, hitLimit) = (walked.Routes, walked.HitLimit);
            }
            else
            {
                var walker = new RouteWalker(symbols, bodies, RouteMode.Predicate, depth, context.CancellationToken);
                routes = walker.Walk(cfg, method);
                hitLimit = walker.HitLimit;
            }

            if (routes is null)
            {
                if (hitLimit)
                {
                    context.ReportDiagnostic(Diagnostic.Create(Descriptors.GO0008AnalysisLimit, method.Locations[0], method.Name, "GO0005", $"more than {Limits.MaxRoutes} routes or {Limits.MaxSteps} steps"));
                }

                return;
            }

            var ungated = UngatedReturns(routes.Value, isPredicate, out var readsSecurity);
            if (ungated.Count == 0)
            {
                return;
            }

            var checks = FactExtraction.SecurityCheckNames(body, symbols).Distinct().ToList();
            // The message's suffix and the evidence are made for a method that is reported, not for every method checked.
            var suffix = !readsSecurity
                ? " (it reads no [SecurityCheck] member: an early-write predicate grants a write, so a security check is always due)"
                : checks.Count == 0 ? string.Empty : " (" + string.Join(", ", checks) + " is tested only on other routes)";

            // Evidence: the security checks the method makes (the ones the route bypasses).
            var evidence = GO0002FaultPathSyncAnalyzer.SourceLocations(routes.Value.SelectMany(r => r.State.Gates).Select(g => g.Branch).Distinct().ToArray()).ToList();

            // Whether "Check the security condition first on every route" is offered, and if not, why (fixRefusal).
            var properties = GO0005GuardRepair.Plan(body, symbols, purity, context.CancellationToken).Properties();
            foreach (var returned in ungated)
            {
                context.ReportDiagnostic(Diagnostic.Create(Descriptors.GO0005SecurityCheckBypassed, returned.Syntax.GetLocation(), evidence, properties, method.Name, suffix));
            }
        }

        /// <summary>
        /// The returns some true route reaches without a gate (once each, in route order), from the routes of
        /// the method's walk; <paramref name="readsSecurity"/>: some route reads a [SecurityCheck] member. A
        /// method that is not a predicate and reads none has nothing to bypass (none returned).
        /// </summary>
        internal static List<IOperation> UngatedReturns(ImmutableArray<Route> routes, bool isPredicate, out bool readsSecurity)
        {
            var ungated = new List<IOperation>();

            // The routes that return true (one per way the returned condition can hold).
            var trueRoutes = new List<(RouteState State, IOperation Returned, bool ReturnReadsSecurity)>();
            foreach (var route in routes)
            {
                if (route.End != RouteEnd.Return || route.State.ReturnOperation is not { } returned)
                {
                    continue;
                }

                var value = route.State.ReturnValue ?? UnknownSym.Plain;
                foreach (var granting in RouteWalker.Assume(route.State, value, outcome: true))
                {
                    trueRoutes.Add((granting, returned, value.ReadsSecurity));
                }
            }

            readsSecurity = routes.Any(r => !r.State.Gates.IsEmpty || (r.State.ReturnValue?.ReadsSecurity ?? false));
            if (!readsSecurity && !isPredicate)
            {
                return ungated; // no security check anywhere to bypass
            }

            // A branch on a security read gates when the method returns true from one of its sides only.
            var sides = new Dictionary<IOperation, int>(OperationIdentity.Instance);
            foreach (var (state, _, _) in trueRoutes)
            {
                foreach (var gate in state.Gates)
                {
                    sides.TryGetValue(gate.Branch, out var seen);
                    sides[gate.Branch] = seen | (gate.Side ? 1 : 2);
                }
            }

            var reported = new HashSet<int>();
            foreach (var (state, returned, returnReadsSecurity) in trueRoutes)
            {
                var gated = returnReadsSecurity || state.Trusted is not null || AnyGate(state.Gates, sides);
                if (!gated && reported.Add(returned.Syntax.SpanStart))
                {
                    ungated.Add(returned);
                }
            }

            return ungated;
        }

        /// <summary>
        /// A gate that always holds, or a branch from one side of which only the method returns true. A loop, not
        /// Any with a lambda: the lambda's capture of the sides made a closure on entry to <see cref="Analyze"/>,
        /// i.e. for every method body of the compilation.
        /// </summary>
        private static bool AnyGate(ImmutableList<SecurityGate> gates, Dictionary<IOperation, int> sides)
        {
            foreach (var gate in gates)
            {
                if (gate.Always || sides[gate.Branch] != 3)
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>A bool method outside the predicates is checked when its guard run rejects on a security check with <c>return false</c>.</summary>
        private static bool HasSecurityGuardReturningFalse(IMethodBodyOperation body, GuardOrderSymbols symbols, System.Threading.CancellationToken cancellationToken) =>
            body.BlockBody is { } block && GuardRun.MayHoldSecurityGuard(block, symbols) && GuardRun.Build(block, symbols, purity: null, cancellationToken).HasSecurityGuardReturningFalse;
    }
}