using System.Linq;
using System.Threading;
using GuardOrder.Analyzers.Model;
using GuardOrder.Tests.Verifiers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace GuardOrder.Tests.Model
{
    /// <summary>A walk's per-operation tables are rented per thread and come back empty: nothing of one walk reaches the next.</summary>
    public class WalkTablesTests
    {
        [Fact]
        public void AReturnedSetIsEmpty_AndANestedRentGetsItsOwn()
        {
            var outer = WalkTables.Rent();
            var inner = WalkTables.Rent();
            Assert.NotSame(outer, inner);

            var compilation = AnalyzerHarness.Compile("class C { int f() => 1; }");
            var model = compilation.GetSemanticModel(compilation.SyntaxTrees.First());
            var operation = model.GetOperation(model.SyntaxTree.GetRoot().DescendantNodes().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.ArrowExpressionClauseSyntax>().Single().Expression)!;
            inner.Keys[operation] = null;
            inner.Constants[operation] = UnknownSym.Plain;
            WalkTables.Return(inner);
            Assert.Empty(inner.Keys);
            Assert.Empty(inner.Constants);
            Assert.Same(inner, WalkTables.Rent()); // kept for this thread's next walk
            WalkTables.Return(outer);
        }

        [Fact]
        public void ASetGrownLarge_IsNotKept()
        {
            var tables = WalkTables.Rent();
            var compilation = AnalyzerHarness.Compile("class C { int f() => " + string.Join(" + ", Enumerable.Range(0, 5000)) + "; }");
            var model = compilation.GetSemanticModel(compilation.SyntaxTrees.First());
            var body = model.GetOperation(model.SyntaxTree.GetRoot().DescendantNodes().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.MethodDeclarationSyntax>().Single())!;
            foreach (var operation in body.Descendants().OfType<ILiteralOperation>())
            {
                tables.Memos[operation] = new RouteWalker.Memo();
            }

            Assert.True(tables.Memos.Count > 4096);
            WalkTables.Return(tables);
            Assert.Empty(tables.Memos);
            Assert.NotSame(tables, WalkTables.Rent());
        }

        [Fact]
        public void WalksOneAfterAnother_OnOneThread_GiveTheSameRoutes()
        {
            const string members = """
                static bool f(page page, vm_area_struct vma)
                {
                    if ((vma.vm_flags & VM_WRITE) == 0)
                        return false;
                    if (PageKsm(page))
                        return false;
                    return page_count(page) == 1;
                }
                """;
            var first = RouteWalkerTests.Routes(members, "f");
            var second = RouteWalkerTests.Routes(members, "f");
            Assert.Equal(first, second);
            Assert.Equal(3, first.Count);
        }
    }
}
