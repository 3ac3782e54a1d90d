using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using Microsoft.CodeAnalysis;

namespace GuardOrder.Analyzers.Model
{
    /// <summary>
    /// A set of 64-bit integers as sorted, disjoint, closed intervals. Every fact domain is mapped
    /// onto it: a bool is {0, 1}, a reference is {0 = null, 1 = not null}, a lock is {1 = taken},
    /// an integer is itself (bounded a little inside long's range so that k ± 1 never overflows).
    /// </summary>
    internal sealed class IntSet : IEquatable<IntSet>
    {
        public const long Min = long.MinValue + 4;
        public const long Max = long.MaxValue - 4;

        // Before the sets built with Range below (static initialisers run in order).
        private static readonly IntSet Zero = new IntSet(ImmutableArray.Create((0L, 0L)));
        private static readonly IntSet One = new IntSet(ImmutableArray.Create((1L, 1L)));
        private static readonly IntSet ZeroOne = new IntSet(ImmutableArray.Create((0L, 1L)));

        public static readonly IntSet Empty = new IntSet(ImmutableArray<(long Lo, long Hi)>.Empty);
        public static readonly IntSet AllIntegers = Range(Min, Max);
        public static readonly IntSet Boolean = Range(0, 1);

        private IntSet(ImmutableArray<(long Lo, long Hi)> intervals)
        {
            Intervals = intervals;
        }

        public ImmutableArray<(long Lo, long Hi)> Intervals { get; }

        public bool IsEmpty => Intervals.Length == 0;

        public static IntSet Point(long value) => Range(value, value);

        public static IntSet Range(long lo, long hi)
        {
            if (lo > hi)
            {
                return Empty;
            }

            // The bool and null-ness sets are most of what the walks build: shared, not allocated.
            switch ((lo, hi))
            {
                case (0, 0):
                    return Zero;
                case (1, 1):
                    return One;
                case (0, 1):
                    return ZeroOne;
            }

            return new IntSet(ImmutableArray.Create((Math.Max(lo, Min), Math.Min(hi, Max))));
        }

        public bool Contains(long value)
        {
            foreach (var (lo, hi) in Intervals)
            {
                if (value >= lo && value <= hi)
                {
                    return true;
                }
            }

            return false;
        }

        public IntSet Intersect(IntSet other)
        {
            if (ReferenceEquals(this, other) || IsEmpty)
            {
                return this;
            }

            if (other.IsEmpty)
            {
                return other;
            }

            if (Intervals.Length == 1 && other.Intervals.Length == 1)
            {
                // One interval each (nearly every fact): no builder, and no new set when one contains the other.
                var a = Intervals[0];
                var b = other.Intervals[0];
                var lo = Math.Max(a.Lo, b.Lo);
                var hi = Math.Min(a.Hi, b.Hi);
                if (lo > hi)
                {
                    return Empty;
                }

                if (lo == a.Lo && hi == a.Hi)
                {
                    return this;
                }

                return lo == b.Lo && hi == b.Hi ? other : Range(lo, hi);
            }

            var result = ImmutableArray.CreateBuilder<(long, long)>();
            int i = 0, j = 0;
            while (i < Intervals.Length && j < other.Intervals.Length)
            {
                var a = Intervals[i];
                var b = other.Intervals[j];
                var lo = Math.Max(a.Lo, b.Lo);
                var hi = Math.Min(a.Hi, b.Hi);
                if (lo <= hi)
                {
                    result.Add((lo, hi));
                }

                if (a.Hi < b.Hi)
                {
                    i++;
                }
                else
                {
                    j++;
                }
            }

            return new IntSet(result.ToImmutable());
        }

