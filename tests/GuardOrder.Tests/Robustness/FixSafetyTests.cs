using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using System.Threading;
using System.Threading.Tasks;
using CsCheck;
using GuardOrder.Robustness.Shared;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using Xunit.Abstractions;

namespace GuardOrder.Tests.Robustness
{
    /// <summary>
    /// GO0001's fix as a property. For a few hundred generated guard runs: apply the real code-fix
    /// provider through a workspace, re-parse and compile the output text, and run original and fixed
    /// method on every input (a, b in {false, true}; x, y, flags in {-1, 0, 1, 2}), observing the
    /// result (value or exception type) and the side effects (a per-class counter). Whenever the fix is
    /// offered, every input gives the same observation; whenever the reordering it would make changes
    /// some observation (evaluated on a reordering we write ourselves), it is not offered. Applying it
    /// to its own output offers nothing or changes nothing, and comments are kept exactly once.
    /// </summary>
    [Trait("Category", "Slow")]
    public sealed partial class FixSafetyTests
    {
        private const int Cases = 300;
        private const int BatchSize = 30;
        private readonly ITestOutputHelper _output;

        public FixSafetyTests(ITestOutputHelper output)
        {
            _output = output;
        }

        [Fact]
        public void Evaluator_sees_reordering_changes()
        {
            // The evaluator itself must be able to fail: a reordering across a different exit differs.
            const string a = "using System; public static class Case0 { public static int counter; public static bool M(bool a, bool b, int x, int y, int flags) { if (x > 0) return true; if ((flags & 2) == 0) return false; return a; } }";
            const string b = "using System; public static class Case0 { public static int counter; public static bool M(bool a, bool b, int x, int y, int flags) { if ((flags & 2) == 0) return false; if (x > 0) return true; return a; } }";
            var ra = Evaluate(Compile(new[] { a }, "ea"), new[] { 0 }).Single();
            var rb = Evaluate(Compile(new[] { b }, "eb"), new[] { 0 }).Single();
            Assert.NotEqual(ra, rb);
            Assert.Equal(ra, Evaluate(Compile(new[] { a }, "ea2"), new[] { 0 }).Single());
        }

        [Fact]
        public async Task GO0001_fix_keeps_behaviour_and_is_refused_when_reordering_would_not()
        {
            var analyzers = GuardOrderAssemblies.CreateAnalyzers().Where(a => a.SupportedDiagnostics.Any(d => d.Id == "GO0001")).ToImmutableArray();
            Assert.False(analyzers.IsEmpty, "GO0001 analyzer not found");
            var provider = FindFixProvider("GO0001");
            Assert.True(provider is not null, "GO0001 fix provider not found in GuardOrder.CodeFixes");

            // CsCheck draws batches of cases (one compilation per batch keeps it fast) and, on a
            // failure, goes on looking for a smaller failing batch; the message names the cases.
            var totals = new Totals();
            await Choices.Gen(FixSafetyGenerator.ChoicesPerCase).Array[BatchSize].SampleAsync(
                async batch =>
                {
                    var failures = await CheckBatchAsync(FixSafetyGenerator.Generate(batch), analyzers, provider!, totals);
                    Assert.True(failures.Count == 0, failures.Count + " failures:\n\n" + string.Join("\n\n", failures.Take(4)));
                },
                iter: Cases / BatchSize,
                threads: 1);

            _output.WriteLine($"{totals.Cases} cases: GO0001 reported in {totals.Reported}; fix offered {totals.Offered}, refused {totals.Refused} " +
                $"(reordering would change behaviour in {totals.WouldChange}: refused {totals.RefusedCorrectly}; refused although the reordering keeps behaviour: {totals.SameButRefused}).");
            // The generator must exercise both sides of the property.
            Assert.True(totals.Offered >= Cases / 10, $"the fix was offered in only {totals.Offered} of {Cases} cases");
            Assert.True(totals.RefusedCorrectly >= Cases / 20, $"only {totals.RefusedCorrectly} cases where reordering changes behaviour were generated and refused");
        }

