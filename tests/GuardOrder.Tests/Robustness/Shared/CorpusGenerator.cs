using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

// This file is compiled into two projects: tests/GuardOrder.Tests (it lives here, so the test
// project's default globbing picks it up without a csproj change) and tests/GuardOrder.Benchmarks
// (linked from its csproj). It depends on the BCL only.
namespace GuardOrder.Robustness.Shared
{
    /// <summary>One generated source file.</summary>
    internal sealed class CorpusFile
    {
        public CorpusFile(string name, string text, int lines)
        {
            Name = name;
            Text = text;
            Lines = lines;
        }

        public string Name { get; }
        public string Text { get; }
        public int Lines { get; }
    }

    /// <summary>What the generator wrote, for the report.</summary>
    internal sealed class CorpusStats
    {
        public int Files;
        public int Lines;
        public int ValidPredicates;
        public int MisorderedPredicates;
        public int FaultPaths;
        public int EarlyPredicates;
        public int UnsyncedEarlyPredicates;
        public int PlainBlocks;
        public int AnnotatedLines;
    }

    /// <summary>
    /// Writes an mm-like annotated C# code base of about N lines, deterministic by seed: a core file
    /// (page / pte_t / vm_area_struct / vm_fault, [SecurityCheck] flags, [FaultPathCheck] checks,
    /// lock_page / trylock_page / unlock_page, [WriteGrant] wp_page_reuse) and module files of
    /// ~<c>fileLines</c> lines each holding structs, flag constants (some [SecurityCheck]), guard-heavy
    /// predicates (security guard first; a small share misordered), fault paths with locks and gotos,
    /// [MustMatchFaultPath] early predicates, helpers, and a majority of plain unannotated code.
    /// The output compiles without errors against the BCL + GuardOrder.Annotations.
    /// </summary>
    internal sealed class CorpusGenerator
    {
        /// <summary>Share of generated chunks that are plain, unannotated code (the report prints the resulting line share).</summary>
        public const double DefaultPlainShare = 0.85;

        /// <summary>Share of guard predicates written with a non-security guard first (GO0001 findings).</summary>
        public const double MisorderShare = 0.04;

        /// <summary>Share of early predicates that skip a fault-path check (GO0002 findings).</summary>
        public const double UnsyncShare = 0.05;

        private readonly Random _rng;
        private readonly int _fileLines;
        private readonly CorpusStats _stats = new CorpusStats();
        private int _uid;

        private readonly double _plainShare;
        private readonly bool _unannotated;

        /// <param name="seed">Same seed, same corpus.</param>
        /// <param name="fileLines">Target lines per module file.</param>
        /// <param name="plainShare">Share of plain chunks (the rest: guard predicates, fault paths, early predicates, helpers).</param>
        /// <param name="unannotated">Plain code only: no core file, no GuardOrder using, no attribute anywhere (the bail-out case).</param>
        public CorpusGenerator(int seed, int fileLines = 1500, double plainShare = DefaultPlainShare, bool unannotated = false)
        {
            _plainShare = unannotated ? 1.0 : plainShare;
            _unannotated = unannotated;
            _rng = new Random(seed);
            _fileLines = Math.Max(120, fileLines);
        }

        public CorpusStats Stats => _stats;

        public static List<CorpusFile> Generate(int totalLines, int seed, int fileLines = 1500) =>
            new CorpusGenerator(seed, fileLines).Generate(totalLines);

        public List<CorpusFile> Generate(int totalLines)
        {
            var files = new List<CorpusFile>();
            var written = 0;
            if (!_unannotated)
            {
                var core = CoreFile();
                files.Add(core);
                written = core.Lines;
            }

            var module = 0;
            while (written < totalLines)
            {
                var budget = Math.Min(_fileLines, Math.Max(60, totalLines - written));
                var file = ModuleFile(module++, budget);
                files.Add(file);
                written += file.Lines;
            }

            _stats.Files = files.Count;
            _stats.Lines = written;
            return files;
        }