        /// <summary>The values of <paramref name="domain"/> that are not in this set.</summary>
        public IntSet ComplementWithin(IntSet domain)
        {
            // One interval in a one-interval domain (nearly every negated literal: a bool, a null test, a
            // comparison): at most two intervals, computed without a builder and a second intersection.
            if (Intervals.Length == 1 && domain.Intervals.Length == 1 && domain.Intervals[0].Lo >= Min && domain.Intervals[0].Hi <= Max)
            {
                var (lo, hi) = Intervals[0];
                var (dlo, dhi) = domain.Intervals[0];
                var hasLeft = lo > dlo;                 // [dlo, min(lo - 1, dhi)]
                var hasRight = hi < dhi;                // [max(hi + 1, dlo), dhi]
                var left = (dlo, Math.Min(lo - 1, dhi));
                var right = (Math.Max(hi + 1, dlo), dhi);
                if (hasLeft && hasRight)
                {
                    return new IntSet(ImmutableArray.Create(left, right));
                }

                return hasLeft ? Range(left.Item1, left.Item2) : hasRight ? Range(right.Item1, right.Item2) : Empty;
            }

            var result = ImmutableArray.CreateBuilder<(long, long)>();
            var cursor = Min;
            foreach (var (lo, hi) in Intervals)
            {
                if (lo > cursor)
                {
                    result.Add((cursor, lo - 1));
                }

                cursor = hi >= Max ? Max + 1 : hi + 1;
            }

            if (cursor <= Max)
            {
                result.Add((cursor, Max));
            }

            return new IntSet(result.ToImmutable()).Intersect(domain);
        }

        public bool IsSubsetOf(IntSet other) => Intersect(other).Equals(this);

        /// <summary>The values in this set or in <paramref name="other"/> (touching intervals are joined, so equal sets compare equal).</summary>
        public IntSet Union(IntSet other)
        {
            if (ReferenceEquals(this, other) || other.IsEmpty)
            {
                return this;
            }

            if (IsEmpty)
            {
                return other;
            }

            var all = new List<(long Lo, long Hi)>(Intervals.Length + other.Intervals.Length);
            all.AddRange(Intervals);
            all.AddRange(other.Intervals);
            all.Sort((x, y) => x.Lo.CompareTo(y.Lo));
            var result = ImmutableArray.CreateBuilder<(long, long)>();
            var (lo, hi) = all[0];
            for (var i = 1; i < all.Count; i++)
            {
                var next = all[i];
                if (next.Lo <= hi || next.Lo - 1 == hi)
                {
                    hi = Math.Max(hi, next.Hi);
                    continue;
                }

                result.Add((lo, hi));
                (lo, hi) = next;
            }

            result.Add((lo, hi));
            return result.Count == 1 ? Range(result[0].Item1, result[0].Item2) : new IntSet(result.ToImmutable());
        }

        /// <summary>Adds the bounds of the set and their neighbours: together with the other sets' points they hit every region the bounds cut the line into.</summary>
        public static void AddBoundaryPoints(IntSet set, HashSet<long> points)
        {
            foreach (var (lo, hi) in set.Intervals)
            {
                points.Add(lo);
                points.Add(hi);
                if (lo > Min)
                {
                    points.Add(lo - 1);
                }

                if (hi < Max)
                {
                    points.Add(hi + 1);
                }
            }
        }

        public bool Equals(IntSet? other)
        {
            if (other is null || other.Intervals.Length != Intervals.Length)
            {
                return false;
            }

            for (int i = 0; i < Intervals.Length; i++)
            {
                if (Intervals[i] != other.Intervals[i])
                {
                    return false;
                }
            }

            return true;
        }

        public override bool Equals(object? obj) => Equals(obj as IntSet);

        public override int GetHashCode()
        {
            int hash = 17;
            foreach (var (lo, hi) in Intervals)
            {
                hash = (hash * 31) + lo.GetHashCode();
                hash = (hash * 31) + hi.GetHashCode();
            }

            return hash;
        }
    }

    /// <summary>What kind of value a fact constrains (decides its domain and how it is written in messages).</summary>
    internal enum FactKind
    {
        Bool,
        Reference,
        Integer,
        Lock,

