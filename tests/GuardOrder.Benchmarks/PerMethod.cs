using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Linq;
using System.Reflection;
using System.Threading;
using GuardOrder.Robustness.Shared;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace GuardOrder.Benchmarks
{
    /// <summary>
    /// Per-method cost: wraps each GuardOrder analyzer and times every callback it registers
    /// (symbol, operation, operation-block, operation-block-start and its nested actions, syntax-node,
    /// code-block), attributing the time to the method the callback is about. Work a rule does once
    /// per compilation but lazily (e.g. the fault path's routes) lands on the first method that asks
    /// for it. Compilation-start / end and whole-tree actions go to "(compilation)".
    /// </summary>
#pragma warning disable RS1001, RS1012, RS1025, RS1026 // a measuring wrapper, never shipped
    internal sealed class TimingAnalyzer : DiagnosticAnalyzer
    {
        public const string CompilationWide = "(compilation)";

        private readonly DiagnosticAnalyzer _inner;
        private readonly ConcurrentDictionary<string, double> _sink;

        public TimingAnalyzer(DiagnosticAnalyzer inner, ConcurrentDictionary<string, double> sink)
        {
            _inner = inner;
            _sink = sink;
        }

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => _inner.SupportedDiagnostics;

        public override void Initialize(AnalysisContext context) => _inner.Initialize(new Root(context, this));

        private static string Key(ISymbol? s)
        {
            if (s is null)
            {
                return CompilationWide;
            }

            // Accessors, local functions and lambdas are charged to the method that declares them.
            while (s.ContainingSymbol is IMethodSymbol outer && s is IMethodSymbol { MethodKind: MethodKind.LocalFunction or MethodKind.AnonymousFunction })
            {
                s = outer;
            }

            return s.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat);
        }

        private void Time(ISymbol? symbol, Action body)
        {
            var t = ThreadCpu.NowMs();
            try
            {
                body();
            }
            finally
            {
                var ms = ThreadCpu.NowMs() - t;
                _sink.AddOrUpdate(Key(symbol), ms, (_, v) => v + ms);
            }
        }

        private sealed class Root : AnalysisContext
        {
            private readonly AnalysisContext _c;
            private readonly TimingAnalyzer _t;

            public Root(AnalysisContext c, TimingAnalyzer t)
            {
                _c = c;
                _t = t;
            }

            public override void EnableConcurrentExecution() => _c.EnableConcurrentExecution();

            public override void ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags analysisMode) => _c.ConfigureGeneratedCodeAnalysis(analysisMode);

            public override void RegisterCompilationStartAction(Action<CompilationStartAnalysisContext> action) =>
                _c.RegisterCompilationStartAction(ctx => _t.Time(null, () => action(new Start(ctx, _t))));

            public override void RegisterCompilationAction(Action<CompilationAnalysisContext> action) => _c.RegisterCompilationAction(x => _t.Time(null, () => action(x)));

            public override void RegisterSemanticModelAction(Action<SemanticModelAnalysisContext> action) => _c.RegisterSemanticModelAction(x => _t.Time(null, () => action(x)));

            public override void RegisterSymbolAction(Action<SymbolAnalysisContext> action, ImmutableArray<SymbolKind> symbolKinds) =>
                _c.RegisterSymbolAction(x => _t.Time(x.Symbol, () => action(x)), symbolKinds);

            public override void RegisterSymbolStartAction(Action<SymbolStartAnalysisContext> action, SymbolKind symbolKind) =>
                _c.RegisterSymbolStartAction(x => _t.Time(x.Symbol, () => action(x)), symbolKind);

            public override void RegisterCodeBlockStartAction<TLanguageKindEnum>(Action<CodeBlockStartAnalysisContext<TLanguageKindEnum>> action) =>
                _c.RegisterCodeBlockStartAction<TLanguageKindEnum>(x => _t.Time(x.OwningSymbol, () => action(x)));

            public override void RegisterCodeBlockAction(Action<CodeBlockAnalysisContext> action) => _c.RegisterCodeBlockAction(x => _t.Time(x.OwningSymbol, () => action(x)));

            public override void RegisterSyntaxTreeAction(Action<SyntaxTreeAnalysisContext> action) => _c.RegisterSyntaxTreeAction(x => _t.Time(null, () => action(x)));

            public override void RegisterAdditionalFileAction(Action<AdditionalFileAnalysisContext> action) => _c.RegisterAdditionalFileAction(x => _t.Time(null, () => action(x)));

            public override void RegisterSyntaxNodeAction<TLanguageKindEnum>(Action<SyntaxNodeAnalysisContext> action, ImmutableArray<TLanguageKindEnum> syntaxKinds) =>
                _c.RegisterSyntaxNodeAction(x => _t.Time(x.ContainingSymbol, () => action(x)), syntaxKinds);

            public override void RegisterOperationAction(Action<OperationAnalysisContext> action, ImmutableArray<OperationKind> operationKinds) =>
                _c.RegisterOperationAction(x => _t.Time(x.ContainingSymbol, () => action(x)), operationKinds);

            public override void RegisterOperationBlockStartAction(Action<OperationBlockStartAnalysisContext> action) =>
                _c.RegisterOperationBlockStartAction(x => _t.Time(x.OwningSymbol, () => action(new BlockStart(x, _t))));

            public override void RegisterOperationBlockAction(Action<OperationBlockAnalysisContext> action) => _c.RegisterOperationBlockAction(x => _t.Time(x.OwningSymbol, () => action(x)));
        }

        private sealed class Start : CompilationStartAnalysisContext
        {
            private readonly CompilationStartAnalysisContext _c;
            private readonly TimingAnalyzer _t;

            public Start(CompilationStartAnalysisContext c, TimingAnalyzer t)
                : base(c.Compilation, c.Options, c.CancellationToken)
            {
                _c = c;
                _t = t;
            }

            public override void RegisterCompilationEndAction(Action<CompilationAnalysisContext> action) => _c.RegisterCompilationEndAction(x => _t.Time(null, () => action(x)));

            public override void RegisterSemanticModelAction(Action<SemanticModelAnalysisContext> action) => _c.RegisterSemanticModelAction(x => _t.Time(null, () => action(x)));

            public override void RegisterSymbolAction(Action<SymbolAnalysisContext> action, ImmutableArray<SymbolKind> symbolKinds) =>
                _c.RegisterSymbolAction(x => _t.Time(x.Symbol, () => action(x)), symbolKinds);

            public override void RegisterSymbolStartAction(Action<SymbolStartAnalysisContext> action, SymbolKind symbolKind) =>
                _c.RegisterSymbolStartAction(x => _t.Time(x.Symbol, () => action(x)), symbolKind);

            public override void RegisterCodeBlockStartAction<TLanguageKindEnum>(Action<CodeBlockStartAnalysisContext<TLanguageKindEnum>> action) =>
                _c.RegisterCodeBlockStartAction<TLanguageKindEnum>(x => _t.Time(x.OwningSymbol, () => action(x)));

            public override void RegisterCodeBlockAction(Action<CodeBlockAnalysisContext> action) => _c.RegisterCodeBlockAction(x => _t.Time(x.OwningSymbol, () => action(x)));

            public override void RegisterSyntaxTreeAction(Action<SyntaxTreeAnalysisContext> action) => _c.RegisterSyntaxTreeAction(x => _t.Time(null, () => action(x)));

            public override void RegisterAdditionalFileAction(Action<AdditionalFileAnalysisContext> action) => _c.RegisterAdditionalFileAction(x => _t.Time(null, () => action(x)));

            public override void RegisterSyntaxNodeAction<TLanguageKindEnum>(Action<SyntaxNodeAnalysisContext> action, ImmutableArray<TLanguageKindEnum> syntaxKinds) =>
                _c.RegisterSyntaxNodeAction(x => _t.Time(x.ContainingSymbol, () => action(x)), syntaxKinds);

            public override void RegisterOperationAction(Action<OperationAnalysisContext> action, ImmutableArray<OperationKind> operationKinds) =>
                _c.RegisterOperationAction(x => _t.Time(x.ContainingSymbol, () => action(x)), operationKinds);

            public override void RegisterOperationBlockStartAction(Action<OperationBlockStartAnalysisContext> action) =>
                _c.RegisterOperationBlockStartAction(x => _t.Time(x.OwningSymbol, () => action(new BlockStart(x, _t))));

            public override void RegisterOperationBlockAction(Action<OperationBlockAnalysisContext> action) => _c.RegisterOperationBlockAction(x => _t.Time(x.OwningSymbol, () => action(x)));
        }

        /// <summary>Operation-block start: the nested operation and block-end actions are timed for the owning method too.</summary>
        private sealed class BlockStart : OperationBlockStartAnalysisContext
        {
            private readonly OperationBlockStartAnalysisContext _c;
            private readonly TimingAnalyzer _t;

#pragma warning disable CS0618 // the only constructor outside Roslyn; its state is completed below
            public BlockStart(OperationBlockStartAnalysisContext c, TimingAnalyzer t)
                : base(c.OperationBlocks, c.OwningSymbol, c.Compilation, c.Options, c.CancellationToken)
            {
                _c = c;
                _t = t;

                // The public (protected) constructor takes no control-flow-graph provider, filter tree or
                // generated-code flag, and GetControlFlowGraph() is not virtual: copy the base class's
                // state from the driver's context so that the wrapped analyzer sees the same context.
                foreach (var f in typeof(OperationBlockStartAnalysisContext).GetFields(BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public))
                {
                    f.SetValue(this, f.GetValue(c));
                }
            }
#pragma warning restore CS0618

            public override void RegisterOperationBlockEndAction(Action<OperationBlockAnalysisContext> action) =>
                _c.RegisterOperationBlockEndAction(x => _t.Time(x.OwningSymbol, () => action(x)));

            public override void RegisterOperationAction(Action<OperationAnalysisContext> action, ImmutableArray<OperationKind> operationKinds) =>
                _c.RegisterOperationAction(x => _t.Time(x.ContainingSymbol, () => action(x)), operationKinds);
        }
    }
