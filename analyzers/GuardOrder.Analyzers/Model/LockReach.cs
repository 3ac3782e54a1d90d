using Microsoft.CodeAnalysis.FlowAnalysis;

namespace GuardOrder.Analyzers.Model
{
    /// <summary>
    /// Which blocks of a lock user's graph can still reach a call of a lock primitive ([AcquiresLock],
    /// [TryAcquiresLock] or [ReleasesLock]) in the method itself, by the same over-approximating
    /// reachability as <see cref="GrantReach"/> (a finally region reaches every place the branches through
    /// it continue to). The lock walk does not expand helpers, so a call in the method is all it sees. A
    /// pruning lock walk ends a route that enters a block from which none is reachable while it holds
    /// nothing and has no try-lock result pending: every lock problem needs a lock call ahead of it or a
    /// lock held (a leak at an exit or a back edge, an unchecked try) and neither is left. An exception
    /// is followed by the walk only while a lock is held, so no throw edge is needed here.
    /// </summary>
    internal static class LockReach
    {
        /// <summary>For each block ordinal: a lock primitive may still be called from it.</summary>
        public static bool[] Compute(ControlFlowGraph cfg, GuardOrderSymbols symbols) =>
            GrantReach.Compute(cfg, invocation =>
                (symbols.AnnotationsOf(invocation.TargetMethod) & (Annotation.AcquiresLock | Annotation.TryAcquiresLock | Annotation.ReleasesLock)) != 0);
    }
}
