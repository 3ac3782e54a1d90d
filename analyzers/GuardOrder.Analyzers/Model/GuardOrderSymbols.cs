using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;

namespace GuardOrder.Analyzers.Model
{
    /// <summary>
    /// The GuardOrder attribute types (and the BCL helpers the rules look at), resolved once per
    /// compilation. <see cref="TryCreate"/> returns null when the annotations are not referenced at
    /// all: every rule then registers nothing and costs nothing.
    /// </summary>
    internal sealed class GuardOrderSymbols
    {
        public const string Namespace = "GuardOrder";

        private GuardOrderSymbols(Compilation compilation)
        {
            Compilation = compilation;
            IAssemblySymbol? annotations = AnnotationsReference(compilation);
            SecurityCheck = Resolve(compilation, "GuardOrder.SecurityCheckAttribute", ref annotations);
            MustMatchFaultPath = Resolve(compilation, "GuardOrder.MustMatchFaultPathAttribute", ref annotations);
            FaultPathCheck = Resolve(compilation, "GuardOrder.FaultPathCheckAttribute", ref annotations);
            WriteGrant = Resolve(compilation, "GuardOrder.WriteGrantAttribute", ref annotations);
            AcquiresLock = Resolve(compilation, "GuardOrder.AcquiresLockAttribute", ref annotations);
            TryAcquiresLock = Resolve(compilation, "GuardOrder.TryAcquiresLockAttribute", ref annotations);
            ReleasesLock = Resolve(compilation, "GuardOrder.ReleasesLockAttribute", ref annotations);
            FaultPathAssumption = Resolve(compilation, "GuardOrder.FaultPathAssumptionAttribute", ref annotations);
            IAssemblySymbol? coreLibrary = compilation.GetSpecialType(SpecialType.System_Object).ContainingAssembly;
            DoesNotReturnIf = ResolveFramework(compilation, "System.Diagnostics.CodeAnalysis.DoesNotReturnIfAttribute", ref coreLibrary);
            DoesNotReturn = ResolveFramework(compilation, "System.Diagnostics.CodeAnalysis.DoesNotReturnAttribute", ref coreLibrary);
            NotNull = ResolveFramework(compilation, "System.Diagnostics.CodeAnalysis.NotNullAttribute", ref coreLibrary);
            _annotationNames = AnnotationNames(SecurityCheck, MustMatchFaultPath, FaultPathCheck, WriteGrant, AcquiresLock, TryAcquiresLock, ReleasesLock, DoesNotReturn);
        }

        /// <summary>The names of the resolved attribute types <see cref="AnnotationsOf"/> reads (a name appears once).</summary>
        private static string[] AnnotationNames(params INamedTypeSymbol?[] types)
        {
            var names = new System.Collections.Generic.List<string>();
            foreach (var type in types)
            {
                if (type is not null && !names.Contains(type.Name))
                {
                    names.Add(type.Name);
                }
            }

            return names.ToArray();
        }

        /// <summary>
        /// The referenced GuardOrder.Annotations assembly, if any: asked right after the compilation's own assembly,
        /// so that a project referencing the annotations as an assembly (not compiled in, as the package does) finds
        /// the first attribute without the lookup through every reference, which was most of this constructor's time
        /// once per compilation in the benchmark's profiles.
        /// </summary>
        private static IAssemblySymbol? AnnotationsReference(Compilation compilation)
        {
            foreach (var assembly in compilation.SourceModule.ReferencedAssemblySymbols)
            {
                if (string.Equals(assembly.Name, "GuardOrder.Annotations", System.StringComparison.OrdinalIgnoreCase))
                {
                    return assembly;
                }
            }

            return null;
        }

