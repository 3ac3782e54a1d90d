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
    /// rejects (returns false) on a [SecurityCheck] read, every route that can return true must
    /// first branch on a [SecurityCheck] read — directly, through an expanded helper, or through a
    /// [DoesNotReturnIf] assert. Reported once per offending return. A method that reads no
    /// [SecurityCheck] member on any route is not reported (there is no check to bypass), nor is a
    /// method whose routes exceed the walk's cap.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class GO0005SecurityBypassAnalyzer : DiagnosticAnalyzer
    {
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
            ImmutableArray.Create(Descriptors.GO0005SecurityCheckBypassed);

        public override void Initialize(AnalysisContext context)
        {
            context.EnableConcurrentExecution();
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.RegisterCompilationStartAction(start =>
            {
                var symbols = GuardOrderSymbols.TryCreate(start.Compilation);
                if (symbols is null || symbols.SecurityCheck is null)
                {
                    return;
                }

                var bodies = new MethodBodies(start.Compilation);
                start.RegisterSymbolAction(c => Analyze(c, symbols, bodies), SymbolKind.Method);
            });
        }

        private static void Analyze(SymbolAnalysisContext context, GuardOrderSymbols symbols, MethodBodies bodies)
        {
            var method = (IMethodSymbol)context.Symbol;
            if (method.ReturnType.SpecialType != SpecialType.System_Boolean)
            {
                return;
            }

            var body = bodies.GetBody(method, context.CancellationToken);
            if (body is null)
            {
                return;
            }

            var isPredicate = GuardOrderSymbols.HasAttribute(method, symbols.MustMatchFaultPath);
            if (!isPredicate && !HasSecurityGuardReturningFalse(body, symbols, context.CancellationToken))
            {
                return;
            }

            var cfg = bodies.GetControlFlowGraph(method, context.CancellationToken);
            if (cfg is null)
            {
                return;
            }

            var tree = method.Locations.Length > 0 ? method.Locations[0].SourceTree : null;
            var depth = GuardOrderOptions.MaxHelperDepth(context.Options, tree);
            var routes = new RouteWalker(symbols, bodies, RouteMode.Predicate, depth, context.CancellationToken).Walk(cfg, method);
            if (routes is null || !routes.Value.Any(r => r.State.SecurityPassed || (r.State.ReturnValue?.ReadsSecurity ?? false)))
            {
                return; // too many routes, or no security check anywhere to bypass
            }

            var checks = FactExtraction.SecurityCheckNames(body, symbols).Distinct().ToList();
            var suffix = checks.Count == 0 ? string.Empty : " (" + string.Join(", ", checks) + " is tested only on other routes)";
            var reported = new HashSet<int>();
            foreach (var route in routes.Value)
            {
                var state = route.State;
                if (route.End != RouteEnd.Return || state.ReturnOperation is not { } returned || state.SecurityPassed)
                {
                    continue;
                }

                var value = state.ReturnValue ?? UnknownSym.Plain;
                if (value.ReadsSecurity || RouteWalker.Assume(state, value, outcome: true) is null)
                {
                    continue;
                }

                if (reported.Add(returned.Syntax.SpanStart))
                {
                    context.ReportDiagnostic(Diagnostic.Create(Descriptors.GO0005SecurityCheckBypassed, returned.Syntax.GetLocation(), method.Name, suffix));
                }
            }
        }

        /// <summary>A bool method outside the predicates is checked when its guard run rejects on a security check with <c>return false</c>.</summary>
        private static bool HasSecurityGuardReturningFalse(IMethodBodyOperation body, GuardOrderSymbols symbols, System.Threading.CancellationToken cancellationToken) =>
            body.BlockBody is { } block && GuardRun.Build(block, symbols, purity: null, cancellationToken).HasSecurityGuardReturningFalse;
    }
}