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
    }

    /// <summary>One complete acyclic route through a method, with what was known at its end.</summary>
    internal sealed class Route
    {
        public Route(RouteState state, RouteEnd end)
        {
            State = state;
            End = end;
        }

        public RouteState State { get; }

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
