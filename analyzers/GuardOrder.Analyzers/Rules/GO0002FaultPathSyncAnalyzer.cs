using System;
using System.Collections.Concurrent;
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
        /// <summary>Predicate routes with different facts decided per method; past it the method is not reported.</summary>
        internal const int MaxDistinctRoutes = 512;

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
            ImmutableArray.Create(Descriptors.GO0002FaultPathMissingCheck, Descriptors.GO0003CheckOutsideLock);

        public override void Initialize(AnalysisContext context)
        {
            context.EnableConcurrentExecution();
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.RegisterCompilationStartAction(start =>
            {
                var symbols = GuardOrderSymbols.TryCreate(start.Compilation);
                if (symbols is null || symbols.MustMatchFaultPath is null)
                {
                    return;
                }

                var bodies = new MethodBodies(start.Compilation);
                var faultPaths = new ConcurrentDictionary<(IMethodSymbol, int), Lazy<FaultPathRoutes?>>();
                start.RegisterSymbolAction(c => Analyze(c, symbols, bodies, faultPaths), SymbolKind.Method);
            });
        }

        /// <summary>The grant routes of one fault path (computed once per compilation and helper depth).</summary>
        internal sealed class FaultPathRoutes
        {
            public FaultPathRoutes(ImmutableArray<Route> grantRoutes)
            {
                GrantRoutes = grantRoutes;
                FactSets = grantRoutes.Select(r => FactSet.From(r.State.Facts)).ToImmutableArray();
            }

            public ImmutableArray<Route> GrantRoutes { get; }

            public ImmutableArray<FactSet> FactSets { get; }

            public static FaultPathRoutes? Compute(IMethodSymbol faultPath, GuardOrderSymbols symbols, MethodBodies bodies, int depth, CancellationToken cancellationToken)
            {
                var cfg = bodies.GetControlFlowGraph(faultPath, cancellationToken);
                if (cfg is null)
                {
                    return null;
                }

                var routes = new RouteWalker(symbols, bodies, RouteMode.FaultPath, depth, cancellationToken).Walk(cfg, faultPath);
                if (routes is null)
                {
                    return null;
                }

                var grants = routes.Value.Where(r => r.End == RouteEnd.Grant).ToImmutableArray();
                return grants.IsEmpty ? null : new FaultPathRoutes(grants);
            }
        }

        /// <summary>
        /// The fault path's grant routes, computed once per (fault path, depth) for the compilation
        /// even when several predicates ask at the same time (a Lazy value: GetOrAdd's factory alone
        /// may run more than once). A cancelled computation is dropped so that the next caller retries.
        /// </summary>
        private static FaultPathRoutes? FaultPathRoutesOf(
            ConcurrentDictionary<(IMethodSymbol, int), Lazy<FaultPathRoutes?>> faultPaths,
            (IMethodSymbol Method, int Depth) key,
            GuardOrderSymbols symbols,
            MethodBodies bodies,
            CancellationToken cancellationToken)
        {
            var lazy = faultPaths.GetOrAdd(
                key,
                k => new Lazy<FaultPathRoutes?>(() => FaultPathRoutes.Compute(k.Item1, symbols, bodies, k.Item2, cancellationToken), LazyThreadSafetyMode.ExecutionAndPublication));
            try
            {
                return lazy.Value;
            }
            catch (OperationCanceledException)
            {
                ((ICollection<KeyValuePair<(IMethodSymbol, int), Lazy<FaultPathRoutes?>>>)faultPaths).Remove(new KeyValuePair<(IMethodSymbol, int), Lazy<FaultPathRoutes?>>(key, lazy));
                throw;
            }
        }

        private static void Analyze(
            SymbolAnalysisContext context,
            GuardOrderSymbols symbols,
            MethodBodies bodies,
            ConcurrentDictionary<(IMethodSymbol, int), Lazy<FaultPathRoutes?>> faultPaths)
        {
            var predicate = (IMethodSymbol)context.Symbol;
            var target = FaultPathTarget.Resolve(predicate, symbols, context.CancellationToken);
            if (target?.Method is null || target.Problem is not null)
            {
                return; // no annotation, or GO0006 reports it
            }

            var tree = predicate.Locations.Length > 0 ? predicate.Locations[0].SourceTree : null;
            var depth = GuardOrderOptions.MaxHelperDepth(context.Options, tree);
            var faultPath = target.Method.OriginalDefinition;
            var fault = FaultPathRoutesOf(faultPaths, (faultPath, depth), symbols, bodies, context.CancellationToken);
            if (fault is null)
            {
                return;
            }

            var cfg = bodies.GetControlFlowGraph(predicate, context.CancellationToken);
            if (cfg is null)
            {
                return;
            }

            var routes = new RouteWalker(symbols, bodies, RouteMode.Predicate, depth, context.CancellationToken).Walk(cfg, predicate);
            if (routes is null)
            {
                return; // too many routes: report nothing rather than guess (see RouteWalker)
            }

            // Every granting route is checked; identical fact sets are decided once.
            var decided = new Dictionary<string, ImplicationResult>();
            var failing = new List<(IOperation Returned, ImplicationResult Result)>();
            foreach (var route in routes.Value)
            {
                if (route.End != RouteEnd.Return || route.State.ReturnOperation is not { } returned)
                {
                    continue;
                }

                var granting = RouteWalker.Assume(route.State, route.State.ReturnValue ?? UnknownSym.Plain, outcome: true);
                if (granting is null)
                {
                    continue;
                }

                var facts = FactSet.From(granting.Facts);
                var signature = Signature(granting.Facts);
                if (!decided.TryGetValue(signature, out var result))
                {
                    if (decided.Count >= MaxDistinctRoutes)
                    {
                        return; // too many different predicate routes to decide: report nothing rather than guess
                    }

                    result = Implication.Check(facts, fault.FactSets);
                    decided[signature] = result;
                }

                if (!result.Implied)
                {
                    failing.Add((returned, result));
                }
            }

            // GO0003: one diagnostic per unlocked read (or per return, when the reads are in helpers).
            var lockDiagnostics = new Dictionary<int, (SyntaxNode At, List<string> Members, Fact Required, string Grant)>();
            var seenLockFacts = new HashSet<(int, string)>();
            foreach (var (returned, result) in failing)
            {
                foreach (var (required, unlocked) in result.OutsideLock)
                {
                    var at = unlocked.Operation?.Syntax;
                    if (at is null || !Within(at, predicate))
                    {
                        at = returned.Syntax;
                    }

                    if (!seenLockFacts.Add((at.SpanStart, required.MemberOnlyKey)))
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
                context.ReportDiagnostic(Diagnostic.Create(
                    Descriptors.GO0003CheckOutsideLock,
                    entry.At.GetLocation(),
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
                    var explainedLocks = new HashSet<string>(result.OutsideLock.Select(o => o.Required.UnderLock!.Family));
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
                context.ReportDiagnostic(Diagnostic.Create(
                    Descriptors.GO0002FaultPathMissingCheck,
                    best.Returned.Syntax.GetLocation(),
                    predicate.Name,
                    faultPath.Name,
                    GrantName(fault, best.Result),
                    string.Join(", ", best.Missing),
                    others <= 0 ? string.Empty : others == 1 ? " (and 1 other route to this return lacks checks)" : $" (and {others} other routes to this return lack checks)"));
            }
        }

        private static string GrantName(FaultPathRoutes fault, ImplicationResult result) =>
            fault.GrantRoutes[result.Closest].State.Grant is IInvocationOperation call ? call.TargetMethod.Name : "the grant";

        private static string Signature(ImmutableList<Fact> facts) =>
            string.Join(";", facts.Select(f => f.RouteKey + "=" + string.Join(",", f.Allowed.Intervals.Select(i => i.Lo + ".." + i.Hi))).OrderBy(x => x, System.StringComparer.Ordinal));

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
        private static List<string> Describe(ImmutableArray<Fact> missing, HashSet<string> explainedLocks)
        {
            var texts = new List<string>();
            var checks = missing.Where(f => f.Kind != FactKind.Lock).ToList();
            var missingLockFamilies = new HashSet<string>();
            foreach (var fact in missing.Where(f => f.Kind == FactKind.Lock))
            {
                var family = fact.MemberOnlyKey.Substring("lock:".Length);
                missingLockFamilies.Add(family);
                if (checks.Count == 0 && explainedLocks.Contains(family))
                {
                    continue;
                }

                texts.Add(fact.Describe());
            }

            foreach (var fact in checks)
            {
                if (fact.UnderLock is not null && missing.Any(other => other.UnderLock is null && other.MemberOnlyKey == fact.MemberOnlyKey && other.Allowed.Equals(fact.Allowed)))
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
