using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using System.Threading.Tasks;
using CsCheck;
using GuardOrder.Analyzers;
using GuardOrder.Robustness.Shared;
using GuardOrder.Tests.Model;
using GuardOrder.Tests.Verifiers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit.Abstractions;

namespace GuardOrder.Tests.Robustness
{
    /// <summary>
    /// Every sync fix (GO0002–GO0005) as one property, over three domains: generated predicates against
    /// the do_wp_page-shaped fault path of <see cref="KernelFixture"/>, against the cache's <c>Update</c>
    /// (the second domain of <c>Sync/SecondDomainTests</c>), and against sample-mm's own
    /// <c>memory.do_wp_page</c> (<see cref="SampleMm"/>: the predicate is a class of the port, analysed and
    /// fixed with all of sample-mm's files, and run on pages, ptes and VMAs made through the port's API),
    /// with random missing checks, checks before or after the lock, the lock taken by a try-lock guard, a
    /// blocking lock or an ignored try-lock, exits inside it that leak it, and early <c>return true</c>s that
    /// bypass the security check. The fixes are applied one at a time, as offered, through the real
    /// providers, until none is offered. Each fixed text compiles, has fewer diagnostics of the fixed rule,
    /// and is STRICTER: compiled and run on every input of the domain's state space, it returns true only
    /// where the original did (and throws only where the original threw). When no GO0004 is left it never
    /// leaves the lock taken. At the end a GO0002–GO0005 left on the method carries a fixRefusal, or was
    /// offered and declined by its provider (counted and printed, with the refusal reasons met on the way).
    /// In the sample-mm domain GO0003's fix is never offered: the port's page-state reads are not pure
    /// (see the assertion at the end).
    /// </summary>
    [Trait("Category", "Slow")]
    public sealed partial class SyncFixStricterPropertyTests
    {
        private readonly ITestOutputHelper _output;

        public SyncFixStricterPropertyTests(ITestOutputHelper output)
        {
            _output = output;
        }

        /// <summary>One fault path, the predicate's vocabulary and how to run it.</summary>
        internal abstract class Domain
        {
            public abstract string Name { get; }

            public abstract Gen<string> Predicate { get; }

            /// <summary>Fresh arguments for one input of the state space (a new state per call), and the object whose lock a leak would leave taken.</summary>
            public abstract IEnumerable<Func<(object?[] Arguments, Func<bool> LeftLocked)>> Inputs(Assembly assembly);

            public abstract MethodInfo Method(Assembly assembly);

            /// <summary>Generated predicates per run.</summary>
            public virtual int Iterations => 60;

            /// <summary>Files the predicate's file is analysed, fixed and compiled with (none: the predicate's file stands alone).</summary>
            public virtual IReadOnlyList<SyntaxTree> Companions => Array.Empty<SyntaxTree>();

            /// <summary>The predicate's file (with the companions and whatever the inputs need) compiled and loaded.</summary>
            public virtual Assembly Compile(string text, string name) => SyncFixPropertyTests.Compile(text, name);

            protected static object New(Assembly assembly, string type, params (string Field, object? Value)[] fields)
            {
                var t = assembly.GetType(type) ?? throw new InvalidOperationException("no type " + type);
                var instance = Activator.CreateInstance(t)!;
                foreach (var (field, value) in fields)
                {
                    t.GetField(field)!.SetValue(instance, value);
                }

                return instance;
            }

            protected static Gen<string[]> Subset(params string[] items) =>
                Gen.Bool.Array[items.Length].Select(picks => items.Where((_, i) => picks[i]).ToArray());

            protected static Gen<string[]> Shuffled(string[] items) =>
                Gen.Int[0, 1000].Array[items.Length].Select(keys => items.Zip(keys, (item, key) => (item, key)).OrderBy(p => p.key).Select(p => p.item).ToArray());
        }

        /// <summary>The mm kernel of the fixture: pte, vma, the page vm_normal_page returns.</summary>
        internal sealed class Kernel : Domain
        {
            public override string Name => "do_wp_page";

            private static readonly string[] Securities =
            {
                "if ((vma.vm_flags & VM_WRITE) == 0) return false;",
                "if (!(pte_dirty(pte) && (vma.vm_flags & VM_WRITE) != 0)) return false;", // the posted patch's form
            };

