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
using GuardOrder.Analyzers;
using GuardOrder.CodeFixes;
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
    /// The GO0004 and GO0005 fixes as a property (CsCheck). Generated predicates mix plain guards, a
    /// security guard at a random place (bypasses), and a page-lock region taken with a try-lock
    /// guard, a plain lock or an ignored try-lock, with early returns inside it (leaks). Every offered
    /// fix is applied, one at a time, through the real providers: its output compiles, has fewer
    /// diagnostics of that rule, and is STRICTER — compiled and run on every input of the state space
    /// (a, b, c, flags, page initially locked or not), the fixed predicate returns true only where
    /// the original did. When no GO0004 is left, the fixed predicate also never leaves the page locked.
    /// </summary>
    public sealed class SyncFixPropertyTests
    {
        private readonly ITestOutputHelper _output;

        public SyncFixPropertyTests(ITestOutputHelper output)
        {
            _output = output;
        }

        /// <summary>The checker itself can fail: a widened grant and a leaked lock are seen.</summary>
        [Fact]
        public void Checker_sees_a_widened_grant_and_a_leak()
        {
            var narrow = Compile(Prelude + "public static class Case { public static bool M(pg p, bool a, bool b, bool c, int flags) => a; }", "narrow");
            var wide = Compile(Prelude + "public static class Case { public static bool M(pg p, bool a, bool b, bool c, int flags) => a || b; }", "wide");
            var leaky = Compile(Prelude + "public static class Case { public static bool M(pg p, bool a, bool b, bool c, int flags) { L.lockp(p); return a; } }", "leaky");
            Assert.ThrowsAny<Exception>(() => AssertStricter(narrow, wide, "narrow", "wide", checkNoLeak: false));
            Assert.ThrowsAny<Exception>(() => AssertStricter(narrow, leaky, "narrow", "leaky", checkNoLeak: true));
            AssertStricter(wide, narrow, "wide", "narrow", checkNoLeak: true);
        }

        private const string Prelude = """
            using GuardOrder;

            public sealed class pg { public bool locked; }

            public static class L
            {
                [SecurityCheck] public const int WRITE = 2;
                [TryAcquiresLock] public static bool trylock(pg p) { if (p.locked) return false; p.locked = true; return true; }
                [AcquiresLock] public static void lockp(pg p) => p.locked = true;
                [ReleasesLock] public static void unlock(pg p) => p.locked = false;
            }

            """;

        private static readonly string[] Conditions = { "a", "b", "c", "!a", "!b", "!c" };

        private const string Security = "if ((flags & L.WRITE) == 0)\n            return false;";

        private static readonly Gen<string> Guard =
            from v in Gen.Int[0, Conditions.Length - 1]
            from r in Gen.Bool
            select $"if ({Conditions[v]})\n            return {(r ? "true" : "false")};";

        /// <summary>A generated predicate body.</summary>
        internal static readonly Gen<string> Predicate =
            from pre in Guard.Array[0, 2]
            from securityAt in Gen.Int[0, 4]
            from lockKind in Gen.Int[0, 4]
            from inner in Guard.Array[0, 3]
            from final in Gen.Int[0, 3]
            select Build(pre, securityAt, lockKind, inner, final);

        private static string Build(string[] pre, int securityAt, int lockKind, string[] inner, int final)
        {
            var statements = new List<string>(pre);
            statements.Insert(Math.Min(securityAt, statements.Count), "/* security */\n        " + Security);
            if (securityAt > pre.Length + 1)
            {
                statements.RemoveAt(Math.Min(securityAt, pre.Length));
            }

            switch (lockKind)
            {
                case 1:
                    statements.Add("if (!L.trylock(p))\n            return false;");
                    break;
                case 2:
                    statements.Add("L.lockp(p);");
                    break;
                case 3:
                    statements.Add("L.trylock(p);");
                    break;
                case 4:
                    statements.Add("_ = L.trylock(p);");
                    break;
            }

            statements.AddRange(inner.Select(g => "/* inner */ " + g));
            if (lockKind > 0)
            {
                statements.Add("L.unlock(p);");
            }

            if (securityAt > pre.Length + 1)
            {
                statements.Add(Security); // after the lock region: the inner 'return true's bypass it
            }

            statements.Add("return " + new[] { "true", "a", "b", "c" }[final] + ";");
            return Prelude + "public static class Case\n{\n    [MustMatchFaultPath(typeof(Case), nameof(Fault))]\n    public static bool M(pg p, bool a, bool b, bool c, int flags)\n    {\n        "
                + string.Join("\n        ", statements) + "\n    }\n\n    public static int Fault(pg p, bool a, bool b, bool c, int flags) => 0;\n}\n";
        }

        [Fact]
        public async Task Offered_fixes_compile_remove_their_diagnostic_and_never_widen_a_grant()
        {
            var analyzers = ImmutableArray.Create<DiagnosticAnalyzer>(new GO0004LockDisciplineAnalyzer(), new GO0005SecurityBypassAnalyzer());
            var providers = new Dictionary<string, CodeFixProvider>
            {
                ["GO0004"] = new GO0004ReleaseLockFix(),
                ["GO0005"] = new GO0005SecurityGuardFirstOnEveryRouteFix(),
            };
            var applied = new Dictionary<string, int> { ["GO0004"] = 0, ["GO0005"] = 0 };
            var refused = 0;
            await FixedSample.ForEachAsync(
                Predicate,
                120,
                seed: 20210630,
                async source =>
                {
                    var original = Compile(source, "original");
                    var text = source;
                    for (var round = 0; round < 8; round++)
                    {
                        var diagnostics = await AnalyzeAsync(text, analyzers);
                        var offered = diagnostics.Where(d => d.Properties.ContainsKey(GO0004LockRepair.FixProperty) || d.Properties.ContainsKey(GO0005GuardRepair.FixProperty)).ToList();
                        refused += diagnostics.Count(d => d.Properties.ContainsKey(GO0004LockRepair.RefusalProperty));
                        Assert.All(diagnostics, d => Assert.True(
                            d.Properties.ContainsKey(GO0004LockRepair.FixProperty) || d.Properties.ContainsKey(GO0005GuardRepair.FixProperty) || d.Properties.ContainsKey(GO0004LockRepair.RefusalProperty),
                            "neither a fix nor a refusal reason: " + d));
                        string? fixedText = null;
                        Diagnostic? fixedDiagnostic = null;
                        foreach (var diagnostic in offered)
                        {
                            fixedText = await ApplyAsync(providers[diagnostic.Id], text, diagnostic);
                            if (fixedText is not null)
                            {
                                fixedDiagnostic = diagnostic;
                                break;
                            }
                        }

                        if (fixedText is null || fixedDiagnostic is null)
                        {
                            break;
                        }

                        applied[fixedDiagnostic.Id]++;
                        var after = await AnalyzeAsync(fixedText, analyzers);
                        if (fixedDiagnostic.Properties.TryGetValue(GO0004LockRepair.FixProperty, out var kind) && kind == GO0004LockRepair.BranchKind)
                        {
                            // Branching on an ignored try-lock changes only the routes where the lock was not
                            // taken: the leaks of that lock it shows were there on the routes that took it. So
                            // the other GO0004s must decrease, and anything new is a leak of that same lock.
                            static bool Exposed(Diagnostic d) => d.Id == "GO0004" && d.GetMessage().Contains(" is not released", StringComparison.Ordinal);
                            var tryLock = fixedDiagnostic.GetMessage().Split(' ')[0];
                            Assert.True(
                                after.Count(d => d.Id == "GO0004" && !Exposed(d)) < diagnostics.Count(d => d.Id == "GO0004" && !Exposed(d)),
                                $"GO0004 (ignored try-lock) not removed by its fix:\n{text}\n--- fixed:\n{fixedText}");
                            Assert.All(after.Where(Exposed).Except(diagnostics.Where(Exposed), DiagnosticText.Instance), d => Assert.Contains("taken by " + tryLock + " is not released", d.GetMessage(), StringComparison.Ordinal));
                        }
                        else
                        {
                            Assert.True(
                                after.Count(d => d.Id == fixedDiagnostic.Id) < diagnostics.Count(d => d.Id == fixedDiagnostic.Id),
                                $"{fixedDiagnostic.Id} not removed by its fix:\n{text}\n--- fixed:\n{fixedText}");
                        }
                        var fixedAssembly = Compile(fixedText, "fixed");
                        AssertStricter(original, fixedAssembly, source, fixedText, checkNoLeak: !after.Any(d => d.Id == "GO0004"));
                        text = fixedText;
                    }
                });
            _output.WriteLine($"applied GO0004 {applied["GO0004"]}, GO0005 {applied["GO0005"]}; refusals seen {refused}");
            Assert.True(applied["GO0004"] >= 10, $"GO0004 fix applied only {applied["GO0004"]} times");
            Assert.True(applied["GO0005"] >= 10, $"GO0005 fix applied only {applied["GO0005"]} times");
            Assert.True(refused >= 1, "no refusal generated");
        }

        private static async Task<List<Diagnostic>> AnalyzeAsync(string text, ImmutableArray<DiagnosticAnalyzer> analyzers)
        {
            var compilation = GuardOrderAssemblies.CreateCompilation(new[] { CSharpSyntaxTree.ParseText(text, GuardOrderAssemblies.ParseOptions, path: "/cases/Case.cs") });
            var outcome = await AnalyzerRunner.RunAsync(compilation, analyzers, TimeSpan.FromSeconds(60), concurrent: false);
            Assert.Empty(outcome.Failures());
            return outcome.Diagnostics.Where(d => d.Id is "GO0004" or "GO0005").OrderBy(d => d.Location.SourceSpan.Start).ToList();
        }

        private static Task<string?> ApplyAsync(CodeFixProvider provider, string text, Diagnostic diagnostic)
        {
            Assert.Same(provider.GetType(), GuardOrder.Tests.Verifiers.FixHarness.Providers[diagnostic.Id].GetType());
            return GuardOrder.Tests.Verifiers.FixHarness.ApplyAsync(text, diagnostic);
        }

        /// <summary>The text compiled and loaded into its own collectible context (fails when it does not compile).</summary>
        internal static Assembly Compile(string text, string name)
        {
            var compilation = GuardOrderAssemblies.CreateCompilation(new[] { CSharpSyntaxTree.ParseText(text, GuardOrderAssemblies.ParseOptions) }, name + Guid.NewGuid().ToString("N").Substring(0, 6));
            using var pe = new MemoryStream();
            var result = compilation.Emit(pe);
            Assert.True(result.Success, name + " does not compile:\n" + string.Join("\n", result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)) + "\n" + text);
            pe.Position = 0;
            return new AssemblyLoadContext(name, isCollectible: true).LoadFromStream(pe);
        }

        private static void AssertStricter(Assembly original, Assembly fixedAssembly, string originalText, string fixedText, bool checkNoLeak)
        {
            foreach (var a in new[] { false, true })
            foreach (var b in new[] { false, true })
            foreach (var c in new[] { false, true })
            foreach (var flags in new[] { 0, 2 })
            foreach (var locked in new[] { false, true })
            {
                var (was, _) = Run(original, a, b, c, flags, locked);
                var (now, leftLocked) = Run(fixedAssembly, a, b, c, flags, locked);
                Assert.True(!now || was, $"the fix widened a grant at a={a} b={b} c={c} flags={flags} locked={locked}:\n{originalText}\n--- fixed:\n{fixedText}");
                if (checkNoLeak && !locked)
                {
                    Assert.False(leftLocked, $"the fixed predicate leaves the page locked at a={a} b={b} c={c} flags={flags}:\n{fixedText}");
                }
            }
        }

        private static (bool Result, bool LeftLocked) Run(Assembly assembly, bool a, bool b, bool c, int flags, bool locked)
        {
            var pageType = assembly.GetType("pg")!;
            var page = Activator.CreateInstance(pageType)!;
            pageType.GetField("locked")!.SetValue(page, locked);
            var result = (bool)assembly.GetType("Case")!.GetMethod("M")!.Invoke(null, new object[] { page, a, b, c, flags })!;
            return (result, (bool)pageType.GetField("locked")!.GetValue(page)!);
        }
    }

    /// <summary>Diagnostics compared by their message without the route's line numbers (lines move with the fix's edit).</summary>
    internal sealed class DiagnosticText : System.Collections.Generic.IEqualityComparer<Diagnostic>
    {
        public static readonly DiagnosticText Instance = new DiagnosticText();

        public bool Equals(Diagnostic? x, Diagnostic? y) => x?.Id == y?.Id && Text(x) == Text(y);

        public int GetHashCode(Diagnostic obj) => obj.Id.GetHashCode(StringComparison.Ordinal);

        private static string? Text(Diagnostic? d)
        {
            var message = d?.GetMessage();
            var route = message?.IndexOf(" on the route through", StringComparison.Ordinal) ?? -1;
            return route < 0 ? message : message!.Substring(0, route);
        }
    }
}
