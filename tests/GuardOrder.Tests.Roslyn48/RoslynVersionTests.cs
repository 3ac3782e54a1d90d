using System;
using Microsoft.CodeAnalysis;

namespace GuardOrder.Tests
{
    /// <summary>This run really is on the Roslyn the analyzers are compiled for, not the SDK's.</summary>
    public sealed class RoslynVersionTests
    {
        [Fact]
        public void TheTestsRunOnMicrosoftCodeAnalysis48()
        {
            Assert.Equal(new Version(4, 8, 0, 0), typeof(Compilation).Assembly.GetName().Version);
            Assert.Equal(new Version(4, 8, 0, 0), typeof(Microsoft.CodeAnalysis.CSharp.CSharpCompilation).Assembly.GetName().Version);
            Assert.Equal(new Version(4, 8, 0, 0), typeof(Workspace).Assembly.GetName().Version);
        }
    }
}