            private const string Bypass = "if ((vma.vm_flags & VM_SHARED) != 0) return true;";

            public override Gen<string> Predicate =>
                from early in Subset("if (userfaultfd_pte_wp(vma, pte)) return false;", "if (!pte_dirty(pte)) return false;")
                from pageChecks in Subset("if (!PageAnon(page)) return false;", "if (PageKsm(page)) return false;", "if (page_count(page) != 1) return false;", "if (page_mapcount(page) != 1) return false;")
                from order in Shuffled(pageChecks)
                from lockKind in Gen.Int[0, 5]
                from inner in Subset("PageKsm(page)", "page_count(page) != 1", "page_mapcount(page) != 1")
                from securityAt in Gen.Int[0, 6]
                from bypass in Gen.Int[0, 8]
                from final in Gen.Int[0, 2]
                from security in Gen.Int[0, 1]
                select Build(early, order, lockKind, inner, securityAt, bypass, final, Securities[security]);

            private static string Build(string[] early, string[] pageChecks, int lockKind, string[] inner, int securityAt, int bypass, int final, string security)
            {
                var statements = new List<string>(early) { "page? page = vm_normal_page(vma, pte);", "if (page == null) return false;" };
                statements.AddRange(pageChecks);
                statements.AddRange(LockRegion(lockKind, inner, "trylock_page(page)", "lock_page(page)", "unlock_page(page)"));
                var at = Math.Min(securityAt, statements.Count);
                statements.Insert(at, security);
                if (bypass < at)
                {
                    statements.Insert(bypass, Bypass); // an early 'return true' before the security check
                }

                statements.Add("return " + new[] { "true", "page_count(page) == 1", "!PageKsm(page)" }[final] + ";");
                return KernelFixture.With("    [MustMatchFaultPath(nameof(do_wp_page))]\n    static bool M(pte_t pte, vm_area_struct vma)\n    {\n        " + string.Join("\n        ", statements) + "\n    }\n");
            }

            public override MethodInfo Method(Assembly assembly) =>
                assembly.GetType("mm")!.GetMethod("M", BindingFlags.NonPublic | BindingFlags.Static)!;

            public override IEnumerable<Func<(object?[] Arguments, Func<bool> LeftLocked)>> Inputs(Assembly assembly)
            {
                var pages = new List<(int, int, bool, bool, bool)?> { null };
                foreach (var refcount in new[] { 1, 2 })
                foreach (var mapcount in new[] { 1, 2 })
                foreach (var anon in new[] { false, true })
                foreach (var ksm in new[] { false, true })
                foreach (var locked in new[] { false, true })
                {
                    pages.Add((refcount, mapcount, anon, ksm, locked));
                }

                foreach (var pageState in pages)
                foreach (var dirty in new[] { false, true })
                foreach (var uffd in new[] { false, true })
                foreach (var flags in new ulong[] { 0, 0x2, 0x8, 0xA, 0x1000, 0x1002, 0x100A })
                {
                    yield return () =>
                    {
                        object? page = pageState is { } s ? New(assembly, "page", ("refcount", s.Item1), ("mapcount", s.Item2), ("anon", s.Item3), ("ksm", s.Item4), ("locked", s.Item5)) : null;
                        var pte = New(assembly, "pte_t", ("dirty", dirty), ("uffd_wp", uffd), ("pg", page));
                        var vma = New(assembly, "vm_area_struct", ("vm_flags", flags));
                        var wasLocked = pageState?.Item5 ?? true;
                        return (new[] { pte, vma }, () => !wasLocked && (bool)page!.GetType().GetField("locked")!.GetValue(page)!);
                    };
                }
            }
        }

        /// <summary>The second domain: a cache entry updated in place under its shard's lock.</summary>
        internal sealed class Cache : Domain
        {
            public override string Name => "Cache.Update";

            /// <summary>The cache of Sync/SecondDomainTests, with a blocking lock too.</summary>
            private const string Prelude = GuardOrder.Tests.Sync.SecondDomainTests.Cache + "    [AcquiresLock] public static void LockShard(Shard shard) => shard.Locked = true;\n}\n\n";

