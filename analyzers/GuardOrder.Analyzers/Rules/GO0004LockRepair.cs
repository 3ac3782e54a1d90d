using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using GuardOrder.Analyzers.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace GuardOrder.Analyzers
{
    /// <summary>
    /// What the GO0004 fix "Release the lock on this route" would do for one issue, or why it is not
    /// offered. Computed by the analyzer (the refusal becomes the diagnostic's <c>fixRefusal</c>
    /// property) and again by the fix from the current document. The fix only ever adds a release
    /// before an exit, or turns an ignored try-lock into <c>if (!trylock(x)) return false;</c>.
    /// </summary>
    internal sealed class GO0004LockRepair
    {
        /// <summary>Diagnostic property: <see cref="ReleaseKind"/> or <see cref="BranchKind"/> when the fix is offered.</summary>
        public const string FixProperty = "GO0004.Fix";

        /// <summary>Diagnostic property: why no fix is offered (also on GO0003 and GO0005).</summary>
        public const string RefusalProperty = "fixRefusal";

        public const string ReleaseKind = "Release";
        public const string BranchKind = "Branch";

        /// <summary>The method releases this lock in a <c>finally</c>: the locked region is wrapped in <c>try</c>/<c>finally</c> too.</summary>
        public const string WrapKind = "Wrap";

        private GO0004LockRepair(string? kind, string? refusal, ImmutableArray<StatementSyntax> exits, ExpressionStatementSyntax? release, ExpressionStatementSyntax? ignored, InvocationExpressionSyntax? tryCall)
        {
            Kind = kind;
            Refusal = refusal;
            Exits = exits;
            Release = release;
            Ignored = ignored;
            TryCall = tryCall;
        }

        /// <summary><see cref="ReleaseKind"/>, <see cref="BranchKind"/>, or null (refused).</summary>
        public string? Kind { get; }

        public string? Refusal { get; }

        /// <summary>Release: the leaking <c>return</c>s and <c>continue</c>s, each gets the release in front of it.</summary>
        public ImmutableArray<StatementSyntax> Exits { get; }

        /// <summary>Release: the method's own release statement for the lock (copied, without trivia).</summary>
        public ExpressionStatementSyntax? Release { get; }

        /// <summary>Branch: the statement that drops the try-lock's result.</summary>
        public ExpressionStatementSyntax? Ignored { get; }

        /// <summary>Branch: the try-lock call.</summary>
        public InvocationExpressionSyntax? TryCall { get; }

        /// <summary>Wrap: the statements after the acquisition that run with the lock held (one block's consecutive statements).</summary>
        public ImmutableArray<StatementSyntax> Region { get; private set; } = ImmutableArray<StatementSyntax>.Empty;

        /// <summary>Wrap: the release statement right after the region (it moves into the new finally), if any.</summary>
        public ExpressionStatementSyntax? RegionRelease { get; private set; }

        /// <summary>Wrap: the try right after the region whose finally releases the lock (the region moves to the start of its try block), if any.</summary>
        public TryStatementSyntax? RegionTry { get; private set; }

        public ImmutableDictionary<string, string?> Properties()
        {
            var builder = ImmutableDictionary.CreateBuilder<string, string?>();
            if (Kind is not null)
            {
                builder.Add(FixProperty, Kind);
            }
            else if (Refusal is not null)
            {
                builder.Add(RefusalProperty, Refusal);
            }

            return builder.ToImmutable();
        }

        private static GO0004LockRepair Refuse(string reason) =>
            new GO0004LockRepair(null, reason, ImmutableArray<StatementSyntax>.Empty, null, null, null);

        /// <summary>The repair for <paramref name="issue"/> found by a Locks-mode walk of <paramref name="body"/>.</summary>
        public static GO0004LockRepair Plan(LockIssue issue, bool atBackEdge, ImmutableArray<Route> routes, IMethodBodyOperation body, IMethodSymbol method, GuardOrderSymbols symbols)
        {
            return issue.Kind switch
            {
                "leak" => PlanRelease(issue, atBackEdge, routes, body, symbols),
                "try-ignored" => PlanBranch(issue, body, method, symbols),
                "try-unchecked" => Refuse("the try-lock's result is kept but not branched on: which branch is meant is not certain"),
                "unheld-release" => Refuse("a release without a held lock: removing or moving it is not certain"),
                _ => Refuse("no fix for this kind of lock problem"),
            };
        }

        private static GO0004LockRepair PlanRelease(LockIssue issue, bool atBackEdge, ImmutableArray<Route> routes, IMethodBodyOperation body, GuardOrderSymbols symbols)
        {
            if (issue.Operation is not IInvocationOperation acquire)
            {
                return Refuse("the acquisition is not a call");
            }

            var argument = LockArgument(acquire);
            if (argument is not (IParameterReferenceOperation or ILocalReferenceOperation))
            {
                return Refuse("the lock is taken on '" + argument?.Syntax + "', not on a local or parameter: the same object at the exit is not certain");
            }

            var variable = argument is IParameterReferenceOperation p ? (ISymbol)p.Parameter : ((ILocalReferenceOperation)argument).Local;
            if (WrittenAfter(body, variable, acquire.Syntax.SpanStart))
            {
                return Refuse("'" + variable.Name + "' is assigned after the lock is taken: the same object at the exit is not certain");
            }

            var releases = body.Descendants().OfType<IInvocationOperation>()
                .Where(i => symbols.IsReleasesLock(i.TargetMethod) && SameLock(i, acquire))
                .ToList();
            if (releases.Count == 0)
            {
                return Refuse("the method never releases the lock taken by " + acquire.Syntax + ": which release to call is not certain");
            }

            if (releases.Any(r => r.Syntax.Ancestors().OfType<FinallyClauseSyntax>().Any()))
            {
                return atBackEdge
                    ? Refuse("the method releases this lock in a finally block and the lock is carried around a loop: where to wrap is not certain")
                    : PlanWrap(acquire, routes, releases, symbols);
            }

            if (releases.Select(r => r.TargetMethod.OriginalDefinition).Distinct(SymbolEqualityComparer.Default).Count() > 1)
            {
                return Refuse("the method releases this lock with more than one method: which one to call is not certain");
            }

            var release = releases.Select(r => r.Syntax.Parent).OfType<ExpressionStatementSyntax>().FirstOrDefault();
            if (release is null)
            {
                return Refuse("the method's release of this lock is not a statement of its own");
            }

            // At a back edge the exits the lock also leaks through are those of routes that carried it out
            // of the loop: releasing before each 'continue' closes them too (the fresh walk confirms it).
            var exits = new List<IOperation>();
            foreach (var leak in routes.SelectMany(r => r.State.Issues).Where(i => !atBackEdge && i.Kind == "leak" && i.Operation.Syntax == acquire.Syntax))
            {
                var exit = leak.Related.Count > 1 ? leak.Related[1] : null;
                if (exit is null)
                {
                    return Refuse("a route leaves the method without a 'return' with a value: where to release is not certain");
                }

                if (!exits.Any(e => e.Syntax == exit.Syntax))
                {
                    exits.Add(exit);
                }
            }

            var statements = ImmutableArray.CreateBuilder<StatementSyntax>();
            if (atBackEdge)
            {
                // The next iteration starts with the lock held: release before each 'continue' of the
                // acquiring loop after the acquisition (a fresh walk of the result confirms the leak is gone).
                var loop = acquire.Syntax.Ancestors().TakeWhile(a => a is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax)).FirstOrDefault(IsLoop);
                var tryGuard = acquire.Syntax.Ancestors().OfType<IfStatementSyntax>().FirstOrDefault(i => i.Condition.Span.Contains(acquire.Syntax.Span));
                var continues = loop is null
                    ? new List<ContinueStatementSyntax>()
                    : loop.DescendantNodes(n => n == loop || !(IsLoop(n) || n is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax))
                        .OfType<ContinueStatementSyntax>()
                        .Where(c => c.SpanStart > acquire.Syntax.Span.End && (tryGuard is null || !tryGuard.Statement.Span.Contains(c.Span)))
                        .ToList();
                if (continues.Count == 0)
                {
                    return Refuse("the lock is still held at the loop's back edge without a 'continue': where in the loop to release it is not certain");
                }

                foreach (var next in continues)
                {
                    if (next.Parent is not (BlockSyntax or SwitchSectionSyntax or IfStatementSyntax or ElseClauseSyntax))
                    {
                        return Refuse("the continue at line " + (next.GetLocation().GetLineSpan().StartLinePosition.Line + 1) + " is not in a block or an if/else: where to put the release is not certain");
                    }

                    statements.Add(next);
                }
            }
            else if (exits.Count == 0)
            {
                return Refuse("no leaking exit found");
            }

            foreach (var exit in exits)
            {
                var line = exit.Syntax.GetLocation().GetLineSpan().StartLinePosition.Line + 1;
                if (exit.Syntax.Parent is not ReturnStatementSyntax ret)
                {
                    return Refuse("the exit at line " + line + " is not a return statement");
                }

                // Every route that leaves through this return must hold the lock, or the release would be unheld there.
                var through = routes.Where(r => r.End == RouteEnd.Return && r.State.ReturnOperation?.Syntax == exit.Syntax).ToList();
                if (through.Any(r => !r.State.Held.Any(h => h.Acquire is IInvocationOperation held && SameLock(held, acquire))))
                {
                    return Refuse("the return at line " + line + " is also reached without the lock held: release on the locked route only, e.g. through an unlock label");
                }

                var value = Unwrap(exit);
                if (!(value.ConstantValue.HasValue || value is ILocalReferenceOperation || value is IParameterReferenceOperation))
                {
                    return Refuse("the return at line " + line + " computes '" + exit.Syntax + "' under the lock: releasing before it would read it unlocked");
                }

                if (ret.Parent is not (BlockSyntax or SwitchSectionSyntax or IfStatementSyntax or ElseClauseSyntax))
                {
                    return Refuse("the return at line " + line + " is not in a block or an if/else: where to put the release is not certain");
                }

                statements.Add(ret);
            }

            return new GO0004LockRepair(ReleaseKind, null, statements.ToImmutable(), release, null, null);
        }

        /// <summary>
        /// The method already releases this lock in a <c>finally</c>: the statements that run after the
        /// acquisition with the lock held (up to the release that ends them, the try whose finally does, or
        /// the end of the block) are wrapped in <c>try { ... } finally { release; }</c>, or moved to the start
        /// of that try. Every exit of the region then releases the lock, as the method's own idiom does.
        /// </summary>
        private static GO0004LockRepair PlanWrap(IInvocationOperation acquire, ImmutableArray<Route> routes, List<IInvocationOperation> releases, GuardOrderSymbols symbols)
        {
            if (releases.Select(r => r.TargetMethod.OriginalDefinition).Distinct(SymbolEqualityComparer.Default).Count() > 1)
            {
                return Refuse("the method releases this lock with more than one method: which one to call is not certain");
            }

            var acquiring = acquire.Syntax.Ancestors().OfType<StatementSyntax>().FirstOrDefault();
            var isGuard = acquiring is IfStatementSyntax { Else: null } guard && guard.Condition.Span.Contains(acquire.Syntax.Span) && IsReturnFalse(guard.Statement);
            if (acquiring is null || !(isGuard || acquiring is ExpressionStatementSyntax { Expression: InvocationExpressionSyntax }) || acquiring.Parent is not BlockSyntax block)
            {
                return Refuse("the method releases this lock in a finally block, but the lock is not taken by a statement of its own in a block ('lock(x);' or 'if (!trylock(x)) return false;'): what to wrap is not certain");
            }

            var statements = block.Statements;
            var region = new List<StatementSyntax>();
            ExpressionStatementSyntax? endRelease = null;
            TryStatementSyntax? endTry = null;
            foreach (var statement in statements.Skip(statements.IndexOf(acquiring) + 1))
            {
                if (statement is ExpressionStatementSyntax expression && releases.Any(r => r.Syntax.Parent == expression))
                {
                    endRelease = expression;
                    break;
                }

                if (statement is TryStatementSyntax { Catches.Count: 0, Finally: { } fin } tryStatement &&
                    fin.Block.Statements.OfType<ExpressionStatementSyntax>().Any(e => releases.Any(r => r.Syntax.Parent == e)))
                {
                    endTry = tryStatement;
                    break;
                }

                region.Add(statement);
            }

            if (region.Count == 0)
            {
                return Refuse("nothing runs between the acquisition and its release: nothing to wrap");
            }

            var span = Microsoft.CodeAnalysis.Text.TextSpan.FromBounds(region[0].SpanStart, region[region.Count - 1].Span.End);
            if (releases.Any(r => span.Contains(r.Syntax.Span)))
            {
                return Refuse("the locked region also releases the lock: wrapping it in try/finally would release it twice");
            }

            if (region.Any(r => r.DescendantNodesAndSelf().Any(n => n is LabeledStatementSyntax or GotoStatementSyntax or YieldStatementSyntax)))
            {
                return Refuse("the locked region has labels, gotos or yields: wrapping it is not certain");
            }

            if (region.Any(r => r.DescendantTokens().Any(t => t.Text.IndexOf('\n') >= 0)))
            {
                return Refuse("the locked region has a multi-line literal: re-indenting it would change it");
            }

            // Locals declared in the region must not be used after it (the try block would end their scope).
            var declared = new HashSet<string>(region.OfType<LocalDeclarationStatementSyntax>().SelectMany(d => d.Declaration.Variables).Select(v => v.Identifier.ValueText));
            var after = statements.Skip(statements.IndexOf(region[region.Count - 1]) + 1);
            if (declared.Count > 0 && after.SelectMany(a => a.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>()).Any(i => declared.Contains(i.Identifier.ValueText)))
            {
                return Refuse("a local declared in the locked region is used after it: wrapping would end its scope");
            }

            // Every leaking exit of this acquisition is in the region.
            foreach (var leak in routes.SelectMany(r => r.State.Issues).Where(i => i.Kind == "leak" && i.Operation.Syntax == acquire.Syntax))
            {
                var exit = leak.Related.Count > 1 ? leak.Related[1] : null;
                if (exit is null || !span.Contains(exit.Syntax.Span))
                {
                    return Refuse("the lock leaks through an exit outside the statements that follow its acquisition: what to wrap is not certain");
                }
            }

            return new GO0004LockRepair(WrapKind, null, ImmutableArray<StatementSyntax>.Empty, releases.Select(r => r.Syntax.Parent).OfType<ExpressionStatementSyntax>().FirstOrDefault(), null, null)
            {
                Region = region.ToImmutableArray(),
                RegionRelease = endRelease,
                RegionTry = endTry,
            };
        }

        private static bool IsReturnFalse(StatementSyntax statement)
        {
            while (statement is BlockSyntax { Statements.Count: 1 } block)
            {
                statement = block.Statements[0];
            }

            return statement is ReturnStatementSyntax { Expression: LiteralExpressionSyntax literal } && literal.IsKind(Microsoft.CodeAnalysis.CSharp.SyntaxKind.FalseLiteralExpression);
        }

        private static bool IsLoop(SyntaxNode node) =>
            node is ForStatementSyntax or ForEachStatementSyntax or WhileStatementSyntax or DoStatementSyntax;

        private static GO0004LockRepair PlanBranch(LockIssue issue, IMethodBodyOperation body, IMethodSymbol method, GuardOrderSymbols symbols)
        {
            if (issue.Operation is not IInvocationOperation attempt || attempt.Syntax is not InvocationExpressionSyntax call)
            {
                return Refuse("the try-lock is not a plain call");
            }

            var statement = call.Parent as ExpressionStatementSyntax ??
                (call.Parent is AssignmentExpressionSyntax { Left: IdentifierNameSyntax { Identifier.ValueText: "_" } } discard ? discard.Parent as ExpressionStatementSyntax : null);
            if (statement is null)
            {
                return Refuse("the try-lock's result is dropped inside an expression");
            }

            if (method.ReturnType.SpecialType != SpecialType.System_Boolean)
            {
                return Refuse("the method does not return bool: what to do when the lock is not taken is not certain");
            }

            // The rule: 'return false' on a failed try-lock is certain in an early-write predicate (false only
            // sends the caller down the slow, checked path) and in a method that already answers a failed
            // try-lock that way.
            var predicate = GuardOrderSymbols.HasAttribute(method, symbols.MustMatchFaultPath);
            var idiom = body.Descendants().OfType<IConditionalOperation>().Any(c =>
                c.WhenFalse is null &&
                c.Condition is IUnaryOperation { OperatorKind: UnaryOperatorKind.Not, Operand: IInvocationOperation tried } &&
                symbols.IsTryAcquiresLock(tried.TargetMethod) &&
                ReturnsFalse(c.WhenTrue));
            if (!predicate && !idiom)
            {
                return Refuse("returning false when the lock is not taken is certain only in a [MustMatchFaultPath] predicate or a method that already does so with 'if (!trylock(x)) return false;'");
            }

            if (statement.Parent is not BlockSyntax ||
                statement.Ancestors().TakeWhile(a => a != body.Syntax).Any(a => a is ForStatementSyntax or ForEachStatementSyntax or WhileStatementSyntax or DoStatementSyntax or AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax or TryStatementSyntax or SwitchStatementSyntax))
            {
                return Refuse("the try-lock is inside a loop, try, switch or nested function: a 'return false' there is not certain");
            }

            return new GO0004LockRepair(BranchKind, null, ImmutableArray<StatementSyntax>.Empty, null, statement, call);
        }

        private static bool ReturnsFalse(IOperation operation)
        {
            while (operation is IBlockOperation { Operations.Length: 1 } block)
            {
                operation = block.Operations[0];
            }

            return operation is IReturnOperation { ReturnedValue: { ConstantValue: { HasValue: true, Value: false } } };
        }

        internal static bool WrittenAfter(IMethodBodyOperation body, ISymbol variable, int position)
        {
            foreach (var operation in body.Descendants())
            {
                var target = operation switch
                {
                    IAssignmentOperation a => a.Target,
                    IIncrementOrDecrementOperation i => i.Target,
                    IArgumentOperation { Parameter.RefKind: RefKind.Ref or RefKind.Out } arg => arg.Value,
                    _ => null,
                };
                var written = target switch
                {
                    ILocalReferenceOperation l => l.Local,
                    IParameterReferenceOperation p => (ISymbol)p.Parameter,
                    _ => null,
                };
                if (written is not null && SymbolEqualityComparer.Default.Equals(written, variable) && operation.Syntax.SpanStart > position)
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>The object a lock call acts on: its first argument, or the receiver.</summary>
        public static IOperation? LockArgument(IInvocationOperation invocation) =>
            invocation.Arguments.Length > 0 ? Unwrap(invocation.Arguments[0].Value) : invocation.Instance is { } instance ? Unwrap(instance) : null;

        /// <summary>Same kind of lock (first parameter's type) on the same written object.</summary>
        public static bool SameLock(IInvocationOperation a, IInvocationOperation b)
        {
            var argA = LockArgument(a);
            var argB = LockArgument(b);
            return argA is not null && argB is not null &&
                argA.Syntax.ToString() == argB.Syntax.ToString() &&
                Subject.SameType(Family(a), Family(b));
        }

        private static ITypeSymbol Family(IInvocationOperation invocation)
        {
            var method = invocation.TargetMethod.OriginalDefinition;
            return method.Parameters.Length > 0 ? method.Parameters[0].Type : method.ContainingType;
        }

        private static IOperation Unwrap(IOperation operation)
        {
            while (operation is IConversionOperation { IsImplicit: true } conversion)
            {
                operation = conversion.Operand;
            }

            return operation;
        }
    }
}