        // ------------------------------------------------------------------ core

        private CorpusFile CoreFile()
        {
            const string text = @"using System;
using System.Diagnostics.CodeAnalysis;
using GuardOrder;

namespace Mm.Core
{
    public sealed class page
    {
        public int _refcount = 1;
        public int _mapcount;
        public ulong flags;
        public bool locked;
        public object? mapping;
        public long index;
    }

    public struct pte_t
    {
        public ulong val;
        public pte_t(ulong v) { val = v; }
    }

    public sealed class mm_struct
    {
        public int map_count;
        public long total_vm;
    }

    public sealed class vm_area_struct
    {
        public ulong vm_flags;
        public ulong vm_start;
        public ulong vm_end;
        public mm_struct? vm_mm;
    }

    public sealed class vm_fault
    {
        public vm_area_struct vma = new vm_area_struct();
        public pte_t orig_pte;
        public ulong address;
        public page? page;
        public int flags;
    }

    public static class mm
    {
        /// <summary>Never make a PTE writable without VM_WRITE.</summary>
        [SecurityCheck] public const ulong VM_WRITE = 0x2;
        [SecurityCheck] public const ulong VM_MAYWRITE = 0x20;
        public const ulong VM_READ = 0x1;
        public const ulong VM_EXEC = 0x4;
        public const ulong VM_SHARED = 0x8;
        public const ulong VM_SOFTDIRTY = 0x8000000;
        public const ulong VM_UFFD_WP = 0x1000;

        public const ulong _PAGE_RW = 0x2;
        public const ulong _PAGE_DIRTY = 0x40;
        public const ulong _PAGE_SOFT_DIRTY = 0x400;
        public const ulong _PAGE_UFFD_WP = 0x800;
        public const ulong _PAGE_PROTNONE = 0x100;

        public const ulong MM_CP_DIRTY_ACCT = 0x1;
        public const ulong MM_CP_PROT_NUMA = 0x2;
        public const ulong MM_CP_UFFD_WP = 0x4;

        public const ulong PG_ksm = 0x10000;
        public const ulong PG_anon = 0x20000;

        public const int VM_FAULT_WRITE = 0x8;
        public const int VM_FAULT_OOM = 0x1;

        public static bool pte_write(pte_t pte) => (pte.val & _PAGE_RW) != 0;
        public static bool pte_dirty(pte_t pte) => (pte.val & _PAGE_DIRTY) != 0;
        public static bool pte_soft_dirty(pte_t pte) => (pte.val & _PAGE_SOFT_DIRTY) != 0;
        public static bool pte_uffd_wp(pte_t pte) => (pte.val & _PAGE_UFFD_WP) != 0;
        public static bool pte_protnone(pte_t pte) => (pte.val & _PAGE_PROTNONE) != 0;
        public static pte_t pte_mkwrite(pte_t pte) => new pte_t(pte.val | _PAGE_RW);
        public static pte_t pte_wrprotect(pte_t pte) => new pte_t(pte.val & ~_PAGE_RW);

        [FaultPathCheck]
        public static bool PageKsm(page p) => (p.flags & PG_ksm) != 0;

        [FaultPathCheck]
        public static bool PageAnon(page p) => (p.flags & PG_anon) != 0;

        [FaultPathCheck]
        public static int page_count(page p) => p._refcount;

        [FaultPathCheck]
        public static int page_mapcount(page p) => p._mapcount + 1;

        [FaultPathCheck]
        public static page? vm_normal_page(vm_area_struct vma, ulong addr, pte_t pte) =>
            (pte.val & _PAGE_PROTNONE) != 0 ? null : new page { index = (long)(addr >> 12) };

        [FaultPathCheck]
        public static bool userfaultfd_pte_wp(vm_area_struct vma, pte_t pte) =>
            (vma.vm_flags & VM_UFFD_WP) != 0 && pte_uffd_wp(pte);

        [AcquiresLock]
        public static void lock_page(page p) { p.locked = true; }

        [TryAcquiresLock]
        public static bool trylock_page(page p)
        {
            if (p.locked)
                return false;
            p.locked = true;
            return true;
        }

        [ReleasesLock]
        public static void unlock_page(page p) { p.locked = false; }

        [WriteGrant]
        public static void wp_page_reuse(vm_fault vmf) { vmf.orig_pte = pte_mkwrite(vmf.orig_pte); }

        public static int wp_page_copy(vm_fault vmf)
        {
            vmf.page = new page();
            return VM_FAULT_WRITE;
        }

        public static void VM_BUG_ON([DoesNotReturnIf(true)] bool cond)
        {
            if (cond)
                throw new InvalidOperationException(""VM_BUG_ON"");
        }

        public static bool WARN_ON_ONCE(bool cond) => cond;
    }
}
";
            return new CorpusFile("mm_core.cs", text, CountLines(text));
        }

