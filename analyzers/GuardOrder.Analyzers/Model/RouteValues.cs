using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;

namespace GuardOrder.Analyzers.Model
{
    /// <summary>
    /// The symbolic value of an expression along one route. Only what the fact model needs is kept:
    /// constants, the raw result of a [FaultPathCheck] member, a condition over such a result, the
    /// result of a try-lock, and "unknown". Each value remembers whether computing it read a
    /// [SecurityCheck] member (GO0005: branching on such a value passes the security check).
    /// </summary>
    internal abstract class Sym
    {
        protected Sym(bool readsSecurity)
        {
            ReadsSecurity = readsSecurity;
        }

        public bool ReadsSecurity { get; }

        public abstract Sym WithSecurity(bool readsSecurity);
    }

    internal sealed class UnknownSym : Sym
    {
        public static readonly UnknownSym Plain = new UnknownSym(false);
        public static readonly UnknownSym Security = new UnknownSym(true);

        private UnknownSym(bool readsSecurity)
            : base(readsSecurity)
        {
        }

        public static UnknownSym Of(bool readsSecurity) => readsSecurity ? Security : Plain;

        public override Sym WithSecurity(bool readsSecurity) => Of(readsSecurity || ReadsSecurity);
    }

    /// <summary>A constant: bool (0/1), integer, or null (Reference, 0).</summary>
    internal sealed class ConstSym : Sym
    {
        public ConstSym(long value, FactKind kind, bool readsSecurity)
            : base(readsSecurity)
        {
            Value = value;
            Kind = kind;
        }

        public long Value { get; }

        public FactKind Kind { get; }

        public override Sym WithSecurity(bool readsSecurity) => new ConstSym(Value, Kind, readsSecurity || ReadsSecurity);
    }

    /// <summary>The raw result of a [FaultPathCheck] member, read with <see cref="UnderLock"/> held.</summary>
    internal sealed class CheckSym : Sym
    {
        public CheckSym(ISymbol member, FactKind kind, string text, HeldLock? underLock, IOperation operation, bool readsSecurity)
            : base(readsSecurity)
        {
            Member = member;
            Kind = kind;
            Text = text;
            UnderLock = underLock;
            Operation = operation;
        }

        public ISymbol Member { get; }

        public FactKind Kind { get; }

        public string Text { get; }

        public HeldLock? UnderLock { get; }

        public IOperation Operation { get; }

        public override Sym WithSecurity(bool readsSecurity) =>
            new CheckSym(Member, Kind, Text, UnderLock, Operation, readsSecurity || ReadsSecurity);

        public Fact ToFact(IntSet allowed) => new Fact(Member, Kind, Text, allowed.Intersect(Fact.DomainOf(Kind)), UnderLock, Operation);
    }

    /// <summary>A bool: "the check's result lies in <see cref="WhenTrue"/>".</summary>
    internal sealed class CondSym : Sym
    {
        public CondSym(CheckSym check, IntSet whenTrue, bool readsSecurity)
            : base(readsSecurity)
        {
            Check = check;
            WhenTrue = whenTrue.Intersect(Fact.DomainOf(check.Kind));
        }

        public CheckSym Check { get; }

        public IntSet WhenTrue { get; }

        public CondSym Negate() => new CondSym(Check, WhenTrue.ComplementWithin(Fact.DomainOf(Check.Kind)), ReadsSecurity);

        public override Sym WithSecurity(bool readsSecurity) => new CondSym(Check, WhenTrue, readsSecurity || ReadsSecurity);
    }

    /// <summary>The bool result of a [TryAcquiresLock] call (negated when <see cref="Negated"/>).</summary>
    internal sealed class TrySym : Sym
    {
        public TrySym(HeldLock lockIfTaken, ISymbol method, bool negated, bool readsSecurity)
            : base(readsSecurity)
        {
            LockIfTaken = lockIfTaken;
            Method = method;
            Negated = negated;
        }

        public HeldLock LockIfTaken { get; }

        public ISymbol Method { get; }

        public bool Negated { get; }

        public TrySym Negate() => new TrySym(LockIfTaken, Method, !Negated, ReadsSecurity);

        public override Sym WithSecurity(bool readsSecurity) => new TrySym(LockIfTaken, Method, Negated, readsSecurity || ReadsSecurity);
    }

