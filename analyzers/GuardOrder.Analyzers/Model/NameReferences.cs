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
        private static readonly ConditionalWeakTable<Compilation, ConcurrentDictionary<string, ImmutableArray<SimpleNameSyntax>>> PerCompilation =
            new ConditionalWeakTable<Compilation, ConcurrentDictionary<string, ImmutableArray<SimpleNameSyntax>>>();

        public static ImmutableArray<SimpleNameSyntax> Of(Compilation compilation, string name, CancellationToken cancellationToken)
        {
            var cache = PerCompilation.GetValue(compilation, _ => new ConcurrentDictionary<string, ImmutableArray<SimpleNameSyntax>>(System.StringComparer.Ordinal));
            if (cache.TryGetValue(name, out var found))
            {
                return found;
            }

            var result = ImmutableArray.CreateBuilder<SimpleNameSyntax>();
            foreach (var tree in compilation.SyntaxTrees)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (!MaySpell(tree, name, cancellationToken))
                {
                    continue;
                }

                foreach (var token in tree.GetRoot(cancellationToken).DescendantTokens())
                {
                    if (token.IsKind(SyntaxKind.IdentifierToken) && token.ValueText == name && token.Parent is SimpleNameSyntax simple)
                    {
                        result.Add(simple);
                    }
                }
            }

            return cache.GetOrAdd(name, result.ToImmutable());
        }

        /// <summary>
        /// The tree's text may spell <paramref name="name"/>: it holds the name's characters, or a
        /// unicode escape (an identifier may spell a character as <c>\uXXXX</c>). Only a tree whose text
        /// is not at hand is assumed to. A search of characters, far cheaper than the tree's tokens.
        /// </summary>
        private static bool MaySpell(SyntaxTree tree, string name, CancellationToken cancellationToken)
        {
            if (!tree.TryGetText(out var text))
            {
                return true;
            }

            const int ChunkSize = 8192;
            var overlap = System.Math.Max(name.Length, 2) - 1;
            var buffer = new char[ChunkSize + overlap];
            var kept = 0;
            for (var start = 0; start < text.Length; start += ChunkSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var count = System.Math.Min(ChunkSize, text.Length - start);
                text.CopyTo(start, buffer, kept, count);
                var length = kept + count;
                if (Contains(buffer, length, name) || Contains(buffer, length, "\\u") || Contains(buffer, length, "\\U"))
                {
                    return true;
                }

                // Keep the chunk's last characters: a name may straddle two chunks.
                kept = System.Math.Min(overlap, length);
                System.Array.Copy(buffer, length - kept, buffer, 0, kept);
            }

            return false;
        }

        private static bool Contains(char[] buffer, int length, string value)
        {
            var first = value[0];
            for (var i = 0; i + value.Length <= length; i++)
            {
                if (buffer[i] != first)
                {
                    continue;
                }

                var j = 1;
                while (j < value.Length && buffer[i + j] == value[j])
                {
                    j++;
                }

                if (j == value.Length)
                {
                    return true;
                }
            }

            return false;
        }
    }
}