        // ------------------------------------------------------------------ modules

        private CorpusFile ModuleFile(int index, int budget)
        {
            var w = new Writer();
            var ns = "Mm.M" + index.ToString(CultureInfo.InvariantCulture);
            w.Line("using System;");
            w.Line("using System.Collections.Generic;");
            w.Line("using System.Text;");
            if (!_unannotated)
            {
                w.Line("using GuardOrder;");
                w.Line("using Mm.Core;");
                w.Line("using static Mm.Core.mm;");
            }

            w.Line();
            w.Line("namespace " + ns);
            w.Open();

            // A module is a few classes; each class gets chunks until the file budget is used.
            var classNo = 0;
            while (w.Lines < budget - 12)
            {
                var cls = "mod" + index.ToString(CultureInfo.InvariantCulture) + "_" + (classNo++).ToString(CultureInfo.InvariantCulture);
                var before = w.Lines;
                ModuleClass(w, cls, Math.Min(budget - w.Lines - 4, 300 + _rng.Next(300)));
                if (w.Lines == before)
                {
                    break;
                }
            }

            w.Close();
            var text = w.ToString();
            return new CorpusFile(ns.Replace('.', '_') + ".cs", text, CountLines(text));
        }

        private void ModuleClass(Writer w, string cls, int budget)
        {
            // Structs and plain classes live next to the static "kernel" class.
            var start = w.Lines;
            StructChunk(w, cls);
            w.Line("public static class " + cls);
            w.Open();
            if (!_unannotated)
            {
                FlagChunk(w, cls);
            }

            while (w.Lines - start < budget - 8)
            {
                var before = w.Lines;
                var r = _rng.NextDouble();
                if (r < _plainShare)
                {
                    PlainChunk(w);
                    _stats.PlainBlocks++;
                }
                else if (r < _plainShare + (1 - _plainShare) * 0.40)
                {
                    GuardPredicate(w, cls);
                }
                else if (r < _plainShare + (1 - _plainShare) * 0.73)
                {
                    FaultPathPair(w);
                }
                else
                {
                    HelperChunk(w);
                }

                if (r >= _plainShare)
                {
                    _stats.AnnotatedLines += w.Lines - before;
                }
            }

            w.Close();
            w.Line();
        }

        private void StructChunk(Writer w, string cls)
        {
            var n = Next();
            w.Line("public struct " + cls + "_state");
            w.Open();
            w.Line("public ulong flags;");
            w.Line("public int count;");
            w.Line("public long start;");
            w.Line("public long end;");
            w.Line();
            w.Line("public long length => end - start;");
            w.Line();
            w.Line("public bool contains(long addr)");
            w.Open();
            w.Line("return addr >= start && addr < end;");
            w.Close();
            w.Close();
            w.Line();
            w.Line("public sealed class " + cls + "_cache" + n);
            w.Open();
            w.Line("private readonly Dictionary<long, int> _slots = new Dictionary<long, int>();");
            w.Line("private int _hits;");
            w.Line();
            w.Line("public int Hits => _hits;");
            w.Line();
            w.Line("public int Lookup(long key)");
            w.Open();
            w.Line("if (_slots.TryGetValue(key, out var v))");
            w.Open();
            w.Line("_hits++;");
            w.Line("return v;");
            w.Close();
            w.Line("v = (int)(key % 97);");
            w.Line("_slots[key] = v;");
            w.Line("return v;");
            w.Close();
            w.Close();
            w.Line();
        }

