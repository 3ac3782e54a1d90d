using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace GuardOrder.Analyzers.Model
{
    /// <summary>
    /// Which helpers cannot reach a [WriteGrant] call, decided from their syntax and the declarations
    /// of the names they call, without binding their bodies. A fault path asks, for every call on it,
    /// whether the callee's routes may grant (<see cref="GrantCalls.MayGrant"/>); binding each callee, and
    /// theirs, to find out was most of GuardOrder's time for an edit of <c>mprotect.cs</c> in the IDE
    /// (binding <c>memory.cs</c>'s <c>do_wp_page</c> helpers in the edit's new compilation).
    /// <para>
    /// An over-approximation of <see cref="GrantCalls.BodyMayGrant"/>: a helper may grant, <c>levels</c>
    /// helpers deep, when its syntax calls a name that some source method of that name answers (it has a
    /// [WriteGrant], or, with a level left, its own syntax may grant), or when it holds a form that may
    /// bind to a call the syntax does not name (a constructor initializer, a collection initializer's
    /// <c>Add</c>, a collection expression, a query, an interpolated string's handler), an attributed local
    /// function, or a call of a shape whose name is not read here. Only a "no" is used (the body is then
    /// not bound); a "maybe" binds the body and decides on it as before.
    /// </para>
    /// <para>
    /// Methods of referenced assemblies are not searched by name: when any referenced assembly may declare
    /// a [WriteGrant] member (it defines a <c>GuardOrder.WriteGrantAttribute</c> of its own, or was
    /// compiled against an assembly that does, or against <c>GuardOrder.Annotations</c>, or against an
    /// assembly this compilation does not reference, whose attribute types are then unresolved), every call
    /// counts as a "maybe": only a helper that calls nothing at all is known not to grant unbound, as before
    /// this check.
    /// </para>
    /// </summary>
    internal sealed class GrantSyntax
    {
        private const string AnnotationsAssembly = "GuardOrder.Annotations";
        private const string WriteGrantMetadataName = "GuardOrder.WriteGrantAttribute";

        private static readonly ConditionalWeakTable<Compilation, GrantSyntax> PerCompilation =
            new ConditionalWeakTable<Compilation, GrantSyntax>();

        private readonly GuardOrderSymbols _symbols;
        private readonly Compilation _compilation;
        private readonly Lazy<bool> _metadataMayGrant;

        private readonly ConcurrentDictionary<(IMethodSymbol Method, int Levels), bool> _helpers =
            new ConcurrentDictionary<(IMethodSymbol, int), bool>(new MethodLevelComparer());

        private readonly ConcurrentDictionary<string, ImmutableArray<IMethodSymbol>> _named =
            new ConcurrentDictionary<string, ImmutableArray<IMethodSymbol>>(StringComparer.Ordinal);

        private readonly ConcurrentDictionary<(string Name, int Levels), bool> _names =
            new ConcurrentDictionary<(string, int), bool>();

        private GrantSyntax(GuardOrderSymbols symbols)
        {
            _symbols = symbols;
            _compilation = symbols.Compilation;
            _metadataMayGrant = new Lazy<bool>(() => MetadataMayDeclareGrants(_compilation), LazyThreadSafetyMode.ExecutionAndPublication);
        }

        public static GrantSyntax For(GuardOrderSymbols symbols) =>
            PerCompilation.GetValue(symbols.Compilation, _ => new GrantSyntax(symbols));

        /// <summary>
        /// False only when no route of <paramref name="helper"/>'s body, its own helpers expanded
        /// <paramref name="levels"/> more levels, can call a [WriteGrant] member (<see cref="GrantCalls.BodyMayGrant"/>
        /// would say no); true when it may.
        /// </summary>
        public bool MayGrant(IMethodSymbol helper, int levels, CancellationToken cancellationToken)
        {
            var key = ((IMethodSymbol)GuardOrderSymbols.Original(helper)!, levels);
            if (_helpers.TryGetValue(key, out var known))
            {
                return known;
            }

            var answer = Decide(key.Item1, levels, cancellationToken);
            return _helpers.GetOrAdd(key, answer);
        }

        private bool Decide(IMethodSymbol helper, int levels, CancellationToken cancellationToken)
        {
            foreach (var reference in helper.DeclaringSyntaxReferences)
            {
                var declaration = reference.GetSyntax(cancellationToken);
                if (!_compilation.ContainsSyntaxTree(declaration.SyntaxTree))
                {
                    continue; // no body of this compilation: MethodBodies binds none either
                }

                foreach (var node in declaration.DescendantNodes())
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    switch (node)
                    {
                        case InvocationExpressionSyntax invocation:
                            var name = CalledName(invocation.Expression);
                            if (name is null || _metadataMayGrant.Value || NameMayGrant(name, levels, cancellationToken))
                            {
                                return true;
                            }

                            break;

                        // Forms that may bind to a call whose name the syntax does not spell.
                        case ConstructorInitializerSyntax:
                        case InitializerExpressionSyntax initializer when initializer.IsKind(SyntaxKind.CollectionInitializerExpression) || initializer.IsKind(SyntaxKind.ComplexElementInitializerExpression):
                        case CollectionExpressionSyntax:
                        case QueryExpressionSyntax:
                        case InterpolatedStringExpressionSyntax:
                            return true;

                        // A local function may carry a [WriteGrant] (by any alias): not decided by name.
                        case AttributeSyntax when node.Parent?.Parent is LocalFunctionStatementSyntax:
                            return true;
                    }
                }
            }

            return false;
        }

        /// <summary>The simple name a call spells, or null when its shape is not one read here (the caller then says "maybe").</summary>
        private static string? CalledName(ExpressionSyntax expression) => expression switch
        {
            IdentifierNameSyntax identifier => identifier.Identifier.ValueText,
            GenericNameSyntax generic => generic.Identifier.ValueText,
            MemberAccessExpressionSyntax member => member.Name.Identifier.ValueText,
            MemberBindingExpressionSyntax binding => binding.Name.Identifier.ValueText,
            AliasQualifiedNameSyntax alias => alias.Name.Identifier.ValueText,
            _ => null,
        };

        /// <summary>
        /// A source method named <paramref name="name"/> grants, or (with a level left) its body may; once per
        /// name and level. Asked afresh at every call of the name, it scanned every method of that name each
        /// time: quadratic in a code base where many types declare the same helper (169 replicas of one
        /// helper at 1M real-shaped lines).
        /// </summary>
        private bool NameMayGrant(string name, int levels, CancellationToken cancellationToken)
        {
            var key = (name, levels);
            if (_names.TryGetValue(key, out var known))
            {
                return known;
            }

            var answer = false;
            foreach (var method in MethodsNamed(name, cancellationToken))
            {
                if (_symbols.IsWriteGrant(method) || (levels > 0 && MayGrant(method, levels - 1, cancellationToken)))
                {
                    answer = true;
                    break;
                }
            }

            return _names.GetOrAdd(key, answer);
        }

        /// <summary>The compilation's own methods of that name (declarations only: nothing is bound), once per name.</summary>
        private ImmutableArray<IMethodSymbol> MethodsNamed(string name, CancellationToken cancellationToken)
        {
            if (_named.TryGetValue(name, out var known))
            {
                return known;
            }

            var methods = _compilation.GetSymbolsWithName(name, SymbolFilter.Member, cancellationToken).OfType<IMethodSymbol>().ToImmutableArray();
            return _named.GetOrAdd(name, methods);
        }

        /// <summary>
        /// A referenced assembly may declare a [WriteGrant] member: it defines a
        /// <c>GuardOrder.WriteGrantAttribute</c> (other than the annotations assembly, which declares no
        /// grant), or it was compiled against an assembly that defines one, or against the annotations.
        /// </summary>
        private static bool MetadataMayDeclareGrants(Compilation compilation)
        {
            var defining = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { AnnotationsAssembly };
            foreach (var type in compilation.GetTypesByMetadataName(WriteGrantMetadataName))
            {
                if (type.ContainingAssembly is { } assembly)
                {
                    defining.Add(assembly.Name);
                    if (!SymbolEqualityComparer.Default.Equals(assembly, compilation.Assembly) && !string.Equals(assembly.Name, AnnotationsAssembly, StringComparison.OrdinalIgnoreCase))
                    {
                        return true;
                    }
                }
            }

            var present = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { compilation.Assembly.Name };
            foreach (var assembly in compilation.SourceModule.ReferencedAssemblySymbols)
            {
                present.Add(assembly.Name);
            }

            foreach (var assembly in compilation.SourceModule.ReferencedAssemblySymbols)
            {
                if (string.Equals(assembly.Name, AnnotationsAssembly, StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                // A framework assembly (signed with one of Microsoft's keys) declares no grant; its facades name
                // framework assemblies a compilation need not reference.
                var framework = IsFramework(assembly.Identity);
                foreach (var module in assembly.Modules)
                {
                    foreach (var referenced in module.ReferencedAssemblies)
                    {
                        // Compiled against an assembly with a grant attribute, or against one this compilation
                        // does not reference (its attributes are then unresolved types, which may be one).
                        if (defining.Contains(referenced.Name) || (!framework && !present.Contains(referenced.Name)))
                        {
                            return true;
                        }
                    }
                }
            }

            return false;
        }

        /// <summary>The public key tokens Microsoft signs the framework's assemblies with.</summary>
        private static readonly string[] FrameworkKeyTokens =
        {
            "b03f5f7f11d50a3a", "b77a5c561934e089", "cc7b13ffcd2ddd51", "31bf3856ad364e35", "7cec85d7bea7798e", "adb9793829ddae60",
        };

        private static bool IsFramework(AssemblyIdentity identity)
        {
            var token = identity.PublicKeyToken;
            if (token.IsDefaultOrEmpty)
            {
                return false;
            }

            var text = string.Concat(token.Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
            return Array.IndexOf(FrameworkKeyTokens, text) >= 0;
        }

        private sealed class MethodLevelComparer : IEqualityComparer<(IMethodSymbol Method, int Levels)>
        {
            public bool Equals((IMethodSymbol Method, int Levels) x, (IMethodSymbol Method, int Levels) y) =>
                x.Levels == y.Levels && SymbolEqualityComparer.Default.Equals(x.Method, y.Method);

            public int GetHashCode((IMethodSymbol Method, int Levels) obj) =>
                unchecked((SymbolEqualityComparer.Default.GetHashCode(obj.Method) * 31) + obj.Levels);
        }
    }
}
