using Microsoft.CodeAnalysis;

namespace GuardOrder.Analyzers
{
    /// <summary>Every diagnostic GuardOrder reports, in one place (ids, titles, messages, help links).</summary>
    public static class Descriptors
    {
        public static readonly DiagnosticDescriptor GO0001SecurityGuardFirst = Create(
            RuleIdentifiers.SecurityGuardFirst,
            "Security check is not the first guard",
            "Security check '{0}' should come before '{1}'{2}",
            DiagnosticSeverity.Warning,
            "A security-relevant guard (one that reads a [SecurityCheck] symbol) must come before the implementation-detail guards it shares a guard run or a &&/|| chain with, even when the order does not change the result.");

        public static readonly DiagnosticDescriptor GO0002FaultPathMissingCheck = Create(
            RuleIdentifiers.FaultPathMissingCheck,
            "Early-write predicate can grant where the fault path would not",
            "{0} can return true without the checks {1} makes before {2}: {3}{4}",
            DiagnosticSeverity.Warning,
            "A [MustMatchFaultPath] predicate must only return true on routes that imply a write-granting route of its fault path.");

        public static readonly DiagnosticDescriptor GO0003CheckOutsideLock = Create(
            RuleIdentifiers.FaultPathCheckOutsideLock,
            "Fault-path check made outside the lock the fault path holds for it",
            "{0} checks {1} without holding the lock {2} takes with {3} before {4}",
            DiagnosticSeverity.Warning,
            "The fault path re-checks this fact under a lock; the predicate must read it under the same lock, or the result can change underneath it.");

        public static readonly DiagnosticDescriptor GO0004LockDiscipline = Create(
            RuleIdentifiers.LockDiscipline,
            "Lock discipline",
            "{0}",
            DiagnosticSeverity.Warning,
            "A lock taken must be released on every route out of the method, only a held lock may be released, and a try-lock's result must be branched on before the guarded code.");

        public static readonly DiagnosticDescriptor GO0005SecurityCheckBypassed = Create(
            RuleIdentifiers.SecurityCheckBypassed,
            "A grant route bypasses the security check",
            "{0} can return true on a route that never passes the security check{1}",
            DiagnosticSeverity.Warning,
            "In an early-write predicate, and in a bool method whose guard run rejects on a security check, every route to 'return true' must pass a security check first.");

        public static readonly DiagnosticDescriptor GO0006InvalidAnnotation = Create(
            RuleIdentifiers.InvalidAnnotation,
            "Invalid GuardOrder annotation",
            "{0}",
            DiagnosticSeverity.Error,
            "A GuardOrder attribute is used where it cannot mean anything: the analysis it drives would be silently skipped.");

        public static readonly DiagnosticDescriptor GO0007FaultPathAssumed = Create(
            RuleIdentifiers.FaultPathAssumed,
            "Fault-path conditions assumed or not annotated",
            "{0} is compared with {1} {2}",
            DiagnosticSeverity.Info,
            "Lists what the sync analysis assumed about the fault path when it compared a predicate with it: conditions on state the predicate cannot name (the fault's own mode), which are taken at their granting value, declared [FaultPathAssumption]s, and conditions on members or calls that carry no GuardOrder annotation.");

        public static readonly DiagnosticDescriptor GO0008AnalysisLimit = Create(
            RuleIdentifiers.AnalysisLimit,
            "Sync analysis limit reached",
            "{0} was not fully analysed for {1}: {2}",
            DiagnosticSeverity.Warning,
            "The route analysis behind GO0002-GO0005 has bounds (routes, steps, implication search). A method past a bound is reported instead of being silently accepted: split it, or raise the bound.");

        private static DiagnosticDescriptor Create(string id, string title, string message, DiagnosticSeverity severity, string description) =>
            new DiagnosticDescriptor(
                id,
                title,
                message,
                RuleIdentifiers.Category,
                severity,
                isEnabledByDefault: true,
                description: description,
                helpLinkUri: RuleIdentifiers.GetHelpUri(id));
    }
}
