using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace GuardOrder.Analyzers.Model
{
    /// <summary>
    /// The per-operation tables of one walk (<see cref="RouteWalker"/>: value keys, named constants,
    /// constants, value memos), rented per walk from a per-thread free set and cleared when returned.
    /// A walk fills them from empty and grows them as it goes; made new per walk, their growth was a
    /// tenth of a walk's time on the mixed corpus (the dictionaries' resizing) and their arrays a
    /// twentieth of what GuardOrder allocated above the no-op floor. Thread-safe by construction
    /// (nothing is shared between threads); no state outlives a walk: a returned set holds no entry, and
    /// a set grown past <see cref="KeptCapacity"/> entries is dropped rather than kept.
    /// </summary>
    internal sealed class WalkTables
    {
        /// <summary>A table set whose largest table grew past this many entries is not kept for the next walk.</summary>
        private const int KeptCapacity = 4096;

        [System.ThreadStatic]
        private static WalkTables? s_free;

        public Dictionary<IOperation, ValueKey?> Keys { get; } = new Dictionary<IOperation, ValueKey?>(OperationIdentity.Instance);

        public Dictionary<IOperation, ImmutableArray<(long Value, IFieldSymbol Field)>> NamedConstants { get; } = new Dictionary<IOperation, ImmutableArray<(long Value, IFieldSymbol Field)>>(OperationIdentity.Instance);

        public Dictionary<IOperation, Sym> Constants { get; } = new Dictionary<IOperation, Sym>(OperationIdentity.Instance);

        public Dictionary<IOperation, RouteWalker.Memo> Memos { get; } = new Dictionary<IOperation, RouteWalker.Memo>(OperationIdentity.Instance);

        /// <summary>An empty set: this thread's free one, or a new one (a walk inside a walk gets a new one).</summary>
        public static WalkTables Rent()
        {
            var tables = s_free ?? new WalkTables();
            s_free = null;
            return tables;
        }

        /// <summary>Empties the set and keeps it for this thread's next walk (unless it grew large).</summary>
        public static void Return(WalkTables tables)
        {
            var large = tables.Keys.Count > KeptCapacity || tables.Memos.Count > KeptCapacity ||
                tables.Constants.Count > KeptCapacity || tables.NamedConstants.Count > KeptCapacity;
            tables.Keys.Clear();
            tables.NamedConstants.Clear();
            tables.Constants.Clear();
            tables.Memos.Clear();
            if (!large)
            {
                s_free = tables;
            }
        }
    }
}
