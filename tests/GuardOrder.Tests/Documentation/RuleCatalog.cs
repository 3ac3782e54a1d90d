using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using GuardOrder.Analyzers;
using GuardOrder.Robustness.Shared;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Diagnostics;

namespace GuardOrder.Tests.Documentation
{
    /// <summary>
    /// Everything the shipped assemblies declare, found by reflection (not by a hand-kept list):
    /// every analyzer, every descriptor, every code-fix provider.
    /// </summary>
    internal static class RuleCatalog
    {
        public static Assembly AnalyzerAssembly => typeof(Descriptors).Assembly;

        public static Assembly CodeFixAssembly { get; } = Assembly.Load("GuardOrder.CodeFixes");

        public static string RepoRoot { get; } = FindRepoRoot();

        public static string RulesDirectory => Path.Combine(RepoRoot, "analyzers", "docs", "rules");

        /// <summary>Every concrete [DiagnosticAnalyzer] type in the analyzer assembly, instantiated.</summary>
        public static ImmutableArray<DiagnosticAnalyzer> Analyzers { get; } = GuardOrderAssemblies.CreateAnalyzers();

        /// <summary>Every concrete [ExportCodeFixProvider] type in the code-fix assembly, instantiated.</summary>
        public static ImmutableArray<CodeFixProvider> CodeFixes { get; } =
            GuardOrderAssemblies.InstantiateAll<CodeFixProvider>(CodeFixAssembly, typeof(ExportCodeFixProviderAttribute));

        /// <summary>The descriptors declared in <see cref="Descriptors"/> (the single place ids are defined).</summary>
        public static ImmutableArray<DiagnosticDescriptor> DeclaredDescriptors { get; } = typeof(Descriptors)
            .GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
            .Select(f => (DiagnosticDescriptor)f.GetValue(null)!)
            .ToImmutableArray();

        /// <summary>The descriptors the analyzers actually report.</summary>
        public static ImmutableArray<DiagnosticDescriptor> SupportedDescriptors { get; } = Analyzers
            .SelectMany(a => a.SupportedDiagnostics)
            .ToImmutableArray();

        /// <summary>Declared and supported descriptors, one per id (the declared one when both exist).</summary>
        public static ImmutableArray<DiagnosticDescriptor> AllDescriptors { get; } = DeclaredDescriptors
            .Concat(SupportedDescriptors)
            .GroupBy(d => d.Id, StringComparer.Ordinal)
            .Select(g => g.First())
            .OrderBy(d => d.Id, StringComparer.Ordinal)
            .ToImmutableArray();

        public static IEnumerable<object[]> DescriptorIds() => AllDescriptors.Select(d => new object[] { d.Id });

        public static DiagnosticDescriptor Descriptor(string id) => AllDescriptors.Single(d => d.Id == id);

        public static bool HasFix(string id) => CodeFixes.Any(f => f.FixableDiagnosticIds.Contains(id));

        private static string FindRepoRoot()
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Analyzers.sln")))
            {
                directory = directory.Parent;
            }

            return directory?.FullName ?? throw new InvalidOperationException("Analyzers.sln not found above " + AppContext.BaseDirectory);
        }
    }
}
