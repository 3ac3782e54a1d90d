using GuardOrder.Tests.Verifiers;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using GuardOrder.Analyzers;
using GuardOrder.CodeFixes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using Microsoft.CodeAnalysis.Testing;
using static GuardOrder.Tests.GO0001.GO0001Sources;
using Verify = GuardOrder.Tests.Verifiers.CSharpCodeFixVerifier<GuardOrder.Analyzers.GO0001SecurityGuardFirstAnalyzer, GuardOrder.CodeFixes.GO0001MoveSecurityGuardFirstFix>;

namespace GuardOrder.Tests.GO0001
{
    public class GO0001FixTests
    {
        private static DiagnosticResult GO0001(int location) => new DiagnosticResult(RuleIdentifiers.SecurityGuardFirst, DiagnosticSeverity.Warning).WithLocation(location);

        private static Task VerifyFixAsync(string source, string fixedSource, params DiagnosticResult[] expected)
        {
            var test = new Verify.Test
            {
                TestCode = source,
                FixedCode = fixedSource,
                CodeActionEquivalenceKey = GO0001MoveSecurityGuardFirstFix.EquivalenceKey,
            };
            test.ExpectedDiagnostics.AddRange(expected);
            return test.RunAsync();
        }

        /// <summary>The seed's first rework fixed: the VM_WRITE block, comment included, moves above the NUMA block.</summary>
        public const string SeedFirstReworkFixed = @"
static class mprotect
{
    static bool may_avoid_write_fault(pte_t pte, vm_area_struct vma, ulong cp_flags)
    {
        /*
         * Never apply write bit if VM_WRITE not set.  Note that this is
         * actually checked for VM_SHARED when MM_CP_DIRTY_ACCT is set, so
         * checking it again here is not cleaner.
         */
        if ((vma.vm_flags & VM_WRITE) == 0)
            return false;

        /*
         * It is unclear whether this optimization can be done safely for NUMA
         * pages.
         */
        if ((cp_flags & MM_CP_PROT_NUMA) != 0)
            return false;

        /*
         * Don't do this optimization for clean pages as we need to be notified
         * of the transition from clean to dirty.
         */
        if (!pte_dirty(pte))
            return false;

        /* Same for softdirty. */
        if (!pte_soft_dirty(pte) && (vma.vm_flags & VM_SOFTDIRTY) != 0)
            return false;

        /*
         * For userfaultfd the user program needs to monitor write faults so we
         * can't do this optimization.
         */
        if (pte_uffd_wp(pte))
            return false;

        /*
         * MM_CP_DIRTY_ACCT indicates that we can always make the page writable
         * regardless of the number of references.  Time to set the write bit.
         */
        if ((cp_flags & MM_CP_DIRTY_ACCT) != 0)
            return true;

        /*
         * Othewise it means !MM_CP_DIRTY_ACCT.  We can only apply write bit
         * early if it's anonymous page and we exclusively own it.
         */
        if (vma_is_anonymous(vma) && (page_count(pte_page(pte)) == 1))
            return true;

        /* Don't play any trick */
        return false;
    }
}
";

        [Fact]
        public Task SeedFirstRework_VmWriteBlockMovesFirst_CommentsTravelWithTheirIf() =>
            VerifyFixAsync(With(GO0001AnalyzerTests.SeedFirstRework), With(SeedFirstReworkFixed), GO0001(0));