        private sealed class Totals
        {
            public int Cases, Reported, Offered, Refused, WouldChange, RefusedCorrectly, SameButRefused;
        }

        private static async Task<List<string>> CheckBatchAsync(List<GuardCase> cases, ImmutableArray<DiagnosticAnalyzer> analyzers, CodeFixProvider provider, Totals totals)
        {
            var indices = cases.Select(c => c.Index).ToArray();
            var originalResults = Evaluate(Compile(cases.Select(c => c.Original), "original"), indices);
            var hypotheticalResults = Evaluate(Compile(cases.Select(c => c.Hypothetical), "hypothetical"), indices);

            using var workspace = new AdhocWorkspace();
            var (solution, docs) = CreateSolution(workspace, cases.Select(c => (c.FileName, c.Original)));
            var diagnostics = await Go0001DiagnosticsAsync(solution, analyzers);

            var failures = new List<string>();
            var fixedTexts = new Dictionary<int, string>();
            int reported = 0, offered = 0, refused = 0, wouldChange = 0, refusedCorrectly = 0, sameButRefused = 0;
            totals.Cases += cases.Count;
            foreach (var c in cases)
            {
                var docId = docs[c.FileName];
                var doc = solution.GetDocument(docId)!;
                var tree = await doc.GetSyntaxTreeAsync();
                var own = diagnostics.Where(d => d.Location.SourceTree?.FilePath == tree!.FilePath).OrderBy(d => d.Location.SourceSpan.Start).ToList();
                var changes = !originalResults[c.Index].SequenceEqual(hypotheticalResults[c.Index]);
                if (changes)
                {
                    wouldChange++;
                }

                if (own.Count == 0)
                {
                    // Not reported means no fix: the refusal side of the property holds trivially.
                    if (c.MustReport)
                    {
                        failures.Add($"{c.ClassName}: no GO0001 reported although a security guard follows another guard in the leading guard run\n{c.Original}");
                    }

                    continue;
                }

                reported++;
                var fixedText = await ApplyFirstFixAsync(provider, doc, own);
                if (fixedText is null)
                {
                    refused++;
                    if (changes)
                    {
                        refusedCorrectly++;
                    }
                    else
                    {
                        sameButRefused++;
                    }

                    continue;
                }

                offered++;
                if (changes)
                {
                    failures.Add($"{c.ClassName}: the fix was offered although moving the security guard changes behaviour " +
                        $"({Difference(originalResults[c.Index], hypotheticalResults[c.Index])})\n{c.Original}");
                }

                fixedTexts[c.Index] = fixedText;
                var before = Comments(c.Original);
                var after = Comments(fixedText);
                if (!before.SequenceEqual(after))
                {
                    failures.Add($"{c.ClassName}: comments changed by the fix\n  before: {string.Join(" | ", before)}\n  after:  {string.Join(" | ", after)}\n--- fixed:\n{fixedText}");
                }
            }

            // Re-parse the OUTPUT TEXT, compile it and compare behaviour on every input.
            if (fixedTexts.Count > 0)
            {
                var fixedAssembly = Compile(fixedTexts.Values, "fixed", failures);
                if (fixedAssembly is not null)
                {
                    var fixedResults = Evaluate(fixedAssembly, fixedTexts.Keys.ToArray());
                    foreach (var (index, text) in fixedTexts)
                    {
                        if (!originalResults[index].SequenceEqual(fixedResults[index]))
                        {
                            failures.Add($"Case{index}: the fixed method behaves differently ({Difference(originalResults[index], fixedResults[index])})\n--- original:\n{cases[index].Original}\n--- fixed:\n{text}");
                        }
                    }
                }

                // Fixing the fixed text again offers nothing or changes nothing.
                var (again, againDocs) = CreateSolution(workspace, fixedTexts.Select(p => ($"Case{p.Key}.cs", p.Value)));
                var againDiagnostics = await Go0001DiagnosticsAsync(again, analyzers);
                foreach (var (index, text) in fixedTexts)
                {
                    var doc = again.GetDocument(againDocs[$"Case{index}.cs"])!;
                    var tree = await doc.GetSyntaxTreeAsync();
                    var own = againDiagnostics.Where(d => d.Location.SourceTree?.FilePath == tree!.FilePath).OrderBy(d => d.Location.SourceSpan.Start).ToList();
                    if (own.Count == 0)
                    {
                        continue;
                    }

                    var twice = await ApplyFirstFixAsync(provider, doc, own);
                    if (twice is not null && twice != text)
                    {
                        failures.Add($"Case{index}: applying the fix to its own output changed the text again\n--- once:\n{text}\n--- twice:\n{twice}");
                    }
                }
            }

            totals.Reported += reported;
            totals.Offered += offered;
            totals.Refused += refused;
            totals.WouldChange += wouldChange;
            totals.RefusedCorrectly += refusedCorrectly;
            totals.SameButRefused += sameButRefused;
            return failures;
        }

