using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

// Shared by tests/GuardOrder.Tests and tests/GuardOrder.Benchmarks (linked there).
namespace GuardOrder.Robustness.Shared
{
    /// <summary>
    /// Finds every GuardOrder analyzer by reflection, so the robustness tests and the benchmark cover
    /// whatever rules exist in GuardOrder.Analyzers without naming them; and builds compilations over
    /// the offline references (Basic.Reference.Assemblies.Net100 + GuardOrder.Annotations).
    /// </summary>
    internal static class GuardOrderAssemblies
    {
        public static Assembly AnalyzerAssembly => typeof(GuardOrder.Analyzers.Descriptors).Assembly;

        public static ImmutableArray<DiagnosticAnalyzer> CreateAnalyzers() =>
            InstantiateAll<DiagnosticAnalyzer>(AnalyzerAssembly, typeof(DiagnosticAnalyzerAttribute));

        /// <summary>All concrete types deriving from <typeparamref name="T"/> carrying <paramref name="marker"/>, instantiated.</summary>
        public static ImmutableArray<T> InstantiateAll<T>(Assembly assembly, Type marker)
            where T : class
        {
            Type[] types;
            try
            {
                types = assembly.GetTypes();
            }
            catch (ReflectionTypeLoadException e)
            {
                types = e.Types.Where(t => t is not null).ToArray()!;
            }

            return types
                .Where(t => t.IsClass && !t.IsAbstract && typeof(T).IsAssignableFrom(t) && t.GetCustomAttributes(marker, false).Length > 0)
                .Where(t => t.GetConstructor(Type.EmptyTypes) is not null)
                .OrderBy(t => t.FullName, StringComparer.Ordinal)
                .Select(t => (T)Activator.CreateInstance(t)!)
                .ToImmutableArray();
        }

        public static readonly ImmutableArray<MetadataReference> References =
            Basic.Reference.Assemblies.Net100.References.All
                .Cast<MetadataReference>()
                .Append(MetadataReference.CreateFromFile(typeof(GuardOrder.SecurityCheckAttribute).Assembly.Location))
                .ToImmutableArray();

        public static readonly CSharpParseOptions ParseOptions = new CSharpParseOptions(LanguageVersion.Latest);

        public static CSharpCompilation CreateCompilation(IEnumerable<SyntaxTree> trees, string name = "corpus") =>
            CSharpCompilation.Create(
                name,
                trees,
                References,
                new CSharpCompilationOptions(
                    OutputKind.DynamicallyLinkedLibrary,
                    nullableContextOptions: NullableContextOptions.Enable,
                    concurrentBuild: true,
                    deterministic: true));
    }
}
