using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using GuardOrder.Analyzers;
using GuardOrder.Analyzers.Model;
using GuardOrder.Tests.Verifiers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace GuardOrder.Tests.Model
{
    /// <summary>
    /// The text filter that decides which code blocks GO0001, GO0004 and GO0005 bind (<see cref="AnnotatedNames"/>):
    /// the names it lists, the members that make every block relevant, annotated libraries, and that it never drops a
    /// body a rule acts on (sample-mm, and the forms that call a member without its name).
    /// </summary>
    public class AnnotatedNamesTests
    {
        private static AnnotatedNames NamesOf(Compilation compilation) =>
            AnnotatedNames.Compute(compilation, GuardOrderSymbols.TryCreate(compilation)!, default);

        [Fact]
        public void SecurityChecksAndLockPrimitives_AreListedByName_OtherAnnotationsAreNot()
        {
            var names = NamesOf(AnalyzerHarness.Compile(KernelFixture.With(string.Empty)));

            Assert.False(names.EveryBlock);
            Assert.Contains("VM_WRITE", names.SecurityNames);
            Assert.Contains("lock_page", names.LockNames);
            Assert.Contains("trylock_page", names.LockNames);
            Assert.Contains("unlock_page", names.LockNames);
            Assert.DoesNotContain("PageKsm", names.SecurityNames); // [FaultPathCheck]: not what GO0001/GO0005 look for
            Assert.DoesNotContain("VM_SHARED", names.SecurityNames);
            Assert.DoesNotContain("lock_page", names.SecurityNames);
        }

        [Fact]
        public void ABlock_IsRelevant_OnlyWhenItNamesOne()
        {
            var names = NamesOf(AnalyzerHarness.Compile(KernelFixture.With(string.Empty)));
            var reads = SyntaxFactory.ParseStatement("if ((vma.vm_flags & VM_WRITE) == 0) return false;");
            var locks = SyntaxFactory.ParseStatement("{ lock_page(page); unlock_page(page); }");
            var neither = SyntaxFactory.ParseStatement("if (PageKsm(page) || page_count(page) != 1) return \"VM_WRITE\" == null; // VM_WRITE, lock_page");

            Assert.True(names.MayReadSecurity(reads));
            Assert.False(names.MayCallLock(reads));
            Assert.True(names.MayCallLock(locks));
            Assert.False(names.MayReadSecurity(locks));
            Assert.False(names.MayReadSecurity(neither)); // a string or a comment is not a use
            Assert.False(names.MayCallLock(neither));
        }

        /// <summary>Members the language calls without writing their name: every block is bound, as before the filter.</summary>
        [Theory]
        [InlineData("public sealed class perm { [SecurityCheck] public static bool operator !(perm p) => false; }")]
        [InlineData("public sealed class perm { [SecurityCheck] public static implicit operator bool(perm p) => false; }")]
        [InlineData("public sealed class perm { [SecurityCheck] public bool this[int i] => false; }")]
        [InlineData("public class locker { [AcquiresLock] public locker() { } }")]
        [InlineData("public sealed class locker : System.Collections.IEnumerable { [AcquiresLock] public void Add(int x) { } public System.Collections.IEnumerator GetEnumerator() => null!; }")]
        [InlineData("public static class q { [SecurityCheck] public static System.Collections.Generic.IEnumerable<int> Select(this int[] a, System.Func<int, int> f) => a; }")]
        [InlineData("public sealed class res { [ReleasesLock] public void Dispose() { } }")]
        public void AMemberCalledWithoutItsName_MakesEveryBlockRelevant(string member)
        {
            var names = NamesOf(AnalyzerHarness.Compile("using GuardOrder;\n" + member));
            Assert.True(names.EveryBlock, member);
            Assert.True(names.MayReadSecurity(SyntaxFactory.ParseStatement("return;")));
            Assert.True(names.MayCallLock(SyntaxFactory.ParseStatement("return;")));
        }

        [Fact]
        public void AnAnnotatedPropertyOrAccessor_IsListedByThePropertysName()
        {
            var names = NamesOf(AnalyzerHarness.Compile("""
                using GuardOrder;
                public sealed class vma
                {
                    [SecurityCheck] public bool writable => true;
                    public bool shared { [SecurityCheck] get => false; }
                }
                """));
            Assert.False(names.EveryBlock);
            Assert.Contains("writable", names.SecurityNames);
            Assert.Contains("shared", names.SecurityNames);
        }

        /// <summary>A library's members, read from metadata with the library's own (internal) copy of the attributes.</summary>
        [Fact]
        public void AnAnnotatedLibrarysMembers_AreListed_TheFrameworksAssembliesAreNotSearched()
        {
            var library = CSharpCompilation.Create(
                "annotated_lib",
                new[]
                {
                    CSharpSyntaxTree.ParseText("""
                        namespace GuardOrder
                        {
                            [System.AttributeUsage(System.AttributeTargets.All)] internal sealed class SecurityCheckAttribute : System.Attribute { }
                            [System.AttributeUsage(System.AttributeTargets.All)] internal sealed class AcquiresLockAttribute : System.Attribute { }
                        }

                        public static class lib
                        {
                            [GuardOrder.SecurityCheck] public const ulong VM_MAYWRITE = 0x20;
                            [GuardOrder.AcquiresLock] public static void mmap_read_lock(object mm) { }
                            public static void unrelated() { }
                        }
                        """),
                },
                Basic.Reference.Assemblies.Net100.References.All,
                new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
            using var image = new MemoryStream();
            Assert.True(library.Emit(image).Success);
            var reference = MetadataReference.CreateFromImage(image.ToArray());
            var app = CSharpCompilation.Create(
                "app",
                new[] { CSharpSyntaxTree.ParseText("public static class app { public static bool f(ulong flags) => (flags & lib.VM_MAYWRITE) != 0; }") },
                Basic.Reference.Assemblies.Net100.References.All.Cast<MetadataReference>().Append(reference),
                new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));

            var names = NamesOf(app);

            Assert.Contains("VM_MAYWRITE", names.SecurityNames);
            Assert.Contains("mmap_read_lock", names.LockNames);
            Assert.DoesNotContain("unrelated", names.SecurityNames.Concat(names.LockNames));
            Assert.True(AnnotatedNames.MayCarryAnnotations((IAssemblySymbol)app.GetAssemblyOrModuleSymbol(reference)!));
            var core = app.GetSpecialType(SpecialType.System_Object).ContainingAssembly;
            Assert.False(AnnotatedNames.MayCarryAnnotations(core));
        }

        /// <summary>
        /// The filter never drops a body a rule acts on: in sample-mm (as posted too), every method body that reads a
        /// [SecurityCheck] member or calls a lock primitive is one the filter keeps.
        /// </summary>
        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public void SampleMm_EveryBodyThatReadsASecurityCheckOrCallsALockPrimitive_IsKept(bool asPosted)
        {
            var compilation = AnalyzerHarness.CompileSampleMm();
            if (asPosted)
            {
                var options = (CSharpParseOptions)compilation.SyntaxTrees.First().Options;
                var posted = options.WithPreprocessorSymbols(options.PreprocessorSymbolNames.Append("AS_POSTED"));
                compilation = compilation.RemoveAllSyntaxTrees().AddSyntaxTrees(compilation.SyntaxTrees.Select(t => t.WithRootAndOptions(t.GetRoot(), posted)));
            }

            var symbols = GuardOrderSymbols.TryCreate(compilation)!;
            var names = AnnotatedNames.Compute(compilation, symbols, default);
            Assert.False(names.EveryBlock);
            int reading = 0, locking = 0;
            foreach (var tree in compilation.SyntaxTrees)
            {
                var model = compilation.GetSemanticModel(tree);
                foreach (var declaration in tree.GetRoot().DescendantNodes().OfType<BaseMethodDeclarationSyntax>())
                {
                    if (model.GetOperation(declaration) is not { } body)
                    {
                        continue;
                    }

                    if (SecurityReads.ReadsSecurityCheck(body, symbols))
                    {
                        reading++;
                        Assert.True(names.MayReadSecurity(declaration), declaration.ToString());
                    }

                    if (body.DescendantsAndSelf().OfType<IInvocationOperation>().Any(i => symbols.IsAcquiresLock(i.TargetMethod) || symbols.IsTryAcquiresLock(i.TargetMethod) || symbols.IsReleasesLock(i.TargetMethod)))
                    {
                        locking++;
                        Assert.True(names.MayCallLock(declaration), declaration.ToString());
                    }
                }
            }

            Assert.True(reading > 5 && locking > 2, $"{reading} reading, {locking} locking bodies");
        }

        /// <summary>A lock primitive called by a collection initializer (no "Add" in the text) still leaks, and is still reported.</summary>
        [Fact]
        public async Task GO0004_ALockTakenByACollectionInitializersAdd_IsStillReported()
        {
            var diagnostics = await AnalyzerHarness.RunAsync(new GO0004LockDisciplineAnalyzer(), """
                using GuardOrder;
                public sealed class locks : System.Collections.IEnumerable
                {
                    [AcquiresLock] public void Add(object o) { }
                    [ReleasesLock] public void Release(object o) { }
                    public System.Collections.IEnumerator GetEnumerator() => null!;
                }

                public static class user
                {
                    public static locks take(object page) => new locks { page };
                }
                """);
            Assert.Contains(diagnostics, d => d.Id == "GO0004");
        }

        /// <summary>A [SecurityCheck] operator read after another guard (no name in the text) is still reported.</summary>
        [Fact]
        public async Task GO0001_ASecurityCheckOperatorAfterAnotherGuard_IsStillReported()
        {
            var diagnostics = await AnalyzerHarness.RunAsync(new GO0001SecurityGuardFirstAnalyzer(), """
                using GuardOrder;
                public sealed class perm
                {
                    public bool denied;
                    [SecurityCheck] public static bool operator !(perm p) => p.denied;
                }

                public static class user
                {
                    public static bool may_write(perm p, int numa)
                    {
                        if (numa != 0)
                            return false;
                        if (!p)
                            return false;
                        return true;
                    }
                }
                """);
            Assert.Contains(diagnostics, d => d.Id == "GO0001");
        }
    }
}