        internal static CodeFixProvider? FindFixProvider(string id)
        {
            Assembly assembly;
            try
            {
                assembly = Assembly.Load("GuardOrder.CodeFixes");
            }
            catch (FileNotFoundException)
            {
                return null;
            }

            return GuardOrderAssemblies.InstantiateAll<CodeFixProvider>(assembly, typeof(ExportCodeFixProviderAttribute))
                .FirstOrDefault(p => p.FixableDiagnosticIds.Contains(id));
        }

        private static (Solution Solution, Dictionary<string, DocumentId> Docs) CreateSolution(AdhocWorkspace workspace, IEnumerable<(string Name, string Text)> files)
        {
            var projectId = ProjectId.CreateNewId();
            var solution = workspace.CurrentSolution.AddProject(ProjectInfo.Create(
                projectId,
                VersionStamp.Default,
                "cases" + Guid.NewGuid().ToString("N").Substring(0, 6),
                "Cases",
                LanguageNames.CSharp,
                compilationOptions: new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary),
                parseOptions: GuardOrderAssemblies.ParseOptions,
                metadataReferences: GuardOrderAssemblies.References));
            solution = solution.AddDocument(DocumentId.CreateNewId(projectId), "Flags.cs", SourceText.From(FixSafetyGenerator.FlagsFile), filePath: "/cases/Flags.cs");
            var docs = new Dictionary<string, DocumentId>();
            foreach (var (name, text) in files)
            {
                var id = DocumentId.CreateNewId(projectId);
                solution = solution.AddDocument(id, name, SourceText.From(text), filePath: "/cases/" + name);
                docs[name] = id;
            }

            return (solution, docs);
        }

        private static async Task<ImmutableArray<Diagnostic>> Go0001DiagnosticsAsync(Solution solution, ImmutableArray<DiagnosticAnalyzer> analyzers)
        {
            var compilation = (await solution.Projects.Single().GetCompilationAsync())!;
            var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
            Assert.True(errors.Count == 0, "generated cases do not compile: " + string.Join("\n", errors.Take(5)));
            var outcome = await AnalyzerRunner.RunAsync(compilation, analyzers, TimeSpan.FromSeconds(120));
            Assert.Empty(outcome.Failures());
            return outcome.Diagnostics.Where(d => d.Id == "GO0001").ToImmutableArray();
        }

        /// <summary>Asks the provider for fixes on the method's first GO0001 diagnostic that has one; applies the first action.</summary>
        private static async Task<string?> ApplyFirstFixAsync(CodeFixProvider provider, Document document, List<Diagnostic> diagnostics)
        {
            foreach (var diagnostic in diagnostics)
            {
                var actions = new List<CodeAction>();
                var context = new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), CancellationToken.None);
                await provider.RegisterCodeFixesAsync(context);
                var action = actions.FirstOrDefault();
                while (action is not null && !action.NestedActions.IsDefaultOrEmpty)
                {
                    action = action.NestedActions[0];
                }

