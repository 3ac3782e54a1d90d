using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using GuardOrder.Analyzers.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace GuardOrder.Analyzers
{
    /// <summary>
    /// GO0002 / GO0003: a [MustMatchFaultPath] predicate may only return true on routes that imply
    /// a write-granting route of its fault path (see <see cref="Implication"/>). GO0002 names the
    /// facts the closest fault-path route requires that the predicate route lacks; GO0003 names a
    /// fact the predicate does check, but without the lock the fault path holds for it. When GO0003
    /// explains a fact (and its lock), GO0002 does not repeat it. A method whose routes exceed the
    /// walk's cap, or whose implication search exceeds its cap, is not reported.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class GO0002FaultPathSyncAnalyzer : DiagnosticAnalyzer
    {
        /// <summary>Predicate routes with different facts decided per method; past it the method gets GO0008.</summary>
        internal const int MaxDistinctRoutes = Limits.MaxDistinctPredicateRoutes;

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
            ImmutableArray.Create(Descriptors.GO0002FaultPathMissingCheck, Descriptors.GO0003CheckOutsideLock, Descriptors.GO0008AnalysisLimit);

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

                var shared = SharedModel.For(start.Compilation, symbols);
                var bodies = shared.Bodies;
                var faultPaths = shared.FaultPaths;
                var walks = shared.PredicateWalks;
                var purity = new Purity(start.Compilation);
                // On the body the driver bound (the predicate is not bound a second time).
                start.RegisterOperationAction(c => Analyze(c, symbols, bodies, faultPaths, walks, purity), OperationKind.MethodBody);
            });
        }

        private static void Analyze(OperationAnalysisContext context, GuardOrderSymbols symbols, MethodBodies bodies, FaultPathCache faultPaths, PredicateWalks walks, Purity purity)
        {
            if (context.ContainingSymbol is not IMethodSymbol predicate || context.Operation is not IMethodBodyOperation body)
            {
                return;
            }

            var target = FaultPathTarget.Resolve(predicate, symbols, context.CancellationToken);
            if (target?.Method is null || target.Problem is not null)
            {
                return; // no annotation, or GO0006 reports it
            }

            AnalyzePredicate(context, predicate, body, target.Method, symbols, bodies, faultPaths, walks, purity);
        }

        /// <summary>
        /// A [MustMatchFaultPath] predicate against its fault path. A method of its own: its local function's
        /// closure was made on entry to <see cref="Analyze"/>, i.e. for every method body of the compilation.
        /// </summary>
        private static void AnalyzePredicate(OperationAnalysisContext context, IMethodSymbol predicate, IMethodBodyOperation body, IMethodSymbol targetMethod, GuardOrderSymbols symbols, MethodBodies bodies, FaultPathCache faultPaths, PredicateWalks walks, Purity purity)
        {
            var tree = predicate.Locations.Length > 0 ? predicate.Locations[0].SourceTree : null;
            var depth = GuardOrderOptions.MaxHelperDepth(context.Options, tree);
            var faultPath = targetMethod.OriginalDefinition;
            var fault = faultPaths.Get(faultPath, depth, context.CancellationToken);
            if (fault is null)
            {
                return; // no body, or no route of it grants (GO0006 reports a fault path that never grants)
            }

            void Limit(string why) =>
                context.ReportDiagnostic(Diagnostic.Create(Descriptors.GO0008AnalysisLimit, predicate.Locations[0], predicate.Name, "GO0002/GO0003", why));

            if (fault.HitLimit)
            {
                Limit($"its fault path {faultPath.Name} has more than {Limits.MaxRoutes} routes or {Limits.MaxSteps} steps");
                return;
            }

            // A predicate another's walk expanded as a helper has its graph already (no second one from the driver).
            var cfg = bodies.GraphOf(predicate, body) ?? context.GetControlFlowGraph();
            bodies.Offer(predicate, body, cfg);

            var view = fault.ForPredicate(RouteWalker.InputsOf(predicate));
            var assumptions = FaultPathAssumptions.Alternatives(FaultPathAssumptions.Find(predicate, faultPath, symbols), symbols, bodies, depth, context.CancellationToken);
            if (assumptions is null)
            {
                Limit($"its [FaultPathAssumption] methods have more than {Limits.MaxAssumptionCombinations} combined routes");
                return;
            }

            // The walk GO0005 makes of the same predicate, when it trusts no predicate call (PredicateWalks).
            var walked = walks.Walk(body, cfg, predicate, symbols, bodies, depth, faultPath, context.CancellationToken);
            var routes = walked.Routes;
            if (routes is null)
            {
                if (walked.HitLimit)
                {
                    Limit($"more than {Limits.MaxRoutes} routes or {Limits.MaxSteps} steps");
                }

                return;
            }

            // Every route that returns true is checked (one per way the returned condition holds, and
            // per declared assumption); identical fact sets are decided once.
            var decided = new Dictionary<FactSet, ImplicationResult>();
            var failing = new List<(IOperation Returned, ImplicationResult Result)>();
            foreach (var route in routes.Value)
            {
                if (route.End != RouteEnd.Return || route.State.ReturnOperation is not { } returned)
                {
                    continue;
                }

                foreach (var granting in RouteWalker.Assume(route.State, route.State.ReturnValue ?? UnknownSym.Plain, outcome: true))
                {
                    if (granting.Trusted is not null)
                    {
                        continue; // returns a predicate of the same fault path: checked on its own
                    }

                    var own = FactSet.From(granting.Facts);
                    foreach (var assumption in assumptions.Value)
                    {
                        var facts = own.Conjoin(assumption);
                        if (facts is null)
                        {
                            continue; // the assumption rules this route out
                        }

                        if (!decided.TryGetValue(facts, out var result))
                        {
                            if (decided.Count >= MaxDistinctRoutes)
                            {
                                Limit($"more than {MaxDistinctRoutes} distinct routes return true");
                                return;
                            }

                            result = Implication.Check(facts, view.Index);
                            decided[facts] = result;
                        }

                        if (result.IsUndecided)
                        {
                            Limit($"the implication search exceeded {Limits.MaxImplicationNodes} steps");
                            return;
                        }

                        if (!result.Implied)
                        {
                            failing.Add((returned, result));
                        }
                    }
                }
            }

            // GO0003: one diagnostic per unlocked read (or per return, when the reads are in helpers).
            var lockDiagnostics = new Dictionary<int, (SyntaxNode At, List<string> Members, Fact Required, string Grant)>();
            var seenLockFacts = new HashSet<(int, FactVar)>();
            var returnsByRead = new Dictionary<int, List<SyntaxNode>>();
            foreach (var (returned, result) in failing)
            {
                foreach (var (required, unlocked) in result.OutsideLock)
                {
                    var at = unlocked.Operation?.Syntax;
                    if (at is null || !Within(at, predicate))
                    {
                        at = returned.Syntax;
                    }

                    if (!returnsByRead.TryGetValue(at.SpanStart, out var returns))
                    {
                        returnsByRead[at.SpanStart] = returns = new List<SyntaxNode>();
                    }

                    returns.Add(returned.Syntax);

                    if (!seenLockFacts.Add((at.SpanStart, required.Var.Unlocked)))
                    {
                        continue;
                    }

                    if (!lockDiagnostics.TryGetValue(at.SpanStart, out var entry))
                    {
                        entry = (at, new List<string>(), required, GrantName(fault, result));
                        lockDiagnostics[at.SpanStart] = entry;
                    }

                    if (!entry.Members.Contains(unlocked.SubjectText))
                    {
                        entry.Members.Add(unlocked.SubjectText);
                    }
                }
            }

            foreach (var entry in lockDiagnostics.Values.OrderBy(e => e.At.SpanStart))
            {
                // Evidence: where the fault path takes the lock, and its re-check under it.
                var evidence = SourceLocations(entry.Required.UnderLock!.Acquire, entry.Required.Operation);
                // Whether "Re-check under the lock" is offered, and if not, why (fixRefusal).
                var predicateBody = bodies.GetBody(predicate, context.CancellationToken);
                var repair = predicateBody is null || !Within(entry.At, predicate)
                    ? ImmutableDictionary<string, string?>.Empty.Add(GO0004LockRepair.RefusalProperty, "the unlocked read is in a helper: where to re-check it in the predicate is not certain")
                    : RecheckProperties(GO0003RecheckRepair.Plan(entry.At, entry.Required.UnderLock!.Family, predicateBody, symbols, purity, context.CancellationToken), returnsByRead[entry.At.SpanStart]);
                context.ReportDiagnostic(Diagnostic.Create(
                    Descriptors.GO0003CheckOutsideLock,
                    entry.At.GetLocation(),
                    evidence,
                    repair,
                    predicate.Name,
                    string.Join(", ", entry.Members),
                    faultPath.Name,
                    entry.Required.UnderLock!.AcquireText,
                    entry.Grant));
            }

            // GO0002: one diagnostic per offending return, for the route whose closest fault-path
            // route shares the most facts with it (the route the author meant to mirror).
            foreach (var group in failing.GroupBy(f => f.Returned.Syntax.SpanStart))
            {
                var candidates = new List<(IOperation Returned, ImplicationResult Result, List<string> Missing)>();
                foreach (var (returned, result) in group)
                {
                    var explainedLocks = new HashSet<ITypeSymbol>(result.OutsideLock.Select(o => o.Required.UnderLock!.Family), SymbolEqualityComparer.Default);
                    var missing = Describe(result.Missing, explainedLocks);
                    if (missing.Count > 0)
                    {
                        candidates.Add((returned, result, missing));
                    }
                }

                if (candidates.Count == 0)
                {
                    continue; // GO0003 explains every gap of this return
                }

                var best = candidates.OrderByDescending(c => c.Result.Shared).ThenBy(c => c.Missing.Count).First();
                var others = candidates.Select(c => string.Join(", ", c.Missing) + "|" + GrantName(fault, c.Result)).Distinct().Count() - 1;

                // Evidence: the fault path's checks the predicate lacks (one per missing fact), then the grant call.
                var evidence = SourceLocations(best.Result.Missing.Select(f => f.Operation).Append(fault.GrantRoutes[best.Result.Closest].State.Grant).ToArray());

                // Whether "Add the checks the fault path makes" is offered, and if not, why (fixRefusal).
                var repair = Within(best.Returned.Syntax, predicate)
                    ? GO0002CheckRepair.Plan(best.Returned, fault.GrantRoutes[best.Result.Closest], view.FactSets[best.Result.Closest], view.FactSets, assumptions.Value, routes.Value, predicate, faultPath, bodies.GetBody(predicate, context.CancellationToken), symbols, context.CancellationToken).Properties()
                    : ImmutableDictionary<string, string?>.Empty.Add(GO0004LockRepair.RefusalProperty, "the granting return is not in the predicate's own text");
                context.ReportDiagnostic(Diagnostic.Create(
                    Descriptors.GO0002FaultPathMissingCheck,
                    best.Returned.Syntax.GetLocation(),
                    evidence,
                    repair,
                    predicate.Name,
                    faultPath.Name,
                    GrantName(fault, best.Result),
                    string.Join(", ", best.Missing),
                    others <= 0 ? string.Empty : others == 1 ? " (and 1 other route to this return lacks checks)" : $" (and {others} other routes to this return lack checks)"));
            }
        }

        /// <summary>
        /// The GO0003 repair's properties; refused when a route with this unlocked read returns true
        /// before the predicate takes the lock (the re-check after the lock guard would not be on it,
        /// and the diagnostic would stay).
        /// </summary>
        private static ImmutableDictionary<string, string?> RecheckProperties(GO0003RecheckRepair plan, List<SyntaxNode> returns)
        {
            if (plan.Refusal is null && plan.LockGuard is { } lockGuard && returns.FirstOrDefault(r => r.SpanStart < lockGuard.Span.End) is { } early)
            {
                return ImmutableDictionary<string, string?>.Empty.Add(
                    GO0004LockRepair.RefusalProperty,
                    "a route that reads it returns true before the lock is taken (line " + (early.GetLocation().GetLineSpan().StartLinePosition.Line + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) + "): a re-check under the lock would not be on that route");
            }

            return plan.Properties();
        }

        /// <summary>The source locations of <paramref name="operations"/>, once each, in order (null and metadata ones skipped).</summary>
        internal static IEnumerable<Location> SourceLocations(params IOperation?[] operations)
        {
            var seen = new HashSet<Location>();
            var result = new List<Location>();
            foreach (var operation in operations)
            {
                var location = operation?.Syntax.GetLocation();
                if (location is not null && location.IsInSource && seen.Add(location))
                {
                    result.Add(location);
                }
            }

            return result;
        }

        private static string GrantName(FaultPathRoutes fault, ImplicationResult result) =>
            fault.GrantRoutes[result.Closest].State.Grant is IInvocationOperation call ? call.TargetMethod.Name : "the grant";

        private static bool Within(SyntaxNode node, IMethodSymbol method)
        {
            foreach (var reference in method.DeclaringSyntaxReferences)
            {
                if (reference.SyntaxTree == node.SyntaxTree && reference.Span.Contains(node.Span))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>
        /// The missing facts as text, once each: missing locks first, then the checks (a check made
        /// under a lock that is itself missing is written without "under ..."). A lock GO0003 already
        /// names is left out when nothing else is missing.
        /// </summary>
        private static List<string> Describe(ImmutableArray<Fact> missing, HashSet<ITypeSymbol> explainedLocks)
        {
            var texts = new List<string>();
            var checks = missing.Where(f => f.Kind != FactKind.Lock).ToList();
            var missingLockFamilies = new HashSet<ITypeSymbol>(SymbolEqualityComparer.Default);
            foreach (var fact in missing.Where(f => f.Kind == FactKind.Lock))
            {
                var family = ((LockSubject)fact.Var.Subject).Family;
                missingLockFamilies.Add(family);
                if (checks.Count == 0 && explainedLocks.Contains(family))
                {
                    continue;
                }

                texts.Add(fact.Describe());
            }

            foreach (var fact in checks)
            {
                if (fact.UnderLock is not null && missing.Any(other => other.UnderLock is null && other.Var.SameValueAs(fact.Var) && other.Allowed.Equals(fact.Allowed)))
                {
                    continue;
                }

                var text = fact.UnderLock is not null && missingLockFamilies.Contains(fact.UnderLock.Family)
                    ? fact.WithLock(null).Describe()
                    : fact.Describe();
                if (!texts.Contains(text))
                {
                    texts.Add(text);
                }
            }

            return texts;
        }
    }
}
