// The bugs the mutation test plants in may_avoid_write_fault() (sample-mm/mprotect.cs), one at a
// time, each as exact text replacements (LF line endings; every old text occurs exactly once in
// the file - MutationTests checks it). The analyzer mutation test can reuse the same strings.
namespace SampleMm.Tests.Mutation
{
    /// <summary>One planted bug: a name, why it is a bug, and the replacements that plant it.</summary>
    public sealed record mutant(string name, string why, params (string old_text, string new_text)[] edits)
    {
        /// <summary>
        /// Set when no state the kernel's operations reach tells the mutant from the port (an
        /// equivalent mutant over reachable states): the reason. The mutation test then requires
        /// it to survive, so that the claim stays checked.
        /// </summary>
        public string? equivalent { get; init; }

        public override string ToString() => name;
    }

    public static class Mutants
    {
        /// <summary>The file the mutants are planted in, relative to the repository root.</summary>
        public const string file = "sample-mm/mprotect.cs";

        public static readonly mutant drop_vm_write_guard = new(
            "drop the VM_WRITE guard",
            "mprotect(PROT_READ) of a dirty exclusive page makes it writable: a store to a read-only mapping succeeds",
            ("            if ((vma.vm_flags & VM_WRITE) == 0)\n            {\n                return false;\n            }\n", ""));

        public static readonly mutant drop_page_ksm = new(
            "drop PageKsm",
            "a KSM page that only a fork child still maps (dirty pte, refcount 1) becomes writable; the next process ksmd merges into it reads the child's writes",
            ("            if (PageKsm(page))\n            {\n                goto unlock_fail;\n            }\n", ""));

        public static readonly mutant drop_page_count = new(
            "drop the page_count check",
            "a page pinned by GUP (O_DIRECT) is mapped once but referenced 1025 times: the fault path copies, the early write lets the pin holder see the write",
            ("            if (page_count(page) != 1)\n            {\n                goto unlock_fail;\n            }\n", ""));

        public static readonly mutant drop_uffd_wp = new(
            "drop the uffd-wp test",
            "a uffd-wp protected pte becomes writable: the write never reaches the monitor",
            ("            if (pte_uffd_wp(pte) || userfaultfd_pte_wp(vma, pte))\n            {\n                return false;\n            }\n", ""));

        public static readonly mutant drop_page_lock = new(
            "drop the page lock (trylock_page/unlock_page)",
            "PageKsm() read without the lock: ksmd merges the page (and the other mappers exit) between the predicate's reads",
            ("            if (!trylock_page(page))\n            {\n                return false;\n            }\n", ""),
            ("        unlock_fail:\n            unlock_page(page);\n", "        unlock_fail:\n"));

        public static readonly mutant not_anon_returns_true = new(
            "make !PageAnon(page) return true",
            "a page-cache page mapped privately would be written in place instead of copied",
            ("            if (!PageAnon(page))\n            {\n                return false;\n            }\n", "            if (!PageAnon(page))\n            {\n                return true;\n            }\n"))
        {
            equivalent =
                "unreachable in v5.13: the line is reached only with VM_WRITE, a dirty write-protected pte and no MM_CP_DIRTY_ACCT. " +
                "A shared file mapping then never gets here (mprotect_fixup() passes MM_CP_DIRTY_ACCT whenever its vm_page_prot is " +
                "read-only - vma_wants_writenotify() - and otherwise the pte is already writable, so the predicate is not asked), " +
                "and a private mapping never has a dirty pte on a page-cache page (read faults map it clean and read-only; every " +
                "write copies it to an anonymous page first); userfaultfd-wp (v5.13: anonymous memory only) and NUMA hinting " +
                "(returns false earlier) do not change that.",
        };

        public static readonly mutant invert_soft_dirty = new(
            "invert the soft-dirty test",
            "the 2021 polarity: with tracking on (VM_SOFTDIRTY clear) a pte cleared by clear_refs becomes writable and the write is not recorded",
            ("!pte_soft_dirty(pte) && (vma.vm_flags & VM_SOFTDIRTY) == 0", "!pte_soft_dirty(pte) && (vma.vm_flags & VM_SOFTDIRTY) != 0"));

        public static readonly mutant page_ksm_before_lock = new(
            "read PageKsm before the lock",
            "the same race as without the lock: ksmd merges between the PageKsm() read and trylock_page()",
            ("            // Best effort to take page lock, don't play trick if failed.\n            if (!trylock_page(page))\n            {\n                return false;\n            }\n\n            // KSM pages needs COW; leave them be. (PageKsm() is stable under the page lock.)\n            if (PageKsm(page))\n            {\n                goto unlock_fail;\n            }\n",
             "            // KSM pages needs COW; leave them be. (PageKsm() is stable under the page lock.)\n            if (PageKsm(page))\n            {\n                return false;\n            }\n\n            // Best effort to take page lock, don't play trick if failed.\n            if (!trylock_page(page))\n            {\n                return false;\n            }\n"));

        /// <summary>Every mutant, the ones the issue lists first.</summary>
        public static readonly mutant[] all =
        {
            drop_vm_write_guard, drop_page_ksm, drop_page_count, drop_uffd_wp, drop_page_lock, not_anon_returns_true, invert_soft_dirty,
            page_ksm_before_lock,
        };
    }
}
