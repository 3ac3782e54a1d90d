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

        public static IntSet Range(long lo, long hi) =>
            lo > hi ? Empty : new IntSet(ImmutableArray.Create((Math.Max(lo, Min), Math.Min(hi, Max))));

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
        public HeldLock(ValueKey? target, ITypeSymbol family, IOperation acquire, string acquireText)
        {
            Target = target;
            Family = family;
            Acquire = acquire;
            AcquireText = acquireText;
        }

        /// <summary>Where the locked object lives (the first argument), when it is a local, parameter or member path.</summary>
        public ValueKey? Target { get; }

        /// <summary>The kind of lock: the first parameter's type of the lock method (e.g. <c>page</c>).</summary>
        public ITypeSymbol Family { get; }

        public IOperation Acquire { get; }

        /// <summary>The acquiring call as written, e.g. <c>trylock_page(page)</c>.</summary>
        public string AcquireText { get; }

        public bool SameFamily(HeldLock other) => Subject.SameType(other.Family, Family);
    }

    /// <summary>
    /// The outcome of one condition on a route: the variable (<see cref="FactVar"/>: a subject, a bit
    /// of it, the lock held when it was read), the set of values the route allows, and how to write
    /// it. Lock acquisitions are facts too (<see cref="FactKind.Lock"/>).
    /// </summary>
    internal sealed class Fact
    {
        public Fact(FactVar var, FactKind kind, string subjectText, IntSet allowed, HeldLock? underLock, IOperation? operation, ISymbol? annotated)
        {
            Var = var;
            Kind = kind;
            SubjectText = subjectText;
            Allowed = allowed;
            UnderLock = underLock;
            Operation = operation;
            Annotated = annotated;
        }

        public static Fact Of(Literal literal)
        {
            var value = literal.Value;
            var var = new FactVar(value.Subject, literal.Bit, value.UnderLock?.Family);
            if (literal.Bit == Literal.NullnessBit)
            {
                return new Fact(var, FactKind.Reference, value.Text, literal.Allowed, value.UnderLock, value.Operation, value.Annotated);
            }

            if (literal.Bit != 0)
            {
                return new Fact(var, FactKind.Flag, "(" + value.Text + " & " + literal.BitName + ")", literal.Allowed, value.UnderLock, value.Operation, value.Annotated ?? literal.BitField);
            }

            return new Fact(var, value.Kind, value.Text, literal.Allowed, value.UnderLock, value.Operation, value.Annotated);
        }

        public static Fact LockTaken(HeldLock held) =>
            new Fact(new FactVar(new LockSubject(held.Family), 0, null), FactKind.Lock, held.AcquireText, IntSet.Point(1), null, held.Acquire, annotated: null);

        public FactVar Var { get; }

        public FactKind Kind { get; }

        /// <summary>The check as written, e.g. <c>PageKsm(page)</c>.</summary>
        public string SubjectText { get; }

        public IntSet Allowed { get; }

        public HeldLock? UnderLock { get; }

        public IOperation? Operation { get; }

        /// <summary>The [FaultPathCheck] (or [SecurityCheck]) member the condition reads, if any; null is an annotation gap.</summary>
        public ISymbol? Annotated { get; }

        public static IntSet DomainOf(FactKind kind) => kind == FactKind.Integer ? IntSet.AllIntegers : IntSet.Boolean;

        public Fact WithAllowed(IntSet allowed) => new Fact(Var, Kind, SubjectText, allowed, UnderLock, Operation, Annotated);

        public Fact WithLock(HeldLock? held) => new Fact(new FactVar(Var.Subject, Var.Bit, held?.Family), Kind, SubjectText, Allowed, held, Operation, Annotated);

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
                builder.Append("..");
                builder.Append(iv[i].Hi == IntSet.Max ? "inf" : iv[i].Hi.ToString(CultureInfo.InvariantCulture));
            }

            return builder.Append('}').ToString();
        }
    }
}
