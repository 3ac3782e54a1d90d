using System.Collections.Generic;
using System.Linq;
using GuardOrder.Analyzers.Model;
using GuardOrder.Tests.Verifiers;
using Microsoft.CodeAnalysis;

namespace GuardOrder.Tests.Model
{
    /// <summary>
    /// <see cref="ValueMap"/>: the newest binding of a key wins, an older map is untouched by a later set
    /// (routes fork from it), enumeration gives each key once with its newest value, and a long map (a loop
    /// walked again rebinds its locals) is compacted without losing a binding.
    /// </summary>
    public class ValueMapTests
    {
        private static (ValueKey A, ValueKey B, ValueKey Path) Keys()
        {
            var compilation = AnalyzerHarness.Compile("class C { int a; int b; C next; }");
            var type = compilation.GetTypeByMetadataName("C")!;
            var a = new SymbolKey(type.GetMembers("a").Single());
            var b = new SymbolKey(type.GetMembers("b").Single());
            return (a, b, new PathKey(new SymbolKey(type.GetMembers("next").Single()), type.GetMembers("a").Single()));
        }

        private static Sym Const(long value) => new ConstSym(value, FactKind.Integer, readsSecurity: false);

        [Fact]
        public void NewestBindingWins_AndAnOlderMapIsUntouched()
        {
            var (a, b, path) = Keys();
            var first = ValueMap.Empty.SetItem(a, Const(1)).SetItem(b, Const(2));
            var second = first.SetItem(a, Const(3)).SetItem(path, Const(4));

            Assert.True(second.TryGetValue(a, out var newest));
            Assert.Equal(3, ((ConstSym)newest).Value);
            Assert.True(first.TryGetValue(a, out var older));
            Assert.Equal(1, ((ConstSym)older).Value);
            Assert.False(first.TryGetValue(path, out _));
            Assert.True(second.TryGetValue(path, out var onPath));
            Assert.Equal(4, ((ConstSym)onPath).Value);
            Assert.False(ValueMap.Empty.TryGetValue(a, out _));

            // Each key once, its newest value, newest first.
            Assert.Equal(
                new[] { (path, 4L), (a, 3L), (b, 2L) },
                second.Select(p => (p.Key, ((ConstSym)p.Value).Value)).ToArray());
        }

        [Fact]
        public void ALongMapIsCompacted_WithoutLosingABinding()
        {
            var (a, b, path) = Keys();
            var map = ValueMap.Empty.SetItem(b, Const(-1)).SetItem(path, Const(-2));
            for (var i = 0; i < 500; i++)
            {
                map = map.SetItem(a, Const(i));
            }

            Assert.True(map.TryGetValue(a, out var last));
            Assert.Equal(499, ((ConstSym)last).Value);
            Assert.True(map.TryGetValue(b, out var first));
            Assert.Equal(-1, ((ConstSym)first).Value);
            Assert.True(map.TryGetValue(path, out var second));
            Assert.Equal(-2, ((ConstSym)second).Value);
            Assert.Equal(3, map.Count());
        }
    }
}
