using System;

namespace GuardOrder.Package.Tests.Infrastructure
{
    /// <summary>The consumer code the end-to-end tests build: the review's finding in miniature.</summary>
    public static class Sources
    {
        /// <summary>The text of the misplaced security guard's condition (GO0001 is reported there).</summary>
        public const string ViolationMarker = "(vm_flags & VM_WRITE) == 0";

        /// <summary>The implementation-detail guard that the security guard must precede.</summary>
        public const string NumaMarker = "(cp_flags & MM_CP_PROT_NUMA) != 0";

        /// <summary>GO0001: the NUMA guard runs before the VM_WRITE guard (the 2021 as-posted order).</summary>
        public const string Violation = @"using GuardOrder;

namespace Consumer
{
    public static class Mm
    {
        [SecurityCheck] public const ulong VM_WRITE = 0x2;
        public const ulong MM_CP_PROT_NUMA = 0x4;

        public static bool may_avoid_write_fault(ulong vm_flags, ulong cp_flags)
        {
            // It is unclear whether this optimization can be done safely for NUMA pages.
            if ((cp_flags & MM_CP_PROT_NUMA) != 0)
                return false;

            // Never apply the write bit if VM_WRITE is not set.
            if ((vm_flags & VM_WRITE) == 0)
                return false;

            return true;
        }
    }
}
";

        /// <summary>The same method with the order the review asked for.</summary>
        public static string Fixed => Violation.Replace(
            @"            // It is unclear whether this optimization can be done safely for NUMA pages.
            if ((cp_flags & MM_CP_PROT_NUMA) != 0)
                return false;

            // Never apply the write bit if VM_WRITE is not set.
            if ((vm_flags & VM_WRITE) == 0)
                return false;
",
            @"            // Never apply the write bit if VM_WRITE is not set.
            if ((vm_flags & VM_WRITE) == 0)
                return false;

            // It is unclear whether this optimization can be done safely for NUMA pages.
            if ((cp_flags & MM_CP_PROT_NUMA) != 0)
                return false;
",
            StringComparison.Ordinal);

        /// <summary>A violation silenced with #pragma.</summary>
        public const string Pragma = @"using GuardOrder;

namespace Consumer
{
    public static class PragmaSuppressed
    {
        [SecurityCheck] public const ulong VM_WRITE = 0x2;
        public const ulong MM_CP_PROT_NUMA = 0x4;

        public static bool may_avoid_write_fault(ulong vm_flags, ulong cp_flags)
        {
            if ((cp_flags & MM_CP_PROT_NUMA) != 0)
                return false;
#pragma warning disable GO0001 // the order is kept on purpose in this test
            if ((vm_flags & VM_WRITE) == 0)
                return false;
#pragma warning restore GO0001
            return true;
        }
    }
}
";

        /// <summary>A violation silenced with [SuppressMessage].</summary>
        public const string SuppressMessage = @"using System.Diagnostics.CodeAnalysis;
using GuardOrder;

namespace Consumer
{
    public static class AttributeSuppressed
    {
        [SecurityCheck] public const ulong VM_WRITE = 0x2;
        public const ulong MM_CP_PROT_NUMA = 0x4;

        [SuppressMessage(""GuardOrder"", ""GO0001:Security check is not the first guard"", Justification = ""test"")]
        public static bool may_avoid_write_fault(ulong vm_flags, ulong cp_flags)
        {
            if ((cp_flags & MM_CP_PROT_NUMA) != 0)
                return false;
            if ((vm_flags & VM_WRITE) == 0)
                return false;
            return true;
        }
    }
}
";

        /// <summary>A violation in a file whose .editorconfig section sets GO0001 to none.</summary>
        public const string EditorConfigNone = @"using GuardOrder;

namespace Consumer
{
    public static class Legacy
    {
        [SecurityCheck] public const ulong VM_WRITE = 0x2;
        public const ulong MM_CP_PROT_NUMA = 0x4;

        public static bool may_avoid_write_fault(ulong vm_flags, ulong cp_flags)
        {
            if ((cp_flags & MM_CP_PROT_NUMA) != 0)
                return false;
            if ((vm_flags & VM_WRITE) == 0)
                return false;
            return true;
        }
    }
}
";

        /// <summary>
        /// One violation of every GuardOrder rule, GO0001 to GO0008, with its own small kernel (the
        /// attributes come from the package). A new rule adds its violation here, and the strict-mode
        /// test then checks that <c>&lt;GuardOrderMode&gt;strict&lt;/GuardOrderMode&gt;</c> makes it an error.
        /// </summary>
        public const string EveryRule = @"using GuardOrder;

namespace Consumer
{
    public sealed class page { public bool ksm; }
    public sealed class vm_fault { public page page = new page(); }

    public static class Kernel
    {
        [SecurityCheck] public const ulong VM_WRITE = 0x2;
        public const ulong MM_CP_PROT_NUMA = 0x4;