        /// <summary>
        /// A framework attribute the rules read (<c>[DoesNotReturnIf]</c>, <c>[NotNull]</c>): the
        /// compilation's own copy (a polyfill, which <see cref="Compilation.GetTypeByMetadataName"/>
        /// prefers too), else the core library's, else the lookup through every reference. Matched by
        /// symbol, so the copy the compilation's code binds to is the one that counts; asking the core
        /// library first spares an IDE the search of every reference per new compilation.
        /// </summary>
        private static INamedTypeSymbol? ResolveFramework(Compilation compilation, string metadataName, ref IAssemblySymbol? coreLibrary)
        {
            var own = compilation.Assembly.GetTypeByMetadataName(metadataName);
            if (own is not null)
            {
                return own;
            }

            if (coreLibrary?.GetTypeByMetadataName(metadataName) is { DeclaredAccessibility: Accessibility.Public } core)
            {
                return core;
            }

            return compilation.GetTypeByMetadataName(metadataName);
        }

        /// <summary>
        /// The package compiles the attributes into every consumer as <c>internal</c> types, so one
        /// compilation may see several <c>GuardOrder.SecurityCheckAttribute</c>: its own, and one per
        /// referenced annotated library. <see cref="Compilation.GetTypeByMetadataName"/> prefers the
        /// compilation's own copy and returns null when only references define it more than once;
        /// then any copy will do, since attributes are matched by name (<see cref="IsSameAttribute"/>).
        /// <para>
        /// Since any copy will do, the compilation's own assembly and then the assembly where the previous
        /// attribute was found are asked first (<paramref name="annotations"/>): a lookup through the
        /// compilation searches every reference (a few hundred with the framework), which an IDE pays for
        /// every new compilation. Only a type found in neither is looked up that way; a null result (no
        /// copy anywhere) is the same as before.
        /// </para>
        /// </summary>
        private static INamedTypeSymbol? Resolve(Compilation compilation, string metadataName, ref IAssemblySymbol? annotations)
        {
            var known = compilation.Assembly.GetTypeByMetadataName(metadataName) ?? annotations?.GetTypeByMetadataName(metadataName);
            if (known is not null)
            {
                annotations ??= known.ContainingAssembly;
                return known;
            }

            var found = Resolve(compilation, metadataName);
            if (found is not null)
            {
                annotations = found.ContainingAssembly;
            }

            return found;
        }

        private static INamedTypeSymbol? Resolve(Compilation compilation, string metadataName)
        {
            var type = compilation.GetTypeByMetadataName(metadataName);
            if (type is not null)
            {
                return type;
            }

            var candidates = compilation.GetTypesByMetadataName(metadataName);
            return candidates.IsDefaultOrEmpty ? null : candidates[0];
        }

        /// <summary>
        /// An attribute is a GuardOrder attribute when its class has the same name in the top-level
        /// <c>GuardOrder</c> namespace, whichever assembly declares it: a library's members keep
        /// pointing at that library's internal copy when another project reads them from metadata.
        /// </summary>
        private static bool IsSameAttribute(INamedTypeSymbol? attributeClass, INamedTypeSymbol attributeType)
        {
            if (attributeClass is null)
            {
                return false;
            }

            if (SymbolEqualityComparer.Default.Equals(attributeClass, attributeType))
            {
                return true;
            }

            return attributeClass.Name == attributeType.Name &&
                attributeClass.ContainingType is null &&
                attributeClass.ContainingNamespace is { Name: Namespace } ns &&
                ns.ContainingNamespace is { IsGlobalNamespace: true };
        }

        public Compilation Compilation { get; }
        public INamedTypeSymbol? SecurityCheck { get; }
        public INamedTypeSymbol? MustMatchFaultPath { get; }
        public INamedTypeSymbol? FaultPathCheck { get; }
        public INamedTypeSymbol? WriteGrant { get; }
        public INamedTypeSymbol? AcquiresLock { get; }
        public INamedTypeSymbol? TryAcquiresLock { get; }
        public INamedTypeSymbol? ReleasesLock { get; }
        public INamedTypeSymbol? DoesNotReturnIf { get; }
        public INamedTypeSymbol? DoesNotReturn { get; }
        public INamedTypeSymbol? NotNull { get; }

        /// <summary>Marks a bool method whose true routes state what the fault path may rely on (a kernel invariant, a fault mode).</summary>
        public INamedTypeSymbol? FaultPathAssumption { get; }

