using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace GuardOrder.Analyzers.Model
{
    /// <summary>
    /// Which calls may reach a [WriteGrant] member on a fault path's route: the grant itself, or a
    /// source helper (neither a [SecurityCheck] nor a predicate) whose body, its own helpers expanded
    /// to the same depth, contains such a call. A fault-path walk expands every such helper, whatever
    /// it returns (a <c>vm_fault_t wp_page_shared()</c> that reuses the page grants on the caller's
    /// route), besides the bool and object helpers it expands for their values
    /// (<see cref="IsExpandable"/>). Decided once per compilation, method and depth
    /// (<see cref="MethodBodies.HelperMayGrant"/>).
    /// </summary>
    internal static class GrantCalls
    {
        /// <summary>The kind of method a walk expands into its caller's routes.</summary>
        public static bool IsExpandable(IMethodSymbol method, GuardOrderSymbols symbols)
        {
            var original = (IMethodSymbol)GuardOrderSymbols.Original(method)!;
            var returnType = original.ReturnType;
            if (returnType.SpecialType != SpecialType.System_Boolean && !(returnType.IsReferenceType && returnType.SpecialType != SpecialType.System_String))
            {
                return false;
            }

            return !symbols.IsSecurityCheck(original) && !symbols.IsFaultPathPredicate(original);
        }

        /// <summary>A call of <paramref name="method"/> may grant on a route, helpers expanded <paramref name="levels"/> levels.</summary>
        public static bool MayGrant(IMethodSymbol method, int levels, GuardOrderSymbols symbols, MethodBodies bodies, CancellationToken cancellationToken)
        {
            if (symbols.IsWriteGrant(method))
            {
                return true;
            }

            // Any helper whose routes may grant is expanded on a fault path (whatever it returns).
            var original = (IMethodSymbol)GuardOrderSymbols.Original(method)!;
            // A helper whose syntax cannot reach a grant (GrantSyntax) is known not to without being bound.
            if (levels <= 0 || symbols.IsSecurityCheck(original) || symbols.IsFaultPathPredicate(original) ||
                !GrantSyntax.For(symbols).MayGrant(original, levels - 1, cancellationToken))
            {
                return false;
            }

            // Decided once per method and depth: the answer, when known, without the closure of the deciding call.
            return bodies.KnownHelperMayGrant(original, levels - 1) ?? bodies.HelperMayGrant(
                original,
                levels - 1,
                (body, remaining) => BodyMayGrant(body, remaining, symbols, bodies, cancellationToken),
                cancellationToken);
        }

        /// <summary>
        /// Some call in <paramref name="body"/> may grant, helpers expanded <paramref name="levels"/> levels. A call of a
        /// [WriteGrant] method answers yes at any level, so those are looked for first: a fault path that calls its
        /// grant itself (every <c>do_wp_page</c>) is answered without deciding, and binding, the helpers it calls before it.
        /// </summary>
        public static bool BodyMayGrant(IOperation body, int levels, GuardOrderSymbols symbols, MethodBodies bodies, CancellationToken cancellationToken) =>
            OperationStack.AnyInvocation(body, symbols, (call, s) => s.IsWriteGrant(call.TargetMethod)) ||
            OperationStack.AnyInvocation(body, (levels, symbols, bodies, cancellationToken), (call, s) => MayGrant(call.TargetMethod, s.levels, s.symbols, s.bodies, s.cancellationToken));

        /// <summary>The method's own body may reach a grant on some route (GO0006: a fault path with no grant to match).</summary>
        public static bool MethodMayGrant(IMethodSymbol method, int levels, GuardOrderSymbols symbols, MethodBodies bodies, CancellationToken cancellationToken) =>
            bodies.GetBody(method, cancellationToken) is { } body && BodyMayGrant(body, levels, symbols, bodies, cancellationToken);
    }
}
