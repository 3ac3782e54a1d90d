using System;
using System.Text.RegularExpressions;

namespace GuardOrder.Package.Tests.Infrastructure
{
    /// <summary>Puts the 2021 as-posted guard order back into a copy of sample-mm/mprotect.cs.</summary>
    public static class SampleMmEdits
    {
        public const string SecurityCondition = "(vma.vm_flags & VM_WRITE) == 0";
        public const string NumaCondition = "(cp_flags & MM_CP_PROT_NUMA) != 0";

        /// <summary>
        /// Swaps the VM_WRITE guard (with its comment) and the NUMA guard that follows it in
        /// may_avoid_write_fault(); fails loudly if the port no longer has that shape.
        /// </summary>
        public static string SwapSecurityGuardBehindNuma(string mprotect)
        {
            var security = Block(SecurityCondition);
            var numa = Block(NumaCondition);
            var pair = new Regex("(?<security>" + security + ")(?<gap>[ \\t]*\\n)(?<numa>" + numa + ")");
            var match = pair.Match(mprotect);
            if (!match.Success)
            {
                throw new InvalidOperationException(
                    "sample-mm/mprotect.cs no longer has the VM_WRITE guard directly followed by the NUMA guard; update SampleMmEdits.");
            }

            var swapped = match.Groups["numa"].Value + match.Groups["gap"].Value + match.Groups["security"].Value;
            return mprotect.Substring(0, match.Index) + swapped + mprotect.Substring(match.Index + match.Length);
        }

        /// <summary>Comment lines, then <c>if (condition)</c> with a braced or bare <c>return false;</c>.</summary>
        private static string Block(string condition) =>
            @"(?:[ \t]*//[^\n]*\n)*[ \t]*if \(" + Regex.Escape(condition) + @"\)[ \t]*\n(?:[ \t]*\{[ \t]*\n)?[ \t]*return false;[ \t]*\n(?:[ \t]*\}[ \t]*\n)?";
    }
}