                if (action is null)
                {
                    continue;
                }

                var operations = await action.GetOperationsAsync(CancellationToken.None);
                var apply = operations.OfType<ApplyChangesOperation>().Single();
                var changed = apply.ChangedSolution.GetDocument(document.Id)!;
                return (await changed.GetTextAsync()).ToString();
            }

            return null;
        }

        private static List<string> Comments(string text) =>
            CSharpSyntaxTree.ParseText(text, GuardOrderAssemblies.ParseOptions).GetRoot().DescendantTrivia(descendIntoTrivia: true)
                .Where(t => t.IsKind(SyntaxKind.SingleLineCommentTrivia) || t.IsKind(SyntaxKind.MultiLineCommentTrivia))
                .Select(t => string.Join("\n", t.ToString().Split('\n').Select(l => l.Trim())))
                .OrderBy(s => s, StringComparer.Ordinal)
                .ToList();

        private static Assembly Compile(IEnumerable<string> texts, string name) =>
            Compile(texts, name, null) ?? throw new InvalidOperationException(name + " does not compile");

        /// <summary>Parses the texts (as text), compiles them with Flags.cs, emits to memory and loads the image in a collectible context.</summary>
        private static Assembly? Compile(IEnumerable<string> texts, string name, List<string>? failures)
        {
            var trees = texts.Select((t, i) => CSharpSyntaxTree.ParseText(t, GuardOrderAssemblies.ParseOptions, path: $"{name}{i}.cs"))
                .Append(CSharpSyntaxTree.ParseText(FixSafetyGenerator.FlagsFile, GuardOrderAssemblies.ParseOptions, path: "Flags.cs"));
            var compilation = GuardOrderAssemblies.CreateCompilation(trees, name + Guid.NewGuid().ToString("N").Substring(0, 6));
            using var pe = new MemoryStream();
            var result = compilation.Emit(pe);
            if (!result.Success)
            {
                var errors = result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
                var message = $"{name} output does not compile: " + string.Join("\n", errors.Take(5)) +
                    "\n--- in:\n" + errors.First().Location.SourceTree?.ToString();
                if (failures is null)
                {
                    throw new InvalidOperationException(message);
                }

                failures.Add(message);
                return null;
            }

            pe.Position = 0;
            var context = new AssemblyLoadContext(name, isCollectible: true);
            return context.LoadFromStream(pe);
        }

        /// <summary>For each case class: one observation per input assignment ("result/counter").</summary>
        private static Dictionary<int, string[]> Evaluate(Assembly assembly, int[] indices)
        {
            var results = new Dictionary<int, string[]>();
            foreach (var index in indices)
            {
                var type = assembly.GetType("Case" + index)!;
                var method = type.GetMethod("M")!;
                var counter = type.GetField("counter")!;
                var observations = new List<string>();
                foreach (var a in new[] { false, true })
                foreach (var b in new[] { false, true })
                foreach (var x in FixSafetyGenerator.IntDomain)
                foreach (var y in FixSafetyGenerator.IntDomain)
                foreach (var flags in FixSafetyGenerator.IntDomain)
                {
                    counter.SetValue(null, 0);
                    string outcome;
                    try
                    {
                        outcome = ((bool)method.Invoke(null, new object[] { a, b, x, y, flags })!).ToString();
                    }
                    catch (TargetInvocationException e)
                    {
                        outcome = e.InnerException!.GetType().Name;
                    }

                    observations.Add($"M({a},{b},{x},{y},{flags})={outcome}/counter={counter.GetValue(null)}");
                }

                results[index] = observations.ToArray();
            }

            return results;
        }

        private static string Difference(string[] a, string[] b)
        {
            for (var i = 0; i < a.Length; i++)
            {
                if (a[i] != b[i])
                {
                    return a[i] + " vs " + b[i];
                }
            }

            return "same";
        }
    }
}