        /// <summary>One bit of an integer (a flag test): 1 set, 0 clear.</summary>
        Flag,
    }

    /// <summary>A lock held at some point of a route: the acquiring call and the object it locks.</summary>
    internal sealed class HeldLock
    {
        private string? _acquireText;

        /// <param name="acquireText">The acquiring call's text when already known; otherwise it is read from <paramref name="acquire"/> when a message needs it.</param>
        public HeldLock(ValueKey? target, ITypeSymbol family, IOperation acquire, string? acquireText = null)
        {
            Target = target;
            Family = family;
            Acquire = acquire;
            _acquireText = acquireText;
        }

        /// <summary>Where the locked object lives (the first argument), when it is a local, parameter or member path.</summary>
        public ValueKey? Target { get; }

        /// <summary>The kind of lock: the first parameter's type of the lock method (e.g. <c>page</c>).</summary>
        public ITypeSymbol Family { get; }

        public IOperation Acquire { get; }

        /// <summary>The acquiring call as written, e.g. <c>trylock_page(page)</c>.</summary>
        public string AcquireText => _acquireText ??= RouteWalker.Text(Acquire);

        public bool SameFamily(HeldLock other) => Subject.SameType(other.Family, Family);
    }

    /// <summary>
    /// The outcome of one condition on a route: the variable (<see cref="FactVar"/>: a subject, a bit
    /// of it, the lock held when it was read), the set of values the route allows, and how to write
    /// it. Lock acquisitions are facts too (<see cref="FactKind.Lock"/>).
    /// </summary>
    internal sealed class Fact
    {
        // The subject's text is written only into messages: it is built when asked (from the value it
        // was read as, or the lock taken), not for every fact of every route.
        private string? _subjectText;
        private readonly CheckSym? _textOf;
        private readonly string? _bitName;
        private readonly HeldLock? _lockText;

        public Fact(FactVar var, FactKind kind, string subjectText, IntSet allowed, HeldLock? underLock, IOperation? operation, ISymbol? annotated)
            : this(var, kind, allowed, underLock, operation, annotated)
        {
            _subjectText = subjectText;
        }

        private Fact(FactVar var, FactKind kind, IntSet allowed, HeldLock? underLock, IOperation? operation, ISymbol? annotated, CheckSym? textOf = null, string? bitName = null, HeldLock? lockText = null)
        {
            Var = var;
            Kind = kind;
            Allowed = allowed;
            UnderLock = underLock;
            Operation = operation;
            Annotated = annotated;
            _textOf = textOf;
            _bitName = bitName;
            _lockText = lockText;
        }

        public static Fact Of(Literal literal)
        {
            var value = literal.Value;
            var var = new FactVar(value.Subject, literal.Bit, value.UnderLock?.Family);
            if (literal.Bit == Literal.NullnessBit)
            {
                return new Fact(var, FactKind.Reference, literal.Allowed, value.UnderLock, value.Operation, value.Annotated, textOf: value);
            }

            if (literal.Bit != 0)
            {
                return new Fact(var, FactKind.Flag, literal.Allowed, value.UnderLock, value.Operation, value.Annotated ?? literal.BitField, textOf: value, bitName: literal.BitName ?? string.Empty);
            }

            return new Fact(var, value.Kind, literal.Allowed, value.UnderLock, value.Operation, value.Annotated, textOf: value);
        }

        public static Fact LockTaken(HeldLock held) =>
            new Fact(new FactVar(new LockSubject(held.Family), 0, null), FactKind.Lock, IntSet.Point(1), null, held.Acquire, annotated: null, lockText: held);

        public FactVar Var { get; }

        public FactKind Kind { get; }

        /// <summary>The check as written, e.g. <c>PageKsm(page)</c>.</summary>
        public string SubjectText => _subjectText ??=
            _lockText is not null ? _lockText.AcquireText :
            _textOf is null ? string.Empty :
            _bitName is not null ? "(" + _textOf.Text + " & " + _bitName + ")" : _textOf.Text;

