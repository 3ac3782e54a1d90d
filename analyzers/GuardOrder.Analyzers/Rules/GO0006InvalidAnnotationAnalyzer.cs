using System.Collections.Immutable;
using GuardOrder.Analyzers.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace GuardOrder.Analyzers
{
    /// <summary>
    /// GO0006: a GuardOrder attribute that cannot mean anything — [MustMatchFaultPath] naming no
    /// method, an ambiguous overload, null/empty names, an unresolvable type, a non-bool predicate,
    /// a fault path that never calls a [WriteGrant] method (also through expanded helpers); lock
    /// attributes on a method without a parameter to lock, or [TryAcquiresLock] on a non-bool method.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class GO0006InvalidAnnotationAnalyzer : DiagnosticAnalyzer
    {
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
            ImmutableArray.Create(Descriptors.GO0006InvalidAnnotation);

        public override void Initialize(AnalysisContext context)
        {
            context.EnableConcurrentExecution();
            // Generated code is not analysed (no Analyze flag); the rule reports only inside the code it analyses,
            // so its diagnostics need no generated-code filter (ReportDiagnostics spares the driver's search of a
            // tree's declarations for [GeneratedCode] on each tree's first report: GeneratedCodeTests).
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.ReportDiagnostics);
            context.RegisterCompilationStartAction(start =>
            {
                var symbols = GuardOrderSymbols.TryCreate(start.Compilation);
                if (symbols is null || (symbols.MustMatchFaultPath is null && !symbols.AnyLockAttribute))
                {
                    return;
                }

                var bodies = SharedModel.For(start.Compilation, symbols).Bodies;
                start.RegisterSymbolAction(c => AnalyzeMethod(c, symbols, bodies), SymbolKind.Method);
            });
        }

        private static void AnalyzeMethod(SymbolAnalysisContext context, GuardOrderSymbols symbols, MethodBodies bodies)
        {
            var method = (IMethodSymbol)context.Symbol;
            CheckLockAttribute(context, method, symbols.AcquiresLock);
            CheckLockAttribute(context, method, symbols.TryAcquiresLock);
            CheckLockAttribute(context, method, symbols.ReleasesLock);

            var tryLock = GuardOrderSymbols.GetAttribute(method, symbols.TryAcquiresLock);
            if (tryLock is not null && method.ReturnType.SpecialType != SpecialType.System_Boolean)
            {
                Report(context, tryLock, method, $"[TryAcquiresLock] on '{method.Name}' needs a bool result (true = the lock was taken), but it returns '{method.ReturnType.ToDisplayString()}'");
            }

            var target = FaultPathTarget.Resolve(method, symbols, context.CancellationToken);
            if (target is null)
            {
                return;
            }

            if (target.Problem is not null)
            {
                context.ReportDiagnostic(Diagnostic.Create(Descriptors.GO0006InvalidAnnotation, target.Location, target.Problem));
                return;
            }

            if (target.Method is { } faultPath)
            {
                var tree = method.Locations.Length > 0 ? method.Locations[0].SourceTree : null;
                var depth = GuardOrderOptions.ReadMaxHelperDepth(context.Options, tree, out var optionProblem);
                if (optionProblem is not null)
                {
                    // Bad input is said where it takes effect: the predicate compared with that depth.
                    context.ReportDiagnostic(Diagnostic.Create(
                        Descriptors.GO0006InvalidAnnotation,
                        target.Location,
                        $"[MustMatchFaultPath] on '{method.Name}' is compared with '{faultPath.Name}' under .editorconfig's {optionProblem}"));
                }

                if (bodies.GetBody(faultPath, context.CancellationToken) is null)
                {
                    context.ReportDiagnostic(Diagnostic.Create(
                        Descriptors.GO0006InvalidAnnotation,
                        target.Location,
                        $"[MustMatchFaultPath] on '{method.Name}' names '{faultPath.Name}', which has no source body in this compilation to compare with"));
                }
                else if (!GrantCalls.MethodMayGrant(faultPath, depth, symbols, bodies, context.CancellationToken))
                {
                    context.ReportDiagnostic(Diagnostic.Create(
                        Descriptors.GO0006InvalidAnnotation,
                        target.Location,
                        $"[MustMatchFaultPath] on '{method.Name}' names '{faultPath.Name}', which never calls a [WriteGrant] method (helpers expanded {depth} levels): there is no grant to match"));
                }
            }
        }

        private static void CheckLockAttribute(SymbolAnalysisContext context, IMethodSymbol method, INamedTypeSymbol? attributeType)
        {
            var attribute = GuardOrderSymbols.GetAttribute(method, attributeType);
            if (attribute is null || method.Parameters.Length > 0)
            {
                return;
            }

            Report(context, attribute, method, $"[{ShortName(attributeType!)}] on '{method.Name}' has no parameter to lock: the lock attributes lock the object passed as the first argument");
        }

        private static void Report(SymbolAnalysisContext context, AttributeData attribute, IMethodSymbol method, string message)
        {
            var location = attribute.ApplicationSyntaxReference?.GetSyntax(context.CancellationToken).GetLocation()
                ?? (method.Locations.Length > 0 ? method.Locations[0] : Location.None);
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.GO0006InvalidAnnotation, location, message));
        }

        private static string ShortName(INamedTypeSymbol attributeType)
        {
            var name = attributeType.Name;
            return name.EndsWith("Attribute", System.StringComparison.Ordinal) ? name.Substring(0, name.Length - "Attribute".Length) : name;
        }
    }
}
