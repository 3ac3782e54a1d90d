using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace GuardOrder.Tests.Robustness
{
    /// <summary>One generated guard run: the method as written, and the reordering GO0001's fix would make.</summary>
    internal sealed class GuardCase
    {
        public GuardCase(int index, string original, string hypothetical, int securityGuards, bool hasSideEffects, bool mustReport)
        {
            MustReport = mustReport;
            Index = index;
            Original = original;
            Hypothetical = hypothetical;
            SecurityGuards = securityGuards;
            HasSideEffects = hasSideEffects;
        }

        public int Index { get; }
        public string ClassName => "Case" + Index.ToString(CultureInfo.InvariantCulture);
        public string FileName => ClassName + ".cs";

        /// <summary>The whole file of the case, as generated.</summary>
        public string Original { get; }

        /// <summary>The same file with every security guard moved to the top of the guard run (stable order, comments travelling with their guard).</summary>
        public string Hypothetical { get; }

        public int SecurityGuards { get; }

        /// <summary>
        /// A security guard follows another guard inside the leading guard run (the run ends at the
        /// first declaration whose initializer has a side effect), so GO0001 must be reported.
        /// </summary>
        public bool MustReport { get; }
        public bool HasSideEffects { get; }
    }

    /// <summary>
    /// Random guard runs (decisions drawn by CsCheck, see <see cref="Choices"/>) for the GO0001 fix-safety property: pure conditions over two bools and two
    /// ints, a [SecurityCheck] const read (Flags.VM_WRITE) in one or two guards placed after other
    /// guards, random exits (return true / return false / throw), leading and trailing comments,
    /// pure and side-effecting local declarations between guards, and occasional side-effecting
    /// conditions (Log(...), counter++, Next()). Every class has its own counter so the evaluator can
    /// observe side effects.
    /// </summary>
    internal static class FixSafetyGenerator
    {
        public const string FlagsFile = @"using GuardOrder;

public static class Flags
{
    /// <summary>Never make anything writable without VM_WRITE.</summary>
    [SecurityCheck] public const int VM_WRITE = 2;
}
";

        public static readonly int[] IntDomain = { -1, 0, 1, 2 };

        /// <summary>Decisions enough for one case (a case reads fewer than 100).</summary>
        public const int ChoicesPerCase = 128;

        /// <summary>One case per element, numbered from 0: Case0, Case1, ...</summary>
        public static List<GuardCase> Generate(IReadOnlyList<Choices> choices)
        {
            var cases = new List<GuardCase>(choices.Count);
            for (var i = 0; i < choices.Count; i++)
            {
                cases.Add(One(i, choices[i]));
            }

            return cases;
        }

        private sealed class Item
        {
            public string Text = "";
            public bool Security;
            public bool ImpureDeclaration;
        }

        private static GuardCase One(int index, Choices rng)
        {
            var items = new List<Item>();
            var sideEffects = false;
            var others = 1 + rng.Next(4);
            for (var g = 0; g < others; g++)
            {
                if (rng.Next(8) == 0)
                {
                    var impure = rng.Next(3) == 0;
                    sideEffects |= impure;
                    items.Add(new Item { Text = Comment(rng, "local " + g) + (impure ? $"        var s{g} = Next();\n" : $"        var d{g} = x * 2 + y;\n"), ImpureDeclaration = impure });
                }

                var cond = Condition(rng, out var impureCond);
                sideEffects |= impureCond;
                items.Add(new Item { Text = Guard(rng, cond, Exit(rng), "guard " + g) });
            }

            // One or two security guards, never first.
            var security = rng.Next(5) == 0 ? 2 : 1;
            for (var s = 0; s < security; s++)
            {
                var at = 1 + rng.Next(items.Count);
                var exit = rng.Next(4) == 0 ? (rng.Next(2) == 0 ? "throw new InvalidOperationException(\"no write\");" : "return true;") : "return false;";
                items.Insert(at, new Item { Text = Guard(rng, SecurityCondition(rng), exit, "security " + s), Security = true });
            }

            var tail = "        // the decision\n        return " + Condition(rng, out _, allowImpure: false) + ";\n";
            var reordered = items.Where(i => i.Security).Concat(items.Where(i => !i.Security)).ToList();
            var run = items.TakeWhile(i => !i.ImpureDeclaration).ToList();
            var mustReport = run.Select((item, at) => (item, at)).Any(p => p.item.Security && run.Take(p.at).Any(o => !o.Security && o.Text.Contains("if (", StringComparison.Ordinal)));
            return new GuardCase(
                index,
                File(index, items, tail),
                File(index, reordered, tail),
                security,
                sideEffects,
                mustReport);
        }

        private static string File(int index, List<Item> items, string tail)
        {
            var sb = new StringBuilder();
            sb.Append("using System;\n\n");
            sb.Append("public static class Case").Append(index.ToString(CultureInfo.InvariantCulture)).Append('\n');
            sb.Append("{\n");
            sb.Append("    public static int counter;\n\n");
            sb.Append("    private static bool Log(bool value)\n    {\n        counter++;\n        return value;\n    }\n\n");
            sb.Append("    private static int Next() => ++counter;\n\n");
            sb.Append("    public static bool M(bool a, bool b, int x, int y, int flags)\n");
            sb.Append("    {\n");
            for (var i = 0; i < items.Count; i++)
            {
                sb.Append(items[i].Text);
            }

            sb.Append(tail);
            sb.Append("    }\n");
            sb.Append("}\n");
            return sb.ToString();
        }

        private static string Comment(Choices rng, string what)
        {
            switch (rng.Next(4))
            {
                case 0:
                    return "";
                case 1:
                    return $"        // why {what} is here\n";
                case 2:
                    return $"        /*\n         * {what}: a longer reason,\n         * over two lines.\n         */\n";
                default:
                    return $"\n        // {what} (after a blank line)\n";
            }
        }

        private static string Guard(Choices rng, string cond, string exit, string what)
        {
            var lead = Comment(rng, what);
            var trailing = rng.Next(5) == 0 ? " // trailing " + what : "";
            switch (rng.Next(3))
            {
                case 0:
                    return lead + $"        if ({cond})\n            {exit}{trailing}\n";
                case 1:
                    return lead + $"        if ({cond})\n        {{\n            {exit}{trailing}\n        }}\n";
                default:
                    return lead + $"        if ({cond}) {exit}{trailing}\n";
            }
        }

        private static string Exit(Choices rng)
        {
            var r = rng.Next(10);
            return r < 5 ? "return false;" : r < 8 ? "return true;" : "throw new ArgumentException(\"bad input\");";
        }

        private static string SecurityCondition(Choices rng)
        {
            switch (rng.Next(4))
            {
                case 0: return "(flags & Flags.VM_WRITE) == 0";
                case 1: return "!((flags & Flags.VM_WRITE) != 0)";
                case 2: return "(flags & Flags.VM_WRITE) != Flags.VM_WRITE";
                default: return "0 == (flags & Flags.VM_WRITE)";
            }
        }

        private static string Atom(Choices rng)
        {
            var k = IntDomain[rng.Next(IntDomain.Length)].ToString(CultureInfo.InvariantCulture);
            switch (rng.Next(10))
            {
                case 0: return "a";
                case 1: return "!a";
                case 2: return "b";
                case 3: return "!b";
                case 4: return "x > " + k;
                case 5: return "x < " + k;
                case 6: return "y == " + k;
                case 7: return "y != " + k;
                case 8: return "x == y";
                default: return "(x & 1) == 0";
            }
        }

        private static string Condition(Choices rng, out bool impure, bool allowImpure = true)
        {
            impure = false;
            if (allowImpure && rng.Next(7) == 0)
            {
                impure = true;
                switch (rng.Next(3))
                {
                    case 0: return "Log(" + Atom(rng) + ")";
                    case 1: return "counter++ > " + (rng.Next(2) - 1).ToString(CultureInfo.InvariantCulture);
                    default: return "Next() > 1 && " + Atom(rng);
                }
            }

            switch (rng.Next(4))
            {
                case 0: return Atom(rng) + " && " + Atom(rng);
                case 1: return "(" + Atom(rng) + " || " + Atom(rng) + ")";
                default: return Atom(rng);
            }
        }
    }
}
