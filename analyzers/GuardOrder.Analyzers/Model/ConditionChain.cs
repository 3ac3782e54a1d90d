using System;
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
        private ImmutableHashSet<AccessPath>? dereferenced;

        public ChainOperand(int index, IOperation operation, ExpressionSyntax syntax, ISymbol? securityRead)
            : this(index, operation, syntax, securityRead, ImmutableHashSet<AccessPath>.Empty)
        {
        }

        public ChainOperand(int index, IOperation operation, ExpressionSyntax syntax, ISymbol? securityRead, ImmutableHashSet<AccessPath> nullTested)
        {
            Index = index;
            Operation = operation;
            Syntax = syntax;
            SecurityRead = securityRead;
            NullTested = securityRead is null ? nullTested : ImmutableHashSet<AccessPath>.Empty;
        }

        /// <summary>
        /// For an operand that is nothing but null tests and lets the chain go on only when they are
        /// not null (<c>vma != null &amp;&amp; ...</c>, <c>vma == null || ...</c>): the paths it tests. Empty otherwise.
        /// </summary>
        public ImmutableHashSet<AccessPath> NullTested { get; }

        /// <summary>The paths the operand dereferences, computed on demand.</summary>
        public ImmutableHashSet<AccessPath> Dereferenced => dereferenced ??= Preconditions.Dereferenced(Operation);

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
            if (!operands.Any(o => o.IsSecurity))
            {
                // Nearly every chain of a compilation: no security operand, so no precondition of one and
                // nothing misplaced (the general case's queries below were a fiftieth of GuardOrder's allocation).
                PreconditionOperands = ImmutableHashSet<ChainOperand>.Empty;
                FirstOther = operands.IsEmpty ? null : operands[0];
                Misplaced = ImmutableArray<ChainOperand>.Empty;
                return;
            }

            PreconditionOperands = operands
                .Where(o => !o.NullTested.IsEmpty && operands.Skip(o.Index + 1).Any(s => s.IsSecurity && o.NullTested.IsSubsetOf(s.Dereferenced)))
                .ToImmutableHashSet();
            FirstOther = operands.FirstOrDefault(o => !o.IsSecurity && !PreconditionOperands.Contains(o));
            Misplaced = FirstOther is null
                ? ImmutableArray<ChainOperand>.Empty
                : operands.Where(o => o.IsSecurity && o.Index > FirstOther.Index).ToImmutableArray();
        }

        public IBinaryOperation Root { get; }

        public BinaryExpressionSyntax RootSyntax => (BinaryExpressionSyntax)Root.Syntax;

        public ImmutableArray<ChainOperand> Operands { get; }

        /// <summary>The first operand that is neither a security operand nor a precondition.</summary>
        public ChainOperand? FirstOther { get; }

        /// <summary>
        /// Null tests that guard a later security operand's dereference (<c>vma != null &amp;&amp; (vma.vm_flags &amp; VM_WRITE) != 0</c>):
        /// not operands the security operand must precede.
        /// </summary>
        public ImmutableHashSet<ChainOperand> PreconditionOperands { get; }

        public ImmutableArray<ChainOperand> Misplaced { get; }

        /// <summary>The chains rooted anywhere inside <paramref name="operation"/> (lambdas excluded: they are analysed on their own), in tree order.</summary>
        /// <remarks>Asked for every condition and return of a compilation: nothing is allocated for one that holds no chain.</remarks>
        public static IReadOnlyList<ConditionChain> FindAll(IOperation? operation, GuardOrderSymbols symbols)
        {
            if (operation is null)
            {
                return Array.Empty<ConditionChain>();
            }

            List<ConditionChain>? found = null;
            using (OperationStack.Rent(out var stack))
            {
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
                        (found ??= new List<ConditionChain>()).Add(chain);
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

            return (IReadOnlyList<ConditionChain>?)found ?? Array.Empty<ConditionChain>();
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

            // In a && chain a non-null test lets the chain go on; in a || chain a null test does.
            var continuesWhenNull = root.OperatorKind == BinaryOperatorKind.ConditionalOr;
            var result = ImmutableArray.CreateBuilder<ChainOperand>(operands.Count);
            foreach (var (operation, syntax) in operands)
            {
                var tested = Preconditions.NullTested(operation, out var trueWhenNull);
                var nullTested = tested is not null && trueWhenNull == continuesWhenNull ? tested : ImmutableHashSet<AccessPath>.Empty;
                result.Add(new ChainOperand(result.Count, operation, syntax, SecurityReads.FindSecurityRead(operation, symbols), nullTested));
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

        /// <summary>
        /// Which misplaced security operands can move first, and the resulting operand order. A
        /// security operand moves together with the precondition operands between the first other
        /// operand and it that null-test a path it dereferences (in their order, in front of it).
        /// </summary>
        public (ImmutableArray<ChainOperand> NewOrder, ImmutableDictionary<ChainOperand, MoveBlocker?> Blockers) Plan(Purity purity, CancellationToken cancellationToken)
        {
            var blockers = ImmutableDictionary.CreateBuilder<ChainOperand, MoveBlocker?>();
            if (FirstOther is null || Misplaced.IsEmpty)
            {
                return (Operands, blockers.ToImmutable());
            }

            var moving = new HashSet<ChainOperand>();
            ChainOperand? blocked = null;
            foreach (var security in Misplaced)
            {
                var needed = Operands.Skip(FirstOther.Index + 1).Take(security.Index - FirstOther.Index - 1)
                    .Where(o => PreconditionOperands.Contains(o) && !moving.Contains(o) && o.NullTested.Overlaps(security.Dereferenced))
                    .ToList();
                var blocker = blocked is not null
                    ? MoveBlocker.Crossing(FirstOther.Text, "the security check '" + blocked.Text + "' before it cannot be moved first")
                    : BlockerFor(security, needed, moving, purity, cancellationToken);
                blockers.Add(security, blocker);
                if (blocker is not null)
                {
                    blocked ??= security;
                }
                else
                {
                    moving.UnionWith(needed);
                    moving.Add(security);
                }
            }

            var order = ImmutableArray.CreateBuilder<ChainOperand>(Operands.Length);
            order.AddRange(Operands.Take(FirstOther.Index));
            order.AddRange(Operands.Where(moving.Contains));
            order.AddRange(Operands.Skip(FirstOther.Index).Where(o => !moving.Contains(o)));
            return (order.ToImmutable(), blockers.ToImmutable());
        }

        private MoveBlocker? BlockerFor(ChainOperand security, List<ChainOperand> needed, HashSet<ChainOperand> alreadyMoving, Purity purity, CancellationToken cancellationToken)
        {
            var first = FirstOther!;
            var movers = needed.Append(security).ToList();
            var involved = Operands.Skip(first.Index).Take(security.Index - first.Index + 1).Where(o => !o.IsSecurity || o == security);
            var syntaxReason = Reordering.SyntaxReason(involved.Select(c => (SyntaxNode)c.Syntax));
            if (syntaxReason is not null)
            {
                return MoveBlocker.General(syntaxReason);
            }

            foreach (var mover in movers)
            {
                var ownSideEffect = purity.FindSideEffect(mover.Operation, cancellationToken);
                if (ownSideEffect is not null)
                {
                    var what = mover == security ? "the security check itself: " : "its precondition '" + mover.Text + "': ";
                    return MoveBlocker.Crossing(first.Text, what + Reordering.DescribeSideEffect(ownSideEffect));
                }
            }

            foreach (var mover in movers)
            {
                var moverName = mover == security ? "the security check" : "its precondition '" + mover.Text + "'";
                var crossed = Operands.Skip(first.Index).Take(mover.Index - first.Index)
                    .Where(o => !o.IsSecurity && !alreadyMoving.Contains(o) && !movers.Contains(o));
                foreach (var operand in crossed)
                {
                    var reason = Reordering.DataReason(mover.Operation, operand.Operation, purity, cancellationToken, moverName);
                    if (reason is not null)
                    {
                        return MoveBlocker.Crossing(operand.Text, reason);
                    }
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
