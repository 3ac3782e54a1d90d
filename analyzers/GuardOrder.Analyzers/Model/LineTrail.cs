using System.Collections.Generic;

namespace GuardOrder.Analyzers.Model
{
    /// <summary>
    /// The lines a route passed, as a persistent list that shares its prefix with the routes it branched
    /// from: adding a line is one small allocation (a route's state is copied at every step, so an
    /// immutable tree here cost a tree path per block).
    /// </summary>
    internal sealed class LineTrail
    {
        public static readonly LineTrail Empty = new LineTrail(0, null, 0);

        private readonly LineTrail? _previous;

        private LineTrail(int line, LineTrail? previous, int count)
        {
            Last = line;
            _previous = previous;
            Count = count;
        }

        public int Count { get; }

        public bool IsEmpty => Count == 0;

        /// <summary>The last line added (0 when empty).</summary>
        public int Last { get; }

        public LineTrail Add(int line) => new LineTrail(line, this, Count + 1);

        /// <summary>The lines in the order the route passed them.</summary>
        public List<int> ToList()
        {
            var lines = new List<int>(Count);
            for (var node = this; node is not null && node.Count > 0; node = node._previous)
            {
                lines.Add(node.Last);
            }

            lines.Reverse();
            return lines;
        }
    }
}
