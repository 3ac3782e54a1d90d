using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using CsCheck;
using GuardOrder.Analyzers;
using GuardOrder.CodeFixes;
using GuardOrder.Tests.Verifiers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace GuardOrder.Tests.Robustness
{
    /// <summary>
    /// The second half of the fix-safety suite: one guard run per CsCheck sample (pure and impure
    /// conditions, conditions that may throw, [SecurityCheck] methods and chains with the security
    /// operand second, different exits, comments), the real analyzer and code-fix provider applied
    /// until nothing is fixable, the fixed TEXT re-parsed and compiled, and both methods run on every
    /// input. Whenever the fix is offered the results (return value, exception type, side-effect
    /// log) are identical, comments survive exactly once, and fixing again changes nothing. A failure
    /// shrinks to the simplest failing guard run.
    /// </summary>
    public sealed partial class FixSafetyTests
    {
        private static readonly string[] OtherConditions =
        {
            "a > 0",
            "b == 1",
            "a + b < 1",
            "(flags & 1UL) != 0",
            "a == b || b < 0",
            "!(a < b)",
            "Pure(a) > 1",
            "Log(a) > 0",          // side effect
            "b / a > 0",           // may throw
            "Pure(b) == a && (flags & 4UL) == 0",
        };

        private static readonly string[] SecurityConditions =
        {
            "(flags & W) == 0",
            "(flags & W) != 0 && a > 0",
            "b > 0 && (flags & W) != 0",   // a chain with the security operand second
            "Writable(flags)",
            "!Writable(flags) || Log(b) > 1",
            "(flags & W) == 0 && 10 / b > 2",
        };

        private static readonly string[] Exits = { "return true;", "return false;", "throw new InvalidOperationException();", "{ return false; }" };

        private const string Header = @"using System;
using System.Collections.Generic;
using GuardOrder;

public static class Subject
{
    [SecurityCheck] public const ulong W = 2;
    [SecurityCheck] public static bool Writable(ulong flags) => (flags & W) != 0;
    public static List<int> Trace = new List<int>();
    public static int Pure(int x) => x * 2 - 1;
    public static int Log(int x) { Trace.Add(x); return x; }

";

        [Fact]
        public async Task Random_guard_runs_fix_keeps_behaviour_comments_and_is_idempotent()
        {
            var offered = 0;
            var refused = 0;
            await Choices.Gen(64).Select(choices => GenerateMethod(choices, 0)).SampleAsync(
                async method =>
                {
                    var source = Header + method + "}\n";
                    var (fixedSource, count, refusedHere) = await FixAllAsync(source);
                    offered += count;
                    refused += refusedHere;
                    if (count == 0)
                    {
                        return;
                    }

                    // Comments survive exactly once each.
                    foreach (var comment in source.Split('\n').Where(l => l.TrimStart().StartsWith("//", StringComparison.Ordinal)).Select(l => l.Trim()))
                    {
                        Assert.True(Occurrences(fixedSource, comment) == Occurrences(source, comment), "Comment lost or duplicated: " + comment + "\n" + fixedSource);
                    }

                    var before = Run(source);
                    var after = Run(fixedSource);
                    if (!before.SequenceEqual(after))
                    {
                        Assert.Fail(
                        "The fix changed behaviour.\nBEFORE:\n" + source + "\nAFTER:\n" + fixedSource + "\nfirst difference: " +
                        before.Zip(after).FirstOrDefault(p => p.First != p.Second));
                    }

                    var (again, secondCount, _) = await FixAllAsync(fixedSource);
                    Assert.True(secondCount == 0 && again == fixedSource, "Fixing twice changed something:\n" + fixedSource + "\n---\n" + again);
                },
                iter: 120,
                threads: 1,
                print: method => "\n" + method);

            // Not vacuous: both outcomes occur often.
            Assert.True(offered >= 20, "only " + offered + " fixes offered");
            Assert.True(refused >= 20, "only " + refused + " refusals");
        }

        private static int Occurrences(string text, string value)
        {
            var count = 0;
            for (var index = text.IndexOf(value, StringComparison.Ordinal); index >= 0; index = text.IndexOf(value, index + value.Length, StringComparison.Ordinal))
            {
                count++;
            }

            return count;
        }

        private static string GenerateMethod(Choices random, int index)
        {
            var builder = new StringBuilder();
            builder.Append("    public static bool M").Append(index).Append("(int a, int b, ulong flags)\n    {\n");
            var guards = random.Next(2, 6);
            var securityPlaced = false;
            for (var g = 0; g < guards; g++)
            {
                var security = (g > 0 && !securityPlaced) ? random.Next(2) == 0 : random.Next(5) == 0;
                securityPlaced |= security;
                var condition = security ? SecurityConditions[random.Next(SecurityConditions.Length)] : OtherConditions[random.Next(OtherConditions.Length)];
                var exit = random.Next(3) == 0 ? Exits[random.Next(Exits.Length)] : "return false;";
                if (random.Next(3) == 0)
                {
                    builder.Append("\n");
                }

                if (random.Next(2) == 0)
                {
                    builder.Append("        // guard ").Append(g).Append(" of M").Append(index).Append('\n');
                }

                if (random.Next(6) == 0)
                {
                    builder.Append("        int local").Append(g).Append(" = a + ").Append(g).Append(";\n");
                }

                builder.Append("        if (").Append(condition).Append(")\n            ").Append(exit).Append('\n');
            }

            builder.Append("        return a >= b;\n    }\n");
            return builder.ToString();
        }

        /// <summary>Applies the real fix (one diagnostic at a time, fresh analysis each time) until nothing fixable is left.</summary>
        private static async Task<(string Text, int Fixed, int Refused)> FixAllAsync(string source)
        {
            using var workspace = new AdhocWorkspace();
            var project = workspace.AddProject("Safety", LanguageNames.CSharp)
                .WithMetadataReferences(References)
                .WithCompilationOptions(new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
            var document = project.AddDocument("Subject.cs", source);
            var fixedCount = 0;
            var refused = 0;
            for (var round = 0; round < 20; round++)
            {
                var compilation = (await document.Project.GetCompilationAsync())!;
                var diagnostics = (await compilation.WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new GO0001SecurityGuardFirstAnalyzer())).GetAnalyzerDiagnosticsAsync())
                    .Where(d => d.Id == RuleIdentifiers.SecurityGuardFirst)
                    .OrderBy(d => d.Location.SourceSpan.Start)
                    .ToList();
                if (round == 0)
                {
                    refused = diagnostics.Count(d => d.Properties[GO0001SecurityGuardFirstAnalyzer.FixableProperty] != "true");
                }

                CodeAction? action = null;
                foreach (var diagnostic in diagnostics)
                {
                    var actions = new List<CodeAction>();
                    await new GO0001MoveSecurityGuardFirstFix().RegisterCodeFixesAsync(new CodeFixContext(document, diagnostic, (a, _) => actions.Add(a), CancellationToken.None));
                    Assert.True(actions.Count == 0 || diagnostic.Properties[GO0001SecurityGuardFirstAnalyzer.FixableProperty] == "true", "fix offered on a diagnostic that says it is not: " + diagnostic);
                    if (actions.Count > 0)
                    {
                        action = actions[0];
                        break;
                    }
                }

                if (action is null)
                {
                    break;
                }

                var operations = await action.GetOperationsAsync(CancellationToken.None);
                var changed = operations.OfType<ApplyChangesOperation>().Single().ChangedSolution.GetDocument(document.Id)!;
                var text = (await changed.GetTextAsync()).ToString();

                // Re-parse the TEXT, not the tree the fix built.
                document = document.WithText(SourceText.From(text));
                fixedCount++;
            }

            return ((await document.GetTextAsync()).ToString(), fixedCount, refused);
        }

        private static readonly ImmutableArray<MetadataReference> References = AnalyzerHarness.References;

        /// <summary>Compiles <paramref name="source"/> and runs every method on every input: "result|trace" per input.</summary>
        private static List<string> Run(string source)
        {
            var compilation = CSharpCompilation.Create(
                "Run" + Guid.NewGuid().ToString("N"),
                new[] { CSharpSyntaxTree.ParseText(source) },
                References,
                new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
            using var stream = new MemoryStream();
            var emit = compilation.Emit(stream);
            Assert.True(emit.Success, "Does not compile:\n" + source + "\n" + string.Join("\n", emit.Diagnostics));
            stream.Position = 0;
            var context = new AssemblyLoadContext("GO0001Safety", isCollectible: true);
            context.Resolving += (ctx, name) => name.Name == "GuardOrder.Annotations" ? ctx.LoadFromAssemblyPath(typeof(SecurityCheckAttribute).Assembly.Location) : null;
            try
            {
                var subject = context.LoadFromStream(stream).GetType("Subject")!;
                var trace = (List<int>)subject.GetField("Trace")!.GetValue(null)!;
                var results = new List<string>();
                foreach (var method in subject.GetMethods(BindingFlags.Public | BindingFlags.Static).Where(m => m.Name.StartsWith("M", StringComparison.Ordinal)).OrderBy(m => m.Name, StringComparer.Ordinal))
                {
                    for (var a = -2; a <= 2; a++)
                    {
                        for (var b = -2; b <= 2; b++)
                        {
                            foreach (var flags in new ulong[] { 0, 1, 2, 3, 4, 6, 7 })
                            {
                                trace.Clear();
                                string result;
                                try
                                {
                                    result = method.Invoke(null, new object[] { a, b, flags })!.ToString()!;
                                }
                                catch (TargetInvocationException e)
                                {
                                    result = e.InnerException!.GetType().Name;
                                }

                                results.Add(method.Name + "(" + a + "," + b + "," + flags + ")=" + result + "|" + string.Join(",", trace));
                            }
                        }
                    }
                }

                return results;
            }
            finally
            {
                context.Unload();
            }
        }
    }
}
