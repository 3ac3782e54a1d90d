using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace GuardOrder.Analyzers.Model
{
    /// <summary>Locks along a route: acquisition, release, and the GO0004 issues found on the way.</summary>
    internal sealed partial class RouteWalker
    {
        // ----- locks ------------------------------------------------------------------------

        private HeldLock LockOf(IInvocationOperation invocation)
        {
            var argument = invocation.Arguments.Length > 0 ? invocation.Arguments[0].Value : invocation.Instance;
            var key = argument is null ? null : Key(Unwrap(argument));
            var method = (IMethodSymbol)GuardOrderSymbols.Original(invocation.TargetMethod)!;
            ITypeSymbol family = method.Parameters.Length > 0 ? method.Parameters[0].Type : method.ContainingType;
            return new HeldLock(key, family, invocation);
        }

        private RouteState Release(RouteState state, IInvocationOperation release, int depth)
        {
            var releasing = LockOf(release);
            if (depth == 0)
            {
                foreach (var pending in state.PendingTries)
                {
                    if (pending is IInvocationOperation attempt && LockOf(attempt).SameFamily(releasing))
                    {
                        state = UncheckedBeforeRelease(state, pending, release);
                        state = state.WithPendingTries(state.PendingTries.Remove(pending));
                    }
                }
            }

            // Loops, not FirstOrDefault with lambdas: the closures were allocated on every release of every route.
            HeldLock? match = null;
            if (releasing.Target is not null)
            {
                foreach (var h in state.Held)
                {
                    if (releasing.Target.Equals(h.Target))
                    {
                        match = h;
                        break;
                    }
                }
            }

            if (match is null)
            {
                foreach (var h in state.Held)
                {
                    if (h.SameFamily(releasing))
                    {
                        match = h;
                        break;
                    }
                }
            }

            if (match is null)
            {
                return depth == 0 && _mode == RouteMode.Locks ? UnheldRelease(state, release) : state;
            }

            return state.WithHeld(state.Held.Remove(match));
        }

        // The issues' message closures live in methods of their own, so that only a route with an issue pays for them.
        private RouteState UncheckedBeforeRelease(RouteState state, IOperation pending, IOperation release) =>
            Issue(state, pending, "try-unchecked", () => Text(pending) + " is not branched on before " + Text(release) + " releases the lock it may not hold", release);

        private RouteState UnheldRelease(RouteState state, IOperation release)
        {
            var trail = _trail;
            return Issue(state, release, "unheld-release", () => Text(release) + " releases a lock that is not held on the route through " + RouteText(trail));
        }

        private RouteState CheckPendingTries(RouteState state, IOperation guarded) =>
            state.PendingTries.IsEmpty ? state : ReportPendingTries(state, guarded);

        private RouteState ReportPendingTries(RouteState state, IOperation guarded)
        {
            foreach (var pending in state.PendingTries)
            {
                state = Issue(state, pending, "try-unchecked", () => Text(pending) + " is not branched on before " + Text(guarded) + ", the code it guards", guarded);
            }

            return state.PendingTries.IsEmpty ? state : state.WithPendingTries(ImmutableList<IOperation>.Empty);
        }

        /// <summary>GO0004: a lock taken inside a loop body and still held at its back edge.</summary>
        private void CheckLocksAtBackEdge(RouteState state, ImmutableList<HeldLock>? heldAtEntry)
        {
            var trail = _trail;
            foreach (var held in state.Held)
            {
                if (heldAtEntry is null || !heldAtEntry.Contains(held))
                {
                    _backEdgeIssues.Add(new LockIssue(held.Acquire, "leak", () => "the lock taken by " + held.AcquireText + " is still held when the loop starts its next iteration on the route through " + RouteText(trail), held.Acquire));
                }
            }
        }

        private RouteState CheckLocksAtExit(RouteState state)
        {
            var trail = _trail;
            foreach (var pending in state.PendingTries)
            {
                state = Issue(state, pending, "try-unchecked", () => Text(pending) + " is never branched on: the route through " + RouteText(trail) + " does not know whether it holds the lock");
            }

            foreach (var held in state.Held)
            {
                state = Issue(state, held.Acquire, "leak", () => "the lock taken by " + held.AcquireText + " is not released on the route through " + RouteText(trail), held.Acquire, state.ReturnOperation);
            }

            return state;
        }

        private RouteState Issue(RouteState state, IOperation at, string kind, Func<string> message, params IOperation?[] related) =>
            _mode == RouteMode.Locks ? state.WithIssue(new LockIssue(at, kind, message, related)) : state;

        public static string RouteText(LineTrail trail)
        {
            var lines = trail.ToList().ToImmutableList();
            if (lines.IsEmpty)
            {
                return "the method";
            }

            const int Shown = 12;
            var shown = lines.Count <= Shown ? lines : lines.Take(Shown / 2).Concat(lines.Skip(lines.Count - (Shown / 2))).ToImmutableList();
            var text = "lines " + string.Join(" → ", shown.Take(lines.Count <= Shown ? shown.Count : Shown / 2));
            if (lines.Count > Shown)
            {
                text += " → … → " + string.Join(" → ", shown.Skip(Shown / 2));
            }

            return text;
        }

    }
}