        private void FlagChunk(Writer w, string cls)
        {
            var count = 3 + _rng.Next(5);
            for (var i = 0; i < count; i++)
            {
                var name = cls.ToUpperInvariant() + "_F" + i.ToString(CultureInfo.InvariantCulture);
                var value = "0x" + (1UL << (i + 3)).ToString("x", CultureInfo.InvariantCulture);
                if (i == 0)
                {
                    w.Line("/* Writes are only allowed when this bit is set. */");
                    w.Line("[SecurityCheck] public const ulong " + name + " = " + value + ";");
                }
                else
                {
                    w.Line("public const ulong " + name + " = " + value + ";");
                }
            }

            w.Line();
        }

        private string SecurityCondition(string cls)
        {
            switch (_rng.Next(5))
            {
                case 0: return "!(vma.vm_flags & VM_WRITE).Equals(VM_WRITE)";
                case 1: return "(vma.vm_flags & VM_WRITE) == 0";
                case 2: return "WARN_ON_ONCE((vma.vm_flags & VM_MAYWRITE) == 0)";
                case 3: return "(cp_flags & " + cls.ToUpperInvariant() + "_F0) == 0";
                default: return "(vma.vm_flags & (VM_WRITE | VM_SHARED)) == 0";
            }
        }

        private string OtherCondition()
        {
            switch (_rng.Next(9))
            {
                case 0: return "(cp_flags & MM_CP_PROT_NUMA) != 0";
                case 1: return "!pte_dirty(pte)";
                case 2: return "!pte_soft_dirty(pte) && (vma.vm_flags & VM_SOFTDIRTY) != 0";
                case 3: return "pte_uffd_wp(pte)";
                case 4: return "pte_protnone(pte)";
                case 5: return "vma.vm_mm == null";
                case 6: return "vma.vm_end <= vma.vm_start";
                case 7: return "(vma.vm_flags & VM_SHARED) != 0";
                default: return "depth > " + (1 + _rng.Next(6)).ToString(CultureInfo.InvariantCulture);
            }
        }

        private static readonly string[] Reasons =
        {
            "It is unclear whether this optimization can be done safely for NUMA pages.",
            "Don't do this optimization for clean pages: we must see the clean to dirty transition.",
            "Same for soft-dirty tracking.",
            "userfaultfd-wp wants to see every write fault.",
            "A PROT_NONE entry is a NUMA hinting fault, not a permission fault.",
            "Kernel threads have no mm.",
            "An empty range has nothing to update.",
            "Shared mappings are written back through the page cache.",
            "Bound the recursion through nested mappings.",
        };

        private void GuardPredicate(Writer w, string cls)
        {
            var n = Next();
            var misorder = _rng.NextDouble() < MisorderShare;
            if (misorder)
            {
                _stats.MisorderedPredicates++;
            }
            else
            {
                _stats.ValidPredicates++;
            }

            w.Line("/// <summary>May the write bit be applied early (variant " + n + ")?</summary>");
            w.Line("public static bool may_apply_write_" + n + "(pte_t pte, vm_area_struct vma, ulong cp_flags, int depth)");
            w.Open();
            var others = 2 + _rng.Next(4);
            var guards = new List<string[]>();
            for (var i = 0; i < others; i++)
            {
                var c = OtherCondition();
                guards.Add(new[] { Reasons[_rng.Next(Reasons.Length)], c });
            }

            var security = new[] { "Never apply the write bit without VM_WRITE: it is the one check that really matters.", SecurityCondition(cls) };
            if (misorder)
            {
                guards.Insert(1 + _rng.Next(guards.Count - 1), security);
            }
            else
            {
                guards.Insert(0, security);
            }

            foreach (var g in guards)
            {
                w.Line("/*");
                w.Line(" * " + g[0]);
                w.Line(" */");
                w.Line("if (" + g[1] + ")");
                w.Indent("return false;");
                w.Line();
            }

            w.Line("return pte_dirty(pte) || (cp_flags & MM_CP_DIRTY_ACCT) == 0;");
            w.Close();
            w.Line();
        }

