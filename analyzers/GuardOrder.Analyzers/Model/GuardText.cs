using System.Text;
using Microsoft.CodeAnalysis;

namespace GuardOrder.Analyzers.Model
{
    /// <summary>Short one-line renderings of code for diagnostic messages.</summary>
    internal static class GuardText
    {
        public const int MaxLength = 120;

        public static string Of(SyntaxNode? node) => node is null ? string.Empty : Normalize(node.ToString());

        /// <summary>Collapses every run of white space (new lines included) to one space and truncates long text.</summary>
        public static string Normalize(string text)
        {
            var builder = new StringBuilder(text.Length);
            var pendingSpace = false;
            foreach (var c in text)
            {
                if (char.IsWhiteSpace(c))
                {
                    pendingSpace = builder.Length > 0;
                    continue;
                }

                if (pendingSpace)
                {
                    builder.Append(' ');
                    pendingSpace = false;
                }

                builder.Append(c);
            }

            if (builder.Length > MaxLength)
            {
                builder.Length = MaxLength - 3;
                builder.Append("...");
            }

            return builder.ToString();
        }

        /// <summary>The statement's text without its final semicolon: <c>return false</c>.</summary>
        public static string StatementOf(SyntaxNode? statement)
        {
            var text = Of(statement);
            return text.EndsWith(";", System.StringComparison.Ordinal) ? text.Substring(0, text.Length - 1).TrimEnd() : text;
        }
    }
}
