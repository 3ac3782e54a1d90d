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
    /// What the GO0003 fix "Re-check under the lock" would do, or why it is not offered. The unlocked
    /// read sits in a guard <c>if (&lt;check&gt;) return false;</c>, and the predicate later takes the
    /// lock the fault path holds for that fact with <c>if (!trylock(x)) return false;</c>: the same
    /// check is added right after that guard, releasing the lock on the new exit
    /// (<c>if (PageKsm(page)) { unlock_page(page); return false; }</c>); the early test stays as an
    /// optimisation, as in do_wp_page. Only for a pure check over locals and parameters that are not
    /// assigned after it, and whose reads of the locked kind of object all name the locked variable.
    /// </summary>
    internal sealed class GO0003RecheckRepair
    {
        /// <summary>Diagnostic property: the lock's kind (documentation id of the type, e.g. <c>T:page</c>) when the fix is offered.</summary>
        public const string LockProperty = "GO0003.LockFamily";

        private GO0003RecheckRepair(string? refusal, IfStatementSyntax? check, StatementSyntax? lockGuard, ExpressionStatementSyntax? release, string? family)
        {
            Refusal = refusal;
            Check = check;
            LockGuard = lockGuard;
            Release = release;
            Family = family;
        }

        public string? Refusal { get; }

        /// <summary>The unlocked guard whose check is repeated.</summary>
        public IfStatementSyntax? Check { get; }

        /// <summary>The predicate's <c>if (!trylock(x)) return false;</c>: the re-check goes right after it.</summary>
        public StatementSyntax? LockGuard { get; }

        /// <summary>The method's own release of that lock.</summary>
        public ExpressionStatementSyntax? Release { get; }

        public string? Family { get; }

        public ImmutableDictionary<string, string?> Properties()
        {
            var builder = ImmutableDictionary.CreateBuilder<string, string?>();
            if (Refusal is null)
            {
                builder.Add(LockProperty, Family);
            }
            else
            {
                builder.Add(GO0004LockRepair.RefusalProperty, Refusal);
            }

            return builder.ToImmutable();
        }

        private static GO0003RecheckRepair Refuse(string reason) => new GO0003RecheckRepair(reason, null, null, null, null);

        /// <summary>The repair for the unlocked read at <paramref name="read"/>, whose fault path holds a lock of kind <paramref name="family"/>.</summary>
        /// <summary>
        /// May <paramref name="condition"/> be evaluated again under the lock? When it is pure
        /// (<see cref="Purity"/>), or made of operators over pure operands and calls of
        /// <c>[FaultPathCheck]</c> members: the annotation declares a member a read of the state the
        /// fault path decides on, which the fault path itself makes again under the lock
        /// (do_wp_page reads <c>PageKsm(page)</c> before and after <c>trylock_page</c>), whatever the
        /// member's body does to model that state (sample-mm's checks run a hook that lets other CPUs
        /// act between reads).
        /// </summary>
        private static bool Repeatable(IOperation operation, GuardOrderSymbols symbols, Purity purity, CancellationToken cancellationToken)
        {
            if (purity.IsPure(operation, cancellationToken))
            {
                return true;
            }

            switch (operation)
            {
                case IInvocationOperation call when symbols.IsFaultPathCheck(call.TargetMethod):
                    return (call.Instance is null || Repeatable(call.Instance, symbols, purity, cancellationToken)) &&
                        call.Arguments.All(a => a.ArgumentKind != ArgumentKind.ParamArray && a.Parameter?.RefKind is null or RefKind.None && Repeatable(a.Value, symbols, purity, cancellationToken));
                case IPropertyReferenceOperation property when symbols.IsFaultPathCheck(property.Property):
                    return property.Instance is null || Repeatable(property.Instance, symbols, purity, cancellationToken);
                case IBinaryOperation { OperatorMethod: null } binary:
                    return Repeatable(binary.LeftOperand, symbols, purity, cancellationToken) && Repeatable(binary.RightOperand, symbols, purity, cancellationToken);
                case IUnaryOperation { OperatorMethod: null } unary:
                    return Repeatable(unary.Operand, symbols, purity, cancellationToken);
                case IConversionOperation { OperatorMethod: null } conversion:
                    return Repeatable(conversion.Operand, symbols, purity, cancellationToken);
                case IParenthesizedOperation parenthesized:
                    return Repeatable(parenthesized.Operand, symbols, purity, cancellationToken);
                case IIsPatternOperation pattern:
                    return purity.IsPure(pattern.Pattern, cancellationToken) && Repeatable(pattern.Value, symbols, purity, cancellationToken);
                default:
                    return false;
            }
        }

        public static GO0003RecheckRepair Plan(SyntaxNode read, ITypeSymbol family, IMethodBodyOperation body, GuardOrderSymbols symbols, Purity purity, CancellationToken cancellationToken)
        {
            var familyId = family.OriginalDefinition.GetDocumentationCommentId();
            var checkSyntax = read.AncestorsAndSelf().OfType<IfStatementSyntax>().FirstOrDefault(i => i.Condition.Span.Contains(read.Span));
            var check = checkSyntax is null ? null : body.Descendants().OfType<IConditionalOperation>().FirstOrDefault(c => c.Syntax == checkSyntax);
            if (checkSyntax is null || check is null || check.WhenFalse is not null || !ReturnsFalse(check.WhenTrue))
            {
                return Refuse("the fact is not read in an 'if (...) return false;' guard: where and how to re-check it under the lock is not certain");
            }

            var lockGuard = body.Descendants().OfType<IConditionalOperation>()
                .Where(c => c.Syntax.SpanStart > checkSyntax.Span.End && c.WhenFalse is null && ReturnsFalse(c.WhenTrue) &&
                    c.Condition is IUnaryOperation { OperatorKind: UnaryOperatorKind.Not, Operand: IInvocationOperation attempt } &&
                    symbols.IsTryAcquiresLock(attempt.TargetMethod) && FamilyOf(attempt).OriginalDefinition.GetDocumentationCommentId() == familyId)
                .OrderBy(c => c.Syntax.SpanStart)
                .FirstOrDefault();
            if (lockGuard is null || lockGuard.Syntax is not IfStatementSyntax lockGuardSyntax)
            {
                return Refuse("the predicate does not take the lock later with 'if (!trylock(x)) return false;': where to re-check is not certain");
            }

            if (lockGuardSyntax.Parent is not BlockSyntax ||
                !checkSyntax.Ancestors().Contains(lockGuardSyntax.Parent))
            {
                return Refuse("the try-lock guard is not in a block that encloses the unlocked check");
            }

            var attemptCall = (IInvocationOperation)((IUnaryOperation)lockGuard.Condition).Operand;
            var locked = GO0004LockRepair.LockArgument(attemptCall);
            var lockedSymbol = locked switch
            {
                ILocalReferenceOperation l => (ISymbol)l.Local,
                IParameterReferenceOperation p => p.Parameter,
                _ => null,
            };
            if (lockedSymbol is null)
            {
                return Refuse("the lock is taken on '" + locked?.Syntax + "', not on a local or parameter");
            }

            var condition = check.Condition;
            if (!Repeatable(condition, symbols, purity, cancellationToken) || condition.DescendantsAndSelf().Any(Purity.MayThrow))
            {
                return Refuse("the check '" + condition.Syntax + "' is not a pure condition");
            }

            foreach (var operation in condition.DescendantsAndSelf())
            {
                switch (operation)
                {
                    case IInstanceReferenceOperation:
                    case IFieldReferenceOperation { Field: { IsStatic: true, IsConst: false } }:
                        return Refuse("the check reads more than locals and parameters");
                    case ILocalReferenceOperation local when GO0004LockRepair.WrittenAfter(body, local.Local, checkSyntax.SpanStart):
                        return Refuse("'" + local.Local.Name + "' is assigned after the check: the same value under the lock is not certain");
                    case IParameterReferenceOperation parameter when GO0004LockRepair.WrittenAfter(body, parameter.Parameter, checkSyntax.SpanStart):
                        return Refuse("'" + parameter.Parameter.Name + "' is assigned after the check: the same value under the lock is not certain");
                    case IArgumentOperation argument when argument.Value.Type is { } type && Subject.SameType(type, family) &&
                        !(Unwrap(argument.Value) is ILocalReferenceOperation l2 && SymbolEqualityComparer.Default.Equals(l2.Local, lockedSymbol)) &&
                        !(Unwrap(argument.Value) is IParameterReferenceOperation p2 && SymbolEqualityComparer.Default.Equals(p2.Parameter, lockedSymbol)):
                        return Refuse("the check reads '" + argument.Value.Syntax + "', not the locked '" + lockedSymbol.Name + "'");
                }
            }

            var releases = body.Descendants().OfType<IInvocationOperation>()
                .Where(i => symbols.IsReleasesLock(i.TargetMethod) && GO0004LockRepair.SameLock(i, attemptCall))
                .ToList();
            if (releases.Count == 0 || releases.Select(r => r.TargetMethod.OriginalDefinition).Distinct(SymbolEqualityComparer.Default).Count() > 1)
            {
                return Refuse("the predicate releases the lock with no, or more than one, method: which release to call is not certain");
            }

            var release = releases.Select(r => r.Syntax.Parent).OfType<ExpressionStatementSyntax>().FirstOrDefault();
            if (release is null)
            {
                return Refuse("the predicate's release of the lock is not a statement of its own");
            }

            var normalized = Normalize(checkSyntax.Condition);
            var block = (BlockSyntax)lockGuardSyntax.Parent;
            if (block.Statements.SkipWhile(s => s != lockGuardSyntax).Skip(1).OfType<IfStatementSyntax>().Any(i => Normalize(i.Condition) == normalized))
            {
                return Refuse("the check is already repeated after the lock is taken");
            }

            return new GO0003RecheckRepair(null, checkSyntax, lockGuardSyntax, release, familyId);
        }

        private static ITypeSymbol FamilyOf(IInvocationOperation invocation)
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

        private static bool ReturnsFalse(IOperation operation)
        {
            while (operation is IBlockOperation { Operations.Length: 1 } block)
            {
                operation = block.Operations[0];
            }

            return operation is IReturnOperation { ReturnedValue: { ConstantValue: { HasValue: true, Value: false } } };
        }

        private static string Normalize(SyntaxNode condition) =>
            new string(condition.WithoutTrivia().ToString().Where(c => !char.IsWhiteSpace(c)).ToArray());
    }
}
