using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
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

    /// <summary>A constant: bool (0/1), integer, or null (Reference, 0). Integer constants remember the names of the constants they were built from (for bit names in messages).</summary>
    internal sealed class ConstSym : Sym
    {
        public ConstSym(long value, FactKind kind, bool readsSecurity, ImmutableArray<(long Value, IFieldSymbol Field)> names = default)
            : base(readsSecurity)
        {
            Value = value;
            Kind = kind;
            Names = names.IsDefault ? ImmutableArray<(long, IFieldSymbol)>.Empty : names;
        }

        public long Value { get; }

        public FactKind Kind { get; }

        /// <summary>Named constants this value was built from (<c>VM_WRITE | VM_SHARED</c>).</summary>
        public ImmutableArray<(long Value, IFieldSymbol Field)> Names { get; }

        /// <summary>The constant named for one bit of this value, if any.</summary>
        public IFieldSymbol? BitField(long bit)
        {
            foreach (var (value, field) in Names)
            {
                if (value == bit)
                {
                    return field;
                }
            }

            return null;
        }

        /// <summary>The name of one bit of this constant, or its hex value.</summary>
        public string BitName(long bit) =>
            BitField(bit)?.Name ?? "0x" + bit.ToString("x", System.Globalization.CultureInfo.InvariantCulture);

        public override Sym WithSecurity(bool readsSecurity) => !readsSecurity || ReadsSecurity ? this : new ConstSym(Value, Kind, true, Names);
    }

    /// <summary>
    /// The raw value of a <see cref="Subject"/> (a member path from an input, a call's result, a
    /// [FaultPathCheck] member), read with <see cref="UnderLock"/> held.
    /// </summary>
    internal sealed class CheckSym : Sym
    {
        private string? _text;

        /// <param name="text">The value as written; null: the operation's text, computed when a message needs it.</param>
        public CheckSym(Subject subject, FactKind kind, string? text, HeldLock? underLock, IOperation operation, bool readsSecurity, ISymbol? annotated)
            : base(readsSecurity)
        {
            Subject = subject;
            Kind = kind;
            _text = text;
            UnderLock = underLock;
            Operation = operation;
            Annotated = annotated;
        }

        public Subject Subject { get; }

        public FactKind Kind { get; }

        public string Text => _text ??= RouteWalker.Text(Operation);

        public HeldLock? UnderLock { get; }

        public IOperation Operation { get; }

        /// <summary>The [FaultPathCheck] member this value was read through, if any (annotation-gap reporting).</summary>
        public ISymbol? Annotated { get; }

        public override Sym WithSecurity(bool readsSecurity) =>
            !readsSecurity || ReadsSecurity ? this : new CheckSym(Subject, Kind, _text, UnderLock, Operation, true, Annotated);

        public CheckSym WithKind(FactKind kind) => kind == Kind ? this : new CheckSym(Subject, kind, _text, UnderLock, Operation, ReadsSecurity, Annotated);
    }

    /// <summary><c>value &amp; mask</c> (a flag test before it is compared).</summary>
    internal sealed class MaskSym : Sym
    {
        public MaskSym(CheckSym value, ConstSym mask, bool readsSecurity)
            : base(readsSecurity)
        {
            Value = value;
            Mask = mask;
        }

        public CheckSym Value { get; }

        public ConstSym Mask { get; }

        public override Sym WithSecurity(bool readsSecurity) => !readsSecurity || ReadsSecurity ? this : new MaskSym(Value, Mask, true);

        // One array per single-bit mask for all masks (immutable, the same in every compilation).
        private static readonly ImmutableArray<long>[] SingleBits = Enumerable.Range(0, 63).Select(i => ImmutableArray.Create(1L << i)).ToArray();

        private ImmutableArray<long> _bits;

        /// <summary>The single bits of the mask.</summary>
        public ImmutableArray<long> Bits
        {
            get
            {
                if (!_bits.IsDefault)
                {
                    return _bits;
                }

                var mask = Mask.Value & long.MaxValue;
                if (mask != 0 && (mask & (mask - 1)) == 0)
                {
                    for (int i = 0; i < 63; i++)
                    {
                        if (mask == 1L << i)
                        {
                            return _bits = SingleBits[i];
                        }
                    }
                }

                var bits = ImmutableArray.CreateBuilder<long>();
                for (int i = 0; i < 63; i++)
                {
                    if ((Mask.Value & (1L << i)) != 0)
                    {
                        bits.Add(1L << i);
                    }
                }

                return _bits = bits.ToImmutable();
            }
        }
    }

    /// <summary>One literal of a condition: "the subject's value (or one bit of it) lies in <see cref="Allowed"/>".</summary>
    internal sealed class Literal
    {
        /// <summary>
        /// The "bit" of a value's null-ness when the value itself is not a reference (a <c>bool?</c> from
        /// <c>page?.ksm</c>): kept apart from the value's own facts (1 = not null, 0 = null).
        /// </summary>
        public const long NullnessBit = long.MinValue;

        public Literal(CheckSym value, long bit, string? bitName, IntSet allowed, IFieldSymbol? bitField = null)
        {
            Value = value;
            Bit = bit;
            BitName = bitName;
            BitField = bitField;
            Allowed = allowed.Intersect(bit == 0 ? Fact.DomainOf(value.Kind) : IntSet.Boolean);
        }

        public CheckSym Value { get; }

        public long Bit { get; }

        public string? BitName { get; }

        /// <summary>The constant that names the bit (<c>VM_SHARED</c>), if any.</summary>
        public IFieldSymbol? BitField { get; }

        public IntSet Allowed { get; }

        public IntSet Domain => Bit == 0 ? Fact.DomainOf(Value.Kind) : IntSet.Boolean;

        // A literal is asked for its negation and its fact on every route that branches on it; the
        // walk shares one literal between routes whose inputs are the same objects (RouteWalker's
        // memos), so both are made once. Immutable results: a race makes two equal ones.
        private Literal? _negation;
        private Fact? _fact;

        public Literal Negate() => _negation ??= new Literal(Value, Bit, BitName, Allowed.ComplementWithin(Domain), BitField) { _negation = this };

        public Fact ToFact() => _fact ??= Fact.Of(this);
    }

    /// <summary>
    /// A bool condition in disjunctive normal form over <see cref="Literal"/>s: true when one of
    /// <see cref="Disjuncts"/> holds (all its literals). A flag test over several bits is several
    /// literals: <c>(f &amp; (A|B)) == (A|B)</c> is one disjunct of two, <c>(f &amp; (A|B)) != 0</c> two of one.
    /// </summary>
    internal sealed class CondSym : Sym
    {
        /// <summary>Past this many disjuncts a negation gives up (the condition becomes unknown).</summary>
        public const int MaxDisjuncts = Limits.MaxDisjuncts;

        public CondSym(ImmutableArray<ImmutableArray<Literal>> disjuncts, bool readsSecurity)
            : base(readsSecurity)
        {
            Disjuncts = disjuncts;
        }

        public static CondSym Single(Literal literal, bool readsSecurity) =>
            new CondSym(ImmutableArray.Create(ImmutableArray.Create(literal)), readsSecurity);

        public ImmutableArray<ImmutableArray<Literal>> Disjuncts { get; }

        public static Sym And(CondSym left, CondSym right, bool readsSecurity)
        {
            var result = ImmutableArray.CreateBuilder<ImmutableArray<Literal>>(Math.Min(left.Disjuncts.Length * right.Disjuncts.Length, MaxDisjuncts + 1));
            foreach (var a in left.Disjuncts)
            {
                foreach (var b in right.Disjuncts)
                {
                    result.Add(a.AddRange(b));
                    if (result.Count > MaxDisjuncts)
                    {
                        return UnknownSym.Of(readsSecurity);
                    }
                }
            }

            return new CondSym(result.Count == result.Capacity ? result.MoveToImmutable() : result.ToImmutable(), readsSecurity);
        }

        public static Sym Or(CondSym left, CondSym right, bool readsSecurity) =>
            left.Disjuncts.Length + right.Disjuncts.Length > MaxDisjuncts
                ? UnknownSym.Of(readsSecurity)
                : new CondSym(left.Disjuncts.AddRange(right.Disjuncts), readsSecurity);

        private Sym? _negation;

        /// <summary>De Morgan: not (D1 or D2 ...) = (not D1) and (not D2) ..., each not Di a disjunction of negated literals (made once per condition).</summary>
        public Sym Negate() => _negation ??= ComputeNegation();

        private Sym ComputeNegation()
        {
            if (Disjuncts.Length == 1 && !Disjuncts[0].IsEmpty)
            {
                // One conjunction (nearly every branch condition): not (l1 and l2 ...) = (not l1) or (not l2) ...,
                // what the general case below computes, without the "true" it starts from and the And per disjunct.
                var conjunction = Disjuncts[0];
                if (conjunction.Length > MaxDisjuncts)
                {
                    return UnknownSym.Of(ReadsSecurity);
                }

                var disjuncts = ImmutableArray.CreateBuilder<ImmutableArray<Literal>>(conjunction.Length);
                foreach (var literal in conjunction)
                {
                    disjuncts.Add(ImmutableArray.Create(literal.Negate()));
                }

                return new CondSym(disjuncts.MoveToImmutable(), ReadsSecurity);
            }

            Sym result = new CondSym(ImmutableArray.Create(ImmutableArray<Literal>.Empty), ReadsSecurity); // true
            foreach (var disjunct in Disjuncts)
            {
                if (disjunct.IsEmpty)
                {
                    return new ConstSym(0, FactKind.Bool, ReadsSecurity); // not true
                }

                var negated = new CondSym(disjunct.Select(l => ImmutableArray.Create(l.Negate())).ToImmutableArray(), ReadsSecurity);
                if (result is not CondSym soFar)
                {
                    return UnknownSym.Of(ReadsSecurity);
                }

                result = And(soFar, negated, ReadsSecurity);
            }

            return result;
        }

        public override Sym WithSecurity(bool readsSecurity) => !readsSecurity || ReadsSecurity ? this : new CondSym(Disjuncts, true);
    }

    /// <summary>The result of a call to another [MustMatchFaultPath] predicate of the same fault path (checked on its own, so trusted).</summary>
    internal sealed class TrustedSym : Sym
    {
        public TrustedSym(IOperation call, bool negated, bool readsSecurity)
            : base(readsSecurity)
        {
            Call = call;
            Negated = negated;
        }

        public IOperation Call { get; }

        public bool Negated { get; }

        public TrustedSym Negate() => new TrustedSym(Call, !Negated, ReadsSecurity);

        public override Sym WithSecurity(bool readsSecurity) => !readsSecurity || ReadsSecurity ? this : new TrustedSym(Call, Negated, true);
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

        public override Sym WithSecurity(bool readsSecurity) => !readsSecurity || ReadsSecurity ? this : new TrySym(LockIfTaken, Method, Negated, true);
    }

    /// <summary>A problem with lock use found on a route (GO0004).</summary>
    internal sealed class LockIssue
    {
        private readonly System.Func<string> _message;
        private string? _text;

        /// <param name="message">Builds the message when it is reported (most issues found on routes repeat one already reported, and the route text is long).</param>
        public LockIssue(IOperation operation, string kind, System.Func<string> message, params IOperation?[] related)
        {
            Operation = operation;
            Kind = kind;
            _message = message;
            Related = related;
        }

        /// <summary>Evidence (GO0004's additional locations): the acquisition, the exit or back edge it leaks through.</summary>
        public IReadOnlyList<IOperation?> Related { get; }

        /// <summary>Short category (leak, unheld-release, try-ignored, try-unchecked) used to report each problem once per operation.</summary>
        public string Kind { get; }

        public IOperation Operation { get; }

        public string Message => _text ??= _message();
    }

    /// <summary>
    /// One side of a branch on a [SecurityCheck] read: <see cref="Branch"/> is the branch value (or the
    /// assert argument, or the returned value); <see cref="Always"/> marks an assert or a returned
    /// condition, whose other side never returns true.
    /// </summary>
    internal sealed class SecurityGate
    {
        public SecurityGate(IOperation branch, bool side, bool always)
        {
            Branch = branch;
            Side = side;
            Always = always;
        }

        public IOperation Branch { get; }

        public bool Side { get; }

        public bool Always { get; }
    }

    /// <summary>
    /// The flow captures of one frame of a route, as a persistent list, newest first: a capture adds one
    /// node that the states after it share (an immutable dictionary copied a tree path per capture, and
    /// captures are made for every <c>&amp;&amp;</c>, <c>?:</c> and <c>??</c>). A capture is read soon after it is
    /// made, so the scan from the newest is short; a capture id captured again (the two arms of a
    /// <c>?:</c> capture one id) is found at its newest value.
    /// </summary>
    internal sealed class CaptureList
    {
        public CaptureList(CaptureId id, Sym value, ValueKey? key, CaptureList? next)
        {
            Id = id;
            Value = value;
            Key = key;
            Next = next;
        }

        public CaptureId Id { get; }

        public Sym Value { get; }

        /// <summary>The assignable reference captured (the CFG captures <c>ret</c> before evaluating <c>A &amp;&amp; B</c> in <c>ret = A &amp;&amp; B</c>), or null.</summary>
        public ValueKey? Key { get; }

        public CaptureList? Next { get; }

        public static bool TryGetValue(CaptureList? list, CaptureId id, out Sym value)
        {
            for (var node = list; node is not null; node = node.Next)
            {
                if (node.Id.Equals(id))
                {
                    value = node.Value;
                    return true;
                }
            }

            value = null!;
            return false;
        }

        /// <summary>The reference last captured by <paramref name="id"/> (a later capture of a value by the same id leaves it, as the keys kept apart from the values did).</summary>
        public static bool TryGetKey(CaptureList? list, CaptureId id, out ValueKey key)
        {
            for (var node = list; node is not null; node = node.Next)
            {
                if (node.Key is { } found && node.Id.Equals(id))
                {
                    key = found;
                    return true;
                }
            }

            key = null!;
            return false;
        }
    }

    /// <summary>
    /// Everything known at one point of one route. Immutable: every step makes a copy. What changes at
    /// nearly every step (values, captures, facts, locks, the return) is held here; the rest, which changes
    /// at a few steps of a route, in <see cref="Rest"/>, so that a step copies seven references, not fourteen.
    /// </summary>
    internal sealed class RouteState
    {
        public static readonly RouteState Initial = new RouteState();

        private Rest _rest = Rest.Empty;

        private RouteState()
        {
        }

        // A copy constructor, not MemberwiseClone: a step copies the state, and the runtime's generic
        // clone was a tenth of a walk's time.
        private RouteState(RouteState other)
        {
            _rest = other._rest;
            _facts = other._facts;
            Captures = other.Captures;
            Values = other.Values;
            Held = other.Held;
            ReturnValue = other.ReturnValue;
            ReturnOperation = other.ReturnOperation;
        }

        // The facts as a persistent list, newest first (adding one is one small allocation; an
        // ImmutableList cost a tree path per fact, and its enumeration in WithFact was slow). The
        // ImmutableList the consumers read is made on first use and kept by the newest node, so the
        // states that share the facts share it.
        private FactNode? _facts;

        /// <summary>The facts of the route's branches, in the order they were taken.</summary>
        public ImmutableArray<Fact> Facts => _facts is null ? ImmutableArray<Fact>.Empty : _facts.List;

        private sealed class FactNode
        {
            public FactNode(Fact fact, FactNode? previous)
            {
                Fact = fact;
                Previous = previous;
                Count = (previous?.Count ?? 0) + 1;
            }

            public Fact Fact { get; }

            public FactNode? Previous { get; }

            public int Count { get; }

            private ImmutableArray<Fact> _list;

            /// <summary>The facts up to this one, oldest first (a benign race: two threads reading a shared route may both build it).</summary>
            public ImmutableArray<Fact> List
            {
                get
                {
                    var list = _list;
                    if (list.IsDefault)
                    {
                        // One array, filled in place (an ImmutableList was a tree node per fact).
                        var builder = ImmutableArray.CreateBuilder<Fact>(Count);
                        builder.Count = Count;
                        for (var node = this; node is not null; node = node.Previous)
                        {
                            builder[node.Count - 1] = node.Fact;
                        }

                        list = builder.MoveToImmutable();
                        _list = list;
                    }

                    return list;
                }
            }
        }

        /// <summary>The frame's flow captures, newest first (null: none).</summary>
        public CaptureList? Captures { get; private set; }

        public ValueMap Values { get; private set; } = ValueMap.Empty;

        public ImmutableList<HeldLock> Held { get; private set; } = ImmutableList<HeldLock>.Empty;

        /// <summary>Try-lock calls whose result has not been branched on yet.</summary>
        public ImmutableList<IOperation> PendingTries => _rest.PendingTries;

        public bool SecurityPassed => _rest.SecurityPassed;

        /// <summary>
        /// The sides of branches on a [SecurityCheck] read this route took, in order (GO0005: a route is
        /// gated when one of them is the only side from which the method returns true).
        /// </summary>
        public ImmutableList<SecurityGate> Gates => _rest.Gates;

        /// <summary>Branch conditions on this route the evaluator could not read (both sides were followed): listed by GO0007 for fault paths.</summary>
        public ImmutableList<IOperation> Unread => _rest.Unread;

        /// <summary>The route returned through a call to a trusted predicate of the same fault path.</summary>
        public IOperation? Trusted => _rest.Trusted;

        /// <summary>The first [WriteGrant] call reached, if any.</summary>
        public IOperation? Grant => _rest.Grant;

        // The return is held here, not in Rest: it changes at every return and at every helper frame's
        // entry and exit, and a copy of the rest there was the walk's largest single allocation.
        public Sym? ReturnValue { get; private set; }

        public IOperation? ReturnOperation { get; private set; }

        public ImmutableList<LockIssue> Issues => _rest.Issues;

        private RouteState Clone() => new RouteState(this);

        /// <summary>A copy whose <see cref="Rest"/> is its own, to be changed before it is returned.</summary>
        private RouteState Fork(out Rest rest)
        {
            var copy = Clone();
            copy._rest = rest = _rest.Clone();
            return copy;
        }

        /// <summary>The state with <paramref name="id"/> capturing <paramref name="value"/>, and the assignable reference it names when <paramref name="key"/> is not null.</summary>
        public RouteState WithCapture(CaptureId id, Sym value, ValueKey? key)
        {
            var copy = Clone();
            copy.Captures = new CaptureList(id, value, key, Captures);
            return copy;
        }

        /// <summary>
        /// The state with another frame's values, captures and return (entering a helper, or back in its
        /// caller): one copy for all of them, and a copy of the rest only when the return changes.
        /// </summary>
        public RouteState Framed(
            ValueMap values,
            CaptureList? captures,
            Sym? returnValue,
            IOperation? returnOperation)
        {
            var copy = Clone();
            copy.ReturnValue = returnValue;
            copy.ReturnOperation = returnOperation;
            copy.Values = values;
            copy.Captures = captures;
            return copy;
        }

        public RouteState WithValue(ValueKey key, Sym value)
        {
            var copy = Clone();
            copy.Values = Values.SetItem(key, value);
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
            var copy = Fork(out var rest);
            rest.PendingTries = pending;
            return copy;
        }

        public RouteState WithSecurityPassed()
        {
            if (SecurityPassed)
            {
                return this;
            }

            var copy = Fork(out var rest);
            rest.SecurityPassed = true;
            return copy;
        }

        public RouteState WithGate(SecurityGate gate)
        {
            var copy = Fork(out var rest);
            rest.Gates = rest.Gates.Add(gate);
            rest.SecurityPassed = true;
            return copy;
        }

        public RouteState WithUnread(IOperation condition)
        {
            var copy = Fork(out var rest);
            rest.Unread = rest.Unread.Add(condition);
            return copy;
        }

        public RouteState WithTrusted(IOperation call)
        {
            var copy = Fork(out var rest);
            rest.Trusted = call;
            return copy;
        }

        public RouteState WithGrant(IOperation grant)
        {
            if (Grant is not null)
            {
                return this;
            }

            var copy = Fork(out var rest);
            rest.Grant = grant;
            return copy;
        }

        public RouteState WithReturn(Sym? value, IOperation? operation)
        {
            if (ReferenceEquals(value, ReturnValue) && ReferenceEquals(operation, ReturnOperation))
            {
                return this;
            }

            var copy = Clone();
            copy.ReturnValue = value;
            copy.ReturnOperation = operation;
            return copy;
        }

        public RouteState WithIssue(LockIssue issue)
        {
            var copy = Fork(out var rest);
            rest.Issues = rest.Issues.Add(issue);
            return copy;
        }

        /// <summary>The part of a route's state that changes at a few of its steps.</summary>
        private sealed class Rest
        {
            public static readonly Rest Empty = new Rest();

            public ImmutableList<IOperation> PendingTries { get; set; } = ImmutableList<IOperation>.Empty;

            public bool SecurityPassed { get; set; }

            public ImmutableList<SecurityGate> Gates { get; set; } = ImmutableList<SecurityGate>.Empty;

            public ImmutableList<IOperation> Unread { get; set; } = ImmutableList<IOperation>.Empty;

            public IOperation? Trusted { get; set; }

            public IOperation? Grant { get; set; }

            public ImmutableList<LockIssue> Issues { get; set; } = ImmutableList<LockIssue>.Empty;

            public Rest Clone() => new Rest
            {
                PendingTries = PendingTries,
                SecurityPassed = SecurityPassed,
                Gates = Gates,
                Unread = Unread,
                Trusted = Trusted,
                Grant = Grant,
                Issues = Issues,
            };
        }

        /// <summary>
        /// This state and <paramref name="other"/> hold the same values, captures, locks, pending try-locks,
        /// gates, unread conditions, issues and return; their facts may differ. Values are compared as the same
        /// symbolic value objects (constants by value): two states that merely mean the same may compare unequal,
        /// never the other way round.
        /// </summary>
        public bool SameButFacts(RouteState other) =>
            ReferenceEquals(this, other) ||
            (SameSym(ReturnValue, other.ReturnValue) && ReferenceEquals(ReturnOperation, other.ReturnOperation) &&
             SameList(Held, other.Held) && SameRest(_rest, other._rest) &&
             SameCaptures(Captures, other.Captures) && SameValues(Values, other.Values));

        /// <summary>Every fact of this state is one of <paramref name="other"/>'s (the same condition with the same allowed values).</summary>
        public bool FactsAmong(RouteState other)
        {
            for (var node = _facts; node is not null; node = node.Previous)
            {
                if (Shares(other._facts, node))
                {
                    return true; // the rest of this list is the other's too
                }

                if (!Holds(other._facts, node.Fact))
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>This state with only the facts <paramref name="other"/> holds too (fewer facts: a state that allows more).</summary>
        public RouteState WithCommonFacts(RouteState other)
        {
            // Both lists end in the facts of their common route before it forked: kept as they are.
            var kept = new List<Fact>();
            var node = _facts;
            for (; node is not null && !Shares(other._facts, node); node = node.Previous)
            {
                if (Holds(other._facts, node.Fact))
                {
                    kept.Add(node.Fact);
                }
            }

            var facts = node;
            for (var i = kept.Count - 1; i >= 0; i--)
            {
                facts = new FactNode(kept[i], facts);
            }

            var copy = Clone();
            copy._facts = facts;
            return copy;
        }

        /// <summary>
        /// One state that stands for exactly <paramref name="a"/> or <paramref name="b"/> (two states with the same
        /// state but for facts, <see cref="SameButFacts"/>), or null when their facts' disjunction is no single
        /// conjunction this can write. <paramref name="a"/> itself when its facts are among <paramref name="b"/>'s
        /// (b allows nothing a does not), <paramref name="b"/> the other way round. Otherwise both hold the facts C
        /// they share; when every other fact of either is on one variable x, a is C ∧ x∈A and b is C ∧ x∈B (A, B:
        /// the values their own facts on x allow together), and the state is C ∧ x∈A∪B, written as C alone when
        /// A∪B is x's whole domain. The fact written for x keeps the first of a's facts on it (its condition, for
        /// messages) and is made only when all of the facts merged were read under the same lock and name the same
        /// annotated member; otherwise only the merge that drops x is made.
        /// </summary>
        public static RouteState? Disjoin(RouteState a, RouteState b)
        {
            if (a.FactsAmong(b))
            {
                return a;
            }

            if (b.FactsAmong(a))
            {
                return b;
            }

            // The facts of each that the other does not hold, all on one variable, or no merge: one pass over each
            // list before anything is made (most arrivals compared do not merge, and made nothing then).
            var onlyA = new Unshared(a._facts, b._facts);
            var onlyB = new Unshared(b._facts, a._facts);
            if (!onlyA.Any || !onlyB.Any || !onlyA.SameVariable || !onlyB.SameVariable ||
                onlyA.Reference!.Kind != onlyB.Reference!.Kind || !onlyA.Reference.Var.Equals(onlyB.Reference.Var))
            {
                return null;
            }

            var first = onlyA.Oldest!.Fact;
            var keepsAttributes = onlyA.KeepsAttributes && onlyB.KeepsAttributes && SameAttributes(onlyA.Reference, onlyB.Reference);
            var union = onlyA.Allowed!.Union(onlyB.Allowed!);
            Fact? replacement = null;
            if (!Fact.DomainOf(first.Kind).IsSubsetOf(union))
            {
                if (!keepsAttributes)
                {
                    return null;
                }

                replacement = first.WithAllowed(union);
            }

            // a's facts without those only it holds, the replacement where the oldest of them was: the facts
            // older than that are kept as they are, the newer ones (b holds them too) re-linked.
            var oldest = onlyA.Oldest;
            var newer = new Fact[onlyA.Newer];
            var count = 0;
            for (var at = a._facts; !ReferenceEquals(at, oldest); at = at!.Previous)
            {
                if (Holds(b._facts, at!.Fact))
                {
                    newer[count++] = at.Fact;
                }
            }

            var facts = oldest.Previous;
            if (replacement is not null)
            {
                facts = new FactNode(replacement, facts);
            }

            for (var i = count - 1; i >= 0; i--)
            {
                facts = new FactNode(newer[i], facts);
            }

            var copy = a.Clone();
            copy._facts = facts;
            return copy;
        }

        private static bool SameAttributes(Fact x, Fact y) =>
            ReferenceEquals(x.UnderLock, y.UnderLock) && SymbolEqualityComparer.Default.Equals(x.Annotated, y.Annotated);

        /// <summary>
        /// The facts of a list that another list does not hold (<see cref="Disjoin"/>), read in one pass newest first,
        /// down to the first node both lists share: whether they are all on one variable (of one kind), read under
        /// the same lock and naming the same annotated member, the values they allow together, the oldest of them,
        /// and how many facts the other list holds above that oldest one.
        /// </summary>
        private readonly struct Unshared
        {
            public Unshared(FactNode? list, FactNode? other)
            {
                Reference = null;
                Oldest = null;
                SameVariable = true;
                KeepsAttributes = true;
                Allowed = null;
                Newer = 0;
                var held = 0;
                for (var node = list; node is not null; node = node.Previous)
                {
                    if (Shares(other, node))
                    {
                        break; // the rest of this list is the other's too
                    }

                    var fact = node.Fact;
                    if (Holds(other, fact))
                    {
                        held++;
                        continue;
                    }

                    if (Reference is null)
                    {
                        Reference = fact;
                        Allowed = Fact.DomainOf(fact.Kind);
                    }
                    else if (fact.Kind != Reference.Kind || !fact.Var.Equals(Reference.Var))
                    {
                        SameVariable = false;
                        return;
                    }
                    else
                    {
                        KeepsAttributes &= SameAttributes(fact, Reference);
                    }

                    Allowed = Allowed!.Intersect(fact.Allowed);
                    Oldest = node;
                    Newer = held;
                }
            }

            /// <summary>The newest fact only this list holds (the others are compared with it), or null.</summary>
            public Fact? Reference { get; }

            /// <summary>The oldest node whose fact only this list holds.</summary>
            public FactNode? Oldest { get; }

            public bool Any => Oldest is not null;

            public bool SameVariable { get; }

            public bool KeepsAttributes { get; }

            /// <summary>The values the facts allow together (null when there are none).</summary>
            public IntSet? Allowed { get; }

            /// <summary>How many nodes above <see cref="Oldest"/> hold facts the other list holds too.</summary>
            public int Newer { get; }
        }

        private static bool Shares(FactNode? list, FactNode node)
        {
            for (var other = list; other is not null && other.Count >= node.Count; other = other.Previous)
            {
                if (ReferenceEquals(other, node))
                {
                    return true;
                }
            }

            return false;
        }

        private static bool Holds(FactNode? list, Fact fact)
        {
            for (var node = list; node is not null; node = node.Previous)
            {
                if (ReferenceEquals(node.Fact, fact) || (node.Fact.Var.Equals(fact.Var) && node.Fact.Allowed.Equals(fact.Allowed)))
                {
                    return true;
                }
            }

            return false;
        }

        private static bool SameSym(Sym? a, Sym? b) =>
            ReferenceEquals(a, b) ||
            (a is ConstSym x && b is ConstSym y && x.Value == y.Value && x.Kind == y.Kind && x.ReadsSecurity == y.ReadsSecurity && x.Names.SequenceEqual(y.Names));

        private static bool SameList<T>(ImmutableList<T> a, ImmutableList<T> b)
            where T : class
        {
            if (ReferenceEquals(a, b))
            {
                return true;
            }

            if (a.Count != b.Count)
            {
                return false;
            }

            for (var i = 0; i < a.Count; i++)
            {
                if (!ReferenceEquals(a[i], b[i]))
                {
                    return false;
                }
            }

            return true;
        }

        private static bool SameRest(Rest a, Rest b) =>
            ReferenceEquals(a, b) ||
            (a.SecurityPassed == b.SecurityPassed && ReferenceEquals(a.Trusted, b.Trusted) && ReferenceEquals(a.Grant, b.Grant) &&
             SameList(a.PendingTries, b.PendingTries) && SameList(a.Gates, b.Gates) && SameList(a.Unread, b.Unread) && SameList(a.Issues, b.Issues));

        private static bool SameCaptures(CaptureList? a, CaptureList? b)
        {
            for (; !ReferenceEquals(a, b); a = a.Next, b = b.Next)
            {
                if (a is null || b is null || !a.Id.Equals(b.Id) || !SameSym(a.Value, b.Value) || !Equals(a.Key, b.Key))
                {
                    return false;
                }
            }

            return true;
        }

        private static readonly System.Func<Sym, Sym, bool> SameSymbolic = (a, b) => SameSym(a, b);

        private static bool SameValues(ValueMap a, ValueMap b) => a.SameEntries(b, SameSymbolic);

        /// <summary>Adds a fact, or returns null when the route already knows the opposite (the route is infeasible).</summary>
        public RouteState? WithFact(Fact fact)
        {
            var allowed = fact.Allowed;
            var key = fact.Var;
            for (var known = _facts; known is not null; known = known.Previous)
            {
                if (known.Fact.Var.Equals(key))
                {
                    allowed = allowed.Intersect(known.Fact.Allowed);
                }
            }

            if (allowed.IsEmpty)
            {
                return null;
            }

            var copy = Clone();
            copy._facts = new FactNode(fact, _facts);
            return copy;
        }
    }
}
