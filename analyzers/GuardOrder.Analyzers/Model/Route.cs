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
    /// <summary>How a route leaves the method.</summary>
    internal enum RouteEnd
    {
        /// <summary>A return (with or without value) or falling off the end.</summary>
        Return,

        /// <summary>The route reached a [WriteGrant] call (fault-path mode stops there).</summary>
        Grant,

        /// <summary>
        /// A lock walk that prunes (<see cref="RouteWalker"/>'s <c>pruneLockFreeTails</c>) stopped the route
        /// where it held no lock, had no try-lock result pending and could reach no lock call: nothing
        /// after that point can add a lock problem. Its exit is not known.
        /// </summary>
        LockFree,
    }

    /// <summary>One complete acyclic route through a method, with what was known at its end.</summary>
    [System.Diagnostics.DebuggerDisplay("{Dump(),nq}")]
    internal sealed class Route
    {
        /// <summary>
        /// The route in one line, for debugging and the walker's tests: how it ends, the lines it
        /// passed, its facts, the locks still held, the security gates, and the returned value.
        /// </summary>
        public string Dump()
        {
            var parts = new System.Collections.Generic.List<string>
            {
                End == RouteEnd.Grant ? "grant " + (State.Grant?.Syntax.ToString() ?? "?") : End == RouteEnd.LockFree ? "lock-free" : "return " + (State.ReturnOperation?.Syntax.ToString() ?? "(none)"),
                "lines " + string.Join(",", Lines.ToList()),
                "facts [" + string.Join("; ", State.Facts.Select(f => f.Describe())) + "]",
            };
            if (!State.Held.IsEmpty)
            {
                parts.Add("held [" + string.Join(", ", State.Held.Select(h => h.AcquireText)) + "]");
            }

            if (!State.Gates.IsEmpty)
            {
                parts.Add("gates [" + string.Join(", ", State.Gates.Select(g => g.Branch.Syntax + "=" + (g.Side ? "true" : "false") + (g.Always ? "!" : string.Empty))) + "]");
            }

            if (State.ReturnValue is { } value)
            {
                parts.Add("value " + Describe(value));
            }

            if (State.Trusted is not null)
            {
                parts.Add("trusted");
            }

            return string.Join(" | ", parts);
        }

        private static string Describe(Sym value) => value switch
        {
            ConstSym c => "const " + c.Value,
            CheckSym c => "value " + c.Text + " {" + c.Subject + "}",
            CondSym c => string.Join(" or ", c.Disjuncts.Select(d => "(" + string.Join(" and ", d.Select(l => l.ToFact().Describe())) + ")")),
            TrySym t => (t.Negated ? "!" : string.Empty) + t.LockIfTaken.AcquireText,
            TrustedSym => "trusted call",
            _ => value.ReadsSecurity ? "unknown (reads security)" : "unknown",
        };


        public Route(RouteState state, RouteEnd end, LineTrail lines)
        {
            State = state;
            End = end;
            Lines = lines;
        }

        public RouteState State { get; }

        /// <summary>Lines (1-based) of the analysed method's blocks this route passed, in order (the lock walk's routes; empty in the other walks).</summary>
        public LineTrail Lines { get; }

        public RouteEnd End { get; }
    }

    /// <summary>What the walk is for: it decides where routes stop and which lock problems are recorded.</summary>
    internal enum RouteMode
    {
        /// <summary>Predicate (GO0002/GO0003/GO0005): routes run to their return; helpers are expanded.</summary>
        Predicate,

        /// <summary>Fault path (GO0002): a route stops at the first [WriteGrant] call; helpers are expanded.</summary>
        FaultPath,

        /// <summary>Lock discipline (GO0004): no helper expansion, lock problems are recorded.</summary>
        Locks,
    }

}
