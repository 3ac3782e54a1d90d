using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace GuardOrder.Analyzers.Model
{
    /// <summary>
    /// GuardOrder's .editorconfig settings. <c>guardorder.max_helper_depth</c> (default 3, 0..8):
    /// how many levels of bool/reference-returning helper calls the route analysis expands.
    /// </summary>
    internal static class GuardOrderOptions
    {
        public const string MaxHelperDepthKey = "guardorder.max_helper_depth";
        public const int DefaultMaxHelperDepth = 3;
        public const int UpperMaxHelperDepth = 8;

        public static int MaxHelperDepth(AnalyzerOptions options, SyntaxTree? tree)
        {
            if (tree is null)
            {
                return DefaultMaxHelperDepth;
            }

            var config = options.AnalyzerConfigOptionsProvider.GetOptions(tree);
            if (config.TryGetValue(MaxHelperDepthKey, out var text) &&
                int.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var depth))
            {
                return depth < 0 ? 0 : depth > UpperMaxHelperDepth ? UpperMaxHelperDepth : depth;
            }

            return DefaultMaxHelperDepth;
        }
    }
}
