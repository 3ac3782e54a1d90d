using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using GuardOrder.Analyzers.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace GuardOrder.Analyzers
{
    /// <summary>
    /// What the GO0005 fix "Check the security condition first on every route" would do for a method,
    /// or why it is not offered: put the method's security guard (<c>if (&lt;security
    /// condition&gt;) return false;</c>, the one other routes take) at the start of the body. Offered
    /// only when there is exactly one such guard and its condition is pure, cannot throw, reads only
    /// parameters (never assigned) and constants, and tests nothing but security reads — so running
    /// it first on every route only adds <c>return false</c> where the security check fails. The guard
    /// is moved when it sits in the body's top-level statements behind pure <c>if (..) return
    /// &lt;constant&gt;;</c> guards only (nothing between can change its value), copied otherwise.
    /// </summary>
    internal sealed class GO0005GuardRepair
    {
        /// <summary>Diagnostic property: <see cref="MoveKind"/> or <see cref="CopyKind"/> when the fix is offered.</summary>
        public const string FixProperty = "GO0005.Fix";

        public const string MoveKind = "Move";
        public const string CopyKind = "Copy";

        /// <summary>The guard also tests other things: only its security alternative is copied to the start.</summary>
        public const string ExtractKind = "Extract";

        private GO0005GuardRepair(string? kind, string? refusal, IfStatementSyntax? guard, BlockSyntax? block, string? condition = null)
        {
            Kind = kind;
            Refusal = refusal;
            Guard = guard;
            Block = block;
            Condition = condition ?? guard?.Condition.WithoutTrivia().ToFullString();
        }

        /// <summary>The condition of the <c>if (...) return false;</c> put at the start (Copy, Extract).</summary>
        public string? Condition { get; }

        public string? Kind { get; }

        public string? Refusal { get; }

        /// <summary>The security guard to run first.</summary>
        public IfStatementSyntax? Guard { get; }

        /// <summary>The method's body block.</summary>
        public BlockSyntax? Block { get; }

        public ImmutableDictionary<string, string?> Properties()
        {
            var builder = ImmutableDictionary.CreateBuilder<string, string?>();
            if (Kind is not null)
            {
                builder.Add(FixProperty, Kind);
            }
            else if (Refusal is not null)
            {
                builder.Add(GO0004LockRepair.RefusalProperty, Refusal);
            }

            return builder.ToImmutable();
        }

        private static GO0005GuardRepair Refuse(string reason) => new GO0005GuardRepair(null, reason, null, null);

        public static GO0005GuardRepair Plan(IMethodBodyOperation body, GuardOrderSymbols symbols, Purity purity, CancellationToken cancellationToken)
        {
            if (body.BlockBody?.Syntax is not BlockSyntax block)
            {
                return Refuse("the method has no block body to put the guard in");
            }

            var guards = body.Descendants().OfType<IConditionalOperation>()
                .Where(c => c.Type is null && c.WhenFalse is null && c.Syntax is IfStatementSyntax &&
                    ReturnsFalse(c.WhenTrue) &&
                    SecurityReads.ReadsSecurityCheck(c.Condition, symbols) &&
                    !c.Syntax.Ancestors().TakeWhile(a => a != block).Any(a => a is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax))
                .ToList();
            var distinct = guards.GroupBy(g => Normalize(g.Condition.Syntax)).ToList();
            if (distinct.Count == 0)
            {
                return Refuse("the method has no 'if (<security check>) return false;' guard to run first: which check the route needs is not certain");
            }

            if (distinct.Count > 1)
            {
                return Refuse("the method has more than one security guard (" + string.Join(", ", distinct.Select(d => d.First().Condition.Syntax.ToString())) + "): which one the route needs is not certain");
            }

            var guard = distinct[0].First();
            var syntax = (IfStatementSyntax)guard.Syntax;
            var text = guard.Condition.Syntax.ToString();
            if (block.Statements.FirstOrDefault() is IfStatementSyntax first && Normalize(first.Condition) == distinct[0].Key)
            {
                return Refuse("the security guard '" + text + "' is already the method's first statement");
            }

            // A guard that also tests other things ('!(vma_is_anonymous(vma) && (vma.vm_flags & VM_WRITE) != 0)'):
            // when its condition is alternatives one of which is the whole security test, a route that passes the
            // guard has that alternative false, so 'if (<alternative>) return false;' first refuses only what the
            // security check refuses.
            var tested = guard.Condition;
            string? extracted = null;
            var other = Leaves(guard.Condition).FirstOrDefault(leaf => !SecurityReads.ReadsSecurityCheck(leaf, symbols));
            if (other is not null)
            {
                var alternatives = new List<(IOperation Leaf, bool Negated)>();
                Alternatives(guard.Condition, negated: false, alternatives);
                var security = alternatives.Where(a => SecurityReads.ReadsSecurityCheck(a.Leaf, symbols)).ToList();
                if (security.Count != 1 || Leaves(security[0].Leaf).Any(leaf => !SecurityReads.ReadsSecurityCheck(leaf, symbols)))
                {
                    return Refuse("the guard also tests '" + other.Syntax + "': running it on every route would refuse more than the security check, and its security test is not one alternative of its condition");
                }

                tested = security[0].Leaf;
                extracted = Write(security[0].Leaf, security[0].Negated);
                text = extracted;
                if (block.Statements.FirstOrDefault() is IfStatementSyntax start && Normalize(start.Condition) == new string(extracted.Where(c => !char.IsWhiteSpace(c)).ToArray()))
                {
                    return Refuse("the security test '" + extracted + "' is already the method's first statement");
                }
            }

            if (tested.DescendantsAndSelf().FirstOrDefault(Purity.MayThrow) is { } throwing)
            {
                return Refuse("evaluating '" + throwing.Syntax + "' first may throw");
            }

            if (!purity.IsPure(tested, cancellationToken))
            {
                return Refuse("the condition '" + text + "' has side effects");
            }

            foreach (var read in tested.DescendantsAndSelf())
            {
                switch (read)
                {
                    case ILocalReferenceOperation local:
                        return Refuse("the condition reads the local '" + local.Local.Name + "', which does not exist at the start of the method");
                    case IInstanceReferenceOperation:
                        return Refuse("the condition reads the instance's state, which may change before the bypassing route");
                    case IFieldReferenceOperation { Field: { IsStatic: true, IsConst: false } field }:
                        return Refuse("the condition reads the static field '" + field.Name + "'");
                    case IParameterReferenceOperation parameter when IsWritten(body, parameter.Parameter):
                        return Refuse("the parameter '" + parameter.Parameter.Name + "' is assigned in the method");
                }
            }

            if (extracted is not null)
            {
                return new GO0005GuardRepair(ExtractKind, null, syntax, block, extracted);
            }

            var index = block.Statements.IndexOf(syntax);
            var move = index > 0 && block.Statements.Take(index).All(s => IsPureConstantGuard(s, body, purity, cancellationToken));
            return new GO0005GuardRepair(move ? MoveKind : CopyKind, null, syntax, block);
        }

        /// <summary><c>if (pure) return &lt;constant&gt;;</c> with no else: nothing it runs can change the guard's value.</summary>
        private static bool IsPureConstantGuard(StatementSyntax statement, IMethodBodyOperation body, Purity purity, CancellationToken cancellationToken)
        {
            var operation = body.Descendants().FirstOrDefault(o => o.Syntax == statement && o is IConditionalOperation) as IConditionalOperation;
            if (operation is null || operation.WhenFalse is not null || !purity.IsPure(operation.Condition, cancellationToken) ||
                operation.Condition.DescendantsAndSelf().Any(Purity.MayThrow))
            {
                return false;
            }

            var whenTrue = operation.WhenTrue;
            while (whenTrue is IBlockOperation { Operations.Length: 1 } inner)
            {
                whenTrue = inner.Operations[0];
            }

            return whenTrue is IReturnOperation { ReturnedValue.ConstantValue.HasValue: true };
        }

        private static IEnumerable<IOperation> Leaves(IOperation condition)
        {
            switch (condition)
            {
                case IUnaryOperation { OperatorKind: UnaryOperatorKind.Not, OperatorMethod: null } not:
                    return Leaves(not.Operand);
                case IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalAnd or BinaryOperatorKind.ConditionalOr, OperatorMethod: null } binary:
                    return Leaves(binary.LeftOperand).Concat(Leaves(binary.RightOperand));
                case IParenthesizedOperation parenthesized:
                    return Leaves(parenthesized.Operand);
                default:
                    return new[] { condition };
            }
        }

        /// <summary>
        /// The alternatives of a condition (it holds when one of them does), each a leaf with its polarity:
        /// <c>a || b</c> and <c>!(a &amp;&amp; b)</c> split; a conjunction is one alternative.
        /// </summary>
        private static void Alternatives(IOperation condition, bool negated, List<(IOperation Leaf, bool Negated)> into)
        {
            switch (condition)
            {
                case IParenthesizedOperation parenthesized:
                    Alternatives(parenthesized.Operand, negated, into);
                    return;
                case IUnaryOperation { OperatorKind: UnaryOperatorKind.Not, OperatorMethod: null } not:
                    Alternatives(not.Operand, !negated, into);
                    return;
                case IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalOr, OperatorMethod: null } either when !negated:
                    Alternatives(either.LeftOperand, false, into);
                    Alternatives(either.RightOperand, false, into);
                    return;
                case IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalAnd, OperatorMethod: null } both when negated:
                    Alternatives(both.LeftOperand, true, into);
                    Alternatives(both.RightOperand, true, into);
                    return;
                default:
                    into.Add((condition, negated));
                    return;
            }
        }

        /// <summary>The leaf as a condition, negated when asked (a comparison is flipped: <c>x != 0</c> → <c>x == 0</c>).</summary>
        private static string Write(IOperation leaf, bool negated)
        {
            var text = leaf.Syntax.WithoutTrivia().ToString();
            if (!negated)
            {
                return text;
            }

            if (leaf is IBinaryOperation { OperatorMethod: null } comparison && comparison.Syntax is BinaryExpressionSyntax binary)
            {
                var flipped = comparison.OperatorKind switch
                {
                    BinaryOperatorKind.Equals => "!=",
                    BinaryOperatorKind.NotEquals => "==",
                    BinaryOperatorKind.LessThan when IsIntegral(comparison.LeftOperand.Type) => ">=",
                    BinaryOperatorKind.LessThanOrEqual when IsIntegral(comparison.LeftOperand.Type) => ">",
                    BinaryOperatorKind.GreaterThan when IsIntegral(comparison.LeftOperand.Type) => "<=",
                    BinaryOperatorKind.GreaterThanOrEqual when IsIntegral(comparison.LeftOperand.Type) => "<",
                    _ => null,
                };
                if (flipped is not null)
                {
                    return binary.Left.WithoutTrivia().ToString() + " " + flipped + " " + binary.Right.WithoutTrivia().ToString();
                }
            }

            return leaf.Syntax is IdentifierNameSyntax or InvocationExpressionSyntax or MemberAccessExpressionSyntax or ParenthesizedExpressionSyntax
                ? "!" + text
                : "!(" + text + ")";
        }

        private static bool IsIntegral(ITypeSymbol? type) =>
            type?.SpecialType is SpecialType.System_Int32 or SpecialType.System_Int64 or SpecialType.System_UInt32 or SpecialType.System_UInt64
                or SpecialType.System_Int16 or SpecialType.System_UInt16 or SpecialType.System_Byte or SpecialType.System_SByte;

        private static bool ReturnsFalse(IOperation operation)
        {
            while (operation is IBlockOperation { Operations.Length: 1 } block)
            {
                operation = block.Operations[0];
            }

            return operation is IReturnOperation { ReturnedValue: { ConstantValue: { HasValue: true, Value: false } } };
        }

        private static bool IsWritten(IMethodBodyOperation body, IParameterSymbol parameter) =>
            body.Descendants().Any(o =>
                (o switch
                {
                    IAssignmentOperation a => a.Target,
                    IIncrementOrDecrementOperation i => i.Target,
                    IArgumentOperation { Parameter.RefKind: RefKind.Ref or RefKind.Out } arg => arg.Value,
                    _ => null,
                }) is IParameterReferenceOperation p && SymbolEqualityComparer.Default.Equals(p.Parameter, parameter));

        /// <summary>
        /// The condition's text without white space. <see cref="SyntaxNode.ToString"/> already leaves out the
        /// node's leading and trailing trivia; <c>WithoutTrivia()</c> first rebuilt the tree for nothing (a
        /// tenth of GuardOrder's time on the real-shaped corpus went to that rewrite).
        /// </summary>
        private static string Normalize(SyntaxNode condition)
        {
            var text = condition.ToString();
            var kept = new System.Text.StringBuilder(text.Length);
            foreach (var c in text)
            {
                if (!char.IsWhiteSpace(c))
                {
                    kept.Append(c);
                }
            }

            return kept.ToString();
        }
    }
}