        public IntSet Allowed { get; }

        public HeldLock? UnderLock { get; }

        public IOperation? Operation { get; }

        /// <summary>The [FaultPathCheck] (or [SecurityCheck]) member the condition reads, if any; null is an annotation gap.</summary>
        public ISymbol? Annotated { get; }

        public static IntSet DomainOf(FactKind kind) => kind == FactKind.Integer ? IntSet.AllIntegers : IntSet.Boolean;

        public Fact WithAllowed(IntSet allowed) => Copy(Var, allowed, UnderLock);

        public Fact WithLock(HeldLock? held) => Copy(new FactVar(Var.Subject, Var.Bit, held?.Family), Allowed, held);

        private Fact Copy(FactVar var, IntSet allowed, HeldLock? underLock) =>
            new Fact(var, Kind, allowed, underLock, Operation, Annotated, _textOf, _bitName, _lockText) { _subjectText = _subjectText };

        public override string ToString() => Describe() + " [" + Var + "]";

        /// <summary>The fact as a reader would write it: "PageKsm(page) is false", "page_count(page) == 1", "trylock_page(page)".</summary>
        public string Describe()
        {
            var text = Render(Kind, SubjectText, Allowed);
            if (UnderLock is not null && Kind != FactKind.Lock)
            {
                text += " under " + UnderLock.AcquireText;
            }

            return text;
        }

        public static string Render(FactKind kind, string subject, IntSet allowed)
        {
            switch (kind)
            {
                case FactKind.Lock:
                    return subject;
                case FactKind.Flag:
                    return allowed.Equals(IntSet.Point(0)) ? subject + " == 0" : allowed.Equals(IntSet.Point(1)) ? subject + " != 0" : subject;
                case FactKind.Bool:
                    return allowed.Equals(IntSet.Point(0)) ? subject + " is false" : allowed.Equals(IntSet.Point(1)) ? subject + " is true" : subject;
                case FactKind.Reference:
                    return allowed.Equals(IntSet.Point(0)) ? subject + " is null" : allowed.Equals(IntSet.Point(1)) ? subject + " is not null" : subject;
                default:
                    return subject + RenderInteger(allowed);
            }
        }

        private static string RenderInteger(IntSet allowed)
        {
            var iv = allowed.Intervals;
            if (iv.Length == 1)
            {
                var (lo, hi) = iv[0];
                if (lo == hi)
                {
                    return " == " + lo.ToString(CultureInfo.InvariantCulture);
                }

                if (lo == IntSet.Min)
                {
                    return " <= " + hi.ToString(CultureInfo.InvariantCulture);
                }

                if (hi == IntSet.Max)
                {
                    return " >= " + lo.ToString(CultureInfo.InvariantCulture);
                }

                return " in " + lo.ToString(CultureInfo.InvariantCulture) + ".." + hi.ToString(CultureInfo.InvariantCulture);
            }

            if (iv.Length == 2 && iv[0].Lo == IntSet.Min && iv[1].Hi == IntSet.Max && iv[0].Hi + 2 == iv[1].Lo)
            {
                return " != " + (iv[0].Hi + 1).ToString(CultureInfo.InvariantCulture);
            }

            var builder = new StringBuilder(" in {");
            for (int i = 0; i < iv.Length; i++)
            {
                if (i > 0)
                {
                    builder.Append(", ");
                }

                builder.Append(iv[i].Lo == IntSet.Min ? "-inf" : iv[i].Lo.ToString(CultureInfo.InvariantCulture));
                if (iv[i].Hi == iv[i].Lo)
                {
                    continue; // a single value: "{1, 3}", not "{1..1, 3..3}"
                }

                builder.Append("..");
                builder.Append(iv[i].Hi == IntSet.Max ? "inf" : iv[i].Hi.ToString(CultureInfo.InvariantCulture));
            }

            return builder.Append('}').ToString();
        }
    }
}