        private void FaultPathPair(Writer w)
        {
            var n = Next();
            _stats.FaultPaths++;
            var useLock = _rng.Next(3) != 0;
            w.Line("/// <summary>Write fault on a present, write-protected PTE (variant " + n + ").</summary>");
            w.Line("public static int do_wp_page_" + n + "(vm_fault vmf)");
            w.Open();
            w.Line("var vma = vmf.vma;");
            w.Line("if (userfaultfd_pte_wp(vma, vmf.orig_pte))");
            w.Indent("return 0;");
            w.Line();
            w.Line("var page = vm_normal_page(vma, vmf.address, vmf.orig_pte);");
            w.Line("if (page == null)");
            w.Indent("goto copy;");
            w.Line("if (!PageAnon(page))");
            w.Indent("goto copy;");
            w.Line("/* KSM pages are shared: always copy. */");
            w.Line("if (PageKsm(page))");
            w.Indent("goto copy;");
            if (useLock)
            {
                w.Line("if (!trylock_page(page))");
                w.Indent("goto copy;");
                w.Line("/* Recheck the count under the page lock. */");
                w.Line("if (page_count(page) != 1)");
                w.Open();
                w.Line("unlock_page(page);");
                w.Line("goto copy;");
                w.Close();
                w.Line("unlock_page(page);");
            }
            else
            {
                w.Line("if (page_count(page) != 1)");
                w.Indent("goto copy;");
            }

            w.Line("wp_page_reuse(vmf);");
            w.Line("return VM_FAULT_WRITE;");
            w.Line();
            w.Line("copy:");
            w.Line("return wp_page_copy(vmf);");
            w.Close();
            w.Line();

            // The early predicate that must stay in sync with the fault path above.
            _stats.EarlyPredicates++;
            var unsynced = _rng.NextDouble() < UnsyncShare;
            if (unsynced)
            {
                _stats.UnsyncedEarlyPredicates++;
            }

            w.Line("[MustMatchFaultPath(nameof(do_wp_page_" + n + "))]");
            w.Line("public static bool may_avoid_write_fault_" + n + "(pte_t pte, vm_area_struct vma, ulong cp_flags)");
            w.Open();
            w.Line("/* Never apply the write bit if VM_WRITE is not set. */");
            w.Line("if ((vma.vm_flags & VM_WRITE) == 0)");
            w.Indent("return false;");
            w.Line("if ((cp_flags & MM_CP_PROT_NUMA) != 0)");
            w.Indent("return false;");
            w.Line("if (!pte_dirty(pte))");
            w.Indent("return false;");
            w.Line("if (userfaultfd_pte_wp(vma, pte))");
            w.Indent("return false;");
            w.Line();
            w.Line("var page = vm_normal_page(vma, 0, pte);");
            w.Line("if (page == null || !PageAnon(page))");
            w.Indent("return false;");
            if (!unsynced)
            {
                w.Line("if (PageKsm(page))");
                w.Indent("return false;");
            }

            if (useLock)
            {
                w.Line("/* Best effort to take the page lock, don't play tricks if it fails. */");
                w.Line("if (!trylock_page(page))");
                w.Indent("return false;");
                w.Line("var ret = page_count(page) == 1;");
                w.Line("unlock_page(page);");
                w.Line("return ret;");
            }
            else
            {
                w.Line("return page_count(page) == 1;");
            }

            w.Close();
            w.Line();
        }

