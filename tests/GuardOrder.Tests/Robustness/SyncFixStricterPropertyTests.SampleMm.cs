using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using CsCheck;
using GuardOrder.Robustness.Shared;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace GuardOrder.Tests.Robustness
{
    public sealed partial class SyncFixStricterPropertyTests
    {
        /// <summary>
        /// The third domain: sample-mm itself. The predicate is a new class of the port (namespace SampleMm,
        /// annotated against the port's <c>memory.do_wp_page</c>) written in the port's vocabulary, analysed,
        /// fixed and compiled together with every file of sample-mm (as-posted/ excluded). Its inputs are
        /// built at run time by <see cref="InputsSource"/>, compiled into the same assembly: processes,
        /// VMAs, pages and ptes made through the port's own API (mmap, stores, fork, KSM merging, a shared
        /// file mapping, a read of untouched memory for the zero page), varied over page lock, an extra
        /// reference, the pte's dirty and uffd-wp bits and the VMA's VM_WRITE / VM_SHARED / VM_UFFD_WP.
        /// "Left locked" is the port's <c>PageLocked()</c> on a page nobody else had locked.
        /// </summary>
        internal sealed class SampleMm : Domain
        {
            public override string Name => "sample-mm do_wp_page";

            private const string Class = "SampleMm.early_write";

            private static readonly string[] Securities =
            {
                "if ((vma.vm_flags & VM_WRITE) == 0) return false;",
                "if (!(pte_dirty(pte) && (vma.vm_flags & VM_WRITE) != 0)) return false;", // the posted patch's form
            };

            private const string Bypass = "if ((vma.vm_flags & VM_SHARED) != 0) return true;";

            /// <summary>The port's dirty-accounting shortcut (mprotect.cs, deviation 5): wp_page_shared()'s case, granted before the anonymous-page tests.</summary>
            private const string SharedPageGrant = "if ((vma.vm_flags & VM_SHARED) != 0 && !PageAnon(page)) return true;";

            /// <summary>sample-mm's sources, parsed once: every .cs file but as-posted/ (Program.cs compiles as a library too).</summary>
            private static readonly Lazy<IReadOnlyList<SyntaxTree>> Sources = new(() =>
            {
                var root = Path.Combine(GuardOrder.Tests.Documentation.RuleCatalog.RepoRoot, "sample-mm");
                return AnalyzerRunner.SampleSources(out _)
                    .Where(f => !f.Name.StartsWith("as-posted", StringComparison.Ordinal))
                    .Select(f => AnalyzerRunner.Parse(f.Text, Path.Combine(root, f.Name)))
                    .ToList();
            });

            private static readonly Lazy<SyntaxTree> InputsTree = new(() => AnalyzerRunner.Parse(InputsSource, "predicate_inputs.cs"));

            public override IReadOnlyList<SyntaxTree> Companions => Sources.Value;

            public override int Iterations => 30;

            public override Gen<string> Predicate =>
                from early in Subset("if (userfaultfd_pte_wp(vma, pte)) return false;", "if (!pte_dirty(pte)) return false;")
                from pageChecks in Subset("if (!PageAnon(page)) return false;", "if (PageKsm(page)) return false;", "if (page_count(page) != 1) return false;", "if (page_mapcount(page) != 1) return false;")
                from order in Shuffled(pageChecks)
                from shared in Gen.Int[0, 3]
                from lockKind in Gen.Int[0, 5]
                from inner in Subset("PageKsm(page)", "page_count(page) != 1", "page_mapcount(page) != 1")
                from securityAt in Gen.Int[0, 9]
                from bypass in Gen.Int[0, 8]
                from final in Gen.Int[0, 2]
                from security in Gen.Int[0, 1]
                select Build(early, order, shared == 0, lockKind, inner, securityAt, bypass, final, Securities[security]);

            private static string Build(string[] early, string[] pageChecks, bool sharedGrant, int lockKind, string[] inner, int securityAt, int bypass, int final, string security)
            {
                var statements = new List<string>(early) { "page? page = vm_normal_page(vma, addr, pte);", "if (page is null) return false;" };
                if (sharedGrant)
                {
                    statements.Add(SharedPageGrant);
                }

                statements.AddRange(pageChecks);
                statements.AddRange(LockRegion(lockKind, inner, "trylock_page(page)", "lock_page(page)", "unlock_page(page)"));
                var at = Math.Min(securityAt, statements.Count);
                statements.Insert(at, security);
                if (bypass < at)
                {
                    statements.Insert(bypass, Bypass); // an early 'return true' before the security check
                }

                statements.Add("return " + new[] { "true", "page_count(page) == 1", "!PageKsm(page)" }[final] + ";");
                return File("        [MustMatchFaultPath(typeof(memory), nameof(memory.do_wp_page))]\n", string.Join("\n            ", statements));
            }

            /// <summary>The predicate's file: a class of the port with the usings of mprotect.cs.</summary>
            private static string File(string attribute, string body) =>
                "using GuardOrder;\nusing static SampleMm.memory;\nusing static SampleMm.mm;\nusing static SampleMm.page_flags;\nusing static SampleMm.pagemap;\nusing static SampleMm.pgtable;\nusing static SampleMm.userfaultfd;\n\n"
                + "namespace SampleMm\n{\n    public static class early_write\n    {\n" + attribute
                + "        public static bool M(pte_t pte, vm_area_struct vma, ulong addr)\n        {\n            " + body + "\n        }\n    }\n}\n";

            /// <summary>A method M of the domain with <paramref name="body"/> (for checking the checker).</summary>
            public string Sample(string body) => File(string.Empty, body);

            /// <summary>The port and the inputs' builder, compiled once (the predicate's file is compiled against this image).</summary>
            private static readonly Lazy<(byte[] Image, MetadataReference Reference)> Port = new(() =>
            {
                var compilation = GuardOrderAssemblies.CreateCompilation(Sources.Value.Append(InputsTree.Value), PortName);
                using var pe = new MemoryStream();
                var result = compilation.Emit(pe);
                Assert.True(result.Success, "sample-mm does not compile:\n" + string.Join("\n", result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
                var image = pe.ToArray();
                return (image, MetadataReference.CreateFromImage(image));
            });

            private const string PortName = "SampleMmPort";

            /// <summary>
            /// The predicate's file compiled against the port's image, and both loaded into a new collectible
            /// context: every compiled predicate runs on its own copy of the port (its own mem_map, KSM, swap).
            /// </summary>
            public override Assembly Compile(string text, string name)
            {
                var compilation = CSharpCompilation.Create(
                    name + Guid.NewGuid().ToString("N").Substring(0, 6),
                    new[] { CSharpSyntaxTree.ParseText(text, GuardOrderAssemblies.ParseOptions, path: "early_write.cs") },
                    GuardOrderAssemblies.References.Append(Port.Value.Reference),
                    new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
                using var pe = new MemoryStream();
                var result = compilation.Emit(pe);
                Assert.True(result.Success, name + " does not compile with sample-mm:\n" + string.Join("\n", result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)) + "\n" + text);
                pe.Position = 0;
                var context = new PortContext(name);
                return context.LoadFromStream(pe);
            }

            /// <summary>A collectible context holding its own copy of the port, which the predicate's assembly binds to.</summary>
            private sealed class PortContext : AssemblyLoadContext
            {
                public PortContext(string name)
                    : base(name, isCollectible: true)
                {
                    Port = LoadFromStream(new MemoryStream(SampleMm.Port.Value.Image));
                }

                public Assembly Port { get; }

                protected override Assembly? Load(AssemblyName assemblyName) => assemblyName.Name == PortName ? Port : null;
            }

            public override MethodInfo Method(Assembly assembly) =>
                assembly.GetType(Class)!.GetMethod("M", BindingFlags.Public | BindingFlags.Static)!;

            public override IEnumerable<Func<(object?[] Arguments, Func<bool> LeftLocked)>> Inputs(Assembly assembly)
            {
                var inputs = ((PortContext)AssemblyLoadContext.GetLoadContext(assembly)!).Port.GetType("SampleMm.predicate_inputs")!;
                var count = (int)inputs.GetField("count")!.GetValue(null)!;
                var build = inputs.GetMethod("build")!;
                var input = inputs.GetNestedType("input")!;
                var arguments = input.GetField("arguments")!;
                var leftLocked = input.GetMethod("left_locked")!;
                for (var i = 0; i < count; i++)
                {
                    var index = i;
                    yield return () =>
                    {
                        var state = build.Invoke(null, new object[] { index })!;
                        return ((object?[])arguments.GetValue(state)!, () => (bool)leftLocked.Invoke(state, null)!);
                    };
                }
            }

            /// <summary>
            /// The state space, in the port's own terms, compiled into the predicate's assembly (and not analysed:
            /// it takes someone else's page lock on purpose). Every call of <c>build(i)</c> starts a fresh machine
            /// (KSM and swap reset) and makes input i the same way, so the original and the fixed predicate
            /// (two assemblies, two machines) see equal states.
            /// </summary>
            internal const string InputsSource = """
                using System;
                using static SampleMm.mm;
                using static SampleMm.page_flags;
                using static SampleMm.pagemap;
                using static SampleMm.pgtable;

                namespace SampleMm
                {
                    public static class predicate_inputs
                    {
                        /// <summary>How the page got where it is.</summary>
                        private const int zero_page = 0, anon_exclusive = 1, anon_forked = 2, ksm_shared = 3, ksm_alone = 4, file_shared = 5, scenarios = 6;

                        /// <summary>
                        /// 0: as made; 1: someone else holds a reference (get_page); 2 and 3: the counts set to 1/1 and 1/2
                        /// (page_count/page_mapcount), states the API does not make but a predicate must not widen on.
                        /// </summary>
                        private const int count_kinds = 4;

                        private static readonly ulong[] vm_flag_sets =
                        {
                            0, VM_WRITE, VM_SHARED, VM_WRITE | VM_SHARED, VM_UFFD_WP, VM_WRITE | VM_UFFD_WP, VM_WRITE | VM_SHARED | VM_UFFD_WP,
                        };

                        /// <summary>Page states: the zero page (no page), then every scenario with a page, by count kind and by locked or not.</summary>
                        private const int page_states = 1 + (scenarios - 1) * count_kinds * 2;

                        public static readonly int count = page_states * 2 * 2 * 7;

                        public sealed class input
                        {
                            public object?[] arguments = Array.Empty<object?>();
                            public page? page;
                            public bool was_locked;

                            /// <summary>The predicate left the page locked, and it was not locked by someone else before.</summary>
                            public bool left_locked() => page is not null && !was_locked && PageLocked(page);
                        }

                        public static input build(int i)
                        {
                            int flags = i % vm_flag_sets.Length;
                            i /= vm_flag_sets.Length;
                            bool uffd_wp = i % 2 == 1;
                            i /= 2;
                            bool dirty = i % 2 == 1;
                            i /= 2;
                            int scenario = zero_page, count_kind = 0;
                            bool locked = false;
                            if (i > 0)
                            {
                                i--;
                                locked = i % 2 == 1;
                                i /= 2;
                                count_kind = i % count_kinds;
                                i /= count_kinds;
                                scenario = 1 + i;
                            }

                            var (vma, addr) = make(scenario);
                            pte_t pte = ptep_get(vma.vm_mm, addr);
                            VM_BUG_ON(!pte_present(pte), "predicate_inputs: no pte");
                            page? page = memory.vm_normal_page(vma, addr, pte);
                            check(scenario, page);
                            if (page is not null)
                            {
                                switch (count_kind)
                                {
                                    case 1:
                                        get_page(page);
                                        break;
                                    case 2:
                                        page._refcount = 1;
                                        page._mapcount = 0;
                                        break;
                                    case 3:
                                        page._refcount = 1;
                                        page._mapcount = 1;
                                        break;
                                }

                                // Someone else (reclaim, ksmd) holds the page lock.
                                if (locked)
                                {
                                    VM_BUG_ON(!trylock_page(page), "predicate_inputs: lock");
                                }
                            }

                            // As change_pte_range() sees it after mprotect(PROT_READ): write-protected.
                            pte = pte_wrprotect(pte);
                            pte = dirty ? pte_mkdirty(pte) : pte_mkclean(pte);
                            pte = uffd_wp ? pte_mkuffd_wp(pte) : pte_clear_uffd_wp(pte);
                            vma.vm_flags = (vma.vm_flags & ~(VM_WRITE | VM_SHARED | VM_UFFD_WP)) | vm_flag_sets[flags];
                            return new input { arguments = new object?[] { pte, vma, addr }, page = page, was_locked = locked };
                        }

                        /// <summary>A fresh machine with one process whose page at the returned address is in the scenario's state.</summary>
                        private static (vm_area_struct vma, ulong addr) make(int scenario)
                        {
                            ksm.reset();
                            swap_state.reset();
                            mm_struct.all.Clear(); // the previous inputs' processes are never walked again
                            var mm = new mm_struct();
                            ulong addr;
                            switch (scenario)
                            {
                                case zero_page:
                                    // A read of untouched anonymous memory maps the zero page (a special pte).
                                    addr = mmap.do_mmap(mm, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
                                    cpu.peek(mm, addr);
                                    break;
                                case anon_exclusive:
                                    addr = mmap.do_mmap(mm, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
                                    store(mm, addr, 1);
                                    break;
                                case anon_forked:
                                    // The parent's page, shared with the child after fork (count 2, mapcount 2).
                                    addr = mmap.do_mmap(mm, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
                                    store(mm, addr, 1);
                                    fork.dup_mm(mm);
                                    break;
                                case ksm_shared:
                                case ksm_alone:
                                {
                                    // Two processes with equal contents, merged by ksmd; for ksm_alone the other then exits and
                                    // the KSM page is left with count 1 and mapcount 1 (the stable tree holds no reference).
                                    addr = mmap.do_mmap(mm, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
                                    var other = new mm_struct();
                                    ulong other_addr = mmap.do_mmap(other, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
                                    store(mm, addr, 41);
                                    store(other, other_addr, 41);
                                    ksm.ksm_madvise(mm, addr, addr + PAGE_SIZE, ksm.MADV_MERGEABLE);
                                    ksm.ksm_madvise(other, other_addr, other_addr + PAGE_SIZE, ksm.MADV_MERGEABLE);
                                    ksm.ksm_do_scan();
                                    if (scenario == ksm_alone)
                                    {
                                        mmap.exit_mmap(other);
                                    }

                                    break;
                                }

                                default:
                                    // A page-cache page of a shared file mapping (not anonymous; the cache holds a reference).
                                    addr = mmap.do_mmap(mm, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, new @file(new address_space()));
                                    store(mm, addr, 1);
                                    break;
                            }

                            return (find_vma(mm, addr)!, addr);
                        }

                        /// <summary>The scenario made the page it says (anonymous, KSM, page_count, page_mapcount).</summary>
                        private static void check(int scenario, page? page)
                        {
                            if (scenario == zero_page)
                            {
                                VM_BUG_ON(page is not null, "predicate_inputs: the zero page is not a normal page");
                                return;
                            }

                            var (anon, is_ksm, refs, maps) = scenario switch
                            {
                                anon_exclusive => (true, false, 1, 1),
                                anon_forked => (true, false, 2, 2),
                                ksm_shared => (true, true, 2, 2),
                                ksm_alone => (true, true, 1, 1),
                                _ => (false, false, 2, 1),
                            };
                            VM_BUG_ON(page is null || PageAnon(page) != anon || PageKsm(page) != is_ksm || page_count(page) != refs || page_mapcount(page) != maps,
                                "predicate_inputs: scenario " + scenario + " made " + page);
                        }

                        private static void store(mm_struct mm, ulong addr, byte value) =>
                            VM_BUG_ON(cpu.store(mm, addr, value) != access_result.ok, "predicate_inputs: store");
                    }
                }
                """;
        }
    }
}