#pragma warning restore RS1001, RS1012, RS1025, RS1026

    /// <summary>
    /// Route counts of one method as today's analyzers see them (RouteWalker, helpers expanded),
    /// read through reflection: internal API of GuardOrder.Analyzers, so after a rewrite this reports
    /// "n/a" instead of failing. Also the method's own CFG route count (acyclic entry→exit paths,
    /// helpers not expanded), which does not depend on the analyzers.
    /// </summary>
    internal sealed class RouteCounter
    {
        private readonly object? _symbols;
        private readonly object? _bodies;
        private readonly Type? _walkerType;
        private readonly Type? _modeType;
        private readonly Compilation _compilation;

        public RouteCounter(Compilation compilation)
        {
            _compilation = compilation;
            try
            {
                var asm = GuardOrderAssemblies.AnalyzerAssembly;
                var symbolsType = asm.GetType("GuardOrder.Analyzers.Model.GuardOrderSymbols");
                var bodiesType = asm.GetType("GuardOrder.Analyzers.Model.MethodBodies");
                _walkerType = asm.GetType("GuardOrder.Analyzers.Model.RouteWalker");
                _modeType = asm.GetType("GuardOrder.Analyzers.Model.RouteMode");
                _symbols = symbolsType?.GetMethod("TryCreate", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)?.Invoke(null, new object[] { compilation });
                _bodies = bodiesType?.GetConstructor(new[] { typeof(Compilation) })?.Invoke(new object[] { compilation });
            }
            catch (Exception)
            {
                _symbols = null;
            }
        }

        /// <summary>Block visits of the last <see cref="Walk"/> (the walker's step counter), when readable.</summary>
        public int? LastSteps { get; private set; }

        public bool Available => _symbols is not null && _bodies is not null && _walkerType is not null && _modeType is not null;

        /// <summary>Routes of the walk in <paramref name="mode"/> ("Predicate", "FaultPath", "Locks"): count, or -1 when the walk hit its cap; null when unavailable.</summary>
        public int? Walk(IMethodSymbol method, string mode, int helperDepth = 3)
        {
            if (!Available)
            {
                return null;
            }

            try
            {
                var cfg = Cfg(method);
                if (cfg is null)
                {
                    return null;
                }

                // Trailing optional parameters (the trusted fault path, ...) get their defaults; a lock walk prunes, as GO0004's first walk does.
                var constructor = _walkerType!.GetConstructors(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance)
                    .OrderByDescending(c => c.GetParameters().Length).First();
                var arguments = new object?[constructor.GetParameters().Length];
                var given = new object?[] { _symbols!, _bodies!, Enum.Parse(_modeType!, mode), helperDepth, CancellationToken.None };
                for (int i = 0; i < arguments.Length; i++)
                {
                    var parameter = constructor.GetParameters()[i];
                    arguments[i] = i < given.Length ? given[i]
                        : parameter.Name == "pruneLockFreeTails" ? mode == "Locks" // GO0004's walk (the full one only for a method it reports)
                        : parameter.HasDefaultValue ? parameter.DefaultValue : null;
                }

                var walker = constructor.Invoke(arguments);
                var result = _walkerType!.GetMethod("Walk", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance)!.Invoke(walker, new object?[] { cfg, method });
                if (result is null)
                {
                    return -1;
                }

                LastSteps = _walkerType!.GetField("_steps", BindingFlags.NonPublic | BindingFlags.Instance)?.GetValue(walker) as int?;
                return (int)result.GetType().GetProperty("Length")!.GetValue(result)!;
            }
            catch (Exception)
            {
                return null;
            }
        }

        public ControlFlowGraph? Cfg(IMethodSymbol method)
        {
            var syntax = method.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax();
            if (syntax is null)
            {
                return null;
            }

            var model = _compilation.GetSemanticModel(syntax.SyntaxTree);
            return model.GetOperation(syntax) is IMethodBodyOperation body ? ControlFlowGraph.Create(body) : null;
        }

        /// <summary>Acyclic entry→exit paths of the method's own CFG (back edges cut), capped at 10^7.</summary>
        public static long OwnRoutes(ControlFlowGraph cfg)
        {
            var blocks = cfg.Blocks;
            var onPath = new bool[blocks.Length];
            long count = 0;
            void Dfs(BasicBlock b)
            {
                if (count > 10_000_000)
                {
                    return;
                }

                if (b.Kind == BasicBlockKind.Exit)
                {
                    count++;
                    return;
                }

                onPath[b.Ordinal] = true;
                var any = false;
                foreach (var s in new[] { b.ConditionalSuccessor, b.FallThroughSuccessor })
                {
                    if (s?.Destination is { } d && !onPath[d.Ordinal])
                    {
                        any = true;
                        Dfs(d);
                    }
                    else if (s is { Destination: null })
                    {
                        // Throw / rethrow / leaving a region to no block: an exceptional end.
                    }
                }

                if (!any && b.FallThroughSuccessor?.Destination is null && b.ConditionalSuccessor is null)
                {
                    // A block with no successor (throw): not a route to the exit.
                }

                onPath[b.Ordinal] = false;
            }

            Dfs(blocks[0]);
            return count;
        }
    }

    /// <summary>
    /// This thread's CPU time (Linux clock_gettime(CLOCK_THREAD_CPUTIME_ID)); elsewhere the wall clock.
    /// Callbacks run synchronously on one thread, so the difference is the callback's own CPU time,
    /// which other processes on shared cores do not inflate.
    /// </summary>
    internal static class ThreadCpu
    {
        private static readonly bool Linux = System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.Linux);

        public static bool IsCpu => Linux;

        public static double NowMs()
        {
            if (Linux && clock_gettime(3, out var ts) == 0)
            {
                return ts.Sec * 1000.0 + ts.Nsec / 1e6;
            }

            return Stopwatch.GetTimestamp() * 1000.0 / Stopwatch.Frequency;
        }

        [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
        private struct Timespec
        {
            public long Sec;
            public long Nsec;
        }

        [System.Runtime.InteropServices.DllImport("libc", SetLastError = false)]
        private static extern int clock_gettime(int clockId, out Timespec ts);
    }

    internal sealed class MethodCost
    {
        public string Method = "";
        public double Ms;
        public long OwnRoutes;
        public string Walks = "";
    }

    internal static class PerMethod
    {
        /// <summary>
        /// Analyzes <paramref name="corpus"/> once, sequentially (concurrentAnalysis off, so callback
        /// times are not inflated by the other core), with every GuardOrder analyzer wrapped in a
        /// <see cref="TimingAnalyzer"/>; returns the methods by cost, and the walk route counts of the
        /// top ones (and the largest walk over all annotated methods, for the caps).
        /// </summary>
        public static (List<MethodCost> Top, double TotalMs, string Largest, int Capped) Run(Corpus corpus, ImmutableArray<DiagnosticAnalyzer> analyzers, int top, bool scanAll, bool jitWarm = false)
        {
            // A first pass JIT-compiles the analyzers (tiered compilation is off) unless they already ran in this process.
            if (!jitWarm)
            {
                Timed(corpus, analyzers);
            }

            // What earlier runs left is collected now: a collection of it on the analysis thread would count as a method's thread CPU.
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
            var (sink, compilation) = Timed(corpus, analyzers);

            var byName = new Dictionary<string, IMethodSymbol>(StringComparer.Ordinal);
            var faultPaths = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);
            var lockUsers = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);
            foreach (var tree in compilation.SyntaxTrees)
            {
                var model = compilation.GetSemanticModel(tree);
                foreach (var decl in tree.GetRoot().DescendantNodes().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.BaseMethodDeclarationSyntax>())
                {
                    if (model.GetDeclaredSymbol(decl) is not IMethodSymbol m)
                    {
                        continue;
                    }

                    byName[m.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat)] = m;
                    foreach (var a in m.GetAttributes().Where(a => a.AttributeClass?.Name == "MustMatchFaultPathAttribute"))
                    {
                        var type = a.ConstructorArguments.Length == 2 ? a.ConstructorArguments[0].Value as INamedTypeSymbol : m.ContainingType;
                        var name = a.ConstructorArguments.LastOrDefault().Value as string;
                        foreach (var fp in type?.GetMembers(name ?? "").OfType<IMethodSymbol>() ?? Enumerable.Empty<IMethodSymbol>())
                        {
                            faultPaths.Add(fp);
                        }
                    }

                    foreach (var inv in decl.DescendantNodes().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.InvocationExpressionSyntax>())
                    {
                        if (model.GetSymbolInfo(inv).Symbol is IMethodSymbol callee &&
                            callee.GetAttributes().Any(a => a.AttributeClass?.Name is "AcquiresLockAttribute" or "TryAcquiresLockAttribute" or "ReleasesLockAttribute"))
                        {
                            lockUsers.Add(m);
                            break;
                        }
                    }
                }
            }

            // The walks today's rules make of a method: FaultPath for a fault path (GO0002), Predicate for a
            // [MustMatchFaultPath] predicate or a bool method (GO0002/GO0005), Locks for a lock user (GO0004).
            IEnumerable<string> Modes(IMethodSymbol m)
            {
                if (faultPaths.Contains(m))
                {
                    yield return "FaultPath";
                }

                if (m.ReturnType.SpecialType == SpecialType.System_Boolean || m.GetAttributes().Any(a => a.AttributeClass?.Name == "MustMatchFaultPathAttribute"))
                {
                    yield return "Predicate";
                }

                if (lockUsers.Contains(m))
                {
                    yield return "Locks";
                }
            }

            var counter = new RouteCounter(compilation);
            var list = new List<MethodCost>();
            foreach (var (name, ms) in sink.OrderByDescending(p => p.Value).Take(top))
            {
                var cost = new MethodCost { Method = name, Ms = ms };
                if (byName.TryGetValue(name, out var m) && counter.Cfg(m) is { } cfg)
                {
                    cost.OwnRoutes = RouteCounter.OwnRoutes(cfg);
                    cost.Walks = Walks(counter, m, Modes(m));
                }

                list.Add(cost);
            }

            // The caps: the largest walk any rule makes over the corpus's methods, and how many walks give up.
            var largest = "n/a (RouteWalker not found by reflection)";
            var capped = 0;
            if (scanAll && counter.Available)
            {
                var best = (Count: -1, Name: "", Mode: "");
                var totals = new SortedDictionary<string, (int Walks, long Routes, long Steps)>(StringComparer.Ordinal);
                foreach (var (name, m) in byName)
                {
                    foreach (var mode in Modes(m))
                    {
                        var n = counter.Walk(m, mode);
                        totals.TryGetValue(mode, out var t);
                        totals[mode] = (t.Walks + 1, t.Routes + Math.Max(0, n ?? 0), t.Steps + (counter.LastSteps ?? 0));
                        if (n == -1)
                        {
                            capped++;
                            Console.Error.WriteLine($"walk capped: {mode} walk of {name}");
                        }
                        else if (n > best.Count)
                        {
                            best = (n.Value, name, mode);
                        }
                    }
                }

                // How much walking the corpus takes in all (each method's own walks, as the rules make them).
                Console.Error.WriteLine("walks over all methods: " + string.Join("; ", totals.Select(p => $"{p.Key} {p.Value.Walks:N0} walks, {p.Value.Routes:N0} routes, {p.Value.Steps:N0} steps")));
                largest = best.Count < 0
                    ? "n/a (today's RouteWalker API not found: the analyzers changed)"
                    : $"{best.Count:N0} routes ({best.Mode} walk of {Short(best.Name)})";
            }

            return (list, sink.Values.Sum(), largest, capped);
        }

        /// <summary>"R0001.SampleMm.memory_v5_19.do_wp_page(R0001.SampleMm.vm_fault)" → "memory_v5_19.do_wp_page".</summary>
        public static string Short(string name)
        {
            var paren = name.IndexOf('(');
            var head = paren < 0 ? name : name.Substring(0, paren);
            var parts = head.Split('.');
            return parts.Length >= 2 ? parts[parts.Length - 2] + "." + parts[parts.Length - 1] : head;
        }

        private static (ConcurrentDictionary<string, double> Sink, Compilation Compilation) Timed(Corpus corpus, ImmutableArray<DiagnosticAnalyzer> analyzers)
        {
            var sink = new ConcurrentDictionary<string, double>(StringComparer.Ordinal);
            var wrapped = analyzers.Select(a => (DiagnosticAnalyzer)new TimingAnalyzer(a, sink)).ToImmutableArray();
            var compilation = corpus.Fresh();
            var options = new CompilationWithAnalyzersOptions(new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty), null, concurrentAnalysis: false, logAnalyzerExecutionTime: false);
            _ = compilation.WithAnalyzers(wrapped, options).GetAnalysisResultAsync(CancellationToken.None).GetAwaiter().GetResult();
            return (sink, compilation);
        }

        private static string Walks(RouteCounter counter, IMethodSymbol m, IEnumerable<string> modes)
        {
            if (!counter.Available)
            {
                return "n/a";
            }

            var parts = new List<string>();
            foreach (var mode in modes)
            {
                var n = counter.Walk(m, mode);
                var steps = counter.LastSteps is { } count ? " (" + count.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) + " steps)" : string.Empty;
                parts.Add(mode + " " + (n is null ? "n/a" : n == -1 ? "CAPPED" : n.Value.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) + steps));
            }

            return parts.Count == 0 ? "none" : string.Join(" / ", parts);
        }
    }
}
