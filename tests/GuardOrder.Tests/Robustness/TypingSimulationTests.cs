using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using GuardOrder.Robustness.Shared;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using Xunit.Abstractions;

namespace GuardOrder.Tests.Robustness
{
    /// <summary>
    /// Half-typed code must never make a GuardOrder analyzer throw (AD0001) or hang. Every .cs file of
    /// sample-mm (or the generated corpus until the port exists) is analysed as a dense sample of its
    /// prefixes cut at token boundaries, and as 10,000+ seeded mutants (token deletion, duplication,
    /// swap). Many variants share one compilation, one syntax tree each; each variant's namespace is
    /// nested under its original one (Mm.M0 -> Mm.M0.V17) so that variants do not collide with each
    /// other while still seeing the unmodified sources as context.
    /// </summary>
    public sealed class TypingSimulationTests
    {
        private const int Seed = 1630;
        private const int MinimumMutants = 10_000;
        private static readonly TimeSpan BatchTimeout = TimeSpan.FromSeconds(90);
        private readonly ITestOutputHelper _output;

        public TypingSimulationTests(ITestOutputHelper output)
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
        public async Task Ten_thousand_seeded_mutants_never_crash_or_hang()
        {
            var analyzers = RequireAnalyzers();
            var sources = AnalyzerRunner.SampleSources(out var origin);
            var context = ContextTrees(sources);
            var rng = new Random(Seed);
            var parsed = sources.Select(s => (s.Name, s.Text, Root: Parse(s.Text, s.Name).GetRoot())).ToList();
            var variants = new List<string>(MinimumMutants);
            for (var i = 0; i < MinimumMutants; i++)
            {
                var (name, text, root) = parsed[i % parsed.Count];
                variants.Add(Nest(Mutator.Mutate(text, root, rng), i));
            }

            var stats = await AnalyzeAllAsync(analyzers, context, variants, "mutant");
            _output.WriteLine($"{origin}: {variants.Count} mutants, {stats}");
            Assert.True(variants.Count >= MinimumMutants);
        }

        [Fact]
        public void Mutator_is_deterministic_and_changes_the_text()
        {
            var text = "namespace N { static class C { static bool M(int x) { if (x > 1) return false; return x == 0; } static int P => 1; } }";
            var root = Parse(text, "t.cs").GetRoot();
            var a = Enumerable.Range(0, 50).Select(_ => 0).Select((_, i) => Mutator.Mutate(text, root, new Random(i))).ToList();
            var b = Enumerable.Range(0, 50).Select(_ => 0).Select((_, i) => Mutator.Mutate(text, root, new Random(i))).ToList();
            Assert.Equal(a, b);
            Assert.Contains(a, m => m != text);
            Assert.Contains(a, m => m.Contains("throw null!", StringComparison.Ordinal)); // other bodies stubbed
            Assert.Equal("namespace N.V7 { }", Nest("namespace N { }", 7));
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
    /// Seeded token mutations. Most mutants focus on one member: 1-3 edits (delete, duplicate, swap
    /// adjacent tokens) inside it, attributes and signature included, while every other member body is
    /// stubbed to <c>throw null!</c> so that a mutant costs about as much as the member itself. One in ten
    /// mutates the whole file with nothing stubbed.
    /// </summary>
    internal static class Mutator
    {
        public static string Mutate(string text, SyntaxNode root, Random rng)
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
