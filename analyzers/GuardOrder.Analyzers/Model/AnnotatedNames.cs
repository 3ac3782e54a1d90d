using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace GuardOrder.Analyzers.Model
{
    /// <summary>
    /// Which code blocks can hold what GO0001, GO0004 and GO0005 look for, decided from a block's text
    /// before anything in it is bound. Those rules act only on a direct use of a <c>[SecurityCheck]</c>
    /// member (<see cref="SecurityReads"/>: a field, property or method read or called) or a direct call
    /// of a lock primitive (<c>[AcquiresLock]</c>, <c>[TryAcquiresLock]</c>, <c>[ReleasesLock]</c>). In
    /// C# such a use names the member with an identifier token (<c>PageKsm(page)</c>, <c>vma.vm_flags</c>,
    /// <c>VM_WRITE</c>, through <c>using static</c> too), unless the member is one the language calls
    /// without its name: an operator, a conversion, a constructor (<c>: base(…)</c>), an indexer, or a
    /// method called by pattern (<see cref="PatternNames"/>: <c>Add</c> of a collection initializer,
    /// <c>Select</c> of a query, …). So this holds the names of every such member, in source and in every
    /// referenced assembly that can carry GuardOrder's attributes (<see cref="MayCarryAnnotations"/>), and
    /// a block whose identifiers name none of them is not bound at all: the analyzer driver binds the
    /// bodies an operation action asks for, every body of the compilation, which cost the build as much
    /// as a tenth of the compile. When one of those members could be used without its name, every block
    /// is relevant (<see cref="EveryBlock"/>), as before.
    /// <para>
    /// Built once per compilation (<see cref="SharedModel"/>) from the declared members, not from any
    /// body; a superset is harmless (a block bound for nothing), a missing name would be a silent rule,
    /// so a member is listed on its attributes alone, whatever else it is.
    /// </para>
    /// </summary>
    internal sealed class AnnotatedNames
    {
        private const Annotation Security = Annotation.SecurityCheck;
        private const Annotation Locks = Annotation.AcquiresLock | Annotation.TryAcquiresLock | Annotation.ReleasesLock;

        /// <summary>
        /// Methods the language calls by pattern, whose name need not be written where they are called
        /// (collection initializers, queries, foreach, using, await, deconstruction, interpolated string
        /// handlers, ranges and list patterns, delegate invocation).
        /// </summary>
        internal static readonly HashSet<string> PatternNames = new HashSet<string>(System.StringComparer.Ordinal)
        {
            "Add", "Select", "SelectMany", "Where", "Join", "GroupJoin", "OrderBy", "OrderByDescending", "ThenBy",
            "ThenByDescending", "GroupBy", "Cast", "GetEnumerator", "GetAsyncEnumerator", "MoveNext", "MoveNextAsync",
            "Current", "Dispose", "DisposeAsync", "GetAwaiter", "GetResult", "IsCompleted", "OnCompleted",
            "UnsafeOnCompleted", "Deconstruct", "Slice", "Length", "Count", "GetPinnableReference", "AppendLiteral",
            "AppendFormatted", "Invoke", "Create", "Clone",
        };

        private readonly HashSet<string> _security = new HashSet<string>(System.StringComparer.Ordinal);
        private readonly HashSet<string> _locks = new HashSet<string>(System.StringComparer.Ordinal);

        private AnnotatedNames()
        {
        }

        /// <summary>A [SecurityCheck] or lock member can be used without its name: every block is relevant.</summary>
        public bool EveryBlock { get; private set; }

        /// <summary>The names of the [SecurityCheck] members (for the tests and the benchmark).</summary>
        public IReadOnlyCollection<string> SecurityNames => _security;

        /// <summary>The names of the lock primitives (for the tests and the benchmark).</summary>
        public IReadOnlyCollection<string> LockNames => _locks;

        /// <summary>Can <paramref name="block"/> read a [SecurityCheck] member (GO0001, GO0005)?</summary>
        public bool MayReadSecurity(SyntaxNode block) => EveryBlock || Names(block, _security);

        /// <summary>Can <paramref name="block"/> call a lock primitive (GO0004)?</summary>
        public bool MayCallLock(SyntaxNode block) => EveryBlock || Names(block, _locks);

        private static bool Names(SyntaxNode block, HashSet<string> names)
        {
            if (names.Count == 0)
            {
                return false;
            }

            foreach (var token in block.DescendantTokens())
            {
                if (token.IsKind(SyntaxKind.IdentifierToken) && names.Contains(token.ValueText))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>The names of <paramref name="compilation"/>'s annotated members (its own and its references').</summary>
        public static AnnotatedNames Compute(Compilation compilation, GuardOrderSymbols symbols, CancellationToken cancellationToken)
        {
            var names = new AnnotatedNames();
            names.AddTypes(compilation.Assembly.GlobalNamespace, symbols, cancellationToken);
            foreach (var reference in compilation.References)
            {
                if (compilation.GetAssemblyOrModuleSymbol(reference) is IAssemblySymbol assembly && MayCarryAnnotations(assembly))
                {
                    names.AddTypes(assembly.GlobalNamespace, symbols, cancellationToken);
                }
            }

            return names;
        }

        /// <summary>
        /// An assembly can carry GuardOrder's attributes when it declares a type in the top-level
        /// <c>GuardOrder</c> namespace (the package compiles the attributes into every consumer) or
        /// references an assembly that does: an attribute on its members is a type of one of them.
        /// </summary>
        internal static bool MayCarryAnnotations(IAssemblySymbol assembly)
        {
            if (DeclaresGuardOrderNamespace(assembly))
            {
                return true;
            }

            foreach (var module in assembly.Modules)
            {
                foreach (var referenced in module.ReferencedAssemblySymbols)
                {
                    if (DeclaresGuardOrderNamespace(referenced))
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        private static bool DeclaresGuardOrderNamespace(IAssemblySymbol assembly)
        {
            foreach (var member in assembly.GlobalNamespace.GetMembers(GuardOrderSymbols.Namespace))
            {
                if (member is INamespaceSymbol)
                {
                    return true;
                }
            }

            return false;
        }

        private void AddTypes(INamespaceSymbol root, GuardOrderSymbols symbols, CancellationToken cancellationToken)
        {
            var pending = new Stack<INamespaceOrTypeSymbol>();
            pending.Push(root);
            while (pending.Count > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var container = pending.Pop();
                foreach (var member in container.GetMembers())
                {
                    switch (member)
                    {
                        case INamespaceOrTypeSymbol nested:
                            pending.Push(nested);
                            break;
                        case IFieldSymbol or IPropertySymbol or IMethodSymbol:
                            Add(member, symbols);
                            break;
                    }
                }
            }
        }

        private void Add(ISymbol member, GuardOrderSymbols symbols)
        {
            if (member.GetAttributes().IsEmpty)
            {
                return;
            }

            var annotations = symbols.AnnotationsOf(member);
            var security = (annotations & Security) != 0;
            var locks = (annotations & Locks) != 0;
            if (!security && !locks)
            {
                return;
            }

            string name;
            switch (member)
            {
                case IPropertySymbol { IsIndexer: true }:
                    EveryBlock = true; // used as x[i]
                    return;
                case IMethodSymbol { MethodKind: MethodKind.PropertyGet or MethodKind.PropertySet } accessor when accessor.AssociatedSymbol is IPropertySymbol property:
                    if (property.IsIndexer)
                    {
                        EveryBlock = true;
                        return;
                    }

                    name = property.Name;
                    break;
                case IMethodSymbol { MethodKind: MethodKind.Ordinary or MethodKind.ReducedExtension or MethodKind.DeclareMethod or MethodKind.LocalFunction } method:
                    name = method.Name;
                    break;
                case IMethodSymbol { MethodKind: MethodKind.ExplicitInterfaceImplementation } method:
                    // Called through the interface's member (which carries its own attributes); its short name, to be safe.
                    name = method.Name.Substring(method.Name.LastIndexOf('.') + 1);
                    break;
                case IMethodSymbol:
                    EveryBlock = true; // an operator, a conversion, a constructor, a destructor, an event accessor
                    return;
                default:
                    name = member.Name;
                    break;
            }

            if (PatternNames.Contains(name))
            {
                EveryBlock = true;
                return;
            }

            if (security)
            {
                _security.Add(name);
            }

            if (locks)
            {
                _locks.Add(name);
            }
        }
    }
}
