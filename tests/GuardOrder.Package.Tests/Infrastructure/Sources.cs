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
