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

        private GuardExit(GuardExitKind kind, object? key, string descriptionPrefix, SyntaxNode? descriptionNode = null, bool rejectsArgument = false)
        {
            RejectsArgument = rejectsArgument;
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
                    when symbols.IsDoesNotReturn(invocation.TargetMethod):
                    return new GuardExit(GuardExitKind.NoReturnCall, null, "calls " + invocation.TargetMethod.Name);

                default:
                    return null;
            }
        }

        /// <summary>The exit of a BCL throw helper (<c>ArgumentNullException.ThrowIfNull</c>, ...): it throws its own exception type.</summary>
        public static GuardExit ThrowHelper(IMethodSymbol method)
        {
            var type = method.ContainingType;

            // ArgumentException.ThrowIfNullOrEmpty throws ArgumentNullException or ArgumentException: not comparable.
            var comparable = method.Name.StartsWith("ThrowIfNull", System.StringComparison.Ordinal) && method.Name != "ThrowIfNull" ? null : type;
            return new GuardExit(GuardExitKind.Throw, comparable, "throws " + type.Name, rejectsArgument: true);
        }

        /// <summary>The exit of <c>_ = x ?? throw ...;</c>.</summary>
        public static GuardExit OfThrowExpression(IThrowOperation thrown) => ThrowExit(thrown);

        /// <summary>The exception type a throw exit creates (<c>throw new T(...)</c>), or null.</summary>
        public ITypeSymbol? ThrownType => Kind == GuardExitKind.Throw ? Key as ITypeSymbol : null;

        /// <summary>
        /// Argument validation: throws an <c>ArgumentException</c> (or a type derived from it) that names the
        /// argument it rejects (a <c>paramName</c> constructor argument: <c>new ArgumentNullException(nameof(vma))</c>,
        /// <c>new ArgumentException("empty", nameof(name))</c>), or is a BCL <c>ThrowIf*</c> helper.
        /// <c>new ArgumentException("bad input")</c> names no argument: an ordinary guard.
        /// </summary>
        public bool RejectsArgument { get; }

        public static GuardExit Assert(IMethodSymbol method, IParameterSymbol parameter) =>
            new GuardExit(GuardExitKind.Assert, new AssertKey(GuardOrderSymbols.Original(method), parameter.Ordinal), "asserts with " + method.Name);

        private static GuardExit ThrowExit(IThrowOperation thrown)
        {
            var exception = Unwrap(thrown.Exception);
            switch (exception)
            {
                case IObjectCreationOperation creation when creation.Type is not null:
                    var rejectsArgument = Preconditions.IsArgumentException(creation.Type) &&
                        creation.Arguments.Any(a => a.Parameter?.Name == "paramName" && !a.IsImplicit);
                    return new GuardExit(GuardExitKind.Throw, creation.Type, "throws " + creation.Type.Name, rejectsArgument: rejectsArgument);
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

        internal static IOperation? Unwrap(IOperation? operation)
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

        /// <summary>
        /// Argument validation written as a statement that is not an <c>if</c>: a BCL throw helper
        /// (<c>ArgumentNullException.ThrowIfNull(vma);</c>, <c>ArgumentOutOfRangeException.ThrowIfNegative(n);</c>)
        /// or <c>_ = vma ?? throw new ArgumentNullException(nameof(vma));</c>.
        /// </summary>
        Validation,
    }

    /// <summary>Whether a guard is a precondition (see GO0001.md, "Preconditions").</summary>
    internal enum GuardPrecondition
    {
        /// <summary>An ordinary guard (or a security guard, or a declaration).</summary>
        None,

        /// <summary>
        /// Argument validation: a <see cref="GuardItemKind.Validation"/> statement, an <c>if</c> whose body
        /// throws an <c>ArgumentException</c> (or a type derived from it), or an assert that something is not null
        /// (<c>Debug.Assert(x != null)</c>, <c>VM_BUG_ON(x == null)</c>). A precondition wherever it sits in the run.
        /// </summary>
        ArgumentValidation,

        /// <summary>
        /// A guard whose condition is nothing but null tests in the direction that leaves (<c>if (vma == null) return false;</c>).
        /// It is a precondition of a security guard after it that dereferences every path it tests.
        /// </summary>
        NullTest,
    }

    /// <summary>One statement of a guard run.</summary>
    internal sealed class GuardItem
    {
        private ImmutableHashSet<AccessPath>? dereferenced;

        public GuardItem(GuardItemKind kind, int index, IOperation statement, IOperation? condition, SyntaxNode? conditionSyntax, GuardExit? exit, ISymbol? securityRead)
            : this(kind, index, statement, condition, conditionSyntax, exit, securityRead, GuardPrecondition.None, ImmutableHashSet<AccessPath>.Empty)
        {
        }

        public GuardItem(
            GuardItemKind kind,
            int index,
            IOperation statement,
            IOperation? condition,
            SyntaxNode? conditionSyntax,
            GuardExit? exit,
            ISymbol? securityRead,
            GuardPrecondition precondition,
            ImmutableHashSet<AccessPath> nullTested)
        {
            Kind = kind;
            Index = index;
            Statement = statement;
            Condition = condition;
            ConditionSyntax = conditionSyntax;
            Exit = exit;
            SecurityRead = securityRead;
            Precondition = securityRead is null ? precondition : GuardPrecondition.None;
            NullTested = nullTested;
        }

        /// <summary>Is this guard argument validation or a null test (a precondition candidate)? Always None for a security guard.</summary>
        public GuardPrecondition Precondition { get; }

        /// <summary>The paths the guard leaves on when they are null (<c>vma</c> for <c>if (vma is null) return false;</c> or <c>ThrowIfNull(vma)</c>); empty otherwise.</summary>
        public ImmutableHashSet<AccessPath> NullTested { get; }

        /// <summary>The paths the condition dereferences (<c>vmf</c> and <c>vmf.vma</c> for <c>vmf.vma.vm_flags</c>), computed on demand.</summary>
        public ImmutableHashSet<AccessPath> Dereferenced => dereferenced ??= Preconditions.Dereferenced(Condition);

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
                    case GuardItemKind.Validation when Statement is IExpressionStatementOperation { Operation: IInvocationOperation helper }:
                        foreach (var argument in helper.Arguments)
                        {
                            yield return argument.Value;
                        }

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
    /// lambda): <c>if</c>s without else whose body always leaves, [DoesNotReturnIf] assert calls and
    /// argument-validation statements (<c>ArgumentNullException.ThrowIfNull(x);</c>, <c>_ = x ?? throw ...;</c>),
    /// with local declarations between them. Security guards (conditions that read a [SecurityCheck]
    /// symbol) must all precede the other guards, except the preconditions
    /// (<see cref="PreconditionItems"/>: argument validation, and null tests of what a later security
    /// guard dereferences).
    /// </summary>
    internal sealed class GuardRun
    {
        private GuardRun(IBlockOperation body, ImmutableArray<GuardItem> items)
        {
            Body = body;
            Items = items;
            // Loops, not LINQ: a run is built for every body of the compilation, nearly all without a
            // security guard, and each LINQ call here allocated a closure and an enumerator per run.
            PreconditionItems = FindPreconditions(items);
            foreach (var item in items)
            {
                if (item.IsGuard && !item.IsSecurityGuard && !PreconditionItems.Contains(item))
                {
                    FirstOtherGuard = item;
                    break;
                }
            }

            var misplaced = ImmutableArray<GuardItem>.Empty;
            if (FirstOtherGuard is not null)
            {
                foreach (var item in items)
                {
                    if (item.IsSecurityGuard && item.Index > FirstOtherGuard.Index)
                    {
                        misplaced = misplaced.Add(item);
                    }
                }
            }

            Misplaced = misplaced;
        }

        public IBlockOperation Body { get; }

        public ImmutableArray<GuardItem> Items { get; }

        /// <summary>
        /// The first guard that is neither a security guard nor a precondition (what misplaced security
        /// guards should precede).
        /// </summary>
        public GuardItem? FirstOtherGuard { get; }

        /// <summary>Security guards that come after <see cref="FirstOtherGuard"/>.</summary>
        public ImmutableArray<GuardItem> Misplaced { get; }

        /// <summary>
        /// The run's preconditions: argument validation anywhere in the run, and null-test guards whose
        /// every tested path a later security guard dereferences. They are not guards the security
        /// checks must precede.
        /// </summary>
        public ImmutableHashSet<GuardItem> PreconditionItems { get; }

        public bool IsPrecondition(GuardItem item) => PreconditionItems.Contains(item);

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
        /// Whether the body's leading guard run may hold a security guard: false only when no statement
        /// <see cref="Build"/> could take into the run reads a [SecurityCheck] member (the run then has no
        /// security guard, so nothing misplaced and none returning false). It looks at every statement up to
        /// the first one <see cref="Build"/> certainly ends the run at, a superset of the run's, each
        /// statement's whole tree (a superset of the item's condition). Asked for every body before the run is
        /// built: it allocates nothing, where building the run made an item per leading guard and declaration
        /// of every body of the compilation.
        /// </summary>
        public static bool MayHoldSecurityGuard(IBlockOperation body, GuardOrderSymbols symbols)
        {
            if (symbols.SecurityCheck is null)
            {
                return false;
            }

            foreach (var statement in body.Operations)
            {
                switch (statement)
                {
                    case IConditionalOperation { WhenFalse: null } conditional when conditional.Type is null && conditional.Condition is not null:
                        if (SecurityReads.FindSecurityRead(conditional.Condition, symbols) is not null)
                        {
                            return true;
                        }

                        break;
                    case IExpressionStatementOperation expression:
                        if (SecurityReads.FindSecurityRead(expression.Operation, symbols) is not null)
                        {
                            return true;
                        }

                        break;
                    case IVariableDeclarationGroupOperation:
                        break;
                    default:
                        return false; // TryCreateItem makes no item of it: the run ends here
                }
            }

            return false;
        }

        /// <summary>
        /// The body's leading guard run. With <paramref name="purity"/>, the run ends at the first
        /// declaration whose initializer may have a side effect; without it every declaration is
        /// accepted (a cheap first pass: a run with nothing misplaced needs no purity analysis).
        /// </summary>
        public static GuardRun Build(IBlockOperation body, GuardOrderSymbols symbols, Purity? purity, CancellationToken cancellationToken)
        {
            // The builder is made with the first item: most bodies do not begin with a guard clause.
            ImmutableArray<GuardItem>.Builder? items = null;
            foreach (var statement in body.Operations)
            {
                var item = TryCreateItem(statement, items?.Count ?? 0, symbols);
                if (item is null)
                {
                    break;
                }

                if (item.Kind == GuardItemKind.Declaration && purity is not null && purity.FindSideEffect(statement, cancellationToken) is not null)
                {
                    break;
                }

                (items ??= ImmutableArray.CreateBuilder<GuardItem>()).Add(item);
            }

            // Declarations after the last guard are not between guards.
            while (items is { Count: > 0 } && !items[items.Count - 1].IsGuard)
            {
                items.RemoveAt(items.Count - 1);
            }

            return new GuardRun(body, items is null ? ImmutableArray<GuardItem>.Empty : items.ToImmutable());
        }

        /// <summary>
        /// Which misplaced security guards can move in front of the other guards without changing
        /// behaviour, and the resulting order. A security guard moves together with the preconditions
        /// between the first other guard and it that null-test a path it dereferences (they keep their
        /// order in front of it: the security check would throw without them). Every mover must be pure;
        /// every guard and declaration a mover crosses must be pure, exit the same way and declare or
        /// test nothing the mover reads; and every misplaced security guard above it moves too (so the
        /// security guards keep their relative order).
        /// </summary>
        public GuardMovePlan Plan(Purity purity, CancellationToken cancellationToken)
        {
            var blockers = ImmutableDictionary.CreateBuilder<GuardItem, MoveBlocker?>();
            if (FirstOtherGuard is null || Misplaced.IsEmpty)
            {
                return new GuardMovePlan(Items, blockers.ToImmutable());
            }

            var moving = new HashSet<GuardItem>();
            GuardItem? firstBlocked = null;
            foreach (var security in Misplaced)
            {
                var needed = NeededPreconditions(security).Where(p => !moving.Contains(p)).ToList();
                var blocker = firstBlocked is not null
                    ? MoveBlocker.Crossing(FirstOtherGuard.Text, "the security check '" + firstBlocked.ConditionText + "' above it cannot be moved first")
                    : BlockerFor(security, needed, moving, purity, cancellationToken);
                blockers.Add(security, blocker);
                if (blocker is not null)
                {
                    firstBlocked ??= security;
                }
                else
                {
                    moving.UnionWith(needed);
                    moving.Add(security);
                }
            }

            var order = ImmutableArray.CreateBuilder<GuardItem>(Items.Length);
            order.AddRange(Items.Take(FirstOtherGuard.Index));
            order.AddRange(Items.Where(moving.Contains));
            order.AddRange(Items.Skip(FirstOtherGuard.Index).Where(i => !moving.Contains(i)));
            return new GuardMovePlan(order.ToImmutable(), blockers.ToImmutable());
        }

        /// <summary>
        /// The preconditions between <see cref="FirstOtherGuard"/> and <paramref name="security"/> that
        /// null-test a path it dereferences: they must stay in front of it, so they move with it.
        /// </summary>
        public IEnumerable<GuardItem> NeededPreconditions(GuardItem security)
        {
            if (FirstOtherGuard is null)
            {
                yield break;
            }

            for (var i = FirstOtherGuard.Index + 1; i < security.Index; i++)
            {
                var item = Items[i];
                if (PreconditionItems.Contains(item) && item.NullTested.Overlaps(security.Dereferenced))
                {
                    yield return item;
                }
            }
        }

        private static ImmutableHashSet<GuardItem> FindPreconditions(ImmutableArray<GuardItem> items)
        {
            ImmutableHashSet<GuardItem>.Builder? builder = null;
            foreach (var item in items)
            {
                switch (item.Precondition)
                {
                    case GuardPrecondition.ArgumentValidation:
                        (builder ??= ImmutableHashSet.CreateBuilder<GuardItem>()).Add(item);
                        break;
                    case GuardPrecondition.NullTest when !item.NullTested.IsEmpty:
                        for (var later = item.Index + 1; later < items.Length; later++)
                        {
                            if (items[later].IsSecurityGuard && item.NullTested.IsSubsetOf(items[later].Dereferenced))
                            {
                                (builder ??= ImmutableHashSet.CreateBuilder<GuardItem>()).Add(item);
                                break;
                            }
                        }

                        break;
                }
            }

            return builder?.ToImmutable() ?? ImmutableHashSet<GuardItem>.Empty;
        }

        private MoveBlocker? BlockerFor(GuardItem security, List<GuardItem> needed, HashSet<GuardItem> alreadyMoving, Purity purity, CancellationToken cancellationToken)
        {
            var first = FirstOtherGuard!;
            var movers = needed.Append(security).ToList();

            var involved = Items.Skip(first.Index).Take(security.Index - first.Index + 1).Where(i => !i.IsSecurityGuard || i == security);
            var syntaxReason = Reordering.SyntaxReason(involved.Select(c => c.StatementSyntax));
            if (syntaxReason is not null)
            {
                return MoveBlocker.General(syntaxReason);
            }

            if (involved.Any(c => !IsRewritable(c)))
            {
                return MoveBlocker.General("the guards are not plain statements of one block");
            }

            foreach (var mover in movers)
            {
                var what = mover == security ? "the security check itself: " : "its precondition '" + mover.Text + "': ";
                foreach (var evaluated in mover.Evaluated)
                {
                    var ownSideEffect = purity.FindSideEffect(evaluated, cancellationToken);
                    if (ownSideEffect is not null)
                    {
                        return MoveBlocker.Crossing(first.Text, what + Reordering.DescribeSideEffect(ownSideEffect));
                    }
                }
            }

            foreach (var mover in movers)
            {
                // What stays behind between the first other guard and this mover is crossed by it.
                var crossed = Items.Skip(first.Index).Take(mover.Index - first.Index)
                    .Where(i => !i.IsSecurityGuard && !alreadyMoving.Contains(i) && !movers.Contains(i));
                var moverName = mover == security ? "the security check" : "its precondition '" + mover.Text + "'";
                foreach (var item in crossed)
                {
                    string? reason = null;
                    foreach (var evaluated in item.Evaluated)
                    {
                        reason ??= Reordering.DataReason(mover.Condition, evaluated, purity, cancellationToken, moverName);
                    }

                    if (reason is null && item.IsGuard && (item.Exit is null || mover.Exit is null || !item.Exit.SameAs(mover.Exit)))
                    {
                        reason = "it " + (item.Exit?.Description ?? "leaves") + " where " + moverName + " " + (mover.Exit?.Description ?? "leaves");
                    }

                    if (reason is not null)
                    {
                        return MoveBlocker.Crossing(item.Text, reason);
                    }
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
                        var tested = Preconditions.NullTested(conditional.Condition, out var trueWhenNull);
                        var nullTested = tested is not null && trueWhenNull ? tested : ImmutableHashSet<AccessPath>.Empty;
                        var precondition =
                            exit.RejectsArgument ? GuardPrecondition.ArgumentValidation :
                            !nullTested.IsEmpty ? GuardPrecondition.NullTest :
                            GuardPrecondition.None;
                        return new GuardItem(
                            GuardItemKind.IfGuard,
                            index,
                            statement,
                            conditional.Condition,
                            conditionSyntax,
                            exit,
                            SecurityReads.FindSecurityRead(conditional.Condition, symbols),
                            precondition,
                            nullTested);
                    }

                case IExpressionStatementOperation { Operation: IInvocationOperation invocation } when Preconditions.IsThrowHelper(invocation.TargetMethod):
                    return new GuardItem(
                        GuardItemKind.Validation,
                        index,
                        statement,
                        invocation,
                        invocation.Syntax,
                        GuardExit.ThrowHelper(invocation.TargetMethod),
                        SecurityReads.FindSecurityRead(invocation, symbols),
                        GuardPrecondition.ArgumentValidation,
                        Preconditions.NullTestedByThrowHelper(invocation));

                case IExpressionStatementOperation { Operation: ISimpleAssignmentOperation { Target: IDiscardOperation, Value: ICoalesceOperation coalesce } }
                    when GuardExit.Unwrap(coalesce.WhenNull) is IThrowOperation thrown:
                    {
                        // `_ = vma ?? throw new ArgumentNullException(nameof(vma));`: argument validation;
                        // `_ = vma ?? throw new InvalidOperationException();`: a null test.
                        var exit = GuardExit.OfThrowExpression(thrown);
                        var nullTested = Preconditions.PathsOfTested(coalesce.Value) ?? ImmutableHashSet<AccessPath>.Empty;
                        if (!exit.RejectsArgument && nullTested.IsEmpty)
                        {
                            return null;
                        }

                        return new GuardItem(
                            GuardItemKind.Validation,
                            index,
                            statement,
                            coalesce.Value,
                            coalesce.Value.Syntax,
                            exit,
                            SecurityReads.FindSecurityRead(coalesce.Value, symbols),
                            exit.RejectsArgument ? GuardPrecondition.ArgumentValidation : GuardPrecondition.NullTest,
                            nullTested);
                    }

                case IExpressionStatementOperation { Operation: IInvocationOperation invocation }:
                    {
                        var asserted = AssertedArgument(invocation, symbols);
                        if (asserted?.Parameter is null)
                        {
                            return null;
                        }

                        // Leaves when the argument equals the attribute's value: Debug.Assert leaves on false, VM_BUG_ON on true.
                        var leavesWhen = GuardOrderSymbols.GetAttribute(asserted.Parameter.OriginalDefinition, symbols.DoesNotReturnIf) is { ConstructorArguments: { Length: 1 } arguments } &&
                            arguments[0].Value is bool value && value;
                        var tested = Preconditions.NullTested(asserted.Value, out var trueWhenNull);
                        var nullTested = tested is not null && trueWhenNull == leavesWhen ? tested : ImmutableHashSet<AccessPath>.Empty;
                        var conditionSyntax = asserted.Syntax is ArgumentSyntax argument ? argument.Expression : asserted.Value.Syntax;
                        return new GuardItem(
                            GuardItemKind.AssertGuard,
                            index,
                            statement,
                            asserted.Value,
                            conditionSyntax,
                            GuardExit.Assert(invocation.TargetMethod, asserted.Parameter),
                            SecurityReads.FindSecurityRead(asserted.Value, symbols),
                            nullTested.IsEmpty ? GuardPrecondition.None : GuardPrecondition.ArgumentValidation,
                            nullTested);
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
