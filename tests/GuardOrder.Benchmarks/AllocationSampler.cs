using System;
using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using System.Linq;

namespace GuardOrder.Benchmarks
{
    /// <summary>
    /// In-process allocation sampling (<c>--profile-real N --alloc</c>): the runtime's GCAllocationTick
    /// events (one per ~100 KB allocated) summed by type, so the types the analyzers allocate most show
    /// without an external profiler.
    /// </summary>
    internal sealed class AllocationSampler : EventListener
    {
        private readonly ConcurrentDictionary<string, long> _bytes = new ConcurrentDictionary<string, long>();

        protected override void OnEventSourceCreated(EventSource eventSource)
        {
            if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
            {
                EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)0x1); // GC keyword: GCAllocationTick
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs eventData)
        {
            if (eventData.EventName is null || !eventData.EventName.StartsWith("GCAllocationTick", StringComparison.Ordinal) || eventData.Payload is null)
            {
                return;
            }

            var names = eventData.PayloadNames;
            var type = names is null ? null : eventData.Payload[names.IndexOf("TypeName")] as string;
            var amount = names is null ? 0L : Convert.ToInt64(eventData.Payload[names.IndexOf("AllocationAmount")], System.Globalization.CultureInfo.InvariantCulture);
            _bytes.AddOrUpdate(type ?? "?", amount, (_, sum) => sum + amount);
        }

        public void Reset() => _bytes.Clear();

        /// <summary>The bytes sampled so far by type, and a reset: one run's figures to compare with another's.</summary>
        public System.Collections.Generic.Dictionary<string, long> Take()
        {
            var taken = _bytes.ToDictionary(p => p.Key, p => p.Value);
            _bytes.Clear();
            return taken;
        }

        /// <summary>
        /// The types whose sampled bytes grew most from <paramref name="floor"/> to <paramref name="run"/>:
        /// what the analyzers allocate themselves, and what they make the driver allocate beyond the no-op floor.
        /// </summary>
        public static string TopAbove(System.Collections.Generic.Dictionary<string, long> run, System.Collections.Generic.Dictionary<string, long> floor, int count)
        {
            long Floor(string type) => floor.TryGetValue(type, out var bytes) ? bytes : 0;
            var above = run.Keys.Concat(floor.Keys).Distinct()
                .Select(type => (Type: type, Bytes: (run.TryGetValue(type, out var bytes) ? bytes : 0) - Floor(type)))
                .ToList();
            var total = above.Sum(p => p.Bytes);
            return $"{total / 1048576.0,8:F1} MB above the floor in all ({run.Values.Sum() / 1048576.0:F1} MB sampled in the run, {floor.Values.Sum() / 1048576.0:F1} MB in the floor's)" + Environment.NewLine +
                string.Join(Environment.NewLine, above.OrderByDescending(p => p.Bytes).Take(count)
                    .Select(p => $"{p.Bytes / 1048576.0,8:F1} MB {100.0 * p.Bytes / Math.Max(1, total),5:F1} %  {p.Type} (floor {Floor(p.Type) / 1048576.0:F1} MB)"));
        }

        public string Top(int count)
        {
            var total = _bytes.Values.Sum();
            return string.Join(Environment.NewLine, _bytes.OrderByDescending(p => p.Value).Take(count)
                .Select(p => $"{p.Value / 1048576.0,8:F1} MB {100.0 * p.Value / Math.Max(1, total),5:F1} %  {p.Key}"));
        }
    }
}
