using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace GuardOrder.Analyzers.Model
{
    /// <summary>The fault path a [MustMatchFaultPath] predicate names, or why it names none.</summary>
    internal sealed class FaultPathTarget
    {
        public FaultPathTarget(AttributeData attribute, Location location, IMethodSymbol? method, string? problem)
        {
            Attribute = attribute;
            Location = location;
            Method = method;
            Problem = problem;
        }

        public AttributeData Attribute { get; }

        /// <summary>The attribute as written (where GO0006 reports).</summary>
        public Location Location { get; }

        public IMethodSymbol? Method { get; }

        /// <summary>Why the annotation is invalid (GO0006), or null.</summary>
        public string? Problem { get; }

        /// <summary>Resolves the attribute of <paramref name="predicate"/>; null when it has none.</summary>
        public static FaultPathTarget? Resolve(IMethodSymbol predicate, GuardOrderSymbols symbols, CancellationToken cancellationToken)
        {
            var attribute = GuardOrderSymbols.GetAttribute(predicate, symbols.MustMatchFaultPath);
            if (attribute is null)
            {
                return null;
            }

            var location = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken).GetLocation()
                ?? (predicate.Locations.Length > 0 ? predicate.Locations[0] : Location.None);
            var name = predicate.Name;

            FaultPathTarget Invalid(string problem) => new FaultPathTarget(attribute, location, null, problem);

            var arguments = attribute.ConstructorArguments;
            if (attribute.AttributeConstructor is null || arguments.Any(a => a.Kind == TypedConstantKind.Error))
            {
                return Invalid($"[MustMatchFaultPath] on '{name}' cannot be resolved: its arguments do not name a type and a method");
            }

            INamedTypeSymbol? type = predicate.ContainingType;
            string? faultPath;
            if (arguments.Length == 2)
            {
                type = arguments[0].Value as INamedTypeSymbol;
                if (type is null || type.TypeKind == TypeKind.Error)
                {
                    return Invalid($"[MustMatchFaultPath] on '{name}' names no type that declares the fault path");
                }

                faultPath = arguments[1].Value as string;
            }
            else if (arguments.Length == 1)
            {
                faultPath = arguments[0].Value as string;
            }
            else
            {
                return Invalid($"[MustMatchFaultPath] on '{name}' cannot be resolved");
            }

            if (string.IsNullOrWhiteSpace(faultPath))
            {
                return Invalid($"[MustMatchFaultPath] on '{name}' names no fault path: pass the method's name, e.g. nameof(do_wp_page)");
            }

            if (type is null)
            {
                return Invalid($"[MustMatchFaultPath] on '{name}' names no type that declares the fault path");
            }

            var candidates = type.GetMembers(faultPath!).OfType<IMethodSymbol>().Where(m => m.MethodKind == MethodKind.Ordinary).ToList();
            if (candidates.Count == 0)
            {
                return Invalid($"[MustMatchFaultPath] on '{name}' names '{faultPath}', but '{type.ToDisplayString()}' has no method of that name");
            }

            if (candidates.Count > 1)
            {
                return Invalid($"[MustMatchFaultPath] on '{name}' names '{faultPath}', which is ambiguous: '{type.ToDisplayString()}' declares {candidates.Count} overloads of it");
            }

            if (predicate.ReturnType.SpecialType != SpecialType.System_Boolean)
            {
                return new FaultPathTarget(attribute, location, candidates[0], $"[MustMatchFaultPath] is on '{name}', which returns '{predicate.ReturnType.ToDisplayString()}': an early-write predicate must return bool");
            }

            return new FaultPathTarget(attribute, location, candidates[0], null);
        }
    }

    /// <summary>Small syntax-free readers over IOperation shared by the sync rules.</summary>
    internal static class FactExtraction
    {
        /// <summary>The [SecurityCheck] members <paramref name="operation"/> reads, by name (the one detector: <see cref="SecurityReads"/>).</summary>
        public static IEnumerable<string> SecurityCheckNames(IOperation operation, GuardOrderSymbols symbols)
        {
            foreach (var symbol in SecurityReads.AllSecurityReads(operation, symbols))
            {
                yield return symbol.Name;
            }
        }
    }
}
