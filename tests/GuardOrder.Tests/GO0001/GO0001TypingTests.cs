using GuardOrder.Tests.Verifiers;
using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using GuardOrder.Analyzers;
using GuardOrder.CodeFixes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using static GuardOrder.Tests.GO0001.GO0001Sources;

namespace GuardOrder.Tests.GO0001
{
    /// <summary>
    /// Half-typed code, as an editor sees it while someone types: every prefix of the seed's first
    /// rework cut at a token boundary, and seeded token-deletion / duplication mutants. The
    /// analyzer never throws, and wherever it says the fix is offered, asking for the fix (and
    /// computing its change) never throws either.
    /// </summary>
    public class GO0001TypingTests
    {
        [Fact]
        public async Task EveryPrefixAndMutant_NoExceptionFromAnalyzerOrFix()
        {
            var source = With(GO0001AnalyzerTests.SeedFirstRework.Replace("{|#0:", string.Empty, StringComparison.Ordinal).Replace("|}", string.Empty, StringComparison.Ordinal));
            var tokens = CSharpSyntaxTree.ParseText(source).GetRoot().DescendantTokens().ToList();
            var start = source.IndexOf("static bool may_avoid_write_fault", StringComparison.Ordinal);
            var end = source.IndexOf("public sealed class vm_area_struct", StringComparison.Ordinal);
            var inMethod = tokens.Where(t => t.SpanStart >= start && t.Span.End <= end).ToList();

            var variants = new List<string>();
            foreach (var token in inMethod)
            {
                // The prefix up to this token, with the rest of the file (declarations) kept after a gap.
                variants.Add(source.Substring(0, token.Span.End) + "\n" + source.Substring(end));
            }

            var random = new Random(630);
            for (var i = 0; i < 150; i++)
            {
                var victim = inMethod[random.Next(inMethod.Count)];
                var text = random.Next(2) == 0
                    ? source.Remove(victim.SpanStart, victim.Span.Length)
                    : source.Insert(victim.Span.End, " " + victim.Text);
                variants.Add(text);
            }

            var reported = 0;
            foreach (var variant in variants)
            {
                var diagnostics = await AnalyzerHarness.RunAsync(new GO0001SecurityGuardFirstAnalyzer(), variant);
                var crash = diagnostics.FirstOrDefault(d => d.Id == "AD0001");
                Assert.True(crash is null, crash + "\n" + variant);
                foreach (var diagnostic in diagnostics.Where(d => d.Id == RuleIdentifiers.SecurityGuardFirst))
                {
                    reported++;
                    await AskForTheFixAsync(variant, diagnostic);
                }
            }

            Assert.True(reported > 50, "GO0001 was reported only " + reported + " times: the variants do not exercise the rule");
        }

        private static async Task AskForTheFixAsync(string source, Diagnostic diagnostic)
        {
            using var workspace = new AdhocWorkspace();
            var project = workspace.AddProject("Typing", LanguageNames.CSharp)
                .WithMetadataReferences(Basic.Reference.Assemblies.Net100.References.All.Cast<MetadataReference>().Append(Verifiers.TestReferences.Annotations));
            var document = project.AddDocument("Test0.cs", source);
            var tree = (await document.GetSyntaxTreeAsync())!;
            var located = Diagnostic.Create(diagnostic.Descriptor, Location.Create(tree, diagnostic.Location.SourceSpan), diagnostic.Properties);
            var actions = new List<CodeAction>();
            await new GO0001MoveSecurityGuardFirstFix().RegisterCodeFixesAsync(new CodeFixContext(document, located, (a, _) => actions.Add(a), CancellationToken.None));
            foreach (var action in actions)
            {
                await action.GetOperationsAsync(CancellationToken.None);
            }
        }
    }
}