        /// <summary>True when at least one GuardOrder attribute type is visible.</summary>
        public bool AnyGuardOrderAttribute =>
            SecurityCheck is not null || MustMatchFaultPath is not null || FaultPathCheck is not null ||
            WriteGrant is not null || AcquiresLock is not null || TryAcquiresLock is not null || ReleasesLock is not null;

        public bool AnyLockAttribute => AcquiresLock is not null || TryAcquiresLock is not null || ReleasesLock is not null;

        /// <summary>Resolves the symbols, or returns null when the compilation has no GuardOrder attribute type.</summary>
        private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Compilation, StrongBox<GuardOrderSymbols?>> PerCompilation =
            new System.Runtime.CompilerServices.ConditionalWeakTable<Compilation, StrongBox<GuardOrderSymbols?>>();

        /// <summary>
        /// The attribute symbols of <paramref name="compilation"/>, or null when none of GuardOrder's
        /// attributes is there (the analyzers then register nothing). Resolved once per compilation for
        /// all the analyzers (it dies with the compilation).
        /// </summary>
        public static GuardOrderSymbols? TryCreate(Compilation compilation) =>
            PerCompilation.GetValue(compilation, c =>
            {
                var symbols = new GuardOrderSymbols(c);
                return new StrongBox<GuardOrderSymbols?>(symbols.AnyGuardOrderAttribute ? symbols : null);
            }).Value;

        public static bool HasAttribute(ISymbol? symbol, INamedTypeSymbol? attributeType)
        {
            if (symbol is null || attributeType is null)
            {
                return false;
            }

            foreach (var attribute in symbol.GetAttributes())
            {
                if (IsSameAttribute(attribute.AttributeClass, attributeType))
                {
                    return true;
                }
            }

            return false;
        }

        public static AttributeData? GetAttribute(ISymbol? symbol, INamedTypeSymbol? attributeType)
        {
            if (symbol is null || attributeType is null)
            {
                return null;
            }

            foreach (var attribute in symbol.GetAttributes())
            {
                if (IsSameAttribute(attribute.AttributeClass, attributeType))
                {
                    return attribute;
                }
            }

            return null;
        }

        private readonly ConcurrentDictionary<ISymbol, Annotation> _annotations =
            new ConcurrentDictionary<ISymbol, Annotation>(SymbolEqualityComparer.Default);

        /// <summary>See <see cref="AnnotationNames"/>.</summary>
        private readonly string[] _annotationNames;

        /// <summary>
        /// Some attribute of <paramref name="attributes"/> has the name of an attribute type <see cref="AnnotationsOf"/>
        /// reads. <see cref="IsSameAttribute"/> holds only for a class of the type's name (the same symbol, or the same
        /// name in the top-level namespace), so without one the symbol has no annotation: the answer for a framework
        /// method (whose attributes are [NullableContext], [MethodImpl] and the like) without a cache lookup, whose
        /// hashing and comparing of a generic method's constructed symbol was most of GO0004's time in the lock
        /// users' reachability on the mixed corpus.
        /// </summary>
        private bool AnyAnnotationName(ImmutableArray<AttributeData> attributes)
        {
            foreach (var attribute in attributes)
            {
                if (attribute.AttributeClass?.Name is { } name)
                {
                    foreach (var known in _annotationNames)
                    {
                        if (string.Equals(name, known, System.StringComparison.Ordinal))
                        {
                            return true;
                        }
                    }
                }
            }

            return false;
        }

