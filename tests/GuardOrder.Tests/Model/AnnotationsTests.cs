using System;
using System.Collections.Generic;
using System.Linq;
using GuardOrder.Analyzers.Model;
using GuardOrder.Tests.Verifiers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace GuardOrder.Tests.Model
{
    /// <summary>
    /// <see cref="GuardOrderSymbols.AnnotationsOf"/> (read once per symbol) answers as
    /// <see cref="GuardOrderSymbols.HasAttribute"/> on <see cref="GuardOrderSymbols.Original"/> does, for every
    /// declared symbol and every symbol the code refers to (constructed generics, reduced extensions, metadata).
    /// </summary>
    public class AnnotationsTests
    {
        private const string Forms = """
            #nullable enable
            using System.Diagnostics.CodeAnalysis;
            using GuardOrder;

            public static class Forms
            {
                [SecurityCheck] public static bool check<T>(T x) => true;
                [WriteGrant] public static void grant(this string s) { }
                [WriteGrant, FaultPathCheck] public static bool both(int x) => x > 0;
                [AcquiresLock] public static void lock_it(object o) { }
                [TryAcquiresLock] public static bool try_lock(object o) => true;
                [ReleasesLock] public static void unlock(object o) { }
                [DoesNotReturn] public static void bug() => throw null!;
                [System.Obsolete] public static void obsolete() { }
                [Other.AcquiresLock] public static void other_lock(object o) { }
                [Other.Outer.ReleasesLock] public static void nested_release(object o) { }
                [SecurityCheck] public static int Flags;

                public static void uses(string s, object o)
                {
                    check<int>(1); check("x"); s.grant(); Forms.grant(s); both(1); lock_it(o); try_lock(o); unlock(o); obsolete(); other_lock(o); nested_release(o);
                    new System.Collections.Generic.List<int>().Add(1); _ = System.Linq.Enumerable.Count(new[] { 1 });
                    _ = Flags; System.Console.WriteLine(s);
                    if (s.Length == 0) bug();
                }

                [MustMatchFaultPath(nameof(fault))]
                public static bool early(int x) => both(x);

                public static void fault(int x) { if (both(x)) grant("x"); }
            }

            namespace Other
            {
                // GuardOrder's names outside the top-level GuardOrder namespace: no annotation.
                public sealed class AcquiresLockAttribute : System.Attribute { }
                public static class Outer { public sealed class ReleasesLockAttribute : System.Attribute { } }
            }
            """;

        private static readonly (Annotation Flag, Func<GuardOrderSymbols, INamedTypeSymbol?> Type)[] Flags =
        {
            (Annotation.SecurityCheck, s => s.SecurityCheck),
            (Annotation.MustMatchFaultPath, s => s.MustMatchFaultPath),
            (Annotation.FaultPathCheck, s => s.FaultPathCheck),
            (Annotation.WriteGrant, s => s.WriteGrant),
            (Annotation.AcquiresLock, s => s.AcquiresLock),
            (Annotation.TryAcquiresLock, s => s.TryAcquiresLock),
            (Annotation.ReleasesLock, s => s.ReleasesLock),
            (Annotation.DoesNotReturn, s => s.DoesNotReturn),
        };

        /// <summary>Every declared member and every symbol a name or call in the code binds to.</summary>
        private static List<ISymbol> SymbolsOf(Compilation compilation)
        {
            var symbols = compilation.GetSymbolsWithName(_ => true, SymbolFilter.Member).ToList<ISymbol>();
            foreach (var tree in compilation.SyntaxTrees)
            {
                var model = compilation.GetSemanticModel(tree);
                foreach (var node in tree.GetRoot().DescendantNodes())
                {
                    if (node is InvocationExpressionSyntax or MemberAccessExpressionSyntax or IdentifierNameSyntax &&
                        model.GetSymbolInfo(node).Symbol is { } symbol)
                    {
                        symbols.Add(symbol);
                    }
                }
            }

            return symbols;
        }

        /// <returns>How many symbols carry at least one of the flags.</returns>
        private static int AssertSameAsAttributes(Compilation compilation)
        {
            var symbols = GuardOrderSymbols.TryCreate(compilation)!;
            var annotated = 0;
            foreach (var symbol in SymbolsOf(compilation))
            {
                var flags = symbols.AnnotationsOf(symbol);
                Assert.Equal(flags, symbols.AnnotationsOf(symbol)); // the remembered answer
                foreach (var (flag, type) in Flags)
                {
                    Assert.True(
                        ((flags & flag) != 0) == GuardOrderSymbols.HasAttribute(GuardOrderSymbols.Original(symbol), type(symbols)),
                        $"{flag} of {symbol.ToDisplayString()}");
                }

                annotated += flags == Annotation.None ? 0 : 1;
            }

            return annotated;
        }

        [Fact]
        public void EveryForm_AnswersAsItsAttributes()
        {
            var compilation = AnalyzerHarness.Compile(Forms);
            Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
            Assert.True(AssertSameAsAttributes(compilation) > 15);

            var symbols = GuardOrderSymbols.TryCreate(compilation)!;
            var forms = compilation.GetTypeByMetadataName("Forms")!;
            IMethodSymbol Method(string name) => forms.GetMembers(name).OfType<IMethodSymbol>().Single();
            Assert.Equal(Annotation.WriteGrant | Annotation.FaultPathCheck, symbols.AnnotationsOf(Method("both")));
            Assert.True(symbols.IsSecurityCheck(Method("check").Construct(compilation.GetSpecialType(SpecialType.System_Int32))));
            Assert.True(symbols.IsWriteGrant(Method("grant").ReduceExtensionMethod(compilation.GetSpecialType(SpecialType.System_String))));
            Assert.True(symbols.IsDoesNotReturn(Method("bug")));
            Assert.True(symbols.IsFaultPathPredicate(Method("early")));
            Assert.Equal(Annotation.None, symbols.AnnotationsOf(Method("obsolete")));
            Assert.Equal(Annotation.None, symbols.AnnotationsOf(Method("other_lock")));
            Assert.Equal(Annotation.None, symbols.AnnotationsOf(Method("nested_release")));
            Assert.Equal(Annotation.None, symbols.AnnotationsOf(null));
        }

        /// <summary>
        /// A call of an extension method, in either form and with either declaration (a <c>this</c> parameter, or a
        /// C# 14 <c>extension</c> block), answers as the declared method: <see cref="GuardOrderSymbols.Original"/>
        /// looks through a reduced extension method (the only kind with a <c>ReducedFrom</c>) and a construction.
        /// </summary>
        [Fact]
        public void ExtensionCalls_InEveryForm_AnswerAsTheDeclaredMethod()
        {
            // C# 14's extension blocks where the compiler has them (the Roslyn 4.8 run of these tests has not).
            var blocks = Enum.TryParse<Microsoft.CodeAnalysis.CSharp.LanguageVersion>("CSharp14", out _);
            var compilation = AnalyzerHarness.Compile("""
                using GuardOrder;

                public static partial class Ext
                {
                    [ReleasesLock] public static void unlock_classic(this object o) { }
                    [TryAcquiresLock] public static bool try_classic<T>(this T o) => true;

                    public static void uses_classic(string s, object o)
                    {
                        o.unlock_classic(); Ext.unlock_classic(o); _ = s.try_classic(); _ = Ext.try_classic(o);
                    }
                }
                """ + (blocks ? """

                public static partial class Ext
                {
                    extension(string s)
                    {
                        [WriteGrant] public void grant_new() { }
                        [AcquiresLock] public void lock_new<T>(T other) { }
                    }

                    public static void uses_blocks(string s)
                    {
                        s.grant_new(); Ext.grant_new(s); s.lock_new(1);
                    }
                }
                """ : string.Empty));
            Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
            var symbols = GuardOrderSymbols.TryCreate(compilation)!;
            var tree = compilation.SyntaxTrees.Single();
            var model = compilation.GetSemanticModel(tree);
            var found = new List<Annotation>();
            foreach (var call in tree.GetRoot().DescendantNodes().OfType<InvocationExpressionSyntax>())
            {
                var target = (IMethodSymbol)model.GetSymbolInfo(call).Symbol!;
                var original = GuardOrderSymbols.Original(target)!;
                Assert.True(original.IsDefinition, target.ToDisplayString());
                Assert.NotEqual(MethodKind.ReducedExtension, ((IMethodSymbol)original).MethodKind);
                found.Add(symbols.AnnotationsOf(target));
            }

            var expected = new[] { Annotation.ReleasesLock, Annotation.ReleasesLock, Annotation.TryAcquiresLock, Annotation.TryAcquiresLock };
            Assert.Equal(blocks ? expected.Concat(new[] { Annotation.WriteGrant, Annotation.WriteGrant, Annotation.AcquiresLock }) : expected, found);
        }

        /// <summary>
        /// The attribute types resolve to the compilation's own copy when it has one (the package compiles them in),
        /// else to the referenced GuardOrder.Annotations assembly (asked before the search of every reference).
        /// </summary>
        [Fact]
        public void AttributeTypes_OwnCopyFirst_ThenTheAnnotationsReference()
        {
            var referenced = GuardOrderSymbols.TryCreate(AnalyzerHarness.Compile(Forms))!;
            foreach (var (_, type) in Flags)
            {
                if (type(referenced) is { } resolved && resolved.ContainingNamespace.Name == GuardOrderSymbols.Namespace)
                {
                    Assert.Equal("GuardOrder.Annotations", resolved.ContainingAssembly.Name);
                }
            }

            Assert.NotNull(referenced.FaultPathAssumption);
            Assert.Equal("GuardOrder.Annotations", referenced.FaultPathAssumption!.ContainingAssembly.Name);

            var own = GuardOrderSymbols.TryCreate(AnalyzerHarness.Compile(
                "namespace GuardOrder { internal sealed class SecurityCheckAttribute : System.Attribute { } }"))!;
            Assert.Equal("Test", own.SecurityCheck!.ContainingAssembly.Name);
            Assert.Equal("GuardOrder.Annotations", own.WriteGrant!.ContainingAssembly.Name);
        }

        [Fact]
        public void OnSampleMm_EverySymbolAnswersAsItsAttributes()
        {
            Assert.True(AssertSameAsAttributes(AnalyzerHarness.CompileSampleMm()) > 50);
        }
    }
}
