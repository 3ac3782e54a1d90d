using System;
using System.Linq;
using System.Threading;
using GuardOrder.Analyzers.Model;
using GuardOrder.Tests.Verifiers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace GuardOrder.Tests.Model
{
    /// <summary>
    /// <see cref="LeadingCallSyntax"/>: a method is ruled out (its body not bound to see whether it asserts
    /// security at its top) only where its bound body does not begin with a call statement; and most void
    /// helpers of sample-mm are ruled out (that is what spares binding them).
    /// </summary>
    public class LeadingCallSyntaxTests
    {
        private const string Forms = """
            #nullable enable
            using System;
            using System.Diagnostics.CodeAnalysis;

            public abstract partial class Forms
            {
                public static void assert([DoesNotReturnIf(false)] bool ok) { }
                public static void call_first(int x) { assert(x > 0); x++; }
                public static void arrow_call(int x) => assert(x > 0);
                public static void arrow_assignment(int x) => x = 1;
                public static void conditional_access(string? s) { s?.Trim(); assert(s != null); }
                public static void declaration_first(int x) { var y = x; assert(y > 0); }
                public static void empty() { }
                public static void labeled(int x) { start: assert(x > 0); }
                public static void local_function_first(int x) { void f() { } assert(x > 0); f(); }
                public static void block_first(int x) { { assert(x > 0); } }
                public static void delegate_first(Action a) { a(); }
                public static void throw_first() => throw new InvalidOperationException();
                public static void new_first() { new object(); }
                public static async System.Threading.Tasks.Task await_first(Func<System.Threading.Tasks.Task> f) { await f(); }
                public abstract void abstract_method();
                public static extern void extern_method();
                static partial void partial_method(int x);
                static partial void partial_method(int x) { assert(x > 0); }
                public int Property { get => 0; set => assert(value > 0); }
                public Forms() { assert(true); }
                public static Forms operator +(Forms a, Forms b) { assert(true); return a; }
            }
            """;

        private static int AssertSound(Compilation compilation)
        {
            var bodies = new MethodBodies(compilation);
            var ruledOut = 0;
            foreach (var method in compilation.GetSymbolsWithName(_ => true, SymbolFilter.Member).OfType<IMethodSymbol>())
            {
                if (LeadingCallSyntax.MayBeginWithCall(method, compilation, CancellationToken.None))
                {
                    continue;
                }

                ruledOut++;
                var block = bodies.GetBody(method, CancellationToken.None) is { } body ? body.BlockBody ?? body.ExpressionBody : null;
                var first = block is null || block.Operations.IsEmpty ? null : block.Operations[0];
                Assert.False(
                    first is IExpressionStatementOperation { Operation: IInvocationOperation },
                    $"{method.ToDisplayString()} was ruled out by its syntax, but its bound body begins with a call statement");
            }

            return ruledOut;
        }

        [Fact]
        public void EveryBodyThatMayBeginWithACall_IsAMaybe_AndTheRestAreRuledOut()
        {
            var compilation = AnalyzerHarness.Compile(Forms);
            Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
            bool May(string name) => LeadingCallSyntax.MayBeginWithCall(
                compilation.GetTypeByMetadataName("Forms")!.GetMembers(name).OfType<IMethodSymbol>().First(), compilation, CancellationToken.None);

            foreach (var name in new[] { "call_first", "arrow_call", "delegate_first", "set_Property", ".ctor", "op_Addition" })
            {
                Assert.True(May(name), name);
            }

            foreach (var name in new[] { "arrow_assignment", "conditional_access", "declaration_first", "empty", "labeled", "local_function_first", "block_first", "throw_first", "new_first", "await_first", "abstract_method", "extern_method", "get_Property" })
            {
                Assert.False(May(name), name);
            }

            // A call binds to a partial method's defining part, which declares no body (binding finds none either).
            Assert.False(May("partial_method"));

            Assert.True(AssertSound(compilation) >= 13);
        }

        [Fact]
        public void OnSampleMm_OnlyBodiesThatDoNotBeginWithACall_AreRuledOut_AndMostVoidHelpersAre()
        {
            var compilation = AnalyzerHarness.CompileSampleMm();

            var voidMethods = compilation.GetSymbolsWithName(_ => true, SymbolFilter.Member).OfType<IMethodSymbol>()
                .Count(m => m.ReturnsVoid && m.DeclaringSyntaxReferences.Length > 0);
            var ruledOut = AssertSound(compilation);
            Assert.True(ruledOut * 2 > voidMethods, $"{ruledOut} methods ruled out; sample-mm has {voidMethods} void methods");

            // Helpers the real-shaped build bound for nothing: a flag update, an assert whose body is an if.
            foreach (var name in new[] { "ClearPageSwapCache", "VM_BUG_ON" })
            {
                var helper = compilation.GetSymbolsWithName(name, SymbolFilter.Member).OfType<IMethodSymbol>().First();
                Assert.False(LeadingCallSyntax.MayBeginWithCall(helper, compilation, CancellationToken.None), name);
            }
        }
    }
}
