namespace GuardOrder.Tests.GO0001
{
    /// <summary>Shared declarations for the GO0001 tests: a tiny slice of mm with VM_WRITE marked security-relevant.</summary>
    internal static class GO0001Sources
    {
        public const string Usings = @"using System;
using System.Diagnostics.CodeAnalysis;
using GuardOrder;
using static mm;
";

        public const string Mm = @"
public sealed class vm_area_struct
{
    public ulong vm_flags;
    public int vm_refcnt;
    public object vm_file;

    [SecurityCheck]
    public bool IsWritable => (vm_flags & VM_WRITE) != 0;
}

public struct pte_t
{
    public ulong val;
}

public sealed class page
{
    public int refcount;
    public bool locked;
}

[Flags]
public enum VmFlags : ulong
{
    None = 0,
    Read = 1,
    [SecurityCheck] Write = 2,
    SoftDirty = 4,
}

public static class mm
{
    public const ulong VM_READ = 0x1;
    [SecurityCheck] public const ulong VM_WRITE = 0x2;
    public const ulong VM_SOFTDIRTY = 0x08000000;
    public const ulong MM_CP_DIRTY_ACCT = 0x1;
    public const ulong MM_CP_PROT_NUMA = 0x2;
    public const ulong _PAGE_DIRTY = 0x40;
    public const ulong _PAGE_SOFT_DIRTY = 0x80;
    public const ulong _PAGE_UFFD_WP = 0x400;
    public const ulong _PAGE_RW = 0x2;

    [SecurityCheck] public static bool may_write(vm_area_struct vma) => (vma.vm_flags & VM_WRITE) != 0;
    [SecurityCheck] public static readonly ulong vm_write_mask = VM_WRITE;

    public static bool pte_dirty(pte_t pte) => (pte.val & _PAGE_DIRTY) != 0;
    public static bool pte_soft_dirty(pte_t pte) => (pte.val & _PAGE_SOFT_DIRTY) != 0;
    public static bool pte_uffd_wp(pte_t pte) => (pte.val & _PAGE_UFFD_WP) != 0;
    public static bool pte_write(pte_t pte) => (pte.val & _PAGE_RW) != 0;
    public static bool vma_is_anonymous(vm_area_struct vma) { return vma.vm_refcnt >= 0; }
    public static page pte_page(pte_t pte) => new page();
    public static int page_count(page page) => page.refcount;
    public static bool WARN_ON_ONCE(bool condition) => condition;
    public static void VM_BUG_ON([DoesNotReturnIf(true)] bool condition) { if (condition) throw new InvalidOperationException(); }
    public static void VM_BUG_ON_WHAT([DoesNotReturnIf(true)] bool condition, int what) { if (condition) throw new InvalidOperationException(what.ToString()); }
    public static bool trylock_page(page page) { if (page.locked) return false; page.locked = true; return true; }
    public static int counter;
}

public sealed class vm_fault
{
    public vm_area_struct vma;
    public ulong flags;
    public page page;
}
";

        /// <summary>A test file: usings, then <paramref name="code"/>, then the mm slice.</summary>
        public static string With(string code) => Usings + code + Mm;
    }
}
