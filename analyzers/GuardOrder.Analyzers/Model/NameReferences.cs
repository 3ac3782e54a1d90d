using System;
using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace GuardOrder.Analyzers.Model
{
    /// <summary>
    /// The simple names spelled a given way in a compilation's source (every tree), found once per
    /// compilation and name: the GO0002 repair's search for the callers of a predicate it would give a
    /// parameter. Only a reported GO0002 whose repair needs one asks, so the scan is paid once per
    /// predicate name, not per diagnostic. A cancelled scan is not kept.
    /// </summary>
    internal static class NameReferences
    {
        private const int ChunkSize = 8192;

        /// <summary>
        /// Up to this many characters a tree's text is searched as one string: the compiler holds a text
        /// of up to 40K characters as one string (longer ones in chunks, which <c>ToString</c> would copy
        /// into one large object).
        /// </summary>
        private const int WholeTextLimit = 40 * 1024;

        private static readonly ConditionalWeakTable<Compilation, Scans> PerCompilation = new ConditionalWeakTable<Compilation, Scans>();

        /// <summary>A compilation's name searches, and what its trees' texts were found to hold.</summary>
        private sealed class Scans
        {
            public Scans(Compilation compilation)
            {
                Trees = compilation.SyntaxTrees.ToImmutableArray();
                Indirect = new byte[Trees.Length];
            }

            public ConcurrentDictionary<string, ImmutableArray<SimpleNameSyntax>> Names { get; } =
                new ConcurrentDictionary<string, ImmutableArray<SimpleNameSyntax>>(System.StringComparer.Ordinal);

            public ImmutableArray<SyntaxTree> Trees { get; }

            /// <summary>
            /// Per tree (by its place in the compilation): whether its text may spell a name other than
            /// literally (<see cref="HasUnicodeEscape"/>, <see cref="HasFormattingCharacter"/>): 0 not yet
            /// known, <see cref="No"/> or <see cref="Yes"/>. Decided once per tree, not per name searched
            /// (two threads may both decide it, and write the same answer).
            /// </summary>
            public byte[] Indirect { get; }
        }

        private const byte No = 1;
        private const byte Yes = 2;

        public static ImmutableArray<SimpleNameSyntax> Of(Compilation compilation, string name, CancellationToken cancellationToken)
        {
            var scans = PerCompilation.GetValue(compilation, c => new Scans(c));
            var cache = scans.Names;
            if (cache.TryGetValue(name, out var found))
            {
                return found;
            }

            var result = ImmutableArray.CreateBuilder<SimpleNameSyntax>();
            var buffer = new char[ChunkSize + System.Math.Max(name.Length, 2) - 1];
            for (var i = 0; i < scans.Trees.Length; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var tree = scans.Trees[i];
                if (TryFindLiterally(tree, ref scans.Indirect[i], name, result, cancellationToken))
                {
                    continue;
                }

                if (!MaySpell(tree, ref scans.Indirect[i], name, buffer, cancellationToken))
                {
                    continue;
                }

                foreach (var token in tree.GetRoot(cancellationToken).DescendantTokens())
                {
                    if (IsName(token, name) is { } simple)
                    {
                        result.Add(simple);
                    }
                }
            }

            return cache.GetOrAdd(name, result.ToImmutable());
        }

        private static SimpleNameSyntax? IsName(SyntaxToken token, string name) =>
            token.IsKind(SyntaxKind.IdentifierToken) && token.ValueText == name && token.Parent is SimpleNameSyntax simple ? simple : null;

        /// <summary>
        /// The names spelled <paramref name="name"/> in a tree whose text is one string in the compiler and spells
        /// no name other than literally (no unicode escape, no formatting character: decided once per tree,
        /// <see cref="Scans.Indirect"/>), found at the places its text holds the name's characters: the token at each
        /// such place (a name's token holds them; one in a comment or a string is no identifier, one in another
        /// identifier has another value), in text order, each once. The same names as a scan of every token of the
        /// tree, without the scan (every token of every tree that spells a predicate's name was read, and its nodes
        /// made). False when the tree is not such a tree (the caller scans it).
        /// </summary>
        private static bool TryFindLiterally(SyntaxTree tree, ref byte indirect, string name, ImmutableArray<SimpleNameSyntax>.Builder result, CancellationToken cancellationToken)
        {
            if (indirect == Yes || !tree.TryGetText(out var text) || text.Length > WholeTextLimit)
            {
                return false;
            }

            var whole = text.ToString();
            if (indirect == 0)
            {
                indirect = Indirect(whole.AsSpan()) ? Yes : No;
                if (indirect == Yes)
                {
                    return false;
                }
            }

            SyntaxNode? root = null;
            SyntaxToken last = default;
            for (var at = whole.IndexOf(name, System.StringComparison.Ordinal); at >= 0; at = whole.IndexOf(name, at + 1, System.StringComparison.Ordinal))
            {
                cancellationToken.ThrowIfCancellationRequested();
                root ??= tree.GetRoot(cancellationToken);
                var token = root.FindToken(at);
                if (token != last && IsName(token, name) is { } simple)
                {
                    result.Add(simple);
                    last = token;
                }
            }

            return true;
        }

        /// <summary>The names of <see cref="Of"/> grouped by the symbol they bind to, per compilation and name.</summary>
        private static readonly ConditionalWeakTable<Compilation, ConcurrentDictionary<string, ImmutableDictionary<ISymbol, ImmutableArray<SimpleNameSyntax>>>> ResolvedPerCompilation =
            new ConditionalWeakTable<Compilation, ConcurrentDictionary<string, ImmutableDictionary<ISymbol, ImmutableArray<SimpleNameSyntax>>>>();

        /// <summary>
        /// The names of <see cref="Of"/> that bind to <paramref name="symbol"/> (its original definition; a
        /// single candidate counts, as in half-typed code). Every name spelled that way is bound once per
        /// compilation and grouped by what it binds to: the predicates of the same name in many namespaces
        /// (a kernel port's copies) each read their own group, instead of each binding every copy's names
        /// (which made the repair's search quadratic in the copies). A cancelled pass is not kept.
        /// </summary>
        public static ImmutableArray<SimpleNameSyntax> To(Compilation compilation, ISymbol symbol, CancellationToken cancellationToken)
        {
            var cache = ResolvedPerCompilation.GetValue(compilation, _ => new ConcurrentDictionary<string, ImmutableDictionary<ISymbol, ImmutableArray<SimpleNameSyntax>>>(System.StringComparer.Ordinal));
            if (!cache.TryGetValue(symbol.Name, out var groups))
            {
                var builders = new System.Collections.Generic.Dictionary<ISymbol, ImmutableArray<SimpleNameSyntax>.Builder>(SymbolEqualityComparer.Default);
                SemanticModel? model = null;
                foreach (var name in Of(compilation, symbol.Name, cancellationToken))
                {
                    if (model?.SyntaxTree != name.SyntaxTree)
                    {
#pragma warning disable RS1030 // Do not invoke Compilation.GetSemanticModel() method within a diagnostic analyzer
                        model = compilation.GetSemanticModel(name.SyntaxTree); // only for a reported GO0002 whose repair adds a parameter
#pragma warning restore RS1030
                    }

                    var info = model.GetSymbolInfo(name, cancellationToken);
                    var bound = (info.Symbol ?? (info.CandidateSymbols.Length == 1 ? info.CandidateSymbols[0] : null))?.OriginalDefinition;
                    if (bound is null)
                    {
                        continue;
                    }

                    if (!builders.TryGetValue(bound, out var builder))
                    {
                        builders[bound] = builder = ImmutableArray.CreateBuilder<SimpleNameSyntax>();
                    }

                    builder.Add(name);
                }

                var result = ImmutableDictionary.CreateBuilder<ISymbol, ImmutableArray<SimpleNameSyntax>>(SymbolEqualityComparer.Default);
                foreach (var pair in builders)
                {
                    result[pair.Key] = pair.Value.ToImmutable();
                }

                groups = cache.GetOrAdd(symbol.Name, result.ToImmutable());
            }

            return groups.TryGetValue(symbol.OriginalDefinition, out var names) ? names : ImmutableArray<SimpleNameSyntax>.Empty;
        }

        /// <summary>
        /// The tree's text may spell <paramref name="name"/> (<paramref name="indirect"/>: what is known of its text, <see cref="Scans.Indirect"/>): it holds the name's characters, or a
        /// unicode escape (an identifier may spell a character as <c>\uXXXX</c>), or a formatting character
        /// (dropped from an identifier). Only a tree whose text
        /// is not at hand is assumed to. A search of characters, far cheaper than the tree's tokens.
        /// </summary>
        private static bool MaySpell(SyntaxTree tree, ref byte indirect, string name, char[] buffer, CancellationToken cancellationToken)
        {
            if (!tree.TryGetText(out var text))
            {
                return true;
            }

            if (indirect == Yes)
            {
                return true;
            }

            var known = indirect != 0;
            var found = false;
            var mayIndirect = false;
            if (text.Length <= WholeTextLimit)
            {
                // A text this short is one string in the compiler (it keeps a longer one in chunks): read
                // without a copy, where the chunks below copied every file once per name searched.
                var whole = text.ToString().AsSpan();
                found = whole.IndexOf(name.AsSpan(), System.StringComparison.Ordinal) >= 0;
                mayIndirect = !known && !found && Indirect(whole);
            }
            else
            {
                var overlap = buffer.Length - ChunkSize;
                var kept = 0;
                for (var start = 0; start < text.Length && !found && !mayIndirect; start += ChunkSize)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var count = System.Math.Min(ChunkSize, text.Length - start);
                    text.CopyTo(start, buffer, kept, count);
                    var length = kept + count;
                    var chunk = new System.ReadOnlySpan<char>(buffer, 0, length);
                    found = chunk.IndexOf(name.AsSpan(), System.StringComparison.Ordinal) >= 0;
                    mayIndirect = !known && !found && Indirect(chunk);

                    // Keep the chunk's last characters: a name may straddle two chunks.
                    kept = System.Math.Min(overlap, length);
                    System.Array.Copy(buffer, length - kept, buffer, 0, kept);
                }
            }

            if (!known && !found)
            {
                // The whole text was read: the answer holds for every later name.
                indirect = mayIndirect ? Yes : No;
            }

            return found || mayIndirect;
        }

        private static bool Indirect(System.ReadOnlySpan<char> chunk) => HasUnicodeEscape(chunk) || HasFormattingCharacter(chunk);

        /// <summary>A backslash followed by <c>u</c> or <c>U</c>: the start of a unicode escape.</summary>
        private static bool HasUnicodeEscape(System.ReadOnlySpan<char> chunk)
        {
            for (var at = chunk.IndexOf('\\'); at >= 0 && at + 1 < chunk.Length; at = NextBackslash(chunk, at + 1))
            {
                if (chunk[at + 1] is 'u' or 'U')
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>
        /// A formatting character (Unicode category Cf, e.g. a zero-width space): C# drops it from an
        /// identifier, so <c>no_&lt;U+200B&gt;addr</c> names <c>no_addr</c> without spelling it. All are outside ASCII.
        /// </summary>
        private static bool HasFormattingCharacter(System.ReadOnlySpan<char> chunk)
        {
            // Four characters at a time while they are all ASCII (nearly every source text is).
            var words = System.Runtime.InteropServices.MemoryMarshal.Cast<char, ulong>(chunk);
            var ascii = 0;
            while (ascii < words.Length && (words[ascii] & 0xFF80FF80FF80FF80UL) == 0)
            {
                ascii++;
            }

            foreach (var ch in chunk.Slice(ascii * 4))
            {
                if (ch >= 0x80 && System.Globalization.CharUnicodeInfo.GetUnicodeCategory(ch) == System.Globalization.UnicodeCategory.Format)
                {
                    return true;
                }
            }

            return false;
        }

        private static int NextBackslash(System.ReadOnlySpan<char> chunk, int from)
        {
            var next = chunk.Slice(from).IndexOf('\\');
            return next < 0 ? -1 : from + next;
        }
    }
}
