using System.Collections.Immutable;
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
            SecurityCheck = compilation.GetTypeByMetadataName("GuardOrder.SecurityCheckAttribute");
            MustMatchFaultPath = compilation.GetTypeByMetadataName("GuardOrder.MustMatchFaultPathAttribute");
            FaultPathCheck = compilation.GetTypeByMetadataName("GuardOrder.FaultPathCheckAttribute");
            WriteGrant = compilation.GetTypeByMetadataName("GuardOrder.WriteGrantAttribute");
            AcquiresLock = compilation.GetTypeByMetadataName("GuardOrder.AcquiresLockAttribute");
            TryAcquiresLock = compilation.GetTypeByMetadataName("GuardOrder.TryAcquiresLockAttribute");
            ReleasesLock = compilation.GetTypeByMetadataName("GuardOrder.ReleasesLockAttribute");
            DoesNotReturnIf = compilation.GetTypeByMetadataName("System.Diagnostics.CodeAnalysis.DoesNotReturnIfAttribute");
            DoesNotReturn = compilation.GetTypeByMetadataName("System.Diagnostics.CodeAnalysis.DoesNotReturnAttribute");
            NotNull = compilation.GetTypeByMetadataName("System.Diagnostics.CodeAnalysis.NotNullAttribute");
            FaultPathAssumption = compilation.GetTypeByMetadataName("GuardOrder.FaultPathAssumptionAttribute");
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
        public static GuardOrderSymbols? TryCreate(Compilation compilation)
        {
            var symbols = new GuardOrderSymbols(compilation);
            return symbols.AnyGuardOrderAttribute ? symbols : null;
        }

        public static bool HasAttribute(ISymbol? symbol, INamedTypeSymbol? attributeType)
        {
            if (symbol is null || attributeType is null)
            {
                return false;
            }

            foreach (var attribute in symbol.GetAttributes())
            {
                if (SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, attributeType))
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
                if (SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, attributeType))
                {
                    return attribute;
                }
            }

            return null;
        }

        /// <summary>A [SecurityCheck] member, looking through reduced extension methods and generic constructions.</summary>
        public bool IsSecurityCheck(ISymbol? symbol) => HasAttribute(Original(symbol), SecurityCheck);

        public bool IsFaultPathCheck(ISymbol? symbol) => HasAttribute(Original(symbol), FaultPathCheck);

        public bool IsWriteGrant(ISymbol? symbol) => HasAttribute(Original(symbol), WriteGrant);

        public bool IsAcquiresLock(ISymbol? symbol) => HasAttribute(Original(symbol), AcquiresLock);

        public bool IsTryAcquiresLock(ISymbol? symbol) => HasAttribute(Original(symbol), TryAcquiresLock);

        public bool IsReleasesLock(ISymbol? symbol) => HasAttribute(Original(symbol), ReleasesLock);

        public static ISymbol? Original(ISymbol? symbol)
        {
            if (symbol is IMethodSymbol method)
            {
                return (method.ReducedFrom ?? method).OriginalDefinition;
            }

            return symbol?.OriginalDefinition;
        }
    }
}
