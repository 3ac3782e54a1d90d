using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace GuardOrder.Analyzers.Model
{
    /// <summary>One operand of a &amp;&amp; or || chain, with its written syntax (parentheses included).</summary>
    internal sealed class ChainOperand
    {
        public ChainOperand(int index, IOperation operation, ExpressionSyntax syntax, ISymbol? securityRead)
        {
            Index = index;
            Operation = operation;
            Syntax = syntax;
            SecurityRead = securityRead;
        }

        public int Index { get; }

        public IOperation Operation { get; }

        public ExpressionSyntax Syntax { get; }

        public ISymbol? SecurityRead { get; }

        public bool IsSecurity => SecurityRead is not null;

        public string Text => GuardText.Of(Syntax);
    }

    /// <summary>
    /// A flat <c>a &amp;&amp; b &amp;&amp; c</c> (or <c>||</c>) chain: the left-nested spine of one
    /// conditional operator, without user-defined operators. An operand that is itself a
    /// parenthesized chain is one operand here and a chain of its own.
    /// </summary>
    internal sealed class ConditionChain
    {
        private ConditionChain(IBinaryOperation root, ImmutableArray<ChainOperand> operands)
        {
            Root = root;
            Operands = operands;
            FirstOther = operands.FirstOrDefault(o => !o.IsSecurity);
            Misplaced = FirstOther is null
                ? ImmutableArray<ChainOperand>.Empty
                : operands.Where(o => o.IsSecurity && o.Index > FirstOther.Index).ToImmutableArray();
        }

        public IBinaryOperation Root { get; }

        public BinaryExpressionSyntax RootSyntax => (BinaryExpressionSyntax)Root.Syntax;

        public ImmutableArray<ChainOperand> Operands { get; }

        public ChainOperand? FirstOther { get; }

        public ImmutableArray<ChainOperand> Misplaced { get; }

        /// <summary>The chains rooted anywhere inside <paramref name="operation"/> (lambdas excluded: they are analysed on their own).</summary>
        public static IEnumerable<ConditionChain> FindAll(IOperation? operation, GuardOrderSymbols symbols)
        {
            if (operation is null)
            {
                yield break;
            }

            var stack = new Stack<IOperation>();
            stack.Push(operation);
            while (stack.Count > 0)
            {
                var current = stack.Pop();
                if (current is IAnonymousFunctionOperation or ILocalFunctionOperation)
                {
                    continue;
                }

                if (IsChainRoot(current) && TryCreate((IBinaryOperation)current, symbols) is { } chain)
                {
                    yield return chain;
                }

                foreach (var child in current.ChildOperations.Reverse())
                {
                    if (child is not null)
                    {
                        stack.Push(child);
                    }
                }
            }
        }

        /// <summary>The chain whose root is <paramref name="root"/>, or null when it is not a plain conditional chain.</summary>
        public static ConditionChain? TryCreate(IBinaryOperation root, GuardOrderSymbols symbols)
        {
            if (!IsConditional(root) || root.Syntax is not BinaryExpressionSyntax)
            {
                return null;
            }

            var operands = new List<(IOperation Operation, ExpressionSyntax Syntax)>();
            if (!Flatten(root, root.OperatorKind, operands))
            {
                return null;
            }

            var result = ImmutableArray.CreateBuilder<ChainOperand>(operands.Count);
            foreach (var (operation, syntax) in operands)
            {
                result.Add(new ChainOperand(result.Count, operation, syntax, SecurityReads.FindSecurityRead(operation, symbols)));
            }

            return new ConditionChain(root, result.ToImmutable());
        }

        /// <summary>Is <paramref name="operation"/> the top of a chain (not a link inside a longer spine)?</summary>
        public static bool IsChainRoot(IOperation operation)
        {
            if (operation is not IBinaryOperation binary || !IsConditional(binary) || binary.Syntax is not BinaryExpressionSyntax syntax)
            {
                return false;
            }

            return !(syntax.Parent is BinaryExpressionSyntax parent && parent.Left == syntax && parent.IsKind(syntax.Kind()));
        }

        /// <summary>Which misplaced security operands can move first, and the resulting operand order.</summary>
        public (ImmutableArray<ChainOperand> NewOrder, ImmutableDictionary<ChainOperand, MoveBlocker?> Blockers) Plan(Purity purity, CancellationToken cancellationToken)
        {
            var blockers = ImmutableDictionary.CreateBuilder<ChainOperand, MoveBlocker?>();
            if (FirstOther is null || Misplaced.IsEmpty)
            {
                return (Operands, blockers.ToImmutable());
            }

            ChainOperand? blocked = null;
            foreach (var security in Misplaced)
            {
                var blocker = blocked is not null
                    ? MoveBlocker.Crossing(FirstOther.Text, "the security check '" + blocked.Text + "' before it cannot be moved first")
                    : BlockerFor(security, purity, cancellationToken);
                blockers.Add(security, blocker);
                if (blocker is not null)
                {
                    blocked ??= security;
                }
            }

            var moving = Misplaced.Where(m => blockers[m] is null).ToList();
            var order = ImmutableArray.CreateBuilder<ChainOperand>(Operands.Length);
            order.AddRange(Operands.Take(FirstOther.Index));
            order.AddRange(moving);
            order.AddRange(Operands.Skip(FirstOther.Index).Where(o => !moving.Contains(o)));
            return (order.ToImmutable(), blockers.ToImmutable());
        }

        private MoveBlocker? BlockerFor(ChainOperand security, Purity purity, CancellationToken cancellationToken)
        {
            var first = FirstOther!;
            var crossed = Operands.Skip(first.Index).Take(security.Index - first.Index).Where(o => !o.IsSecurity).ToList();
            var syntaxReason = Reordering.SyntaxReason(crossed.Select(c => (SyntaxNode)c.Syntax).Append(security.Syntax));
            if (syntaxReason is not null)
            {
                return MoveBlocker.General(syntaxReason);
            }

            var ownSideEffect = purity.FindSideEffect(security.Operation, cancellationToken);
            if (ownSideEffect is not null)
            {
                return MoveBlocker.Crossing(first.Text, "the security check itself: " + Reordering.DescribeSideEffect(ownSideEffect));
            }

            foreach (var operand in crossed)
            {
                var reason = Reordering.DataReason(security.Operation, operand.Operation, purity, cancellationToken);
                if (reason is not null)
                {
                    return MoveBlocker.Crossing(operand.Text, reason);
                }
            }

            return null;
        }

        private static bool IsConditional(IBinaryOperation binary) =>
            binary.OperatorKind is BinaryOperatorKind.ConditionalAnd or BinaryOperatorKind.ConditionalOr &&
            binary.OperatorMethod is null;

        private static bool Flatten(IBinaryOperation link, BinaryOperatorKind kind, List<(IOperation, ExpressionSyntax)> operands)
        {
            if (link.Syntax is not BinaryExpressionSyntax syntax)
            {
                return false;
            }

            if (link.LeftOperand is IBinaryOperation left && left.OperatorKind == kind && left.OperatorMethod is null && left.Syntax == syntax.Left)
            {
                if (!Flatten(left, kind, operands))
                {
                    return false;
                }
            }
            else
            {
                operands.Add((link.LeftOperand, syntax.Left));
            }

            operands.Add((link.RightOperand, syntax.Right));
            return true;
        }
    }
}
