using System.Collections.Generic;

namespace GuardOrder.Analyzers.Model
{
    /// <summary>
    /// The alternatives one evaluation step gives: almost always exactly one, so the first is held
    /// inline and a list is allocated only for a second. A walk evaluates every operation of every block
    /// on every route; one list per evaluation was the largest part of what it allocated. Build it in a
    /// local, then return or enumerate it (it is a struct: an <see cref="Add"/> on a copy is not seen).
    /// </summary>
    internal struct Few<T>
    {
        private T _first;
        private List<T>? _rest;

        public Few(T first)
        {
            _first = first;
            _rest = null;
            Count = 1;
        }

        public int Count { get; private set; }

        public void Add(T item)
        {
            if (Count == 0)
            {
                _first = item;
            }
            else
            {
                (_rest ??= new List<T>()).Add(item);
            }

            Count++;
        }

        public void AddRange(Few<T> items)
        {
            foreach (var item in items)
            {
                Add(item);
            }
        }

        public void AddRange(IEnumerable<T> items)
        {
            foreach (var item in items)
            {
                Add(item);
            }
        }

        public T this[int index] => index == 0 ? _first : _rest![index - 1];

        public Enumerator GetEnumerator() => new Enumerator(this);

        public List<T> ToList()
        {
            var list = new List<T>(Count);
            foreach (var item in this)
            {
                list.Add(item);
            }

            return list;
        }

        public struct Enumerator
        {
            private readonly Few<T> _items;
            private int _index;

            public Enumerator(Few<T> items)
            {
                _items = items;
                _index = -1;
            }

            public T Current => _items[_index];

            public bool MoveNext() => ++_index < _items.Count;
        }
    }
}
