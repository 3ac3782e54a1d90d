using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using CsCheck;
using GuardOrder.Analyzers;
using GuardOrder.CodeFixes;
using GuardOrder.Tests.GO0001;
using GuardOrder.Tests.Model;
using GuardOrder.Tests.Verifiers;
using GuardOrder.Robustness.Shared;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using Xunit.Abstractions;

namespace GuardOrder.Tests.Robustness
{
    /// <summary>
    /// Half-typed code, as an editor sees it while someone types, in one suite: it must never make a
    /// GuardOrder analyzer throw (AD0001) or hang, nor GO0001's fix throw.
    /// <list type="bullet">
    /// <item>Every .cs file of sample-mm as a dense sample of its prefixes cut at token boundaries, and
    /// as 10,000 CsCheck-drawn mutants (token deletion, duplication, swap). Many variants share one
    /// compilation, one syntax tree each; each variant's namespace is nested under its original one
    /// (Mm.M0 -> Mm.M0.V17) so that variants do not collide while still seeing the unmodified
    /// sources as context.</item>
    /// <item>A predicate and a fault path (KernelFixture) cut every few characters and with every
    /// single token deleted, one compilation each.</item>
    /// <item>GO0001's seed method: every token-boundary prefix and CsCheck-drawn mutants, with the fix
    /// asked wherever GO0001 is reported.</item>
    /// </list>
    /// All analyzers are found by reflection (no list to keep). A failing mutant batch shrinks
    /// (see <see cref="Choices"/>) and is written to a temp folder for replay.
    /// </summary>
    [Trait("Category", "Slow")]
    public sealed class HalfTypedCodeTests
    {
        private const int MinimumMutants = 10_000;
        private const int MutantsPerBatch = 500;
        private static readonly TimeSpan BatchTimeout = TimeSpan.FromSeconds(90);
        private readonly ITestOutputHelper _output;

        public HalfTypedCodeTests(ITestOutputHelper output)
        {
            _output = output;
        }

        internal static readonly CSharpParseOptions Options =
            GuardOrderAssemblies.ParseOptions.WithPreprocessorSymbols("AS_POSTED");

        [Fact]
        public async Task Prefixes_cut_at_token_boundaries_never_crash_or_hang()
        {
            var analyzers = RequireAnalyzers();
            var sources = AnalyzerRunner.SampleSources(out var origin);
            var context = ContextTrees(sources);
            var variants = new List<string>();
            var id = 0;
            foreach (var (name, text) in sources)
            {
                var tokens = Parse(text, name).GetRoot().DescendantTokens().ToList();
                // Dense but bounded: about 24 cuts per file, always including the first and last token.
                var step = Math.Max(1, tokens.Count / 24);
                for (var i = 0; i < tokens.Count; i += step)
                {
                    variants.Add(Nest(text.Substring(0, tokens[i].FullSpan.End), id++));
                }

                variants.Add(Nest(text, id++));
            }

            var stats = await AnalyzeAllAsync(analyzers, context, variants, "prefix");
            _output.WriteLine($"{origin}: {variants.Count} prefixes, {stats}");
            Assert.True(variants.Count >= sources.Count * 10, "too few prefixes: " + variants.Count);
        }

        [Fact]
        public async Task Ten_thousand_mutants_never_crash_or_hang()
        {
            var analyzers = RequireAnalyzers();
            var sources = AnalyzerRunner.SampleSources(out var origin);
            var context = ContextTrees(sources);
            var parsed = sources.Select(s => (s.Name, s.Text, Root: Parse(s.Text, s.Name).GetRoot())).ToList();
            var mutants = 0;
            var stats = new List<string>();
            await Gen.Select(Gen.Int[0, parsed.Count - 1], Choices.Gen(Mutator.ChoicesPerMutant)).Array[MutantsPerBatch].SampleAsync(
                async batch =>
                {
                    var variants = batch.Select((m, i) => Nest(Mutator.Mutate(parsed[m.Item1].Text, parsed[m.Item1].Root, m.Item2), i)).ToList();
                    mutants += variants.Count;
                    stats.Add(await AnalyzeAllAsync(analyzers, context, variants, "mutant"));
                },
                iter: MinimumMutants / MutantsPerBatch,
                threads: 1,
                print: batch => batch.Length + " mutants of " + string.Join(", ", batch.Select(m => parsed[m.Item1].Name).Distinct()));

            _output.WriteLine($"{origin}: {mutants} mutants in {stats.Count} batches; first: {stats.FirstOrDefault()}");
            Assert.True(mutants >= MinimumMutants);
        }