        [Fact]
        public Task DeclarationsBeforeTheFirstGuardStay_SecurityGuardsKeepTheirOrder() =>
            VerifyFixAsync(
                With(@"
static class mprotect
{
    static bool f(pte_t pte, vm_area_struct vma, ulong cp_flags)
    {
        page page;
        bool ret = false;

        // numa
        if ((cp_flags & MM_CP_PROT_NUMA) != 0)
            return false; // unclear
        ulong mask = VM_READ;

        // the write bit
        if ({|#0:(vma.vm_flags & VM_WRITE) == 0|})
            return false;

        // dirty
        if (!pte_dirty(pte))
            return false;
        // the helper
        if ({|#1:!may_write(vma)|}) return false;

        page = pte_page(pte);
        return ret || page.locked || mask == 0;
    }
}
"),
                With(@"
static class mprotect
{
    static bool f(pte_t pte, vm_area_struct vma, ulong cp_flags)
    {
        page page;
        bool ret = false;

        // the write bit
        if ((vma.vm_flags & VM_WRITE) == 0)
            return false;
        // the helper
        if (!may_write(vma)) return false;

        // numa
        if ((cp_flags & MM_CP_PROT_NUMA) != 0)
            return false; // unclear

        ulong mask = VM_READ;
        // dirty
        if (!pte_dirty(pte))
            return false;

        page = pte_page(pte);
        return ret || page.locked || mask == 0;
    }
}
"),
                GO0001(0),
                GO0001(1));

        [Fact]
        public Task ThrowAndGotoGuards_Moved() =>
            VerifyFixAsync(
                With(@"
static class mprotect
{
    static void f(vm_area_struct vma, ulong cp_flags)
    {
        if (vma.vm_refcnt < 0) throw new ArgumentException(""refcnt"");
        if ({|#0:!vma.IsWritable|}) { throw new ArgumentException(""write""); }
        Console.WriteLine();
    }

    static int g(vm_area_struct vma, ulong cp_flags)
    {
        if ((cp_flags & MM_CP_PROT_NUMA) != 0)
            goto out_fail;
        if ({|#1:(vma.vm_flags & VM_WRITE) == 0|})
            goto out_fail;
        return 0;
    out_fail:
        return -1;
    }
}
"),
                With(@"
static class mprotect
{
    static void f(vm_area_struct vma, ulong cp_flags)
    {
        if (!vma.IsWritable) { throw new ArgumentException(""write""); }
        if (vma.vm_refcnt < 0) throw new ArgumentException(""refcnt"");
        Console.WriteLine();
    }

    static int g(vm_area_struct vma, ulong cp_flags)
    {
        if ((vma.vm_flags & VM_WRITE) == 0)
            goto out_fail;
        if ((cp_flags & MM_CP_PROT_NUMA) != 0)
            goto out_fail;
        return 0;
    out_fail:
        return -1;
    }
}
"),
                GO0001(0),
                GO0001(1));

        [Fact]
        public Task AssertsOfTheSameMethod_Swapped_UnlessAnArgumentHasASideEffect()
        {
            var source = With(@"
static class mprotect
{
    static void f(vm_area_struct vma)
    {
        // refcount sane
        VM_BUG_ON(vma.vm_refcnt < 0);
        // must be writable
        VM_BUG_ON({|#0:!may_write(vma)|});
    }

    static void g(vm_area_struct vma)
    {
        VM_BUG_ON_WHAT(vma.vm_refcnt < 0, counter++);
        VM_BUG_ON_WHAT({|#1:!may_write(vma)|}, 1);
    }
}
");
            var fixedSource = With(@"
static class mprotect
{
    static void f(vm_area_struct vma)
    {
        // must be writable
        VM_BUG_ON(!may_write(vma));
        // refcount sane
        VM_BUG_ON(vma.vm_refcnt < 0);
    }

    static void g(vm_area_struct vma)
    {
        VM_BUG_ON_WHAT(vma.vm_refcnt < 0, counter++);
        VM_BUG_ON_WHAT({|GO0001:!may_write(vma)|}, 1);
    }
}
");
            var test = new Verify.Test
            {
                TestCode = source,
                FixedCode = fixedSource,
                CodeActionEquivalenceKey = GO0001MoveSecurityGuardFirstFix.EquivalenceKey,
            };
            test.ExpectedDiagnostics.Add(GO0001(0));
            test.ExpectedDiagnostics.Add(GO0001(1).WithMessage("Security check '!may_write(vma)' should come before 'VM_BUG_ON_WHAT(vma.vm_refcnt < 0, counter++)'; it cannot be moved above 'VM_BUG_ON_WHAT(vma.vm_refcnt < 0, counter++)' without changing the result ('counter++' may have side effects)"));

            // The refused diagnostic stays in the fixed code.
            test.FixedState.MarkupHandling = MarkupMode.Allow;
            return test.RunAsync();
        }

        [Fact]
        public Task LambdaAndLocalFunctionBodies_Moved() =>
            VerifyFixAsync(
                With(@"
static class mprotect
{
    static bool f(vm_area_struct vma)
    {
        Func<vm_area_struct, bool> lambda = v =>
        {
            if (v.vm_refcnt == 0)
                return false;
            if ({|#0:!may_write(v)|})
                return false;
            return true;
        };

        return lambda(vma) && local(vma);

        bool local(vm_area_struct v)
        {
            if (v.vm_refcnt == 0)
                return false;
            if ({|#1:(v.vm_flags & VM_WRITE) == 0|})
                return false;
            return true;
        }
    }
}
"),
                With(@"
static class mprotect
{
    static bool f(vm_area_struct vma)
    {
        Func<vm_area_struct, bool> lambda = v =>
        {
            if (!may_write(v))
                return false;
            if (v.vm_refcnt == 0)
                return false;
            return true;
        };

        return lambda(vma) && local(vma);

        bool local(vm_area_struct v)
        {
            if ((v.vm_flags & VM_WRITE) == 0)
                return false;
            if (v.vm_refcnt == 0)
                return false;
            return true;
        }
    }
}
"),
                GO0001(0),
                GO0001(1));

        [Fact]
        public Task Chains_OperandsReordered_ParenthesesKept() =>
            VerifyFixAsync(
                With(@"
static class mprotect
{
    static bool f(pte_t pte, vm_area_struct vma) => pte_dirty(pte) && !pte_uffd_wp(pte) && {|#0:(vma.vm_flags & VM_WRITE) != 0|};

    static bool g(pte_t pte, vm_area_struct vma, ulong cp_flags)
    {
        if ((cp_flags & MM_CP_PROT_NUMA) != 0 ||
            {|#1:(vma.vm_flags & VM_WRITE) == 0|})
            Console.WriteLine();
        return !pte_dirty(pte) || {|#2:(!may_write(vma) && pte_write(pte))|} || pte_uffd_wp(pte) && vma.vm_refcnt > 0 || {|#3:!vma.IsWritable|};
    }
}
"),
                With(@"
static class mprotect
{
    static bool f(pte_t pte, vm_area_struct vma) => (vma.vm_flags & VM_WRITE) != 0 && pte_dirty(pte) && !pte_uffd_wp(pte);

    static bool g(pte_t pte, vm_area_struct vma, ulong cp_flags)
    {
        if ((vma.vm_flags & VM_WRITE) == 0 ||
            (cp_flags & MM_CP_PROT_NUMA) != 0)
            Console.WriteLine();
        return (!may_write(vma) && pte_write(pte)) || !vma.IsWritable || !pte_dirty(pte) || pte_uffd_wp(pte) && vma.vm_refcnt > 0;
    }
}
"),
                GO0001(0),
                GO0001(1),
                GO0001(2),
                GO0001(3));

        [Theory]
        [InlineData("if (!trylock_page(page)) return false;", "side effect")]
        [InlineData("if (counter++ > 3) return false;", "increment")]
        [InlineData("if (pte_write(pte)) return true;", "different exit")]
        [InlineData("if (vma.vm_refcnt == 0) throw new InvalidOperationException();", "throw vs return")]
        [InlineData("if (pte_dirty(pte)) { Console.WriteLine(); return false; }", "body with a side effect")]
        [InlineData("if (string.IsNullOrEmpty(vma.ToString())) return false;", "metadata-only call")]
        [InlineData("if (vma?.vm_file == null) return false;", "null check of what the security check reads, and of more")]
        [InlineData("if (vma == null || vma.vm_refcnt < 0) return false;", "null check of what the security check reads, and another test")]
        [InlineData("if (vma.vm_refcnt % page.refcount == 0) return false;", "may throw (remainder by a variable)")]
        [InlineData("if (checked(vma.vm_refcnt + 1) > 3) return false;", "may throw (checked arithmetic)")]
        [InlineData("if (new int[] { 1 }[vma.vm_refcnt] == 0) return false;", "may throw (array index)")]
        public Task RefusalCases_NoFixOffered(string crossed, string why)
        {
            _ = why;
            var code = With(@"
static class mprotect
{
    static bool f(page page, pte_t pte, vm_area_struct vma)
    {
        " + crossed + @"
        if ({|#0:(vma.vm_flags & VM_WRITE) == 0|})
            return false;
        return true;
    }
}
");
            return VerifyFixAsync(code, code, GO0001(0));
        }

        [Fact]
        public Task DeclarationUsedByTheSecurityCheck_NoFixOffered()
        {
            var code = With(@"
static class mprotect
{
    static bool f(vm_area_struct vma, ulong cp_flags)
    {
        if ((cp_flags & MM_CP_PROT_NUMA) != 0)
            return false;
        var flags = vma.vm_flags;
        if ({|#0:(flags & VM_WRITE) == 0|})
            return false;
        return true;
    }
}
");
            return VerifyFixAsync(code, code, GO0001(0));
        }

        [Fact]
        public Task ChainWithImpureOperand_NoFixOffered()
        {
            var code = With(@"
static class mprotect
{
    static bool f(page page, vm_area_struct vma) => trylock_page(page) && {|#0:vma.IsWritable|};
}
");
            return VerifyFixAsync(code, code, GO0001(0));
        }

        [Fact]
        public Task FirstSecurityGuardBlocked_LaterOnesStayToo_KeepingTheirOrder()
        {
            var code = With(@"
static class mprotect
{
    static bool f(page page, vm_area_struct vma)
    {
        if (!trylock_page(page))
            return false;
        if ({|#0:(vma.vm_flags & VM_WRITE) == 0|})
            return false;
        if ({|#1:!vma.IsWritable|})
            return false;
        if ({|#2:!may_write(vma)|})
            return false;
        return true;
    }
}
");
            return VerifyFixAsync(
                code,
                code,
                GO0001(0),
                GO0001(1).WithMessage("Security check '!vma.IsWritable' should come before 'if (!trylock_page(page)) return false'; it cannot be moved above 'if (!trylock_page(page)) return false' without changing the result (the security check '(vma.vm_flags & VM_WRITE) == 0' above it cannot be moved first)"),
                GO0001(2).WithMessage("Security check '!may_write(vma)' should come before 'if (!trylock_page(page)) return false'; it cannot be moved above 'if (!trylock_page(page)) return false' without changing the result (the security check '(vma.vm_flags & VM_WRITE) == 0' above it cannot be moved first)"));
        }

        [Theory]
        [InlineData(FixAllScope.Document)]
        [InlineData(FixAllScope.Project)]
        [InlineData(FixAllScope.Solution)]
        public async Task FixAll_EveryScope_FixesEveryDocument(FixAllScope scope)
        {
            const string first = @"
static class mprotect
{
    static bool f(pte_t pte, vm_area_struct vma, ulong cp_flags)
    {
        /* numa */
        if ((cp_flags & MM_CP_PROT_NUMA) != 0)
            return false;
        /* write */
        if ({|#0:(vma.vm_flags & VM_WRITE) == 0|})
            return false;
        /* dirty */
        if (!pte_dirty(pte))
            return false;
        /* helper */
        if ({|#1:!may_write(vma)|})
            return false;
        return pte_dirty(pte) && {|#2:vma.IsWritable|};
    }
}
";
            const string firstFixed = @"
static class mprotect
{
    static bool f(pte_t pte, vm_area_struct vma, ulong cp_flags)
    {
        /* write */
        if ((vma.vm_flags & VM_WRITE) == 0)
            return false;
        /* helper */
        if (!may_write(vma))
            return false;
        /* numa */
        if ((cp_flags & MM_CP_PROT_NUMA) != 0)
            return false;
        /* dirty */
        if (!pte_dirty(pte))
            return false;
        return vma.IsWritable && pte_dirty(pte);
    }
}
";
            const string second = @"
static class memory
{
    static bool g(pte_t pte, vm_area_struct vma)
    {
        if (pte_uffd_wp(pte) || {|#3:!may_write(vma)|})
            return false;
        return true;
    }
}
";
            const string secondFixed = @"
static class memory
{
    static bool g(pte_t pte, vm_area_struct vma)
    {
        if (!may_write(vma) || pte_uffd_wp(pte))
            return false;
        return true;
    }
}
";
            var test = new Verify.Test
            {
                CodeActionEquivalenceKey = GO0001MoveSecurityGuardFirstFix.EquivalenceKey,
            };
            test.TestState.Sources.Add(("/0/mprotect.cs", With(first)));
            test.TestState.Sources.Add(("/0/memory.cs", GO0001Sources.Usings + second));
            test.FixedState.Sources.Add(("/0/mprotect.cs", With(firstFixed)));
            test.FixedState.Sources.Add(("/0/memory.cs", GO0001Sources.Usings + secondFixed));
            test.BatchFixedState.Sources.Add(("/0/mprotect.cs", With(firstFixed)));
            test.BatchFixedState.Sources.Add(("/0/memory.cs", GO0001Sources.Usings + secondFixed));
            test.ExpectedDiagnostics.Add(GO0001(3));
            test.ExpectedDiagnostics.Add(GO0001(0));
            test.ExpectedDiagnostics.Add(GO0001(1));
            test.ExpectedDiagnostics.Add(GO0001(2));
            test.CodeFixTestBehaviors = scope switch
            {
                FixAllScope.Document => CodeFixTestBehaviors.SkipFixAllInProjectCheck | CodeFixTestBehaviors.SkipFixAllInSolutionCheck,
                FixAllScope.Project => CodeFixTestBehaviors.SkipFixAllInDocumentCheck | CodeFixTestBehaviors.SkipFixAllInSolutionCheck,
                _ => CodeFixTestBehaviors.SkipFixAllInDocumentCheck | CodeFixTestBehaviors.SkipFixAllInProjectCheck,
            };
            await test.RunAsync();
        }

        [Fact]
        public async Task StaleFixableProperty_FixRechecksAndOffersNothing()
        {
            // The diagnostic claims the move is safe, but the code says otherwise (a side effect is crossed).
            var source = With(@"
static class mprotect
{
    static bool f(page page, vm_area_struct vma)
    {
        if (!trylock_page(page))
            return false;
        if ((vma.vm_flags & VM_WRITE) == 0)
            return false;
        return true;
    }
}
");
            using var workspace = new AdhocWorkspace();
            var project = workspace.AddProject("Stale", LanguageNames.CSharp)
                .WithMetadataReferences(Basic.Reference.Assemblies.Net100.References.All.Cast<MetadataReference>().Append(Verifiers.TestReferences.Annotations))
                .WithCompilationOptions(new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
            var document = project.AddDocument("Stale.cs", source);
            var text = await document.GetTextAsync();
            var start = text.ToString().IndexOf("(vma.vm_flags & VM_WRITE) == 0", System.StringComparison.Ordinal);
            var span = new TextSpan(start, "(vma.vm_flags & VM_WRITE) == 0".Length);
            var properties = ImmutableDictionary<string, string?>.Empty
                .Add(GO0001SecurityGuardFirstAnalyzer.FixableProperty, "true")
                .Add(GO0001SecurityGuardFirstAnalyzer.KindProperty, GO0001SecurityGuardFirstAnalyzer.GuardKind);
            var tree = await document.GetSyntaxTreeAsync();
            var diagnostic = Diagnostic.Create(Descriptors.GO0001SecurityGuardFirst, Location.Create(tree!, span), properties, "x", "y", "");
            var actions = new List<CodeAction>();
            var context = new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), CancellationToken.None);

            await new GO0001MoveSecurityGuardFirstFix().RegisterCodeFixesAsync(context);

            Assert.Empty(actions);

            // The same document with the side effect gone: now the (re-checked) move is offered.
            var pure = document.WithText(SourceText.From(source.Replace("!trylock_page(page)", "page.locked", System.StringComparison.Ordinal)));
            var pureStart = (await pure.GetTextAsync()).ToString().IndexOf("(vma.vm_flags & VM_WRITE) == 0", System.StringComparison.Ordinal);
            var pureDiagnostic = Diagnostic.Create(Descriptors.GO0001SecurityGuardFirst, Location.Create((await pure.GetSyntaxTreeAsync())!, new TextSpan(pureStart, span.Length)), properties, "x", "y", "");
            await new GO0001MoveSecurityGuardFirstFix().RegisterCodeFixesAsync(new CodeFixContext(pure, pureDiagnostic, (action, _) => actions.Add(action), CancellationToken.None));
            var offered = Assert.Single(actions);
            Assert.Equal(GO0001MoveSecurityGuardFirstFix.Title, offered.Title);
            Assert.Equal(GO0001MoveSecurityGuardFirstFix.EquivalenceKey, offered.EquivalenceKey);
        }

        [Fact]
        public async Task HalfTypedCode_FixIsAskedAndOffersNothing()
        {
            // Diagnostics on code with syntax errors are not fixable; asked for them, the fix must
            // neither throw nor offer a rewrite.
            var source = With(@"
static class mprotect
{
    static bool f(vm_area_struct vma, ulong cp_flags)
    {
        if ((cp_flags & MM_CP_PROT_NUMA) != 0) return false
        if ((vma.vm_flags & VM_WRITE) == 0) return false;
        return true;
    }
}
");
            var diagnostics = await AnalyzerHarness.RunAsync(new GO0001SecurityGuardFirstAnalyzer(), source);
            var go0001 = Assert.Single(diagnostics, d => d.Id == RuleIdentifiers.SecurityGuardFirst);
            Assert.Contains("it is not moved automatically (the code has syntax errors)", go0001.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal("false", go0001.Properties[GO0001SecurityGuardFirstAnalyzer.FixableProperty]);

            using var workspace = new AdhocWorkspace();
            var document = workspace.AddProject("HalfTyped", LanguageNames.CSharp)
                .WithMetadataReferences(Basic.Reference.Assemblies.Net100.References.All.Cast<MetadataReference>().Append(Verifiers.TestReferences.Annotations))
                .WithCompilationOptions(new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary))
                .AddDocument("HalfTyped.cs", source);
            var tree = (await document.GetSyntaxTreeAsync())!;
            var located = Diagnostic.Create(go0001.Descriptor, Location.Create(tree, go0001.Location.SourceSpan), go0001.Properties);
            var actions = new List<CodeAction>();

            await new GO0001MoveSecurityGuardFirstFix().RegisterCodeFixesAsync(new CodeFixContext(document, located, (action, _) => actions.Add(action), CancellationToken.None));

            Assert.Empty(actions);
        }
    }
}
