using System.Collections.Generic;

namespace GuardOrder.Analyzers.Model
{
    /// <summary>One variable of a <see cref="FactSet"/>: what the route allows for it and the first fact that said so.</summary>
    internal struct FactEntry
    {
        public FactEntry(FactVar var, IntSet allowed, Fact representative)
        {
            Var = var;
            Hash = var.GetHashCode();
            Allowed = allowed;
            Representative = representative;
        }

        public FactVar Var;
        public int Hash;
        public IntSet Allowed;
        public Fact Representative;

        /// <summary>The index of <paramref name="key"/>'s entry among the first <paramref name="count"/>, or -1.</summary>
        public static int Find(FactEntry[] entries, int count, FactVar key)
        {
            var hash = key.GetHashCode();
            for (var i = 0; i < count; i++)
            {
                if (entries[i].Hash == hash && entries[i].Var.Equals(key))
                {
                    return i;
                }
            }

            return -1;
        }
    }

    /// <summary>A <see cref="FactSet"/>'s constraints, variable → allowed values, in the order the route first constrained them (a view: no copy).</summary>
    internal readonly struct FactConstraints
    {
        private readonly FactEntry[] _entries;

        public FactConstraints(FactEntry[] entries, int count)
        {
            _entries = entries;
            Count = count;
        }

        public int Count { get; }

        public IntSet this[FactVar key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException();

        public bool TryGetValue(FactVar key, out IntSet value)
        {
            var at = FactEntry.Find(_entries, Count, key);
            value = at >= 0 ? _entries[at].Allowed : null!;
            return at >= 0;
        }

        public Enumerator GetEnumerator() => new Enumerator(_entries, Count);

        /// <summary>The pairs in order, without an allocation.</summary>
        public struct Enumerator
        {
            private readonly FactEntry[] _entries;
            private readonly int _count;
            private int _index;

            public Enumerator(FactEntry[] entries, int count)
            {
                _entries = entries;
                _count = count;
                _index = -1;
            }

            public KeyValuePair<FactVar, IntSet> Current => new KeyValuePair<FactVar, IntSet>(_entries[_index].Var, _entries[_index].Allowed);

            public bool MoveNext() => ++_index < _count;
        }
    }

    /// <summary>A <see cref="FactSet"/>'s first fact per variable (a view: no copy).</summary>
    internal readonly struct FactRepresentatives
    {
        private readonly FactEntry[] _entries;
        private readonly int _count;

        public FactRepresentatives(FactEntry[] entries, int count)
        {
            _entries = entries;
            _count = count;
        }

        public Fact this[FactVar key]
        {
            get
            {
                var at = FactEntry.Find(_entries, _count, key);
                return at >= 0 ? _entries[at].Representative : throw new KeyNotFoundException();
            }
        }
    }
}