            private const string Security = "if (!MayWrite(user)) return false;";
            private const string Bypass = "if (entry.Pins == 0) return true;";

            public override Gen<string> Predicate =>
                from checks in Subset("if (entry.Frozen) return false;", "if (entry.IsStale) return false;", "if (entry.Pins != 0) return false;")
                from order in Shuffled(checks)
                from lockKind in Gen.Int[0, 5]
                from inner in Subset("entry.IsStale", "entry.Pins != 0", "entry.Frozen")
                from securityAt in Gen.Int[0, 5]
                from bypass in Gen.Int[1, 6]
                from final in Gen.Int[0, 2]
                select Build(order, lockKind, inner, securityAt, bypass, final);

            private static string Build(string[] checks, int lockKind, string[] inner, int securityAt, int bypass, int final)
            {
                var statements = new List<string> { "if (entry is null) return false;" };
                statements.AddRange(checks);
                statements.AddRange(LockRegion(lockKind, inner, "TryLockShard(shard)", "LockShard(shard)", "UnlockShard(shard)"));
                var at = Math.Min(securityAt, statements.Count);
                statements.Insert(at, Security);
                if (bypass < at)
                {
                    statements.Insert(bypass, Bypass); // after the null test, before the security check
                }

                statements.Add("return " + new[] { "true", "entry.Pins == 0", "!entry.IsStale" }[final] + ";");
                return Prelude + "public static partial class Cache\n{\n    [MustMatchFaultPath(nameof(Update))]\n    static bool M(User user, Entry? entry, Shard shard)\n    {\n        "
                    + string.Join("\n        ", statements) + "\n    }\n}\n";
            }

            /// <summary>A method M of the domain with <paramref name="body"/> (for checking the checker).</summary>
            public string Sample(string body) => Prelude + "public static partial class Cache\n{\n    static bool M(User user, Entry? entry, Shard shard)\n    {\n        " + body + "\n    }\n}\n";

            public override MethodInfo Method(Assembly assembly) =>
                assembly.GetType("Cache")!.GetMethod("M", BindingFlags.NonPublic | BindingFlags.Static)!;

            public override IEnumerable<Func<(object?[] Arguments, Func<bool> LeftLocked)>> Inputs(Assembly assembly)
            {
                var entries = new List<(bool, int, bool)?> { null };
                foreach (var stale in new[] { false, true })
                foreach (var pins in new[] { 0, 1 })
                foreach (var frozen in new[] { false, true })
                {
                    entries.Add((stale, pins, frozen));
                }

                foreach (var canWrite in new[] { false, true })
                foreach (var entryState in entries)
                foreach (var locked in new[] { false, true })
                {
                    yield return () =>
                    {
                        var user = New(assembly, "User", ("CanWrite", canWrite));
                        object? entry = entryState is { } e ? New(assembly, "Entry", ("IsStale", e.Item1), ("Pins", e.Item2), ("Frozen", e.Item3)) : null;
                        var shard = New(assembly, "Shard", ("Locked", locked));
                        return (new[] { user, entry, shard }, () => !locked && (bool)shard.GetType().GetField("Locked")!.GetValue(shard)!);
                    };
                }
            }
        }

        /// <summary>The lock region: none, a try-lock guard (inner exits release), the same with leaking exits, an ignored try-lock, a blocking lock, a try/finally with an exit before the try.</summary>
        private static IEnumerable<string> LockRegion(int kind, string[] inner, string tryLock, string blockingLock, string release)
        {
            if (kind == 0)
            {
                yield break;
            }

            if (kind == 5)
            {
                // try/finally idiom, with the first check's exit before the try (a leak the fix wraps).
                yield return "if (!" + tryLock + ") return false;";
                var body = inner.Select(check => "if (" + check + ") return false;").ToList();
                if (body.Count > 0)
                {
                    yield return body[0];
                    body.RemoveAt(0);
                }

                yield return "try { " + string.Join(" ", body) + " } finally { " + release + "; }";
                yield break;
            }

            yield return kind switch
            {
                1 or 2 => "if (!" + tryLock + ") return false;",
                3 => tryLock + ";",
                _ => blockingLock + ";",
            };
            foreach (var check in inner)
            {
                yield return kind == 2 ? "if (" + check + ") return false;" : "if (" + check + ") { " + release + "; return false; }";
            }

            yield return release + ";";
        }