        /// <summary>
        /// The GuardOrder (and [DoesNotReturn]) attributes on <paramref name="symbol"/>'s original definition
        /// (<see cref="Original"/>), read once per symbol and compilation: a walk asks eight of them at every
        /// call of every route, and scanning the attributes each time was a twentieth of GuardOrder's CPU in
        /// a command-line build. The same answers as <see cref="HasAttribute"/> on <see cref="Original"/>.
        /// </summary>
        public Annotation AnnotationsOf(ISymbol? symbol)
        {
            if (symbol is null)
            {
                return Annotation.None;
            }

            // Most symbols a walk meets carry no attribute at all: answered without the cache (whose
            // entries, one per symbol and compilation, were a fiftieth of GuardOrder's allocation).
            var original = Original(symbol);
            if (original is null || !AnyAnnotationName(original.GetAttributes()))
            {
                return Annotation.None;
            }

            // Keyed by the original definition (what is read): a generic method's constructions share one entry,
            // and its symbol hashes and compares without the type arguments.
            if (_annotations.TryGetValue(original, out var known))
            {
                return known;
            }

            var found = Annotation.None;
            foreach (var attribute in original.GetAttributes())
            {
                found |= Of(attribute.AttributeClass, SecurityCheck, Annotation.SecurityCheck) |
                    Of(attribute.AttributeClass, MustMatchFaultPath, Annotation.MustMatchFaultPath) |
                    Of(attribute.AttributeClass, FaultPathCheck, Annotation.FaultPathCheck) |
                    Of(attribute.AttributeClass, WriteGrant, Annotation.WriteGrant) |
                    Of(attribute.AttributeClass, AcquiresLock, Annotation.AcquiresLock) |
                    Of(attribute.AttributeClass, TryAcquiresLock, Annotation.TryAcquiresLock) |
                    Of(attribute.AttributeClass, ReleasesLock, Annotation.ReleasesLock) |
                    Of(attribute.AttributeClass, DoesNotReturn, Annotation.DoesNotReturn);
            }

            _annotations.TryAdd(original, found);
            return found;
        }

        private static Annotation Of(INamedTypeSymbol? attributeClass, INamedTypeSymbol? attributeType, Annotation flag) =>
            attributeType is not null && IsSameAttribute(attributeClass, attributeType) ? flag : Annotation.None;

        /// <summary>A [SecurityCheck] member, looking through reduced extension methods and generic constructions.</summary>
        public bool IsSecurityCheck(ISymbol? symbol) => (AnnotationsOf(symbol) & Annotation.SecurityCheck) != 0;

        public bool IsFaultPathCheck(ISymbol? symbol) => (AnnotationsOf(symbol) & Annotation.FaultPathCheck) != 0;

        public bool IsWriteGrant(ISymbol? symbol) => (AnnotationsOf(symbol) & Annotation.WriteGrant) != 0;

        public bool IsAcquiresLock(ISymbol? symbol) => (AnnotationsOf(symbol) & Annotation.AcquiresLock) != 0;

        public bool IsTryAcquiresLock(ISymbol? symbol) => (AnnotationsOf(symbol) & Annotation.TryAcquiresLock) != 0;

        public bool IsReleasesLock(ISymbol? symbol) => (AnnotationsOf(symbol) & Annotation.ReleasesLock) != 0;

        /// <summary>A [MustMatchFaultPath] predicate, looking through reduced extension methods and generic constructions.</summary>
        public bool IsFaultPathPredicate(ISymbol? symbol) => (AnnotationsOf(symbol) & Annotation.MustMatchFaultPath) != 0;

        /// <summary>A [DoesNotReturn] method, looking through reduced extension methods and generic constructions.</summary>
        public bool IsDoesNotReturn(ISymbol? symbol) => (AnnotationsOf(symbol) & Annotation.DoesNotReturn) != 0;

        public static ISymbol? Original(ISymbol? symbol)
        {
            if (symbol is IMethodSymbol method)
            {
                // Only a reduced extension method has a ReducedFrom (MethodKind.ReducedExtension): not asked of the
                // others, where a constructed method's went through its definition on every call of every walk.
                return (method.MethodKind == MethodKind.ReducedExtension ? method.ReducedFrom ?? method : method).OriginalDefinition;
            }

            return symbol?.OriginalDefinition;
        }
    }

    /// <summary>The attributes <see cref="GuardOrderSymbols.AnnotationsOf"/> reads, as flags.</summary>
    [System.Flags]
    internal enum Annotation
    {
        None = 0,
        SecurityCheck = 1,
        MustMatchFaultPath = 2,
        FaultPathCheck = 4,
        WriteGrant = 8,
        AcquiresLock = 16,
        TryAcquiresLock = 32,
        ReleasesLock = 64,
        DoesNotReturn = 128,
    }
}
