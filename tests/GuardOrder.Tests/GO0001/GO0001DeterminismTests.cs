using GuardOrder.Tests.Verifiers;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using GuardOrder.Analyzers;
using static GuardOrder.Tests.GO0001.GO0001Sources;

namespace GuardOrder.Tests.GO0001
{
    /// <summary>
    /// The purity answer for a helper must not depend on which guard asked first: helpers call
    /// each other in a chain deeper than the purity bound, many bodies ask about different links
    /// at once, and concurrent runs must agree with each other and with the bound.
    /// </summary>
    public class GO0001DeterminismTests
    {
        [Fact]
        public async Task ConcurrentRuns_SameDiagnostics_AndTheDepthBoundIsExact()
        {
            var code = new StringBuilder("static class helpers\n{\n");
            for (var i = 1; i <= 6; i++)
            {
                // p1 -> p2 -> ... -> p6: p6 has call-tree height 1, p1 height 6.
                code.Append("    public static bool p").Append(i).Append("(int a) => ")
                    .Append(i < 6 ? "p" + (i + 1) + "(a + 1)" : "a > 3").Append(";\n");
            }

            // Bodies that ask about the links in different orders.
            for (var body = 0; body < 24; body++)
            {
                var link = 1 + (body * 5 % 6);
                code.Append("    static bool m").Append(body).Append("(vm_area_struct vma, int a)\n    {\n")
                    .Append("        if (p").Append(link).Append("(a))\n            return false;\n")
                    .Append("        if ((vma.vm_flags & VM_WRITE) == 0)\n            return false;\n")
                    .Append("        return true;\n    }\n");
            }

            code.Append("}\n");
            var source = With(code.ToString());

            string? first = null;
            for (var run = 0; run < 8; run++)
            {
                var diagnostics = await AnalyzerHarness.RunAsync(new GO0001SecurityGuardFirstAnalyzer(), concurrent: true, source);
                Assert.DoesNotContain(diagnostics, d => d.Id == "AD0001");
                var go0001 = diagnostics.Where(d => d.Id == RuleIdentifiers.SecurityGuardFirst).OrderBy(d => d.Location.SourceSpan.Start).ToList();
                Assert.Equal(24, go0001.Count);
                foreach (var diagnostic in go0001)
                {
                    var message = diagnostic.GetMessage(CultureInfo.InvariantCulture);
                    var link = int.Parse(message.Substring(message.IndexOf("'if (p", System.StringComparison.Ordinal) + 6, 1), CultureInfo.InvariantCulture);

                    // Calls from a guard may go MaxDepth (4) deep: p3..p6 are provably pure, p1 and p2 are not.
                    Assert.Equal(link >= 3 ? "true" : "false", diagnostic.Properties[GO0001SecurityGuardFirstAnalyzer.FixableProperty]);
                }

                var all = string.Join("\n", go0001.Select(d => d.Location.SourceSpan + " " + d.GetMessage(CultureInfo.InvariantCulture) + " " + d.Properties[GO0001SecurityGuardFirstAnalyzer.FixableProperty]));
                first ??= all;
                Assert.Equal(first, all);
            }
        }
    }
}
