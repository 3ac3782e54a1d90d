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

        /// <summary>The method's body operation, or null when it has no source body in this compilation.</summary>
        public IMethodBodyOperation? GetBody(IMethodSymbol method, CancellationToken cancellationToken)
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

        private ControlFlowGraph? Build(IMethodSymbol method, CancellationToken cancellationToken)
        {
            var body = GetBody(method, cancellationToken);
            return body is null ? null : ControlFlowGraph.Create(body, cancellationToken);
        }
    }
}