        [Fact]
        public void Mutator_is_deterministic_and_changes_the_text()
        {
            var text = "namespace N { static class C { static bool M(int x) { if (x > 1) return false; return x == 0; } static int P => 1; } }";
            var root = Parse(text, "t.cs").GetRoot();
            Choices Fixed(int i) => new Choices(Enumerable.Range(0, Mutator.ChoicesPerMutant).Select(k => (i * 31) + (k * 17) + 1).ToArray());
            var a = Enumerable.Range(0, 50).Select(i => Mutator.Mutate(text, root, Fixed(i))).ToList();
            var b = Enumerable.Range(0, 50).Select(i => Mutator.Mutate(text, root, Fixed(i))).ToList();
            Assert.Equal(a, b);
            Assert.Contains(a, m => m != text);
            Assert.Contains(a, m => m.Contains("throw null!", StringComparison.Ordinal)); // other bodies stubbed
            Assert.Equal("namespace N.V7 { }", Nest("namespace N { }", 7));
            // No decisions at all: the simplest mutant (the whole file, its first token deleted).
            Assert.NotEqual(text, Mutator.Mutate(text, root, new Choices(Array.Empty<int>())));
        }

        private static readonly string KernelSource = KernelFixture.With("""
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
        public async Task Predicate_and_fault_path_prefixes_and_token_deletions_never_crash()
        {
            var analyzers = RequireAnalyzers();
            var source = KernelSource;
            var predicate = source.IndexOf("static bool may_avoid", StringComparison.Ordinal);
            var start = source.LastIndexOf("[MustMatchFaultPath(nameof(do_wp_page))]", predicate, StringComparison.Ordinal);
            Assert.True(start > 0);
            var variants = new List<string>();
            for (int length = start; length <= source.Length; length += 7)
            {
                variants.Add(source.Substring(0, length));
            }

            foreach (var token in CSharpSyntaxTree.ParseText(source).GetRoot().DescendantTokens().Where(t => t.SpanStart > predicate))
            {
                variants.Add(source.Remove(token.SpanStart, token.Span.Length));
            }

            var faultPath = source.IndexOf("public static int do_wp_page", StringComparison.Ordinal);
            var end = source.IndexOf("copy:", StringComparison.Ordinal);
            Assert.True(faultPath > 0 && end > faultPath);
            for (int length = faultPath; length <= end; length += 11)
            {
                variants.Add(source.Substring(0, length) + "\n}}\npublic static partial class mm { [MustMatchFaultPath(nameof(do_wp_page))] static bool p(page page) => !PageKsm(page); }");
            }

            foreach (var text in variants)
            {
                var compilation = AnalyzerHarness.Compile(new[] { CSharpSyntaxTree.ParseText(text) }, assemblyName: "HalfTyped");
                var run = await AnalyzerHarness.RunAsync(compilation, analyzers);
                run.AssertNoAnalyzerException(text);
            }
        }

        [Fact]
        public async Task GO0001_prefixes_and_mutants_analyzer_and_fix_never_throw()
        {
            var source = GO0001Sources.With(GO0001AnalyzerTests.SeedFirstRework.Replace("{|#0:", string.Empty, StringComparison.Ordinal).Replace("|}", string.Empty, StringComparison.Ordinal));
            var tokens = CSharpSyntaxTree.ParseText(source).GetRoot().DescendantTokens().ToList();
            var start = source.IndexOf("static bool may_avoid_write_fault", StringComparison.Ordinal);
            var end = source.IndexOf("public sealed class vm_area_struct", StringComparison.Ordinal);
            var inMethod = tokens.Where(t => t.SpanStart >= start && t.Span.End <= end).ToList();
            Assert.NotEmpty(inMethod);

            var reported = 0;
            foreach (var token in inMethod)
            {
                // The prefix up to this token, with the rest of the file (declarations) kept after a gap.
                reported += await AnalyzeAndAskTheFixAsync(source.Substring(0, token.Span.End) + "\n" + source.Substring(end));
            }

            // One token deleted or duplicated; a failure shrinks towards the first token, deleted.
            await Gen.Select(Gen.Int[0, inMethod.Count - 1], Gen.Bool).SampleAsync(
                async (index, duplicate) =>
                {
                    var victim = inMethod[index];
                    var text = duplicate ? source.Insert(victim.Span.End, " " + victim.Text) : source.Remove(victim.SpanStart, victim.Span.Length);
                    reported += await AnalyzeAndAskTheFixAsync(text);
                },
                iter: 150,
                threads: 1,
                print: m => (m.Item2 ? "duplicate" : "delete") + " token " + m.Item1 + " '" + inMethod[m.Item1].Text + "'");

            Assert.True(reported > 50, "GO0001 was reported only " + reported + " times: the variants do not exercise the rule");
        }

        /// <summary>
        /// GO0002's repair with a new parameter (the predicate has no address; callers in a lambda, a
        /// method and a delegate use): prefixes of the predicate and its callers and single-token
        /// deletions never make the analyzer throw, nor the fix when asked for each GO0002.
        /// </summary>
        [Fact]
        public async Task GO0002_new_parameter_prefixes_and_deletions_analyzer_and_fix_never_throw()
        {
            var source = GuardOrder.Tests.Model.KernelFixture.With(GuardOrder.Tests.GO0002.GO0002FixTests.AddressDomain + """
                    [MustMatchFaultPath(nameof(fault_at))]
                    internal static bool no_addr(pte_t pte, vm_area_struct vma, ulong flags)
                    {
                        if (pte_dirty(pte))
                            return false;
                        return (flags & 1) == 0;
                    }

                    static bool call(pte_t pte, vm_area_struct vma, ulong addr) => no_addr(pte, vma, 0);
                    static readonly System.Func<pte_t, vm_area_struct, ulong, bool> Through = (pte, vma, addr) => mm.no_addr(pte, vma, addr);
                    static readonly System.Func<pte_t, vm_area_struct, ulong, bool> Group = no_addr;
                """);
            var start = source.IndexOf("[MustMatchFaultPath(nameof(fault_at))]", StringComparison.Ordinal);
            Assert.True(start > 0);
            var variants = new List<string>();
            for (int length = start; length <= source.Length; length += 5)
            {
                variants.Add(source.Substring(0, length));
            }

            foreach (var token in CSharpSyntaxTree.ParseText(source).GetRoot().DescendantTokens().Where(t => t.SpanStart >= start))
            {
                variants.Add(source.Remove(token.SpanStart, token.Span.Length));
            }

            var planned = 0;
            foreach (var text in variants)
            {
                var diagnostics = await FixHarness.AnalyzeAsync(text);
                var crash = diagnostics.FirstOrDefault(d => d.Id == "AD0001");
                Assert.True(crash is null, crash + "\n" + text);
                foreach (var diagnostic in diagnostics.Where(d => d.Id == RuleIdentifiers.FaultPathMissingCheck && d.Properties.ContainsKey(GO0002CheckRepair.ChecksProperty)))
                {
                    planned += GO0002CheckRepair.Decode(diagnostic.Properties[GO0002CheckRepair.ChecksProperty])[0].Kind == GO0002CheckRepair.ParameterKind ? 1 : 0;
                    await FixHarness.ApplyAsync(text, diagnostic);
                }
            }

            Assert.True(planned > 10, "a repair with a new parameter was planned only " + planned + " times: the variants do not exercise it");
        }

        /// <summary>GO0001 on <paramref name="variant"/> must not throw; the fix, asked for each diagnostic, neither. Returns the GO0001 count.</summary>
        private static async Task<int> AnalyzeAndAskTheFixAsync(string variant)
        {
            var diagnostics = await AnalyzerHarness.RunAsync(new GO0001SecurityGuardFirstAnalyzer(), variant);
            var crash = diagnostics.FirstOrDefault(d => d.Id == "AD0001");
            Assert.True(crash is null, crash + "\n" + variant);
            var reported = 0;
            foreach (var diagnostic in diagnostics.Where(d => d.Id == RuleIdentifiers.SecurityGuardFirst))
            {
                reported++;
                using var workspace = new AdhocWorkspace();
                var project = workspace.AddProject("Typing", LanguageNames.CSharp)
                    .WithMetadataReferences(Basic.Reference.Assemblies.Net100.References.All.Cast<MetadataReference>().Append(TestReferences.Annotations));
                var document = project.AddDocument("Test0.cs", variant);
                var tree = (await document.GetSyntaxTreeAsync())!;
                var located = Diagnostic.Create(diagnostic.Descriptor, Location.Create(tree, diagnostic.Location.SourceSpan), diagnostic.Properties);
                var actions = new List<CodeAction>();
                await new GO0001MoveSecurityGuardFirstFix().RegisterCodeFixesAsync(new CodeFixContext(document, located, (a, _) => actions.Add(a), CancellationToken.None));
                foreach (var action in actions)
                {
                    await action.GetOperationsAsync(CancellationToken.None);
                }
            }

            return reported;
        }

        internal static ImmutableArray<DiagnosticAnalyzer> RequireAnalyzers()
        {
            var analyzers = GuardOrderAssemblies.CreateAnalyzers();
            Assert.False(analyzers.IsEmpty, "no GuardOrder analyzer found by reflection in GuardOrder.Analyzers (merge go1/sync)");
            return analyzers;
        }

        internal static SyntaxTree Parse(string text, string path) => CSharpSyntaxTree.ParseText(text, Options, path: path);

        /// <summary>The unmodified sources of the default build (as-posted variants excluded) as context.</summary>
        internal static List<SyntaxTree> ContextTrees(List<(string Name, string Text)> sources) =>
            sources.Where(s => !s.Name.Replace('\\', '/').Contains("as-posted/", StringComparison.Ordinal))
                .Select(s => CSharpSyntaxTree.ParseText(s.Text, GuardOrderAssemblies.ParseOptions, path: "context/" + s.Name))
                .ToList();

        /// <summary>Renames the first namespace N of a variant to N.V{id}.</summary>
        internal static string Nest(string text, int id)
        {
            var root = Parse(text, "v.cs").GetRoot();
            var ns = root.DescendantNodes(n => n is CompilationUnitSyntax or BaseNamespaceDeclarationSyntax)
                .OfType<BaseNamespaceDeclarationSyntax>()
                .FirstOrDefault();
            if (ns is null || ns.Name.IsMissing)
            {
                return text;
            }

            return text.Insert(ns.Name.Span.End, ".V" + id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        private async Task<string> AnalyzeAllAsync(ImmutableArray<DiagnosticAnalyzer> analyzers, List<SyntaxTree> context, List<string> variants, string kind)
        {
            var failures = new List<string>();
            var sw = Stopwatch.StartNew();
            var lines = 0L;
            var diagnostics = 0;
            var batchLines = 0;
            var batch = new List<SyntaxTree>();
            var batches = 0;
            async Task Flush()
            {
                if (batch.Count == 0)
                {
                    return;
                }

                batches++;
                var compilation = GuardOrderAssemblies.CreateCompilation(context.Concat(batch), "variants" + batches);
                var outcome = await AnalyzerRunner.RunAsync(compilation, analyzers, BatchTimeout);
                diagnostics += outcome.Diagnostics.Count(d => d.Id.StartsWith("GO", StringComparison.Ordinal));
                var found = outcome.Failures().ToList();
                if (found.Count > 0)
                {
                    failures.Add($"batch {batches} ({batch.Count} {kind}s): " + string.Join("\n", found.Take(5)) + "\n" + Dump(batch, kind, outcome));
                }

                batch.Clear();
                batchLines = 0;
            }

            for (var i = 0; i < variants.Count; i++)
            {
                var tree = CSharpSyntaxTree.ParseText(variants[i], GuardOrderAssemblies.ParseOptions, path: $"{kind}{i}.cs");
                var n = tree.GetText().Lines.Count;
                lines += n;
                batchLines += n;
                batch.Add(tree);
                if (batchLines >= 60_000)
                {
                    await Flush();
                }
            }

            await Flush();
            Assert.True(failures.Count == 0, string.Join("\n\n", failures.Take(3)));
            return $"{lines:N0} lines in {batches} compilations, {diagnostics} GuardOrder diagnostics, {sw.Elapsed.TotalSeconds:F1} s";
        }

        /// <summary>Writes the variants of a failing batch to a temp folder so that the failure can be replayed.</summary>
        private static string Dump(List<SyntaxTree> batch, string kind, RunOutcome outcome)
        {
            var dir = Path.Combine(Path.GetTempPath(), "guardorder-robustness", kind + "-" + Guid.NewGuid().ToString("N").Substring(0, 8));
            Directory.CreateDirectory(dir);
            foreach (var tree in batch)
            {
                File.WriteAllText(Path.Combine(dir, Path.GetFileName(tree.FilePath)), tree.ToString());
            }

            var first = outcome.Diagnostics.FirstOrDefault(d => d.Id == "AD0001");
            return $"variants written to {dir}" + (first is null ? "" : $" (first AD0001 in {first.Location.SourceTree?.FilePath})");
        }
    }

    /// <summary>
    /// Token mutations driven by <see cref="Choices"/> (CsCheck). Most mutants focus on one member: 1-3 edits (delete, duplicate, swap
    /// adjacent tokens) inside it, attributes and signature included, while every other member body is
    /// stubbed to <c>throw null!</c> so that a mutant costs about as much as the member itself. One in ten
    /// mutates the whole file with nothing stubbed.
    /// </summary>
    internal static class Mutator
    {
        /// <summary>Decisions enough for one mutant (it reads at most 9).</summary>
        public const int ChoicesPerMutant = 12;

        public static string Mutate(string text, SyntaxNode root, Choices rng)
        {
            var members = root.DescendantNodes()
                .Where(n => n is BaseMethodDeclarationSyntax or PropertyDeclarationSyntax or IndexerDeclarationSyntax)
                .ToList();
            var wholeFile = members.Count == 0 || rng.Next(10) == 0;
            var target = wholeFile ? root : members[rng.Next(members.Count)];
            var edits = new List<(TextSpan Span, string Text)>();
            if (!wholeFile)
            {
                foreach (var m in members)
                {
                    if (m.FullSpan.OverlapsWith(target.FullSpan) || m.Ancestors().Contains(target) || target.Ancestors().Contains(m))
                    {
                        continue;
                    }

                    foreach (var (span, stub) in Stubs(m))
                    {
                        edits.Add((span, stub));
                    }
                }
            }

            var tokens = target.DescendantTokens().Where(t => t.Span.Length > 0).ToList();
            var used = new HashSet<int>();
            var count = 1 + rng.Next(3);
            for (var k = 0; k < count && tokens.Count > 1; k++)
            {
                var i = rng.Next(tokens.Count - 1);
                if (!used.Add(i) || !used.Add(i + 1))
                {
                    continue;
                }

                var t = tokens[i];
                switch (rng.Next(3))
                {
                    case 0:
                        edits.Add((t.Span, ""));
                        break;
                    case 1:
                        edits.Add((t.Span, t.Text + " " + t.Text));
                        break;
                    default:
                        var u = tokens[i + 1];
                        edits.Add((t.Span, u.Text));
                        edits.Add((u.Span, t.Text));
                        break;
                }
            }

            var sb = new StringBuilder(text);
            foreach (var (span, replacement) in edits.OrderByDescending(e => e.Span.Start))
            {
                sb.Remove(span.Start, span.Length).Insert(span.Start, replacement);
            }

            return sb.ToString();
        }

        /// <summary>The member on one line, every body replaced by <c>throw null!</c>, comments dropped.</summary>
        private static IEnumerable<(TextSpan, string)> Stubs(SyntaxNode member)
        {
            SyntaxNode? compact = member switch
            {
                BaseMethodDeclarationSyntax m when m.Body is not null || m.ExpressionBody is not null =>
                    m.WithBody(null).WithExpressionBody(Throw()).WithSemicolonToken(SyntaxFactory.Token(SyntaxKind.SemicolonToken)),
                PropertyDeclarationSyntax { ExpressionBody: not null } p =>
                    p.WithExpressionBody(Throw()),
                IndexerDeclarationSyntax { ExpressionBody: not null } i =>
                    i.WithExpressionBody(Throw()),
                BasePropertyDeclarationSyntax { AccessorList: { } list } bp when list.Accessors.Any(a => a.Body is not null || a.ExpressionBody is not null) =>
                    bp.WithAccessorList(list.WithAccessors(SyntaxFactory.List(list.Accessors.Select(a =>
                        a.Body is null && a.ExpressionBody is null
                            ? a
                            : a.WithBody(null).WithExpressionBody(Throw()).WithSemicolonToken(SyntaxFactory.Token(SyntaxKind.SemicolonToken)))))),
                _ => null,
            };
            if (compact is not null)
            {
                var line = compact.WithoutTrivia().NormalizeWhitespace(indentation: "", eol: " ").ToFullString();
                yield return (member.FullSpan, "    " + line + "\n");
            }
        }

        private static ArrowExpressionClauseSyntax Throw() =>
            SyntaxFactory.ArrowExpressionClause(SyntaxFactory.ParseExpression("throw null!"));
    }
}