        private void HelperChunk(Writer w)
        {
            var n = Next();
            switch (_rng.Next(4))
            {
                case 0:
                    w.Line("public static bool vma_is_writable_" + n + "(vm_area_struct vma) => (vma.vm_flags & VM_WRITE) != 0;");
                    w.Line();
                    break;
                case 1:
                    w.Line("public static pte_t pte_update_" + n + "(pte_t pte, bool write)");
                    w.Open();
                    w.Line("VM_BUG_ON(pte_protnone(pte) && write);");
                    w.Line("return write ? pte_mkwrite(pte) : pte_wrprotect(pte);");
                    w.Close();
                    w.Line();
                    break;
                case 2:
                    w.Line("public static void touch_page_" + n + "(page p)");
                    w.Open();
                    w.Line("lock_page(p);");
                    w.Line("p._mapcount++;");
                    w.Line("if (p._mapcount > 16)");
                    w.Open();
                    w.Line("unlock_page(p);");
                    w.Line("return;");
                    w.Close();
                    w.Line("p.index += 1;");
                    w.Line("unlock_page(p);");
                    w.Close();
                    w.Line();
                    break;
                default:
                    w.Line("public static int count_mapped_" + n + "(page[] pages)");
                    w.Open();
                    w.Line("var total = 0;");
                    w.Line("foreach (var p in pages)");
                    w.Open();
                    w.Line("if (p == null)");
                    w.Indent("continue;");
                    w.Line("total += page_mapcount(p);");
                    w.Close();
                    w.Line("return total;");
                    w.Close();
                    w.Line();
                    break;
            }
        }

