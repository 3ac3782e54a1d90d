using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace GuardOrder.Analyzers.Model
{
    internal enum GuardExitKind
    {
        Return,
        Throw,
        GoTo,
        NoReturnCall,
        Assert,
        Other,
    }

    /// <summary>How a guard leaves the method when its condition holds.</summary>
    internal sealed class GuardExit
    {
        private static readonly object VoidReturn = new object();

        private readonly string descriptionPrefix;
        private readonly SyntaxNode? descriptionNode;

        private GuardExit(GuardExitKind kind, object? key, string descriptionPrefix, SyntaxNode? descriptionNode = null)
        {
            Kind = kind;
            Key = key;
            this.descriptionPrefix = descriptionPrefix;
            this.descriptionNode = descriptionNode;
        }

        public GuardExitKind Kind { get; }

        /// <summary>What identifies the exit: a constant, a local, a label, an exception type, a method; null = not comparable.</summary>
        public object? Key { get; }

        /// <summary>"returns false", "throws ArgumentException", "goes to unlock_fail", ...</summary>
        public string Description =>
            descriptionNode is null
                ? descriptionPrefix
                : Kind == GuardExitKind.Other
                    ? descriptionPrefix + "'" + GuardText.Of(descriptionNode) + "'"
                    : descriptionPrefix + GuardText.Of(descriptionNode);

        /// <summary>True for <c>return false;</c>.</summary>
        public bool ReturnsFalse => Kind == GuardExitKind.Return && Equals(Key, new ConstantKey(false));

        /// <summary>Do both exits leave with the same observable result?</summary>
        public bool SameAs(GuardExit other)
        {
            if (Kind != other.Kind || Kind == GuardExitKind.Other || Key is null || other.Key is null)
            {
                return false;
            }

            if (Key is ISymbol symbol)
            {
                return other.Key is ISymbol otherSymbol && SymbolEqualityComparer.Default.Equals(symbol, otherSymbol);
            }

            return Equals(Key, other.Key);
        }

        /// <summary>The exit of a guard body, or null when the body can fall through.</summary>
        public static GuardExit? Of(IOperation? body, GuardOrderSymbols symbols)
        {
            switch (body)
            {
                case IBlockOperation block:
                    if (block.Operations.Length == 0)
                    {
                        return null;
                    }

                    var last = Of(block.Operations[block.Operations.Length - 1], symbols);
                    if (last is null)
                    {
                        return null;
                    }

                    return block.Operations.Length == 1
                        ? last
                        : new GuardExit(GuardExitKind.Other, null, "runs ", block.Syntax);

                case IReturnOperation { Kind: OperationKind.YieldBreak }:
                    return new GuardExit(GuardExitKind.Return, VoidReturn, "ends the iteration");

                case IReturnOperation { Kind: OperationKind.Return } ret:
                    if (ret.ReturnedValue is null)
                    {
                        return new GuardExit(GuardExitKind.Return, VoidReturn, "returns");
                    }

                    return new GuardExit(GuardExitKind.Return, ValueKey(ret.ReturnedValue), "returns ", ret.ReturnedValue.Syntax);

                case IExpressionStatementOperation { Operation: IThrowOperation thrown }:
                    return ThrowExit(thrown);

                case IThrowOperation thrown:
                    return ThrowExit(thrown);

                case IBranchOperation { BranchKind: BranchKind.GoTo } branch:
                    return new GuardExit(GuardExitKind.GoTo, branch.Target, "goes to " + branch.Target.Name);

                case IExpressionStatementOperation { Operation: IInvocationOperation invocation }
                    when GuardOrderSymbols.HasAttribute(GuardOrderSymbols.Original(invocation.TargetMethod), symbols.DoesNotReturn):
                    return new GuardExit(GuardExitKind.NoReturnCall, null, "calls " + invocation.TargetMethod.Name);

                default:
                    return null;
            }
        }

        public static GuardExit Assert(IMethodSymbol method, IParameterSymbol parameter) =>
            new GuardExit(GuardExitKind.Assert, new AssertKey(GuardOrderSymbols.Original(method), parameter.Ordinal), "asserts with " + method.Name);

        private static GuardExit ThrowExit(IThrowOperation thrown)
        {
            var exception = Unwrap(thrown.Exception);
            switch (exception)
            {
                case IObjectCreationOperation creation when creation.Type is not null:
                    return new GuardExit(GuardExitKind.Throw, creation.Type, "throws " + creation.Type.Name);
                case ILocalReferenceOperation local:
                    return new GuardExit(GuardExitKind.Throw, local.Local, "throws " + local.Local.Name);
                case IParameterReferenceOperation parameter:
                    return new GuardExit(GuardExitKind.Throw, parameter.Parameter, "throws " + parameter.Parameter.Name);
                default:
                    return new GuardExit(GuardExitKind.Throw, null, "throws");
            }
        }

        private static object? ValueKey(IOperation value)
        {
            if (value.ConstantValue.HasValue)
            {
                return new ConstantKey(value.ConstantValue.Value);
            }

            switch (Unwrap(value))
            {
                case { ConstantValue.HasValue: true } constant:
                    return new ConstantKey(constant.ConstantValue.Value);
                case ILocalReferenceOperation local:
                    return local.Local;
                case IParameterReferenceOperation parameter:
                    return parameter.Parameter;
                default:
                    return null;
            }
        }

        private static IOperation? Unwrap(IOperation? operation)
        {
            while (operation is IConversionOperation { IsImplicit: true } conversion)
            {
                operation = conversion.Operand;
            }

            return operation;
        }

        private sealed class ConstantKey
        {
            private readonly object? value;

            public ConstantKey(object? value) => this.value = value;

            public override bool Equals(object? obj) => obj is ConstantKey other && Equals(value, other.value);

            public override int GetHashCode() => value?.GetHashCode() ?? 0;
        }

        private sealed class AssertKey
        {
            private readonly ISymbol? method;
            private readonly int ordinal;

            public AssertKey(ISymbol? method, int ordinal)
            {
                this.method = method;
                this.ordinal = ordinal;
            }

            public override bool Equals(object? obj) =>
                obj is AssertKey other && ordinal == other.ordinal && SymbolEqualityComparer.Default.Equals(method, other.method);

            public override int GetHashCode() => SymbolEqualityComparer.Default.GetHashCode(method) ^ ordinal;
        }
    }

    internal enum GuardItemKind
    {
        /// <summary><c>if (condition) return/throw/goto ...;</c> without else.</summary>
        IfGuard,

        /// <summary>A call whose bool parameter carries [DoesNotReturnIf]: <c>VM_BUG_ON(condition);</c>.</summary>
        AssertGuard,

        /// <summary>A local declaration sitting between guards.</summary>
        Declaration,
    }

    /// <summary>One statement of a guard run.</summary>
    internal sealed class GuardItem
    {
        public GuardItem(GuardItemKind kind, int index, IOperation statement, IOperation? condition, SyntaxNode? conditionSyntax, GuardExit? exit, ISymbol? securityRead)
        {
            Kind = kind;
            Index = index;
            Statement = statement;
            Condition = condition;
            ConditionSyntax = conditionSyntax;
            Exit = exit;
            SecurityRead = securityRead;
        }

        public GuardItemKind Kind { get; }

        /// <summary>Position in the run (0 = first statement of the body).</summary>
        public int Index { get; }

        public IOperation Statement { get; }

        public SyntaxNode StatementSyntax => Statement.Syntax;

        /// <summary>The guard's condition (the asserted argument for an assert); null for a declaration.</summary>
        public IOperation? Condition { get; }

        /// <summary>Where GO0001 is reported: the written condition, parentheses included.</summary>
        public SyntaxNode? ConditionSyntax { get; }

        public GuardExit? Exit { get; }

        /// <summary>The [SecurityCheck] symbol the condition reads, or null.</summary>
        public ISymbol? SecurityRead { get; }

        public bool IsGuard => Kind != GuardItemKind.Declaration;

        public bool IsSecurityGuard => IsGuard && SecurityRead is not null;

        /// <summary>Short text for messages: <c>if (cp_flags &amp; MM_CP_PROT_NUMA) return false</c> (built on demand: only reports need it).</summary>
        public string Text
        {
            get
            {
                if (Kind != GuardItemKind.IfGuard || Statement is not IConditionalOperation conditional)
                {
                    return GuardText.StatementOf(StatementSyntax);
                }

                var bodyText = conditional.WhenTrue switch
                {
                    IBlockOperation { Operations.Length: 1 } block => GuardText.StatementOf(block.Operations[0].Syntax),
                    IBlockOperation => "{ ... }",
                    var other => GuardText.StatementOf(other.Syntax),
                };
                return GuardText.Normalize("if (" + ConditionText + ") " + bodyText);
            }
        }

        public string ConditionText => GuardText.Of(ConditionSyntax);

        /// <summary>
        /// What running this item evaluates besides leaving: the condition of an <c>if</c>; every
        /// argument (and the receiver) of an assert call — the call itself is trusted to do nothing
        /// but not return when its condition says so; the whole declaration.
        /// </summary>
        public IEnumerable<IOperation> Evaluated
        {
            get
            {
                switch (Kind)
                {
                    case GuardItemKind.AssertGuard when Statement is IExpressionStatementOperation { Operation: IInvocationOperation invocation }:
                        if (invocation.Instance is not null)
                        {
                            yield return invocation.Instance;
                        }

                        foreach (var argument in invocation.Arguments)
                        {
                            yield return argument.Value;
                        }

                        break;
                    case GuardItemKind.Declaration:
                        yield return Statement;
                        break;
                    default:
                        if (Condition is not null)
                        {
                            yield return Condition;
                        }

                        break;
                }
            }
        }
    }

    /// <summary>The plan for moving a run's misplaced security guards first.</summary>
    internal sealed class GuardMovePlan
    {
        public GuardMovePlan(ImmutableArray<GuardItem> newOrder, ImmutableDictionary<GuardItem, MoveBlocker?> blockers)
        {
            NewOrder = newOrder;
            Blockers = blockers;
        }

        /// <summary>The run's items in their new order (only the movable security guards move).</summary>
        public ImmutableArray<GuardItem> NewOrder { get; }

        /// <summary>For each misplaced security guard: null when it moves, otherwise why not.</summary>
        public ImmutableDictionary<GuardItem, MoveBlocker?> Blockers { get; }

        public bool AnyMove => Blockers.Values.Any(b => b is null);
    }

    /// <summary>
    /// The leading run of guard clauses of a body (method, accessor, constructor, local function,
    /// lambda): <c>if</c>s without else whose body always leaves, and [DoesNotReturnIf] assert calls,
    /// with local declarations between them. Security guards (conditions that read a [SecurityCheck]
    /// symbol) must all precede the other guards.
    /// </summary>
    internal sealed class GuardRun
    {
        private GuardRun(IBlockOperation body, ImmutableArray<GuardItem> items)
        {
            Body = body;
            Items = items;
            FirstOtherGuard = items.FirstOrDefault(i => i.IsGuard && !i.IsSecurityGuard);
            Misplaced = FirstOtherGuard is null
                ? ImmutableArray<GuardItem>.Empty
                : items.Where(i => i.IsSecurityGuard && i.Index > FirstOtherGuard.Index).ToImmutableArray();
        }

        public IBlockOperation Body { get; }

        public ImmutableArray<GuardItem> Items { get; }

        /// <summary>The first guard that is not a security guard (what misplaced security guards should precede).</summary>
        public GuardItem? FirstOtherGuard { get; }

        /// <summary>Security guards that come after <see cref="FirstOtherGuard"/>.</summary>
        public ImmutableArray<GuardItem> Misplaced { get; }

        /// <summary>Does the run hold a security guard that rejects with <c>return false</c> (GO0005's trigger)?</summary>
        public bool HasSecurityGuardReturningFalse => Items.Any(i => i.IsSecurityGuard && i.Exit is { ReturnsFalse: true });

        /// <summary>The body block of a method, accessor, constructor, operator, local function or lambda; null for any other operation.</summary>
        public static IBlockOperation? BodyOf(IOperation operation) =>
            operation switch
            {
                IMethodBodyOperation method => method.BlockBody,
                IConstructorBodyOperation constructor => constructor.BlockBody,
                ILocalFunctionOperation localFunction => localFunction.Body,
                IAnonymousFunctionOperation lambda => lambda.Body,
                _ => null,
            };

        /// <summary>
        /// The body's leading guard run. With <paramref name="purity"/>, the run ends at the first
        /// declaration whose initializer may have a side effect; without it every declaration is
        /// accepted (a cheap first pass: a run with nothing misplaced needs no purity analysis).
        /// </summary>
        public static GuardRun Build(IBlockOperation body, GuardOrderSymbols symbols, Purity? purity, CancellationToken cancellationToken)
        {
            var items = ImmutableArray.CreateBuilder<GuardItem>();
            foreach (var statement in body.Operations)
            {
                var item = TryCreateItem(statement, items.Count, symbols);
                if (item is null)
                {
                    break;
                }

                if (item.Kind == GuardItemKind.Declaration && purity is not null && purity.FindSideEffect(statement, cancellationToken) is not null)
                {
                    break;
                }

                items.Add(item);
            }

            // Declarations after the last guard are not between guards.
            while (items.Count > 0 && !items[items.Count - 1].IsGuard)
            {
                items.RemoveAt(items.Count - 1);
            }

            return new GuardRun(body, items.ToImmutable());
        }

        /// <summary>
        /// Which misplaced security guards can move in front of the other guards without changing
        /// behaviour, and the resulting order. A security guard moves only when its own condition is
        /// pure, every guard and declaration it crosses is pure, exits the same way and declares or
        /// null-tests nothing it reads, and every misplaced security guard above it moves too (so the
        /// security guards keep their relative order).
        /// </summary>
        public GuardMovePlan Plan(Purity purity, CancellationToken cancellationToken)
        {
            var blockers = ImmutableDictionary.CreateBuilder<GuardItem, MoveBlocker?>();
            if (FirstOtherGuard is null || Misplaced.IsEmpty)
            {
                return new GuardMovePlan(Items, blockers.ToImmutable());
            }

            GuardItem? firstBlocked = null;
            foreach (var security in Misplaced)
            {
                var blocker = firstBlocked is not null
                    ? MoveBlocker.Crossing(FirstOtherGuard.Text, "the security check '" + firstBlocked.ConditionText + "' above it cannot be moved first")
                    : BlockerFor(security, purity, cancellationToken);
                blockers.Add(security, blocker);
                if (blocker is not null)
                {
                    firstBlocked ??= security;
                }
            }

            var moving = Misplaced.Where(m => blockers[m] is null).ToList();
            var order = ImmutableArray.CreateBuilder<GuardItem>(Items.Length);
            order.AddRange(Items.Take(FirstOtherGuard.Index));
            order.AddRange(moving);
            order.AddRange(Items.Skip(FirstOtherGuard.Index).Where(i => !moving.Contains(i)));
            return new GuardMovePlan(order.ToImmutable(), blockers.ToImmutable());
        }

        private MoveBlocker? BlockerFor(GuardItem security, Purity purity, CancellationToken cancellationToken)
        {
            var first = FirstOtherGuard!;
            var crossed = Items.Skip(first.Index).Take(security.Index - first.Index).Where(i => !i.IsSecurityGuard).ToList();

            var syntaxReason = Reordering.SyntaxReason(crossed.Select(c => c.StatementSyntax).Append(security.StatementSyntax));
            if (syntaxReason is not null)
            {
                return MoveBlocker.General(syntaxReason);
            }

            if (!IsRewritable(security) || crossed.Any(c => !IsRewritable(c)))
            {
                return MoveBlocker.General("the guards are not plain statements of one block");
            }

            foreach (var evaluated in security.Evaluated)
            {
                var ownSideEffect = purity.FindSideEffect(evaluated, cancellationToken);
                if (ownSideEffect is not null)
                {
                    return MoveBlocker.Crossing(first.Text, "the security check itself: " + Reordering.DescribeSideEffect(ownSideEffect));
                }
            }

            foreach (var item in crossed)
            {
                string? reason = null;
                foreach (var evaluated in item.Evaluated)
                {
                    reason ??= Reordering.DataReason(security.Condition, evaluated, purity, cancellationToken);
                }

                if (reason is null && item.IsGuard && (item.Exit is null || security.Exit is null || !item.Exit.SameAs(security.Exit)))
                {
                    reason = "it " + (item.Exit?.Description ?? "leaves") + " where the security check " + (security.Exit?.Description ?? "leaves");
                }

                if (reason is not null)
                {
                    return MoveBlocker.Crossing(item.Text, reason);
                }
            }

            return null;
        }

        private bool IsRewritable(GuardItem item) =>
            item.StatementSyntax is StatementSyntax && item.StatementSyntax.Parent == Body.Syntax && !item.Statement.IsImplicit;

        private static GuardItem? TryCreateItem(IOperation statement, int index, GuardOrderSymbols symbols)
        {
            switch (statement)
            {
                case IConditionalOperation { WhenFalse: null } conditional when conditional.Type is null && conditional.Condition is not null:
                    {
                        var exit = GuardExit.Of(conditional.WhenTrue, symbols);
                        if (exit is null)
                        {
                            return null;
                        }

                        var conditionSyntax = conditional.Syntax is IfStatementSyntax ifStatement ? ifStatement.Condition : conditional.Condition.Syntax;
                        return new GuardItem(GuardItemKind.IfGuard, index, statement, conditional.Condition, conditionSyntax, exit, SecurityReads.FindSecurityRead(conditional.Condition, symbols));
                    }

                case IExpressionStatementOperation { Operation: IInvocationOperation invocation }:
                    {
                        var asserted = AssertedArgument(invocation, symbols);
                        if (asserted?.Parameter is null)
                        {
                            return null;
                        }

                        var conditionSyntax = asserted.Syntax is ArgumentSyntax argument ? argument.Expression : asserted.Value.Syntax;
                        return new GuardItem(
                            GuardItemKind.AssertGuard,
                            index,
                            statement,
                            asserted.Value,
                            conditionSyntax,
                            GuardExit.Assert(invocation.TargetMethod, asserted.Parameter),
                            SecurityReads.FindSecurityRead(asserted.Value, symbols));
                    }

                case IVariableDeclarationGroupOperation:
                    return new GuardItem(GuardItemKind.Declaration, index, statement, null, null, null, null);

                default:
                    return null;
            }
        }

        /// <summary>The argument passed to a bool parameter carrying [DoesNotReturnIf], or null.</summary>
        private static IArgumentOperation? AssertedArgument(IInvocationOperation invocation, GuardOrderSymbols symbols)
        {
            if (symbols.DoesNotReturnIf is null)
            {
                return null;
            }

            foreach (var argument in invocation.Arguments)
            {
                if (argument.Parameter is { Type.SpecialType: SpecialType.System_Boolean } parameter &&
                    GuardOrderSymbols.HasAttribute(parameter.OriginalDefinition, symbols.DoesNotReturnIf))
                {
                    return argument;
                }
            }

            return null;
        }
    }
}
