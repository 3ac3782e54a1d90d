using System.Collections.Concurrent;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace GuardOrder.Analyzers.Model
{
    /// <summary>
    /// Control-flow graphs of the compilation's source methods, built on demand and cached for one
    /// compilation (an instance lives in a compilation-start closure; nothing is static).
    /// </summary>
    internal sealed class MethodBodies
    {
        private readonly Compilation _compilation;
        private readonly ConcurrentDictionary<IMethodSymbol, ControlFlowGraph?> _graphs =
            new ConcurrentDictionary<IMethodSymbol, ControlFlowGraph?>(SymbolEqualityComparer.Default);

        private readonly ConcurrentDictionary<IMethodSymbol, IMethodBodyOperation?> _bodies =
            new ConcurrentDictionary<IMethodSymbol, IMethodBodyOperation?>(SymbolEqualityComparer.Default);

        public MethodBodies(Compilation compilation)
        {
            _compilation = compilation;
        }

        /// <summary>The method's CFG, or null when it has no source body in this compilation.</summary>
        public ControlFlowGraph? GetControlFlowGraph(IMethodSymbol method, CancellationToken cancellationToken)
        {
            method = method.OriginalDefinition;
            if (_graphs.TryGetValue(method, out var cached))
            {
                return cached;
            }

            var graph = Build(method, cancellationToken);
            return _graphs.GetOrAdd(method, graph);
        }

        /// <summary>
        /// The graph already built here of exactly <paramref name="body"/> (a rule walked the method as a helper
        /// or fault path before the driver handed it to the rule's own action), or null: the rule then asks the
        /// driver, which would build a second graph of the same operations.
        /// </summary>
        public ControlFlowGraph? GraphOf(IMethodSymbol method, IMethodBodyOperation body) =>
            _graphs.TryGetValue(method.OriginalDefinition, out var graph) && graph is not null && graph.OriginalOperation == body ? graph : null;

        /// <summary>
        /// Hands over the body the analyzer driver bound for <paramref name="method"/> (an operation
        /// action's), with its graph when the caller has it, so that no rule binds that body again.
        /// </summary>
        public void Offer(IMethodSymbol method, IMethodBodyOperation body, ControlFlowGraph? graph)
        {
            method = method.OriginalDefinition;
            _bodies.TryAdd(method, body);
            if (graph is not null)
            {
                _graphs.TryAdd(method, graph);
            }
        }

        /// <summary>The method's body operation, or null when it has no source body in this compilation (bound once per compilation).</summary>
        public IMethodBodyOperation? GetBody(IMethodSymbol method, CancellationToken cancellationToken)
        {
            method = method.OriginalDefinition;
            if (_bodies.TryGetValue(method, out var cached))
            {
                return cached;
            }

            var body = Bind(method, cancellationToken);
            return _bodies.GetOrAdd(method, body);
        }

        private IMethodBodyOperation? Bind(IMethodSymbol method, CancellationToken cancellationToken)
        {
            foreach (var reference in method.OriginalDefinition.DeclaringSyntaxReferences)
            {
                var syntax = reference.GetSyntax(cancellationToken);
                if (!_compilation.ContainsSyntaxTree(syntax.SyntaxTree))
                {
                    continue;
                }

                // Cross-method analysis (expanding helpers, reading the named fault path) needs the
                // semantic model of another method's tree; the result is cached per compilation.
#pragma warning disable RS1030 // Do not invoke Compilation.GetSemanticModel() method within a diagnostic analyzer
                var model = _compilation.GetSemanticModel(syntax.SyntaxTree);
#pragma warning restore RS1030
                if (model.GetOperation(syntax, cancellationToken) is IMethodBodyOperation body &&
                    (body.BlockBody is not null || body.ExpressionBody is not null))
                {
                    return body;
                }
            }

            return null;
        }

        private readonly ConcurrentDictionary<IMethodSymbol, bool> _assertsSecurity =
            new ConcurrentDictionary<IMethodSymbol, bool>(SymbolEqualityComparer.Default);

        /// <summary>
        /// Whether a void helper's body asserts a [SecurityCheck] read at its top, decided by
        /// <paramref name="decide"/> once per compilation (the walks ask at every call on every route).
        /// A body that cannot begin with a call statement (<see cref="LeadingCallSyntax"/>) is not bound.
        /// </summary>
        public bool AssertsSecurity(IMethodSymbol method, System.Func<IMethodBodyOperation, bool> decide, CancellationToken cancellationToken)
        {
            method = method.OriginalDefinition;
            if (_assertsSecurity.TryGetValue(method, out var known))
            {
                return known;
            }

            var asserts = LeadingCallSyntax.MayBeginWithCall(method, _compilation, cancellationToken) &&
                GetBody(method, cancellationToken) is { } body && decide(body);
            return _assertsSecurity.GetOrAdd(method, asserts);
        }

        private readonly ConcurrentDictionary<(IMethodSymbol Method, int Levels), bool> _helperGrants =
            new ConcurrentDictionary<(IMethodSymbol, int), bool>(new MethodLevelComparer());

        /// <summary>
        /// Whether a helper's routes, its own helpers expanded <paramref name="levels"/> more levels, may
        /// call a [WriteGrant] member, decided by <paramref name="decide"/> once per compilation.
        /// </summary>
        public bool HelperMayGrant(IMethodSymbol method, int levels, System.Func<IMethodBodyOperation, int, bool> decide, CancellationToken cancellationToken)
        {
            var key = (method.OriginalDefinition, levels);
            if (_helperGrants.TryGetValue(key, out var known))
            {
                return known;
            }

            // Whether the syntax alone rules a grant out is asked before (GrantSyntax), not here.
            var body = GetBody(key.OriginalDefinition, cancellationToken);
            return _helperGrants.GetOrAdd(key, body is not null && decide(body, levels));
        }

        /// <summary>What <see cref="HelperMayGrant"/> decided for the method and depth, or null when it has not yet.</summary>
        public bool? KnownHelperMayGrant(IMethodSymbol method, int levels) =>
            _helperGrants.TryGetValue((method.OriginalDefinition, levels), out var known) ? known : null;

        private sealed class MethodLevelComparer : System.Collections.Generic.IEqualityComparer<(IMethodSymbol Method, int Levels)>
        {
            public bool Equals((IMethodSymbol Method, int Levels) x, (IMethodSymbol Method, int Levels) y) =>
                x.Levels == y.Levels && SymbolEqualityComparer.Default.Equals(x.Method, y.Method);

            public int GetHashCode((IMethodSymbol Method, int Levels) obj) =>
                unchecked((SymbolEqualityComparer.Default.GetHashCode(obj.Method) * 31) + obj.Levels);
        }

        private ControlFlowGraph? Build(IMethodSymbol method, CancellationToken cancellationToken)
        {
            var body = GetBody(method, cancellationToken);
            return body is null ? null : ControlFlowGraph.Create(body, cancellationToken);
        }
    }
}