        private void PlainChunk(Writer w)
        {
            var n = Next();
            switch (_rng.Next(8))
            {
                case 0:
                    w.Line("public static long sum_range_" + n + "(long[] values, int from, int to)");
                    w.Open();
                    w.Line("long sum = 0;");
                    w.Line("for (var i = from; i < to && i < values.Length; i++)");
                    w.Open();
                    w.Line("if (values[i] < 0)");
                    w.Open();
                    w.Line("continue;");
                    w.Close();
                    w.Line("sum += values[i] * " + (1 + _rng.Next(9)).ToString(CultureInfo.InvariantCulture) + ";");
                    w.Close();
                    w.Line("return sum;");
                    w.Close();
                    break;
                case 1:
                    w.Line("public static string describe_" + n + "(int kind, string name)");
                    w.Open();
                    w.Line("var sb = new StringBuilder();");
                    w.Line("switch (kind)");
                    w.Open();
                    for (var k = 0; k < 4; k++)
                    {
                        w.Line("case " + k.ToString(CultureInfo.InvariantCulture) + ":");
                        w.Indent("sb.Append(\"kind" + k.ToString(CultureInfo.InvariantCulture) + ":\").Append(name);");
                        w.Indent("break;");
                    }

                    w.Line("default:");
                    w.Indent("sb.Append(name.Length);");
                    w.Indent("break;");
                    w.Close();
                    w.Line("return sb.ToString();");
                    w.Close();
                    break;
                case 2:
                    w.Line("public static List<int> collect_" + n + "(IEnumerable<int> source, int limit)");
                    w.Open();
                    w.Line("var result = new List<int>();");
                    w.Line("foreach (var item in source)");
                    w.Open();
                    w.Line("if (result.Count >= limit)");
                    w.Indent("break;");
                    w.Line("if (item % 2 == 0)");
                    w.Indent("result.Add(item / 2);");
                    w.Line("else");
                    w.Indent("result.Add(item * 3 + 1);");
                    w.Close();
                    w.Line("result.Sort();");
                    w.Line("return result;");
                    w.Close();
                    break;
                case 3:
                    w.Line("public static int parse_or_default_" + n + "(string text, int fallback)");
                    w.Open();
                    w.Line("try");
                    w.Open();
                    w.Line("return int.Parse(text, System.Globalization.CultureInfo.InvariantCulture);");
                    w.Close();
                    w.Line("catch (FormatException)");
                    w.Open();
                    w.Line("return fallback;");
                    w.Close();
                    w.Line("catch (OverflowException)");
                    w.Open();
                    w.Line("return text.StartsWith(\"-\", StringComparison.Ordinal) ? int.MinValue : int.MaxValue;");
                    w.Close();
                    w.Close();
                    break;
                case 4:
                    w.Line("public static ulong hash_" + n + "(ReadOnlySpan<byte> data)");
                    w.Open();
                    w.Line("ulong h = 14695981039346656037UL;");
                    w.Line("foreach (var b in data)");
                    w.Open();
                    w.Line("h ^= b;");
                    w.Line("h *= 1099511628211UL;");
                    w.Close();
                    w.Line("return h ^ (h >> " + (7 + _rng.Next(20)).ToString(CultureInfo.InvariantCulture) + ");");
                    w.Close();
                    break;
                case 5:
                    w.Line("public static int[] histogram_" + n + "(int[] samples, int buckets)");
                    w.Open();
                    w.Line("var counts = new int[buckets];");
                    w.Line("if (buckets <= 0)");
                    w.Indent("return counts;");
                    w.Line("var max = 1;");
                    w.Line("foreach (var s in samples)");
                    w.Indent("max = Math.Max(max, s);");
                    w.Line("foreach (var s in samples)");
                    w.Open();
                    w.Line("var b = (int)((long)Math.Max(0, s) * (buckets - 1) / max);");
                    w.Line("counts[b]++;");
                    w.Close();
                    w.Line("return counts;");
                    w.Close();
                    break;
                case 6:
                    w.Line("public static Func<int, int> compose_" + n + "(Func<int, int> f, Func<int, int> g)");
                    w.Open();
                    w.Line("if (f == null)");
                    w.Indent("throw new ArgumentNullException(nameof(f));");
                    w.Line("return x => g(f(x)) + " + _rng.Next(100).ToString(CultureInfo.InvariantCulture) + ";");
                    w.Close();
                    break;
                default:
                    w.Line("public static (int min, int max) bounds_" + n + "(int[] xs)");
                    w.Open();
                    w.Line("if (xs.Length == 0)");
                    w.Indent("return (0, 0);");
                    w.Line("int lo = xs[0], hi = xs[0];");
                    w.Line("for (var i = 1; i < xs.Length; i++)");
                    w.Open();
                    w.Line("lo = xs[i] < lo ? xs[i] : lo;");
                    w.Line("hi = xs[i] > hi ? xs[i] : hi;");
                    w.Close();
                    w.Line("return (lo, hi);");
                    w.Close();
                    break;
            }

            w.Line();
        }

        private string Next() => (_uid++).ToString(CultureInfo.InvariantCulture);

        public static int CountLines(string text)
        {
            var lines = 0;
            foreach (var c in text)
            {
                if (c == '\n')
                {
                    lines++;
                }
            }

            return lines;
        }

        private sealed class Writer
        {
            private readonly StringBuilder _sb = new StringBuilder();
            private int _depth;

            public int Lines { get; private set; }

            public void Line(string text = "")
            {
                if (text.Length > 0)
                {
                    _sb.Append(' ', _depth * 4);
                }

                _sb.Append(text).Append('\n');
                Lines++;
            }

            public void Indent(string text)
            {
                _depth++;
                Line(text);
                _depth--;
            }

            public void Open()
            {
                Line("{");
                _depth++;
            }

            public void Close()
            {
                _depth--;
                Line("}");
            }

            public override string ToString() => _sb.ToString();
        }
    }
}
