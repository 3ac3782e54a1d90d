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
    }
}
