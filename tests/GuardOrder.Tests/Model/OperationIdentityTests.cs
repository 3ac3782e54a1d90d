using System.Collections.Generic;
using System.Linq;
using GuardOrder.Analyzers.Model;
using GuardOrder.Tests.Verifiers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace GuardOrder.Tests.Model
{
    /// <summary>
    /// The walk tables' key comparer: the same operation object, never another one of the same syntax and
    /// kind (a control-flow graph makes several of those: <c>x ?? 0</c> reads its capture of <c>x</c> twice,
    /// in the null test and as the value).
    /// </summary>
    public class OperationIdentityTests
    {
        [Fact]
        public void OperationsOfOneSyntaxAndKind_AreDifferentKeys_AndEachFindsItsOwnEntry()
        {
            var compilation = AnalyzerHarness.Compile("class C { int f(int? x, bool a) => (x ?? 0) + (a ? 1 : 2); }");
            var tree = compilation.SyntaxTrees.Single();
            var model = compilation.GetSemanticModel(tree);
            var method = tree.GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>().Single();
            var cfg = ControlFlowGraph.Create((IMethodBodyOperation)model.GetOperation(method)!);
            var operations = cfg.Blocks
                .SelectMany(b => b.Operations.Concat(b.BranchValue is null ? Enumerable.Empty<IOperation>() : new[] { b.BranchValue }))
                .SelectMany(o => o.DescendantsAndSelf())
                .ToList();
            Assert.Contains(operations.GroupBy(o => (o.Syntax, o.Kind)), g => g.Count() > 1); // the case the comparer must tell apart

            var table = new Dictionary<IOperation, int>(OperationIdentity.Instance);
            for (var i = 0; i < operations.Count; i++)
            {
                table[operations[i]] = i;
            }

            Assert.Equal(operations.Count, table.Count);
            Assert.All(Enumerable.Range(0, operations.Count), i => Assert.Equal(i, table[operations[i]]));
            Assert.False(table.ContainsKey(model.GetOperation(method)!)); // the bound body is no operation of the graph
        }
    }
}
