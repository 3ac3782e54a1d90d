using System;
using Microsoft.CodeAnalysis;

namespace GuardOrder.Analyzers.Model
{
    /// <summary>
    /// Where a value lives along a route: a local, a parameter, <c>this</c>, a static member, or a
    /// field/property path rooted at one of them (<c>vmf.page</c>). Typed, compared structurally.
    /// </summary>
    internal abstract class ValueKey : IEquatable<ValueKey>
    {
        public abstract bool Equals(ValueKey? other);

        public override bool Equals(object? obj) => Equals(obj as ValueKey);

        public abstract override int GetHashCode();
    }

    internal sealed class SymbolKey : ValueKey
    {
        public static readonly SymbolKey This = new SymbolKey(null);

        // Computed once: a route's value list compares keys at every lookup (ValueMap), and the symbol
        // comparer's hash and equality go through the compiler's public-model wrappers each time.
        private readonly int _hash;

        public SymbolKey(ISymbol? symbol)
        {
            Symbol = symbol;
            _hash = symbol is null ? 7 : SymbolEqualityComparer.Default.GetHashCode(symbol);
        }

        /// <summary>A local, a parameter (its original definition), a static member; null is <c>this</c>.</summary>
        public ISymbol? Symbol { get; }

        public override bool Equals(ValueKey? other) =>
            ReferenceEquals(other, this) ||
            (other is SymbolKey s && s._hash == _hash && (ReferenceEquals(s.Symbol, Symbol) || SymbolEqualityComparer.Default.Equals(s.Symbol, Symbol)));

        public override int GetHashCode() => _hash;

        public override string ToString() => Symbol?.Name ?? "this";
    }

    internal sealed class PathKey : ValueKey
    {
        private readonly int _hash;

        public PathKey(ValueKey owner, ISymbol member)
        {
            Owner = owner;
            Member = member;
            _hash = unchecked((owner.GetHashCode() * 31) + SymbolEqualityComparer.Default.GetHashCode(member));
        }

        public ValueKey Owner { get; }

        public ISymbol Member { get; }

        public override bool Equals(ValueKey? other) =>
            ReferenceEquals(other, this) ||
            (other is PathKey p && p._hash == _hash && (ReferenceEquals(p.Member, Member) || SymbolEqualityComparer.Default.Equals(p.Member, Member)) && p.Owner.Equals(Owner));

        public override int GetHashCode() => _hash;

        public override string ToString() => Owner + "." + Member.Name;
    }
}