        [FaultPathCheck] public static bool PageKsm(page page) => page.ksm;
        [AcquiresLock] public static void lock_page(page page) { }
        [ReleasesLock] public static void unlock_page(page page) { }
        [WriteGrant] public static void wp_page_reuse(vm_fault vmf) { }

        public static int do_wp_page(vm_fault vmf)
        {
            lock_page(vmf.page);
            if (PageKsm(vmf.page))
            {
                unlock_page(vmf.page);
                return 1;
            }
            wp_page_reuse(vmf);
            unlock_page(vmf.page);
            return 0;
        }

        // GO0001: the NUMA guard runs before the security check.
        public static bool numa_first(ulong vm_flags, ulong cp_flags)
        {
            if ((cp_flags & MM_CP_PROT_NUMA) != 0)
                return false;
            if ((vm_flags & VM_WRITE) == 0)
                return false;
            return true;
        }

        // GO0002: grants without the PageKsm check the fault path makes.
        [MustMatchFaultPath(nameof(do_wp_page))]
        public static bool no_ksm_check(page page, ulong vm_flags)
        {
            if ((vm_flags & VM_WRITE) == 0)
                return false;
            return true;
        }

        // GO0003: checks PageKsm without the page lock do_wp_page holds for it.
        [MustMatchFaultPath(nameof(do_wp_page))]
        public static bool ksm_unlocked(page page, ulong vm_flags)
        {
            if ((vm_flags & VM_WRITE) == 0)
                return false;
            return !PageKsm(page);
        }

        // GO0004: the early return keeps the lock.
        public static bool leaks(page page)
        {
            lock_page(page);
            if (PageKsm(page))
                return false;
            unlock_page(page);
            return true;
        }

        // GO0005: a route to true never passes the security check.
        [MustMatchFaultPath(nameof(do_wp_page))]
        public static bool bypass(page page, ulong vm_flags, bool fast)
        {
            lock_page(page);
            bool ksm = PageKsm(page);
            unlock_page(page);
            if (ksm)
                return false;
            if (fast)
                return true;
            return (vm_flags & VM_WRITE) != 0;
        }

        // GO0006: names no method.
        [MustMatchFaultPath(""do_wp_pag"")]
        public static bool typo(page page) => !PageKsm(page);

        // GO0007 (info; an error in strict mode): the fault's own mode (unshare) is a condition the
        // predicate cannot name: it is assumed at its granting value, and said so.
        public const uint FAULT_FLAG_UNSHARE = 0x400;
        public sealed class mode_fault { public uint flags; }
        [WriteGrant] public static void mode_grant(mode_fault vmf) { }
        public static int do_mode_fault(mode_fault vmf)
        {
            if ((vmf.flags & FAULT_FLAG_UNSHARE) != 0)
                return 0;
            mode_grant(vmf);
            return 1;
        }

        [MustMatchFaultPath(nameof(do_mode_fault))]
        public static bool mode_assumed(page page, ulong vm_flags) => (vm_flags & VM_WRITE) != 0;

        // GO0008: 2^14 routes under the lock, one way out leaving it held: GO0004's merged first walk finds the
        // leak, the exact walk that would report it passes the bound: reported, not silently skipped.
        private static int counter;
        public static void too_many_routes(page page, ulong f)
        {
            lock_page(page);
            if ((f & 0x1) != 0) counter++;
            if ((f & 0x2) != 0) counter++;
            if ((f & 0x4) != 0) counter++;
            if ((f & 0x8) != 0) counter++;
            if ((f & 0x10) != 0) counter++;
            if ((f & 0x20) != 0) counter++;
            if ((f & 0x40) != 0) counter++;
            if ((f & 0x80) != 0) counter++;
            if ((f & 0x100) != 0) counter++;
            if ((f & 0x200) != 0) counter++;
            if ((f & 0x400) != 0) counter++;
            if ((f & 0x800) != 0) counter++;
            if ((f & 0x1000) != 0) counter++;
            if ((f & 0x2000) != 0) counter++;
            if ((f & 0x4000) != 0) return;
            unlock_page(page);
        }
    }
}
";

        /// <summary>1-based line of the first occurrence of <paramref name="marker"/>.</summary>
        public static int LineOf(string text, string marker)
        {
            var index = text.IndexOf(marker, StringComparison.Ordinal);
            if (index < 0)
            {
                throw new ArgumentException("marker not found: " + marker);
            }

            return text.Substring(0, index).Split('\n').Length;
        }

        /// <summary>1-based column of the first occurrence of <paramref name="marker"/>.</summary>
        public static int ColumnOf(string text, string marker)
        {
            var index = text.IndexOf(marker, StringComparison.Ordinal);
            return index - text.LastIndexOf('\n', index);
        }
    }
}
