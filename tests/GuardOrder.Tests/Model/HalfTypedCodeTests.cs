using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading.Tasks;
using GuardOrder.Analyzers;
using GuardOrder.Tests.Verifiers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace GuardOrder.Tests.Model
{
    /// <summary>
    /// The sync rules never throw on half-typed code: every prefix of a predicate + fault-path file
    /// (as an editor sees it while typing) and single-token deletions are analysed without an
    /// analyzer exception.
    /// </summary>
    public class HalfTypedCodeTests
    {
        private static readonly ImmutableArray<DiagnosticAnalyzer> SyncAnalyzers = ImmutableArray.Create<DiagnosticAnalyzer>(
            new GO0002FaultPathSyncAnalyzer(),
            new GO0004LockDisciplineAnalyzer(),
            new GO0005SecurityBypassAnalyzer(),
            new GO0006InvalidAnnotationAnalyzer());

        private static readonly string Source = KernelFixture.With("""
                [MustMatchFaultPath(nameof(do_wp_page))]
                static bool may_avoid_write_fault(pte_t pte, vm_area_struct vma, ulong cp_flags)
                {
                    page page;
                    bool ret = false;
                    if ((vma.vm_flags & VM_WRITE) == 0)
                        return false;
                    if ((cp_flags & MM_CP_DIRTY_ACCT) != 0)
                        return true;
                    page = pte_page(pte);
                    if (!trylock_page(page))
                        return false;
                    if (PageKsm(page))
                        goto unlock_fail;
                    bool exclusive = page_count(page) == 1;
                    if (vma_is_anonymous(vma) && exclusive)
                        ret = true;
                unlock_fail:
                    unlock_page(page);
                    return ret;
                }
            """);

        [Fact]
        public async Task EveryPrefixOfThePredicateIsAnalysedWithoutException()
        {
            var start = Source.LastIndexOf("[MustMatchFaultPath(nameof(do_wp_page))]", Source.IndexOf("static bool may_avoid", StringComparison.Ordinal), StringComparison.Ordinal);
            Assert.True(start > 0);
            for (int length = start; length <= Source.Length; length += 7)
            {
                await AssertNoExceptionAsync(Source.Substring(0, length));
            }
        }

        [Fact]
        public async Task TokenDeletionsAreAnalysedWithoutException()
        {
            var tree = CSharpSyntaxTree.ParseText(Source);
            var tokens = tree.GetRoot().DescendantTokens().Where(t => t.SpanStart > Source.IndexOf("static bool may_avoid", StringComparison.Ordinal)).ToList();
            foreach (var token in tokens)
            {
                await AssertNoExceptionAsync(Source.Remove(token.SpanStart, token.Span.Length));
            }
        }

        [Fact]
        public async Task DoWpPagePrefixesAreAnalysedWithoutException()
        {
            var start = Source.IndexOf("public static int do_wp_page", StringComparison.Ordinal);
            var end = Source.IndexOf("copy:", StringComparison.Ordinal);
            for (int length = start; length <= end; length += 11)
            {
                await AssertNoExceptionAsync(Source.Substring(0, length) + "\n}}\npublic static partial class mm { [MustMatchFaultPath(nameof(do_wp_page))] static bool p(page page) => !PageKsm(page); }");
            }
        }

        private static async Task AssertNoExceptionAsync(string text)
        {
            var compilation = AnalyzerHarness.Compile(new[] { CSharpSyntaxTree.ParseText(text) }, assemblyName: "HalfTyped");
            var run = await AnalyzerHarness.RunAsync(compilation, SyncAnalyzers);
            run.AssertNoAnalyzerException(text);
        }
    }
}
