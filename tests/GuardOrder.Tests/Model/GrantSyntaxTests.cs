using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using GuardOrder.Analyzers.Model;
using GuardOrder.Tests.Verifiers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace GuardOrder.Tests.Model
{
    /// <summary>
    /// <see cref="GrantSyntax"/>: a helper's syntax rules a grant out only where binding its body would
    /// too (<see cref="GrantCalls.BodyMayGrant"/>), in every form that may bind to a call, also ones the
    /// syntax does not name; and it does rule the non-granting helpers out (that is what spares binding
    /// them). A referenced assembly that may declare grants turns it off.
    /// </summary>
    public class GrantSyntaxTests
    {
        private const string Forms = """
            #nullable enable
            using System;
            using System.Collections;
            using System.Collections.Generic;
            using System.Linq;
            using GuardOrder;
            using static Grants;
            using G = GuardOrder.WriteGrantAttribute;

            public static class Grants
            {
                [WriteGrant] public static void make_writable(int x) { }
                [WriteGrant] public static int reuse<T>(T x) => 0;
                [WriteGrant] public static void ext_grant(this string s) { }
                public static bool leaf(int x) => x > 0;
                public static void no_grant_calls(int x) { Console.WriteLine(x); leaf(x); Math.Abs(x); }
            }

            public sealed class GrantingList : IEnumerable<int>
            {
                [WriteGrant] public void Add(int x) { }
                public IEnumerator<int> GetEnumerator() => throw null!;
                IEnumerator IEnumerable.GetEnumerator() => throw null!;
            }

            public class Base { public Base() { } public Base(int x) { } }

            public sealed class Selecting { }
            public static class SelectingQuery { [WriteGrant] public static Selecting Select(this Selecting s, Func<int, int> f) => s; }

            public class Helpers
            {
                public static void direct(int x) => Grants.make_writable(x);
                public static void via_static_using(int x) { if (x > 0) make_writable(x); }
                public static void generic(int x) => reuse<int>(x);
                public static void conditional(string? s) => s?.ext_grant();
                public static void one_deep(int x) => direct(x);
                public static void two_deep(int x) => one_deep(x);
                public static void three_deep(int x) => two_deep(x);
                public static void collection_initializer() { _ = new GrantingList { 1 }; }
                public static void query(Selecting s) { _ = from x in s select x; }
                public static void local_function(int x) { [G] void grant() { } grant(); }
                public static void leaves_only(int x) { no_grant_calls(x); leaf(x); }
                public static void no_calls(int x) { x++; }
                public static void through_a_delegate(Action<int> a, int x) => a(x);
                public static void named_like_a_grant_but_local(int x) { void make_writable(int y) { } make_writable(x); }
            }

            public sealed class Derived : Base
            {
                public Derived() : base() { }
                public Derived(int x) : base(x) { }
            }
            """;

        private static (Compilation Compilation, GuardOrderSymbols Symbols, MethodBodies Bodies) Prepare(params string[] sources)
        {
            var compilation = AnalyzerHarness.Compile(sources);
            Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
            var symbols = GuardOrderSymbols.TryCreate(compilation)!;
            return (compilation, symbols, new MethodBodies(compilation));
        }

        private static IEnumerable<IMethodSymbol> SourceMethods(Compilation compilation) =>
            compilation.GetSymbolsWithName(_ => true, SymbolFilter.Member).OfType<IMethodSymbol>()
                .Where(m => m.DeclaringSyntaxReferences.Length > 0);

        /// <summary>Where the syntax says no, the bound body says no too: for every method and level of the compilation.</summary>
        private static int AssertSound(Compilation compilation, GuardOrderSymbols symbols, MethodBodies bodies)
        {
            var ruledOut = 0;
            foreach (var method in SourceMethods(compilation))
            {
                for (var levels = 0; levels <= 3; levels++)
                {
                    if (GrantSyntax.For(symbols).MayGrant(method, levels, CancellationToken.None))
                    {
                        continue;
                    }

                    ruledOut++;
                    var body = bodies.GetBody(method, CancellationToken.None);
                    Assert.False(
                        body is not null && GrantCalls.BodyMayGrant(body, levels, symbols, bodies, CancellationToken.None),
                        $"the syntax ruled out a grant in {method.ToDisplayString()} ({levels} levels) that its bound body may reach");
                }
            }

            return ruledOut;
        }

        [Fact]
        public void EveryFormThatMayCallAGrant_IsAMaybe_AndTheRestAreRuledOut()
        {
            var (compilation, symbols, bodies) = Prepare(Forms);
            var grants = GrantSyntax.For(symbols);
            bool May(string type, string name, int levels) =>
                grants.MayGrant(compilation.GetTypeByMetadataName(type)!.GetMembers(name).OfType<IMethodSymbol>().First(), levels, CancellationToken.None);

            foreach (var name in new[] { "direct", "via_static_using", "generic", "conditional", "collection_initializer", "query", "local_function" })
            {
                Assert.True(May("Helpers", name, 0), name);
            }

            Assert.True(May("Derived", ".ctor", 0)); // `: base()` binds to a call the syntax names by no method name: a maybe
            Assert.True(May("Helpers", "named_like_a_grant_but_local", 0)); // a name is a name: a maybe, decided by binding

            // A helper chain grants as many levels down as it is deep.
            Assert.False(May("Helpers", "one_deep", 0));
            Assert.True(May("Helpers", "one_deep", 1));
            Assert.False(May("Helpers", "three_deep", 2));
            Assert.True(May("Helpers", "three_deep", 3));

            // What spares binding: helpers that call only helpers that cannot grant, or nothing, or a delegate.
            Assert.False(May("Helpers", "leaves_only", 3));
            Assert.False(May("Helpers", "no_calls", 3));
            Assert.False(May("Helpers", "through_a_delegate", 3));
            Assert.False(May("Grants", "no_grant_calls", 3));

            Assert.True(AssertSound(compilation, symbols, bodies) > 10);
        }

        [Fact]
        public void OnSampleMm_TheSyntaxRulesOutOnlyWhatBindingRulesOut_AndMostHelpers()
        {
            var compilation = AnalyzerHarness.CompileSampleMm();
            var symbols = GuardOrderSymbols.TryCreate(compilation)!;
            var bodies = new MethodBodies(compilation);

            var methods = SourceMethods(compilation).Count();
            var ruledOut = AssertSound(compilation, symbols, bodies);
            Assert.True(ruledOut > methods, $"{ruledOut} of {methods * 4} method-levels ruled out by syntax");

            // do_wp_page's helpers that cannot grant are known not to without binding them.
            var pageRemoveRmap = compilation.GetSymbolsWithName("page_remove_rmap", SymbolFilter.Member).OfType<IMethodSymbol>().Single();
            Assert.False(GrantSyntax.For(symbols).MayGrant(pageRemoveRmap, 3, CancellationToken.None));
        }

        /// <summary>An assembly image of <paramref name="source"/> over <paramref name="references"/>, as a reference.</summary>
        private static MetadataReference Library(string assemblyName, string source, IEnumerable<MetadataReference> references)
        {
            var library = CSharpCompilation.Create(
                assemblyName,
                new[] { CSharpSyntaxTree.ParseText(source) },
                references,
                new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
            var image = new MemoryStream();
            Assert.True(library.Emit(image).Success);
            return MetadataReference.CreateFromImage(image.ToArray());
        }

        /// <summary>A consumer of <paramref name="library"/> (with the annotations) whose class H holds <paramref name="helpers"/>.</summary>
        private static (GuardOrderSymbols Symbols, MethodBodies Bodies, Func<string, IMethodSymbol> Helper) Consumer(MetadataReference library, string helpers)
        {
            var consumer = CSharpCompilation.Create(
                "Consumer",
                new[] { CSharpSyntaxTree.ParseText("public static class H { " + helpers + " }") },
                AnalyzerHarness.References.Add(library),
                new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
            return (GuardOrderSymbols.TryCreate(consumer)!, new MethodBodies(consumer), name => consumer.GetTypeByMetadataName("H")!.GetMembers(name).OfType<IMethodSymbol>().Single());
        }

        private const string CallsLib = "public static void calls_lib() => Lib.lib_grant();";

        [Fact]
        public void AReferencedAssemblyThatMayDeclareGrants_EveryCallIsAMaybe()
        {
            // A library compiled against the annotations may hold [WriteGrant] members the syntax cannot find by name.
            var library = Library("KernelLib", "using GuardOrder; public static class Lib { [WriteGrant] public static void lib_grant() { } }", AnalyzerHarness.References);
            const string Leaves = " public static void no_calls() { } public static void calls_leaf() => no_calls();";
            var (symbols, bodies, helper) = Consumer(library, CallsLib + Leaves);

            Assert.True(GrantSyntax.For(symbols).MayGrant(helper("calls_lib"), 0, CancellationToken.None));
            Assert.True(GrantCalls.BodyMayGrant(bodies.GetBody(helper("calls_lib"), CancellationToken.None)!, 0, symbols, bodies, CancellationToken.None));
            Assert.False(GrantSyntax.For(symbols).MayGrant(helper("no_calls"), 0, CancellationToken.None)); // calls nothing: no grant, whatever metadata holds
            Assert.True(GrantSyntax.For(symbols).MayGrant(helper("calls_leaf"), 1, CancellationToken.None)); // any call: the name is not trusted

            // Without such a reference, the same helper calling a source grant is decided by its syntax.
            var (compilation, own, _) = Prepare(
                "using GuardOrder; public static class Lib { [WriteGrant] public static void lib_grant() { } }",
                "public static class H { " + CallsLib + Leaves + " }");
            Assert.False(GrantSyntax.For(own).MayGrant(compilation.GetTypeByMetadataName("H")!.GetMembers("calls_leaf").OfType<IMethodSymbol>().Single(), 1, CancellationToken.None));
        }

        [Fact]
        public void AReferencedAssemblyWithItsOwnWriteGrantAttribute_AsThePackageCompilesIn_EveryCallIsAMaybe()
        {
            var library = Library(
                "OwnAnnotations",
                "namespace GuardOrder { internal sealed class WriteGrantAttribute : System.Attribute { } } public static class Lib { [GuardOrder.WriteGrant] public static void lib_grant() { } }",
                AnalyzerHarness.ReferencesWithoutAnnotations);
            var (symbols, _, helper) = Consumer(library, CallsLib);
            Assert.True(GrantSyntax.For(symbols).MayGrant(helper("calls_lib"), 0, CancellationToken.None));
        }

        [Fact]
        public void AReferencedAssemblyCompiledAgainstOneThisCompilationLacks_EveryCallIsAMaybe()
        {
            // The library's [WriteGrant] is a type of an assembly the consumer does not reference: unresolved there.
            var attributes = Library("KernelAnnotations", "namespace GuardOrder { public sealed class WriteGrantAttribute : System.Attribute { } }", AnalyzerHarness.ReferencesWithoutAnnotations);
            var library = Library("KernelLib", "public static class Lib { [GuardOrder.WriteGrant] public static void lib_grant() { } }", AnalyzerHarness.ReferencesWithoutAnnotations.Add(attributes));
            var (symbols, bodies, helper) = Consumer(library, CallsLib);

            Assert.True(GrantCalls.BodyMayGrant(bodies.GetBody(helper("calls_lib"), CancellationToken.None)!, 0, symbols, bodies, CancellationToken.None)); // bound: an unresolved GuardOrder.WriteGrantAttribute counts
            Assert.True(GrantSyntax.For(symbols).MayGrant(helper("calls_lib"), 0, CancellationToken.None));
        }
        [Fact]
        public void HalfTypedCalls_AreAnswered_NeverThrow()
        {
            // Missing names, missing arguments, a call of a call: whatever the syntax holds, an answer (never AD0001).
            var compilation = AnalyzerHarness.Compile(
                "using GuardOrder; public static class G { [WriteGrant] public static void grant() { } }",
                "public static class H { public static void typing(object o) { o.(); (); grant(; G.grant(); } public static void missing() { o.@(); x()(); } }");
            var symbols = GuardOrderSymbols.TryCreate(compilation)!;
            var h = compilation.GetTypeByMetadataName("H")!;
            Assert.True(GrantSyntax.For(symbols).MayGrant(h.GetMembers("typing").OfType<IMethodSymbol>().Single(), 0, CancellationToken.None));
            Assert.True(GrantSyntax.For(symbols).MayGrant(h.GetMembers("missing").OfType<IMethodSymbol>().Single(), 0, CancellationToken.None)); // `x()()`: a call of a call is a maybe
        }
    }
}