        public static IEnumerable<object[]> Domains() => new[] { new object[] { "kernel" }, new object[] { "cache" }, new object[] { "sample-mm" } };

        [Theory]
        [MemberData(nameof(Domains))]
        public async Task Every_offered_sync_fix_compiles_removes_its_diagnostic_and_never_widens_a_grant(string name)
        {
            Domain domain = name switch { "kernel" => new Kernel(), "cache" => new Cache(), _ => new SampleMm() };
            var applied = new Dictionary<string, int> { ["GO0002"] = 0, ["GO0003"] = 0, ["GO0004"] = 0, ["GO0005"] = 0 };
            var refused = new Dictionary<string, int> { ["GO0002"] = 0, ["GO0003"] = 0, ["GO0004"] = 0, ["GO0005"] = 0 };
            var reportedIn = new Dictionary<string, int> { ["GO0002"] = 0, ["GO0003"] = 0, ["GO0004"] = 0, ["GO0005"] = 0 };
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var declined = new Dictionary<string, int>();
            var clean = 0;
            var cases = 0;
            var wrapped = 0;
            string? firstDeclined = null;
            string? firstRefused = null;
            var reasons = new Dictionary<string, int>();
            await FixedSample.ForEachAsync(
                domain.Predicate,
                domain.Iterations,
                seed: 20210630,
                async source =>
                {
                    cases++;
                    var original = domain.Compile(source, "original");
                    var text = source;
                    List<Diagnostic>? next = null;
                    var rulesSeen = new HashSet<string>();
                    var refusalsSeen = new HashSet<string>();
                    List<Diagnostic> diagnostics;
                    for (var round = 0; ; round++)
                    {
                        Assert.True(round < 12, "fixes keep being offered:\n" + text);
                        diagnostics = next ?? await FixHarness.AnalyzeAsync(text, domain.Companions); // a fixed text was analysed as 'after'
                        rulesSeen.UnionWith(diagnostics.Select(d => d.Id));
                        refusalsSeen.UnionWith(diagnostics.Where(d => d.Properties.ContainsKey(GO0004LockRepair.RefusalProperty)).Select(d => d.Id + ": " + d.Properties[GO0004LockRepair.RefusalProperty]));

                        Assert.All(diagnostics, d => Assert.True(
                            Offered(d) || d.Properties.ContainsKey(GO0004LockRepair.RefusalProperty),
                            "neither a fix nor a refusal reason: " + d + "\n" + text));
                        string? fixedText = null;
                        Diagnostic? fixedDiagnostic = null;
                        // Half the cases fix in source order, half security first, then locks, then the checks.
                        var order = cases % 2 == 0
                            ? diagnostics.Where(Offered)
                            : diagnostics.Where(Offered).OrderBy(d => Array.IndexOf(Priority, d.Id));
                        foreach (var diagnostic in order)
                        {
                            fixedText = await FixHarness.ApplyAsync(text, diagnostic, domain.Companions);
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
                        if (fixedDiagnostic.Properties.TryGetValue(GO0004LockRepair.FixProperty, out var repairKind) && repairKind == GO0004LockRepair.WrapKind)
                        {
                            wrapped++;
                        }

                        var after = await FixHarness.AnalyzeAsync(fixedText, domain.Companions);
                        Assert.True(
                            after.Count(d => d.Id == fixedDiagnostic.Id) < diagnostics.Count(d => d.Id == fixedDiagnostic.Id),
                            $"{fixedDiagnostic.Id} not removed by its fix:\n{text}\n--- fixed:\n{fixedText}");
                        AssertStricter(domain, original, domain.Compile(fixedText, "fixed"), source, fixedText, checkNoLeak: !after.Any(d => d.Id == "GO0004"));
                        text = fixedText;
                        next = after;
                    }

                    // Left: refused by the analyzer (fixRefusal), or offered and then declined by the provider, whose
                    // check of the edited method (it compiles, no new GO0004) is stricter than the analyzer's plan.
                    foreach (var d in diagnostics.Where(d => d.Properties.ContainsKey(GO0004LockRepair.RefusalProperty)))
                    {
                        refused[d.Id]++;
                        firstRefused ??= d + "\n" + text.Substring(text.LastIndexOf("static bool M(", StringComparison.Ordinal));
                    }

                    foreach (var d in diagnostics.Where(Offered))
                    {
                        declined[d.Id] = declined.TryGetValue(d.Id, out var n) ? n + 1 : 1;
                        firstDeclined ??= d + "\n" + text.Substring(text.LastIndexOf("static bool M(", StringComparison.Ordinal));
                    }
                    if (diagnostics.Count == 0)
                    {
                        clean++;
                    }

                    foreach (var id in rulesSeen)
                    {
                        reportedIn[id]++;
                    }

                    foreach (var reason in refusalsSeen)
                    {
                        reasons[reason] = reasons.TryGetValue(reason, out var n) ? n + 1 : 1;
                    }
                });
            _output.WriteLine($"{domain.Name}: {cases} predicates in {watch.Elapsed.TotalSeconds:F0} s, {clean} left with no GO0002-GO0005; reported on {string.Join(", ", reportedIn.Select(p => p.Key + " " + p.Value))} predicates; fixes applied {string.Join(", ", applied.Select(p => p.Key + " " + p.Value))} (GO0004 try/finally wraps {wrapped}); refusals left {string.Join(", ", refused.Select(p => p.Key + " " + p.Value))}; offered but declined by the provider {string.Join(", ", declined.Select(p => p.Key + " " + p.Value))}");
            foreach (var reason in reasons.OrderByDescending(p => p.Value))
            {
                _output.WriteLine($"  refused on {reason.Value} predicates (in some round), {reason.Key}");
            }

            if (firstRefused is not null)
            {
                _output.WriteLine("first refused:\n" + firstRefused);
            }

            if (firstDeclined is not null)
            {
                _output.WriteLine("first declined:\n" + firstDeclined);
            }

            Assert.True(clean >= cases / 2, $"only {clean} of {cases} predicates ended with no sync diagnostic");
            if (domain is SampleMm)
            {
                // Fewer predicates (each is analysed with all of sample-mm): at least one applied fix per rule.
                Assert.True(applied["GO0002"] >= 1, $"GO0002 fix applied only {applied["GO0002"]} times");
                Assert.True(applied["GO0004"] >= 1, $"GO0004 fix applied only {applied["GO0004"]} times");
                Assert.True(applied["GO0005"] >= 1, $"GO0005 fix applied only {applied["GO0005"]} times");

                // The port's PageKsm(), page_count() and page_mapcount() call smp.before_page_state_read(), which
                // may run the other CPUs' callback: not pure, but [FaultPathCheck] reads, which the fault path
                // itself makes again under the lock, so "Re-check under the lock" repeats them.
                Assert.True(reportedIn["GO0003"] >= 1, "GO0003 was never reported");
                Assert.True(applied["GO0003"] >= 1, $"GO0003 fix applied only {applied["GO0003"]} times");
                return;
            }

            Assert.True(applied["GO0002"] >= 5, $"GO0002 fix applied only {applied["GO0002"]} times");
            Assert.True(applied["GO0004"] >= 5, $"GO0004 fix applied only {applied["GO0004"]} times");
            Assert.True(applied["GO0005"] >= 5, $"GO0005 fix applied only {applied["GO0005"]} times");
            if (name == "kernel")
            {
                Assert.True(applied["GO0003"] >= 5, $"GO0003 fix applied only {applied["GO0003"]} times");
            }

            Assert.True(wrapped >= 1, "the GO0004 try/finally wrap was never applied");
        }

        private static readonly string[] Priority = { "GO0005", "GO0004", "GO0003", "GO0002" };

        private static bool Offered(Diagnostic d) =>
            d.Properties.ContainsKey(GO0002CheckRepair.ChecksProperty) || d.Properties.ContainsKey(GO0003RecheckRepair.LockProperty) ||
            d.Properties.ContainsKey(GO0004LockRepair.FixProperty) || d.Properties.ContainsKey(GO0005GuardRepair.FixProperty);

        /// <summary>The checker itself can fail: a widened grant and a leak are seen in every domain, and in sample-mm a new exception.</summary>
        [Fact]
        public void Checker_sees_a_widened_grant_and_a_leak()
        {
            var kernel = new Kernel();
            string K(string body) => KernelFixture.With("    static bool M(pte_t pte, vm_area_struct vma)\n    {\n        " + body + "\n    }\n");
            var narrow = Compile(K("return pte_dirty(pte);"), "narrow");
            var wide = Compile(K("return true;"), "wide");
            var leaky = Compile(K("if (pte.pg == null) return false; lock_page(pte.pg); return pte_dirty(pte);"), "leaky");
            Assert.ThrowsAny<Exception>(() => AssertStricter(kernel, narrow, wide, "narrow", "wide", checkNoLeak: false));
            Assert.ThrowsAny<Exception>(() => AssertStricter(kernel, narrow, leaky, "narrow", "leaky", checkNoLeak: true));
            AssertStricter(kernel, wide, narrow, "wide", "narrow", checkNoLeak: true);

            var cache = new Cache();
            var cacheNarrow = Compile(new Cache().Sample("return false;"), "cacheNarrow");
            var cacheWide = Compile(new Cache().Sample("return entry != null;"), "cacheWide");
            Assert.ThrowsAny<Exception>(() => AssertStricter(cache, cacheNarrow, cacheWide, "narrow", "wide", checkNoLeak: false));

            // sample-mm: the port's own page lock state, on pages made through its API.
            var port = new SampleMm();
            var portNarrow = port.Compile(port.Sample("return false;"), "portNarrow");
            var portWide = port.Compile(port.Sample("return vm_normal_page(vma, addr, pte) is not null;"), "portWide");
            var portLeaky = port.Compile(port.Sample("page? page = vm_normal_page(vma, addr, pte); if (page is null) return false; lock_page(page); return false;"), "portLeaky");
            var portThrows = port.Compile(port.Sample("page? page = vm_normal_page(vma, addr, pte); if (page is null) return false; unlock_page(page); return false;"), "portThrows");
            Assert.ThrowsAny<Exception>(() => AssertStricter(port, portNarrow, portWide, "narrow", "wide", checkNoLeak: false));
            Assert.ThrowsAny<Exception>(() => AssertStricter(port, portNarrow, portLeaky, "narrow", "leaky", checkNoLeak: true));
            Assert.ThrowsAny<Exception>(() => AssertStricter(port, portNarrow, portThrows, "narrow", "unlocks a page nobody locked (VM_BUG_ON_PAGE)", checkNoLeak: false));
            AssertStricter(port, portWide, portNarrow, "wide", "narrow", checkNoLeak: true);
        }

        private static Assembly Compile(string text, string name) => SyncFixPropertyTests.Compile(text, name);

        private static void AssertStricter(Domain domain, Assembly original, Assembly fixedAssembly, string originalText, string fixedText, bool checkNoLeak)
        {
            var before = domain.Inputs(original).ToList();
            var now = domain.Inputs(fixedAssembly).ToList();
            Assert.Equal(before.Count, now.Count);
            var originalMethod = domain.Method(original);
            var fixedMethod = domain.Method(fixedAssembly);
            for (var i = 0; i < before.Count; i++)
            {
                var (was, wasThrown, _) = Run(originalMethod, before[i]);
                var (result, thrown, leftLocked) = Run(fixedMethod, now[i]);
                Assert.True(!thrown || wasThrown, $"the fix throws at input {i} where the original did not:\n{originalText}\n--- fixed:\n{fixedText}");
                Assert.True(!result || was, $"the fix widened a grant at input {i}:\n{originalText}\n--- fixed:\n{fixedText}");
                if (checkNoLeak && !thrown)
                {
                    Assert.False(leftLocked, $"the fixed predicate leaves the lock taken at input {i}:\n{fixedText}");
                }
            }
        }

        private static (bool Result, bool Thrown, bool LeftLocked) Run(MethodInfo method, Func<(object?[] Arguments, Func<bool> LeftLocked)> input)
        {
            var (arguments, leftLocked) = input();
            try
            {
                var result = (bool)method.Invoke(null, arguments)!;
                return (result, false, leftLocked());
            }
            catch (TargetInvocationException)
            {
                return (false, true, false);
            }
        }
    }
}