    /// <summary>A problem with lock use found on a route (GO0004).</summary>
    internal sealed class LockIssue
    {
        public LockIssue(IOperation operation, string kind, string message)
        {
            Operation = operation;
            Kind = kind;
            Message = message;
        }

        /// <summary>Short category (leak, unheld-release, try-ignored, try-unchecked) used to report each problem once per operation.</summary>
        public string Kind { get; }

        public IOperation Operation { get; }

        public string Message { get; }
    }

    /// <summary>Everything known at one point of one route. Immutable: every step makes a copy.</summary>
    internal sealed class RouteState
    {
        public static readonly RouteState Initial = new RouteState();

        private RouteState()
        {
        }

        public ImmutableList<Fact> Facts { get; private set; } = ImmutableList<Fact>.Empty;

        public ImmutableDictionary<CaptureId, Sym> Captures { get; private set; } = ImmutableDictionary<CaptureId, Sym>.Empty;

        public ImmutableDictionary<string, Sym> Values { get; private set; } = ImmutableDictionary<string, Sym>.Empty;

        public ImmutableList<HeldLock> Held { get; private set; } = ImmutableList<HeldLock>.Empty;

        /// <summary>Try-lock calls whose result has not been branched on yet.</summary>
        public ImmutableList<IOperation> PendingTries { get; private set; } = ImmutableList<IOperation>.Empty;

        public bool SecurityPassed { get; private set; }

        /// <summary>The first [WriteGrant] call reached, if any.</summary>
        public IOperation? Grant { get; private set; }

        public Sym? ReturnValue { get; private set; }

        public IOperation? ReturnOperation { get; private set; }

        /// <summary>Lines (1-based) of the analysed method's blocks this route passed, in order.</summary>
        public ImmutableList<int> Lines { get; private set; } = ImmutableList<int>.Empty;

        public ImmutableList<LockIssue> Issues { get; private set; } = ImmutableList<LockIssue>.Empty;

        private RouteState Clone() => (RouteState)MemberwiseClone();

        public RouteState WithCapture(CaptureId id, Sym value)
        {
            var copy = Clone();
            copy.Captures = Captures.SetItem(id, value);
            return copy;
        }

        public RouteState WithCaptures(ImmutableDictionary<CaptureId, Sym> captures)
        {
            var copy = Clone();
            copy.Captures = captures;
            return copy;
        }

        public RouteState WithValue(string key, Sym value)
        {
            var copy = Clone();
            copy.Values = Values.SetItem(key, value);
            return copy;
        }

        public RouteState WithValues(ImmutableDictionary<string, Sym> values)
        {
            var copy = Clone();
            copy.Values = values;
            return copy;
        }

        public RouteState WithHeld(ImmutableList<HeldLock> held)
        {
            var copy = Clone();
            copy.Held = held;
            return copy;
        }

        public RouteState WithPendingTries(ImmutableList<IOperation> pending)
        {
            var copy = Clone();
            copy.PendingTries = pending;
            return copy;
        }

        public RouteState WithSecurityPassed()
        {
            if (SecurityPassed)
            {
                return this;
            }

            var copy = Clone();
            copy.SecurityPassed = true;
            return copy;
        }

        public RouteState WithGrant(IOperation grant)
        {
            if (Grant is not null)
            {
                return this;
            }

            var copy = Clone();
            copy.Grant = grant;
            return copy;
        }

        public RouteState WithReturn(Sym? value, IOperation? operation)
        {
            var copy = Clone();
            copy.ReturnValue = value;
            copy.ReturnOperation = operation;
            return copy;
        }

        public RouteState WithLine(int line)
        {
            if (!Lines.IsEmpty && Lines[Lines.Count - 1] == line)
            {
                return this;
            }

            var copy = Clone();
            copy.Lines = Lines.Add(line);
            return copy;
        }

        public RouteState WithIssue(LockIssue issue)
        {
            var copy = Clone();
            copy.Issues = Issues.Add(issue);
            return copy;
        }

        /// <summary>Adds a fact, or returns null when the route already knows the opposite (the route is infeasible).</summary>
        public RouteState? WithFact(Fact fact)
        {
            var allowed = fact.Allowed;
            var key = fact.RouteKey;
            foreach (var known in Facts)
            {
                if (known.RouteKey == key)
                {
                    allowed = allowed.Intersect(known.Allowed);
                }
            }

            if (allowed.IsEmpty)
            {
                return null;
            }

            var copy = Clone();
            copy.Facts = Facts.Add(fact);
            return copy;
        }
    }
}
