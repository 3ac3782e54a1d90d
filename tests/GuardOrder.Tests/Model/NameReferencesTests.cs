using System.Linq;
using System.Threading;
using GuardOrder.Analyzers.Model;
using GuardOrder.Tests.Verifiers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace GuardOrder.Tests.Model
{
    /// <summary>
    /// The names a compilation spells a given way (the GO0002 repair's search for a predicate's
    /// callers): a file is skipped only when its text cannot spell the name, so an escaped spelling, a
    /// name across the search's chunk boundary and a verbatim identifier are all found.
    /// </summary>
    public class NameReferencesTests
    {
        [Fact]
        public void EveryFileThatSpellsTheName_AndOnlyThose()
        {
            var padding = new string(' ', 8192 - "class A { void f() { ".Length - 3); // puts the name across the first chunk's end
            var compilation = AnalyzerHarness.Compile(
                "class P { public static bool no_addr() => true; }",
                "class A { void f() { " + padding + "P.no_addr(); } }",
                "class B { void g() { P.no_\\u0061ddr(); } }",
                "class C { void h() { P.@no_addr(); } }",
                "class D { void k() { /* no_addr in a comment is not a name */ var no_addrx = 1; } }");

            var found = NameReferences.Of(compilation, "no_addr", CancellationToken.None);

            Assert.Equal(
                new[] { "Test1.cs", "Test2.cs", "Test3.cs" }, // the declaration is no simple name,
                found.Select(n => n.SyntaxTree.FilePath).ToArray());
            Assert.Same(found.Last().SyntaxTree, compilation.SyntaxTrees.ElementAt(3));
            Assert.Equal(found, NameReferences.Of(compilation, "no_addr", CancellationToken.None)); // once per compilation and name
        }

        [Fact]
        public void InFilesLongerThanOneString_TheChunkedSearch_FindsWhatTheWholeTextSearchFinds()
        {
            // Up to 40K characters a text is searched as one string; a longer one in chunks of 8,192
            // characters that overlap by the name's length. Every way to spell the name, past that size.
            var head = "class A { void f() { ";
            var straddling = new string(' ', (6 * 8192) - head.Length - 3); // the name across the sixth chunk's end
            var far = new string(' ', 45_000);
            var compilation = AnalyzerHarness.Compile(
                "class P { public static bool no_addr() => true; }",
                head + straddling + "P.no_addr(); } }",
                "class B { void g() { " + far + "P.no_\\u0061ddr(); } }",
                "class C { void h() { " + far + "P.no_\u200Baddr(); } }",
                "class D { void k() { " + far + "/* no_addr is spelled, no name */ var x = 1; } }",
                "class E { void m() { " + far + "var y = 2; } }");
            Assert.All(compilation.SyntaxTrees.Skip(1), t => Assert.True(t.GetText().Length > 40 * 1024));
            Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error));

            var found = NameReferences.Of(compilation, "no_addr", CancellationToken.None);

            Assert.Equal(new[] { "Test1.cs", "Test2.cs", "Test3.cs" }, found.Select(n => n.SyntaxTree.FilePath).ToArray());
        }

        [Fact]
        public void ToASymbol_OnlyTheNamesThatBindToIt_ForEachOfTwoMethodsOfOneName()
        {
            var compilation = AnalyzerHarness.Compile(
                "namespace V1 { class P { public static bool no_addr() => true; static bool a() => no_addr() && P.no_addr(); } }",
                "namespace V2 { class P { public static bool no_addr() => false; static bool b() => no_addr(); } }",
                "namespace V2 { class Q { bool c() => V1.P.no_addr() || P.no_addr(); int no_addr; } }", // a field of the same name binds elsewhere
                "class R { bool d() => nameof(V1.P.no_addr) == \"\"; }"); // nameof binds its name to the method group's single candidate
            var v1 = compilation.GetTypeByMetadataName("V1.P")!.GetMembers("no_addr").Single();
            var v2 = compilation.GetTypeByMetadataName("V2.P")!.GetMembers("no_addr").Single();
            var field = compilation.GetTypeByMetadataName("V2.Q")!.GetMembers("no_addr").Single();

            string Where(Microsoft.CodeAnalysis.CSharp.Syntax.SimpleNameSyntax n) => n.SyntaxTree.FilePath + ":" + n.SpanStart;
            var toV1 = NameReferences.To(compilation, v1, CancellationToken.None).Select(n => n.SyntaxTree.FilePath).ToArray();
            var toV2 = NameReferences.To(compilation, v2, CancellationToken.None).Select(n => n.SyntaxTree.FilePath).ToArray();

            Assert.Equal(new[] { "Test0.cs", "Test0.cs", "Test2.cs", "Test3.cs" }, toV1);
            Assert.Equal(new[] { "Test1.cs", "Test2.cs" }, toV2);
            Assert.Empty(NameReferences.To(compilation, field, CancellationToken.None)); // declared, never named
            Assert.Equal(
                NameReferences.Of(compilation, "no_addr", CancellationToken.None).Length,
                toV1.Length + toV2.Length);
            Assert.Equal(
                NameReferences.To(compilation, v1, CancellationToken.None).Select(Where),
                NameReferences.To(compilation, v1, CancellationToken.None).Select(Where)); // once per compilation and name
        }

        [Fact]
        public void ANameSpelledWithAFormattingCharacter_IsFound()
        {
            // C# drops formatting characters (here a zero-width space, in the text itself, not escaped) from an
            // identifier: `no_<U+200B>addr` is `no_addr`, and a text search for "no_addr" does not see it.
            var compilation = AnalyzerHarness.Compile(
                "class P { public static bool no_addr() => true; }",
                "class E { void m() { P.no_\u200Baddr(); } }"); // the C# string holds the character itself
            Assert.Contains('\u200B', compilation.SyntaxTrees.ElementAt(1).ToString());
            Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error));

            var found = NameReferences.Of(compilation, "no_addr", CancellationToken.None);

            Assert.Equal(new[] { "Test1.cs" }, found.Select(n => n.SyntaxTree.FilePath).ToArray());
        }

        [Fact]
        public void AFormattingCharacterAtAnyOffset_IsFound_AlsoAfterOtherNonAsciiText()
        {
            // The scan reads four ASCII characters at a time and the rest one by one: the character is found
            // at every offset modulo four, also after a non-ASCII letter that is no formatting character.
            var sources = new[] { "class P { public static bool no_addr() => true; }" }
                .Concat(Enumerable.Range(0, 9).Select(k => "class E" + k + " {" + (k == 8 ? " /* é */" : string.Empty) + " void m() {" + new string(' ', k) + " P.no_\u200Baddr(); } }"))
                .ToArray();
            var compilation = AnalyzerHarness.Compile(sources);
            Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error));

            var found = NameReferences.Of(compilation, "no_addr", CancellationToken.None);

            Assert.Equal(Enumerable.Range(1, 9).Select(i => "Test" + i + ".cs"), found.Select(n => n.SyntaxTree.FilePath));
        }

        [Fact]
        public void ATreesIndirectSpelling_IsDecidedOnce_AndHoldsForEveryLaterName()
        {
            // A tree's "may spell a name without its characters" is kept per tree: a first search for another
            // name decides it, and a later search still finds the escaped, the formatted and the plain spelling.
            var compilation = AnalyzerHarness.Compile(
                "class P { public static bool no_addr() => true; public static bool other() => true; }",
                "class B { void g() { P.no_\\u0061ddr(); } }",
                "class C { void h() { P.no_\u200Baddr(); } }",
                "class D { void k() { P.no_addr(); } }",
                "class F { void n() { } }");

            Assert.Empty(NameReferences.Of(compilation, "never_named", CancellationToken.None));
            var found = NameReferences.Of(compilation, "no_addr", CancellationToken.None);

            Assert.Equal(new[] { "Test1.cs", "Test2.cs", "Test3.cs" }, found.Select(n => n.SyntaxTree.FilePath).ToArray());
        }

        [Fact]
        public void ANameNoFileSpells_NothingFound()
        {
            var compilation = AnalyzerHarness.Compile("class P { static bool no_addr() => true; }");
            Assert.Empty(NameReferences.Of(compilation, "may_avoid_write_fault", CancellationToken.None));
        }
        /// <summary>
        /// The names found where a tree's text holds the name's characters are the names a scan of every token
        /// finds: for every identifier of sample-mm and of a file of the places a name's characters can be (a
        /// comment (also one in the name's own leading trivia), a string, an interpolation, a doc comment's cref, a verbatim identifier, a longer identifier,
        /// overlapping spellings, a member access, a generic name, a declaration).
        /// </summary>
        [Fact]
        public void TheNamesFoundByText_AreTheNamesEveryTokensScanFinds()
        {
            const string Places = """
                /// <summary>Calls <see cref="aa(int)"/>, not aaa.</summary>
                class Places
                {
                    static int aa(int x) => x;
                    static int aaa(int x) => x;
                    static T g<T>(T x) => x;
                    string s = "aa(1) in a string";
                    int f() { /* aa */ var aaaa = aa(1) + aaa(2) + @aa(3) + g<int>(4); return aa(aa(aaaa)); }
                    string i(int aab) => $"{aa(aab)}aa{nameof(aa)}";
                    int m() => this.f() + Places.aa(5);
                    int n() =>
                        /* aa */ aa(6);
                }
                """;
            foreach (var compilation in new[] { AnalyzerHarness.Compile(Places), AnalyzerHarness.CompileSampleMm() })
            {
                var names = compilation.SyntaxTrees
                    .SelectMany(t => t.GetRoot().DescendantTokens())
                    .Where(t => t.IsKind(Microsoft.CodeAnalysis.CSharp.SyntaxKind.IdentifierToken))
                    .Select(t => t.ValueText)
                    .Distinct()
                    .ToArray();
                Assert.True(names.Length > 10);
                foreach (var name in names)
                {
                    var scanned = compilation.SyntaxTrees
                        .SelectMany(t => t.GetRoot().DescendantTokens())
                        .Where(t => t.IsKind(Microsoft.CodeAnalysis.CSharp.SyntaxKind.IdentifierToken) && t.ValueText == name && t.Parent is Microsoft.CodeAnalysis.CSharp.Syntax.SimpleNameSyntax)
                        .Select(t => t.Parent)
                        .ToArray();
                    Assert.Equal(scanned, NameReferences.Of(compilation, name, CancellationToken.None).ToArray<Microsoft.CodeAnalysis.SyntaxNode>());
                }
            }
        }
    }
}
