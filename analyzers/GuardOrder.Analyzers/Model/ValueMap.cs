using System.Collections;
using System.Collections.Generic;

namespace GuardOrder.Analyzers.Model
{
    /// <summary>
    /// Where a route's values live (locals, parameters, member paths → their symbolic value), as a
    /// persistent list, newest binding first: setting a value is one small node shared by every route
    /// that forks after it, where an immutable dictionary copied a path of its tree per set (its nodes were
    /// 6 % of what GuardOrder allocated above the no-op floor on the real-shaped corpus; `--alloc-seq 3`:
    /// 23.06 → 21.98 MB with this list). A route holds a few dozen bindings at
    /// most; a lookup walks them. The list is rebuilt without shadowed bindings when it grows long
    /// (a loop walked again rebinds its locals), so a lookup stays short.
    /// </summary>
    internal sealed class ValueMap : IEnumerable<KeyValuePair<ValueKey, Sym>>
    {
        public static readonly ValueMap Empty = new ValueMap(null, null, null, 0, 0);

        /// <summary>Past this many nodes the list is rebuilt with the newest binding of each key only.</summary>
        private const int CompactAt = 48;

        private readonly ValueKey? _key;
        private readonly Sym? _value;
        private readonly ValueMap? _next;
        private readonly int _nodes;

        /// <summary>The key's hash, kept in the node: a lookup passes over most nodes on a hash compare alone.</summary>
        private readonly int _hash;

        private ValueMap(ValueKey? key, Sym? value, ValueMap? next, int nodes, int hash)
        {
            _key = key;
            _value = value;
            _next = next;
            _nodes = nodes;
            _hash = hash;
        }

        public bool IsEmpty => _nodes == 0;

        public bool TryGetValue(ValueKey key, out Sym value)
        {
            var hash = key.GetHashCode();
            for (var node = this; node._nodes > 0; node = node._next!)
            {
                if (node._hash == hash && node._key!.Equals(key))
                {
                    value = node._value!;
                    return true;
                }
            }

            value = null!;
            return false;
        }

        /// <summary>This map with <paramref name="key"/> bound to <paramref name="value"/> (an earlier binding of the key is shadowed).</summary>
        public ValueMap SetItem(ValueKey key, Sym value)
        {
            var map = _nodes < CompactAt ? this : Compact();
            return new ValueMap(key, value, map, map._nodes + 1, key.GetHashCode());
        }

        /// <summary>The newest binding of each key, newest first.</summary>
        /// <summary>
        /// Both maps give every key the same value (<paramref name="same"/>), without allocating: a key's value is
        /// its newest node's, so a node counts only when no newer node of its map has its key.
        /// </summary>
        public bool SameEntries(ValueMap other, System.Func<Sym, Sym, bool> same)
        {
            if (ReferenceEquals(this, other))
            {
                return true;
            }

            var count = 0;
            for (var node = this; node._nodes > 0; node = node._next!)
            {
                if (IsShadowed(this, node))
                {
                    continue;
                }

                count++;
                if (!other.TryGetValue(node._key!, out var value) || !same(node._value!, value))
                {
                    return false;
                }
            }

            var otherCount = 0;
            for (var node = other; node._nodes > 0; node = node._next!)
            {
                if (!IsShadowed(other, node))
                {
                    otherCount++;
                }
            }

            return count == otherCount;
        }

        /// <summary>A newer node of <paramref name="map"/> than <paramref name="node"/> has its key.</summary>
        private static bool IsShadowed(ValueMap map, ValueMap node)
        {
            for (var newer = map; !ReferenceEquals(newer, node); newer = newer._next!)
            {
                if (newer._hash == node._hash && newer._key!.Equals(node._key))
                {
                    return true;
                }
            }

            return false;
        }

        public IEnumerator<KeyValuePair<ValueKey, Sym>> GetEnumerator()
        {
            HashSet<ValueKey>? seen = null;
            for (var node = this; node._nodes > 0; node = node._next!)
            {
                if ((seen ??= new HashSet<ValueKey>()).Add(node._key!))
                {
                    yield return new KeyValuePair<ValueKey, Sym>(node._key!, node._value!);
                }
            }
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        private ValueMap Compact()
        {
            var newestFirst = new List<KeyValuePair<ValueKey, Sym>>(this);
            var map = Empty;
            for (var i = newestFirst.Count - 1; i >= 0; i--)
            {
                map = new ValueMap(newestFirst[i].Key, newestFirst[i].Value, map, map._nodes + 1, newestFirst[i].Key.GetHashCode());
            }

            return map;
        }
    }
}
