using System.Linq;
using System.Threading;
using GuardOrder.Analyzers.Model;
using GuardOrder.Tests.Verifiers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace GuardOrder.Tests.Model
{
    /// <summary>
    /// The shared model's graphs: a rule takes the graph a walk already built of the very body the driver
    /// hands it, and never a graph of other operations (another binding of the same method).
    /// </summary>
    public class MethodBodiesTests
    {
        [Fact]
        public void GraphOf_TheBodyTheGraphWasBuiltOf_IsThatGraph_AnotherBindingGetsNone()
        {
            var compilation = AnalyzerHarness.Compile("class C { static bool h(int x) { if (x > 0) return true; return false; } }");
            var method = compilation.GetTypeByMetadataName("C")!.GetMembers("h").OfType<IMethodSymbol>().Single();
            var bodies = new MethodBodies(compilation);
            Assert.Null(bodies.GraphOf(method, bodies.GetBody(method, CancellationToken.None)!)); // nothing built yet

            var graph = bodies.GetControlFlowGraph(method, CancellationToken.None)!;
            var body = bodies.GetBody(method, CancellationToken.None)!;

            Assert.Same(graph, bodies.GraphOf(method, body));
            var tree = compilation.SyntaxTrees.Single();
            var declaration = tree.GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>().Single();
            var otherBinding = (IMethodBodyOperation)compilation.GetSemanticModel(tree).GetOperation(declaration)!; // a model of its own
            Assert.NotSame(body, otherBinding);
            Assert.Null(bodies.GraphOf(method, otherBinding));
        }

        [Fact]
        public void AGraphTheDriverGave_IsKept_ForTheWalksOfOtherMethods()
        {
            var compilation = AnalyzerHarness.Compile("class C { static bool h(int x) => x > 0; }");
            var method = compilation.GetTypeByMetadataName("C")!.GetMembers("h").OfType<IMethodSymbol>().Single();
            var tree = compilation.SyntaxTrees.Single();
            var declaration = tree.GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>().Single();
            var body = (IMethodBodyOperation)compilation.GetSemanticModel(tree).GetOperation(declaration)!;
            var driverGraph = ControlFlowGraph.Create(body);
            var bodies = new MethodBodies(compilation);

            bodies.Offer(method, body, driverGraph);

            Assert.Same(driverGraph, bodies.GetControlFlowGraph(method, CancellationToken.None));
            Assert.Same(driverGraph, bodies.GraphOf(method, body));
        }
    }
}
