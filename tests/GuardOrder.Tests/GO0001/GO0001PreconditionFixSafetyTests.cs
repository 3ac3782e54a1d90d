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
using GuardOrder.Analyzers;
using GuardOrder.CodeFixes;
using GuardOrder.Tests.Verifiers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace GuardOrder.Tests.GO0001
{
    /// <summary>
    /// The fix keeps behaviour when it moves preconditions, as a property: seeded random guard runs
    /// over a reference parameter (<c>box</c>, <c>box.inner</c>) whose security checks dereference it
    /// only after a null test or argument validation somewhere before them (the way correct code is
    /// written), with ordinary guards, side effects, different exits and preconditions interleaved.
    /// The fixed TEXT is compiled and run on every input, null included: same result, same exception
    /// type (NullReferenceException included), same side-effect log.
    /// </summary>
    public class GO0001PreconditionFixSafetyTests
    {
        private const string Header = @"using System;
using System.Collections.Generic;
using GuardOrder;

public sealed class Box
{
    public ulong flags;
    public Box inner;
    public Box(ulong flags, Box inner) { this.flags = flags; this.inner = inner; }
}

public static class Subject
{
    [SecurityCheck] public const ulong W = 2;
    [SecurityCheck] public static bool Writable(Box box) => (box.flags & W) != 0;
    public static List<int> Trace = new List<int>();
    public static int Log(int x) { Trace.Add(x); return x; }

";

        private static readonly string[] OtherConditions =
        {
            "a > 0",
            "b == 1",
            "a == b || b < 0",
            "Log(a) > 0",            // side effect
            "b / a > 0",             // may throw
            "box?.flags == 6UL",     // tests box: blocks a move of what reads box
        };

        private static readonly string[] BoxTests = { "box == null", "box is null", "box is not { }", "!(box != null)", "null == box" };

        private static readonly string[] InnerTests = { "box.inner == null", "box?.inner == null", "box is not { inner: { } }", "box.inner is null" };

        private static readonly string[] Exits = { "return false;", "return false;", "return false;", "return true;", "throw new InvalidOperationException();" };

        [Fact]
        public async Task RandomRunsWithPreconditions_FixOfferedOnlyWhenBehaviourIsKept()
        {
            var random = new Random(20211110);
            var offered = 0;
            var refused = 0;
            var movedAPrecondition = 0;
            for (var i = 0; i < 100; i++)
            {
                var method = GenerateMethod(random, i);
                var source = Header + method + "}\n";
                var (fixedSource, count, refusedHere) = await FixAllAsync(source);
                offered += count;
                refused += refusedHere;
                if (count == 0)
                {
                    continue;
                }

                if (MovedAPrecondition(source, fixedSource))
                {
                    movedAPrecondition++;
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
            }

            // Not vacuous: fixes that move preconditions, and refusals, both occur.
            Assert.True(offered >= 15, "only " + offered + " fixes offered");
            Assert.True(refused >= 15, "only " + refused + " refusals");
            Assert.True(movedAPrecondition >= 5, "only " + movedAPrecondition + " fixes moved a precondition");
        }

        /// <summary>Did a null test of box move up (its line now comes before a line that came before it)?</summary>
        private static bool MovedAPrecondition(string before, string after)
        {
            var lines = before.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("if (", StringComparison.Ordinal)).ToList();
            var fixedLines = after.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("if (", StringComparison.Ordinal)).ToList();
            for (var i = 0; i < lines.Count; i++)
            {
                if ((BoxTests.Any(t => lines[i].Contains(t, StringComparison.Ordinal)) || InnerTests.Any(t => lines[i].Contains(t, StringComparison.Ordinal))) &&
                    fixedLines.IndexOf(lines[i]) < i)
                {
                    return true;
                }
            }

            return false;
        }

        private static string GenerateMethod(Random random, int index)
        {
            var builder = new StringBuilder();
            builder.Append("    public static bool M").Append(index).Append("(int a, int b, ulong flags, Box box)\n    {\n");
            var boxChecked = false;
            var innerChecked = false;
            var guards = random.Next(3, 7);
            for (var g = 0; g < guards; g++)
            {
                string condition;
                var exit = random.Next(3) == 0 ? Exits[random.Next(Exits.Length)] : "return false;";
                switch (random.Next(6))
                {
                    case 0:
                    case 1:
                        condition = OtherConditions[random.Next(OtherConditions.Length)];
                        break;
                    case 2:
                        if (random.Next(4) == 0)
                        {
                            builder.Append(random.Next(2) == 0
                                ? "        ArgumentNullException.ThrowIfNull(box);\n"
                                : "        _ = box ?? throw new ArgumentNullException(nameof(box));\n");
                            boxChecked = true;
                            continue;
                        }

                        condition = BoxTests[random.Next(BoxTests.Length)];
                        boxChecked = true;
                        break;
                    case 3:
                        if (!boxChecked)
                        {
                            condition = BoxTests[random.Next(BoxTests.Length)];
                            boxChecked = true;
                            break;
                        }

                        condition = InnerTests[random.Next(InnerTests.Length)];
                        innerChecked = true;
                        break;
                    default:
                        {
                            // A security check; the null tests it needs come first (the generated code is correct).
                            var pick = random.Next(4);
                            if (pick >= 1 && !boxChecked)
                            {
                                builder.Append("        if (").Append(BoxTests[random.Next(BoxTests.Length)]).Append(")\n            return false;\n");
                                boxChecked = true;
                            }

                            if (pick == 3 && !innerChecked)
                            {
                                builder.Append("        if (").Append(InnerTests[random.Next(InnerTests.Length)]).Append(")\n            return false;\n");
                                innerChecked = true;
                            }

                            condition = pick switch
                            {
                                0 => "(flags & W) == 0",
                                1 => "(box.flags & W) == 0",
                                2 => "!Writable(box)",
                                _ => "(box.inner.flags & W) == 0",
                            };
                            break;
                        }
                }

                if (random.Next(3) == 0)
                {
                    builder.Append("        // guard ").Append(g).Append('\n');
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
                .WithMetadataReferences(AnalyzerHarness.References)
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
                document = document.WithText(SourceText.From((await changed.GetTextAsync()).ToString()));
                fixedCount++;
            }

            return ((await document.GetTextAsync()).ToString(), fixedCount, refused);
        }

        /// <summary>Compiles <paramref name="source"/> and runs every method on every input, null boxes included: "result|trace" per input.</summary>
        private static List<string> Run(string source)
        {
            var compilation = CSharpCompilation.Create(
                "Run" + Guid.NewGuid().ToString("N"),
                new[] { CSharpSyntaxTree.ParseText(source) },
                AnalyzerHarness.References,
                new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
            using var stream = new MemoryStream();
            var emit = compilation.Emit(stream);
            Assert.True(emit.Success, "Does not compile:\n" + source + "\n" + string.Join("\n", emit.Diagnostics));
            stream.Position = 0;
            var context = new AssemblyLoadContext("GO0001PreconditionSafety", isCollectible: true);
            context.Resolving += (ctx, name) => name.Name == "GuardOrder.Annotations" ? ctx.LoadFromAssemblyPath(typeof(SecurityCheckAttribute).Assembly.Location) : null;
            try
            {
                var assembly = context.LoadFromStream(stream);
                var subject = assembly.GetType("Subject")!;
                var boxType = assembly.GetType("Box")!;
                object NewBox(ulong flags, object? inner) => Activator.CreateInstance(boxType, flags, inner)!;
                var boxes = new (string Name, object? Value)[]
                {
                    ("null", null),
                    ("{0,null}", NewBox(0, null)),
                    ("{2,null}", NewBox(2, null)),
                    ("{2,{0}}", NewBox(2, NewBox(0, null))),
                    ("{6,{2}}", NewBox(6, NewBox(2, null))),
                };
                var trace = (List<int>)subject.GetField("Trace")!.GetValue(null)!;
                var results = new List<string>();
                foreach (var method in subject.GetMethods(BindingFlags.Public | BindingFlags.Static).Where(m => m.Name.StartsWith("M", StringComparison.Ordinal)).OrderBy(m => m.Name, StringComparer.Ordinal))
                {
                    for (var a = -1; a <= 1; a++)
                    {
                        for (var b = -1; b <= 1; b++)
                        {
                            foreach (var flags in new ulong[] { 0, 2, 6 })
                            {
                                foreach (var (name, box) in boxes)
                                {
                                    trace.Clear();
                                    string result;
                                    try
                                    {
                                        result = method.Invoke(null, new object?[] { a, b, flags, box })!.ToString()!;
                                    }
                                    catch (TargetInvocationException e)
                                    {
                                        result = e.InnerException!.GetType().Name;
                                    }

                                    results.Add(method.Name + "(" + a + "," + b + "," + flags + "," + name + ")=" + result + "|" + string.Join(",", trace));
                                }
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
