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

        public static int MaxHelperDepth(AnalyzerOptions options, SyntaxTree? tree) => ReadMaxHelperDepth(options, tree, out _);

        /// <summary>
        /// The helper depth in effect for <paramref name="tree"/>; <paramref name="problem"/> says why a
        /// value that is set is not used as written (not a whole number: the default; out of 0..8: clamped),
        /// so that GO0006 reports it instead of the value being dropped silently.
        /// </summary>
        public static int ReadMaxHelperDepth(AnalyzerOptions options, SyntaxTree? tree, out string? problem)
        {
            problem = null;
            if (tree is null || !options.AnalyzerConfigOptionsProvider.GetOptions(tree).TryGetValue(MaxHelperDepthKey, out var text))
            {
                return DefaultMaxHelperDepth;
            }

            if (!int.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var depth))
            {
                problem = $"{MaxHelperDepthKey} = '{text}' is not a whole number from 0 to {UpperMaxHelperDepth}: the default {DefaultMaxHelperDepth} is used";
                return DefaultMaxHelperDepth;
            }

            var clamped = depth < 0 ? 0 : depth > UpperMaxHelperDepth ? UpperMaxHelperDepth : depth;
            if (clamped != depth)
            {
                problem = $"{MaxHelperDepthKey} = {depth} is outside 0 to {UpperMaxHelperDepth}: {clamped} is used";
            }

            return clamped;
        }
    }
}
