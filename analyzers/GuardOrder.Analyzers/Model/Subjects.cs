using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace GuardOrder.Analyzers.Model
{
    /// <summary>
    /// What a condition is about, keyed by what it IS, so that the predicate's and the fault path's
    /// subjects can be compared across methods:
    /// <list type="bullet">
    /// <item><see cref="InputSubject"/>: the one input object of a type (the predicate's parameter
    /// <c>vma</c> and the fault path's <c>vmf.vma</c> are both "the vm_area_struct").</item>
    /// <item><see cref="ParameterSubject"/>: a parameter whose type is not unique in its method (which
    /// of two <c>page</c> parameters is "the" page cannot be decided: it maps to nothing).</item>
    /// <item><see cref="MemberSubject"/>: a field or property of a subject (<c>vma.vm_flags</c>).</item>
    /// <item><see cref="ProducedSubject"/>: the value a call returns, keyed by the method and its
    /// arguments' subjects (<c>vm_normal_page(vma, addr, pte)</c>); arguments of primitive type are
    /// not compared (<c>addr</c> and <c>vmf.address</c> are assumed to correspond).</item>
    /// <item><see cref="StaticSubject"/>: a static field or property.</item>
    /// <item><see cref="LockSubject"/>: "a lock of this family is held".</item>
    /// </list>
    /// Subjects are immutable and compare structurally; the hash is computed once.
    /// </summary>
    internal abstract class Subject : IEquatable<Subject>
    {
        private int _hash;

        public abstract bool Equals(Subject? other);

        public override bool Equals(object? obj) => Equals(obj as Subject);

        public override int GetHashCode()
        {
            if (_hash == 0)
            {
                _hash = ComputeHash() | 1;
            }

            return _hash;
        }

        protected abstract int ComputeHash();

        /// <summary>Can a method whose inputs are <paramref name="inputs"/> name this subject?</summary>
        public abstract bool IsObservableFrom(IReadOnlyCollection<ITypeSymbol> inputs);

        /// <summary>A short form for dumps and debugging.</summary>
        public abstract override string ToString();

        protected static int Combine(int a, int b) => unchecked((a * 31) + b);

        // SymbolEqualityComparer.Default already ignores nullable annotations (at every level), so `vma` and
        // `vma?` are one type without a WithNullableAnnotation copy (a new public symbol per comparison).
        internal static bool SameType(ITypeSymbol? a, ITypeSymbol? b) =>
            SymbolEqualityComparer.Default.Equals(a, b);

        internal static int TypeHash(ITypeSymbol type) =>
            SymbolEqualityComparer.Default.GetHashCode(type);
    }

    internal sealed class InputSubject : Subject
    {
        public InputSubject(ITypeSymbol type)
        {
            Type = type;
        }

        public ITypeSymbol Type { get; }

        public override bool Equals(Subject? other) => other is InputSubject input && SameType(input.Type, Type);

        protected override int ComputeHash() => Combine(1, TypeHash(Type));

        public override bool IsObservableFrom(IReadOnlyCollection<ITypeSymbol> inputs)
        {
            foreach (var input in inputs)
            {
                if (SameType(input, Type))
                {
                    return true;
                }
            }

            return false;
        }

        public override string ToString() => "<" + Type.Name + ">";
    }

    internal sealed class ParameterSubject : Subject
    {
        public ParameterSubject(IParameterSymbol parameter)
        {
            Parameter = parameter;
        }

        public IParameterSymbol Parameter { get; }

        public override bool Equals(Subject? other) => other is ParameterSubject p && SymbolEqualityComparer.Default.Equals(p.Parameter, Parameter);

        protected override int ComputeHash() => Combine(2, SymbolEqualityComparer.Default.GetHashCode(Parameter));

        public override bool IsObservableFrom(IReadOnlyCollection<ITypeSymbol> inputs) => false;

        public override string ToString() => "param " + Parameter.Name;
    }

    internal sealed class MemberSubject : Subject
    {
        public MemberSubject(Subject owner, ISymbol member)
        {
            Owner = owner;
            Member = member;
        }

        public Subject Owner { get; }

        public ISymbol Member { get; }

        public override bool Equals(Subject? other) =>
            other is MemberSubject m && SymbolEqualityComparer.Default.Equals(m.Member, Member) && m.Owner.Equals(Owner);

        protected override int ComputeHash() => Combine(Combine(3, Owner.GetHashCode()), SymbolEqualityComparer.Default.GetHashCode(Member));

        public override bool IsObservableFrom(IReadOnlyCollection<ITypeSymbol> inputs) => Owner.IsObservableFrom(inputs);

        public override string ToString() => Owner + "." + Member.Name;
    }

    internal sealed class ProducedSubject : Subject
    {
        public ProducedSubject(IMethodSymbol method, ImmutableArray<Subject?> arguments)
        {
            Method = method;
            Arguments = arguments;
        }

        public IMethodSymbol Method { get; }

        /// <summary>One per argument; null where the argument is not compared (primitive types).</summary>
        public ImmutableArray<Subject?> Arguments { get; }

        public override bool Equals(Subject? other)
        {
            if (other is not ProducedSubject p || !SymbolEqualityComparer.Default.Equals(p.Method, Method) || p.Arguments.Length != Arguments.Length)
            {
                return false;
            }

            for (int i = 0; i < Arguments.Length; i++)
            {
                if (!Equals(Arguments[i], p.Arguments[i]))
                {
                    return false;
                }
            }

            return true;
        }

        protected override int ComputeHash()
        {
            var hash = Combine(4, SymbolEqualityComparer.Default.GetHashCode(Method));
            foreach (var argument in Arguments)
            {
                hash = Combine(hash, argument?.GetHashCode() ?? 0);
            }

            return hash;
        }

        public override bool IsObservableFrom(IReadOnlyCollection<ITypeSymbol> inputs) => Arguments.All(a => a is null || a.IsObservableFrom(inputs));

        public override string ToString() => Method.Name + "(" + string.Join(", ", Arguments.Select(a => a?.ToString() ?? "_")) + ")";
    }

    internal sealed class StaticSubject : Subject
    {
        public StaticSubject(ISymbol member)
        {
            Member = member;
        }

        public ISymbol Member { get; }

        public override bool Equals(Subject? other) => other is StaticSubject s && SymbolEqualityComparer.Default.Equals(s.Member, Member);

        protected override int ComputeHash() => Combine(5, SymbolEqualityComparer.Default.GetHashCode(Member));

        public override bool IsObservableFrom(IReadOnlyCollection<ITypeSymbol> inputs) => true;

        public override string ToString() => Member.ContainingType?.Name + "." + Member.Name;
    }

    internal sealed class LockSubject : Subject
    {
        public LockSubject(ITypeSymbol family)
        {
            Family = family;
        }

        /// <summary>The type of the locked object (lock_page and trylock_page are the same lock).</summary>
        public ITypeSymbol Family { get; }

        public override bool Equals(Subject? other) => other is LockSubject l && SameType(l.Family, Family);

        protected override int ComputeHash() => Combine(6, TypeHash(Family));

        public override bool IsObservableFrom(IReadOnlyCollection<ITypeSymbol> inputs) => true;

        public override string ToString() => "lock<" + Family.Name + ">";
    }

    /// <summary>
    /// The variable one fact constrains: a subject, optionally one bit of it (flag tests), and the
    /// family of the lock held when it was read (null: none). A check made under a lock also
    /// satisfies the same check required without it (<see cref="Unlocked"/>).
    /// </summary>
    internal sealed class FactVar : IEquatable<FactVar>
    {
        private readonly int _hash;

        public FactVar(Subject subject, long bit, ITypeSymbol? lockFamily)
        {
            Subject = subject;
            Bit = bit;
            LockFamily = lockFamily;
            _hash = unchecked((((subject.GetHashCode() * 31) + bit.GetHashCode()) * 31) + (lockFamily is null ? 0 : Subject.TypeHash(lockFamily)));
        }

        public Subject Subject { get; }

        /// <summary>0: the whole value; otherwise the single bit this fact is about.</summary>
        public long Bit { get; }

        public ITypeSymbol? LockFamily { get; }

        public FactVar Unlocked => LockFamily is null ? this : new FactVar(Subject, Bit, null);

        /// <summary>Same subject and bit, whatever the lock.</summary>
        public bool SameValueAs(FactVar other) => other.Bit == Bit && other.Subject.Equals(Subject);

        public bool Equals(FactVar? other) =>
            other is not null && other._hash == _hash && other.Bit == Bit && Subject.SameType(other.LockFamily, LockFamily) && other.Subject.Equals(Subject);

        public override bool Equals(object? obj) => Equals(obj as FactVar);

        public override int GetHashCode() => _hash;

        public override string ToString() =>
            Subject + (Bit == 0 ? string.Empty : Bit == Literal.NullnessBit ? "?null" : "&0x" + Bit.ToString("x", System.Globalization.CultureInfo.InvariantCulture)) + (LockFamily is null ? string.Empty : " under lock<" + LockFamily.Name + ">");
    }
}
