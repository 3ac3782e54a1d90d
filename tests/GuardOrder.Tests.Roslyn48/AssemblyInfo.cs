// The whole assembly repeats tests of GuardOrder.Tests on Roslyn 4.8: left out of the quick loop
// (--filter Category!=Slow), run by CI (dotnet test Analyzers.sln) and by --filter Category=Roslyn48.
[assembly: Xunit.AssemblyTrait("Category", "Roslyn48")]
[assembly: Xunit.AssemblyTrait("Category", "Slow")]
