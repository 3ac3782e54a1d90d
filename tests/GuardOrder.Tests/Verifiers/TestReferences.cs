using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;

namespace GuardOrder.Tests.Verifiers
{
    /// <summary>
    /// Offline reference assemblies: Basic.Reference.Assemblies.Net100 (ReferenceAssemblies.Net.*
    /// would download a pack at test time) plus the GuardOrder annotations assembly.
    /// </summary>
    internal static class TestReferences
    {
        public static readonly ReferenceAssemblies Empty = new ReferenceAssemblies("net10.0");

        public static readonly MetadataReference Annotations =
            MetadataReference.CreateFromFile(typeof(GuardOrder.SecurityCheckAttribute).Assembly.Location);

        public static void Configure(SolutionState state, bool withAnnotations)
        {
            state.AdditionalReferences.AddRange(Basic.Reference.Assemblies.Net100.References.All);
            if (withAnnotations)
            {
                state.AdditionalReferences.Add(Annotations);
            }
        }
    }
}
