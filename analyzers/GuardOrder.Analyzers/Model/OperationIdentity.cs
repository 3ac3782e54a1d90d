using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace GuardOrder.Analyzers.Model
{
    /// <summary>
    /// Operations as keys of a walk's tables: the same object, hashed by where its syntax is and what kind
    /// it is. The default (the object's identity hash) sends every operation a walk meets for the first
    /// time through a call into the runtime that writes a hash into the object's header, and a walk meets
    /// most of its operations once or a few times. The sampled profile put nearly all of
    /// <c>RouteWalker.TryRecall</c>'s and <c>RouteWalker.Key</c>'s time there, but that profile over-weights
    /// calls into the runtime (they are safe points), and an A/B resolved no CPU change (benchmark README,
    /// 2026-12-03): a lookup that no longer calls into the runtime, not a measured speed-up. Operations
    /// that share a syntax node and kind (a control-flow graph's captures of one expression) share a hash
    /// and are told apart by reference.
    /// </summary>
    internal sealed class OperationIdentity : IEqualityComparer<IOperation>
    {
        public static readonly OperationIdentity Instance = new OperationIdentity();

        private OperationIdentity()
        {
        }

        public bool Equals(IOperation? x, IOperation? y) => ReferenceEquals(x, y);

        public int GetHashCode(IOperation operation)
        {
            var span = operation.Syntax.FullSpan;
            return unchecked((span.Start * 397) ^ (span.Length * 31) ^ (int)operation.Kind);
        }
    }
}
