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
    /// <summary>Calls along a route: annotated members, asserts, helper expansion.</summary>
    internal sealed partial class RouteWalker
    {
        // ----- calls ------------------------------------------------------------------------

        private Few<(RouteState State, Sym Value)> EvaluateInvocation(IInvocationOperation invocation, RouteState state, int depth)
        {
            var method = invocation.TargetMethod;

            // A [Conditional] call whose symbol is not defined at the call is removed by the compiler:
            // it is on no route (its arguments are not evaluated either).
            if (ConditionalCalls.IsRemoved(invocation))
            {
                return One(state, UnknownSym.Plain);
            }

            // The receiver and the arguments first (their own calls and captures), then the call itself.
            // The arguments of each alternative go into one array of the call's arity, copied only where
            // an argument forks the route (an ImmutableArray grown per argument was a copy per argument).
            var arity = invocation.Arguments.Length;
            // The receiver is kept per alternative: a receiver that forks (an expanded helper returning
            // a different object on each of its routes) gives each route its own.
            var current = new Few<(RouteState State, Sym[] Args, Sym? Receiver)>((state, arity == 0 ? Array.Empty<Sym>() : new Sym[arity], null));
            if (invocation.Instance is { } instance)
            {
                var next = new Few<(RouteState, Sym[], Sym?)>();
                foreach (var (s, args, _) in current)
                {
                    var first = true;
                    foreach (var (after, value) in Evaluate(instance, s, depth))
                    {
                        next.Add((after, first ? args : (Sym[])args.Clone(), value));
                        first = false;
                    }
                }

                current = next;
            }

            for (var i = 0; i < arity; i++)
            {
                var argument = invocation.Arguments[i];
                var next = new Few<(RouteState, Sym[], Sym?)>();
                foreach (var (s, args, receiver) in current)
                {
                    var first = true;
                    foreach (var (after, value) in Evaluate(argument.Value, s, depth))
                    {
                        // The first alternative keeps the array (no other alternative holds it); each
                        // further one gets a copy, whose slot i is then overwritten with its own value.
                        var own = first ? args : (Sym[])args.Clone();
                        own[i] = value;
                        next.Add((after, own, receiver));
                        first = false;
                    }
                }

                current = next;
            }

            var result = new Few<(RouteState, Sym)>();
            foreach (var (s, array, receiver) in current)
            {
                var args = AsImmutable(array);
                foreach (var asserted in Asserts(invocation, s, args))
                {
                    result.AddRange(Call(invocation, method, asserted, args, receiver, depth));
                }
            }

            return result;
        }

        /// <summary>
        /// <paramref name="array"/> as an ImmutableArray without a copy. Only for an array nothing
        /// writes to any more: the arguments of one alternative once all of them are evaluated.
        /// </summary>
        private static ImmutableArray<Sym> AsImmutable(Sym[] array) =>
            System.Runtime.CompilerServices.Unsafe.As<Sym[], ImmutableArray<Sym>>(ref array);

        /// <summary>
        /// The states after the call's asserts: a [DoesNotReturnIf(b)] argument is !b when the call
        /// returns (an assert on a [SecurityCheck] read gates the route), a [NotNull] argument is not null.
        /// </summary>
        private Few<RouteState> Asserts(IInvocationOperation invocation, RouteState state, ImmutableArray<Sym> args)
        {
            var states = new Few<RouteState>(state);
            for (int i = 0; i < invocation.Arguments.Length && i < args.Length; i++)
            {
                var parameter = invocation.Arguments[i].Parameter;
                var attribute = GuardOrderSymbols.GetAttribute(parameter, _symbols.DoesNotReturnIf);
                if (attribute is not null && attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is bool stopsWhen)
                {
                    var next = new Few<RouteState>();
                    foreach (var s in states)
                    {
                        var gated = args[i].ReadsSecurity ? s.WithGate(new SecurityGate(invocation.Arguments[i].Value, !stopsWhen, always: true)) : s;
                        next.AddRange(Alternatives(gated, args[i], !stopsWhen));
                    }

                    states = next;
                }
                else if (GuardOrderSymbols.HasAttribute(parameter, _symbols.NotNull) && args[i] is CheckSym { Kind: FactKind.Reference } checkedArgument)
                {
                    var next = new Few<RouteState>();
                    foreach (var s in states)
                    {
                        next.AddRange(Alternatives(s, Combine(BinaryOperatorKind.NotEquals, checkedArgument, new ConstSym(0, FactKind.Reference, false)), true));
                    }

                    states = next;
                }
            }

            return states;
        }

        private Few<(RouteState State, Sym Value)> Call(IInvocationOperation invocation, IMethodSymbol method, RouteState state, ImmutableArray<Sym> args, Sym? receiver, int depth)
        {
            var argsReadSecurity = args.Any(a => a.ReadsSecurity);
            var annotations = _symbols.AnnotationsOf(method); // read once: eight questions below
            var security = argsReadSecurity || (annotations & Annotation.SecurityCheck) != 0;

            // Nullable<T>.GetValueOrDefault(): the value itself (its null case is the branch the CFG already took).
            if (method.Name == "GetValueOrDefault" && args.IsEmpty && receiver is not null && method.ContainingType?.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T)
            {
                return One(state, receiver);
            }

            if ((annotations & Annotation.DoesNotReturn) != 0)
            {
                return NoAlternatives;
            }

            if ((annotations & Annotation.WriteGrant) != 0)
            {
                return One(state.WithGrant(invocation), UnknownSym.Of(security));
            }

            if ((annotations & Annotation.FaultPathCheck) != 0)
            {
                if (depth == 0)
                {
                    state = CheckPendingTries(state, invocation);
                }

                return One(state, (Sym?)Produced(invocation, method, args, receiver, state, security) ?? UnknownSym.Of(security));
            }

            if ((annotations & Annotation.TryAcquiresLock) != 0)
            {
                var held = LockOf(invocation);
                return One(state.WithPendingTries(state.PendingTries.Add(invocation)), new TrySym(held, GuardOrderSymbols.Original(method)!, negated: false, security));
            }

            if ((annotations & Annotation.AcquiresLock) != 0)
            {
                var held = LockOf(invocation);
                var locked = state.WithHeld(state.Held.Add(held));
                locked = locked.WithFact(Fact.LockTaken(held)) ?? locked;
                return One(locked, UnknownSym.Of(security));
            }

            if ((annotations & Annotation.ReleasesLock) != 0)
            {
                return One(Release(state, invocation, depth), UnknownSym.Of(security));
            }

            if ((annotations & Annotation.MustMatchFaultPath) != 0)
            {
                MetFaultPathPredicate = true; // the only call whose handling depends on the trusted fault path
            }

            if (IsTrustedPredicate(method))
            {
                return One(state, new TrustedSym(invocation, negated: false, security));
            }

            if (ShouldExpand(method, depth) is { } helper)
            {
                var expanded = Expand(helper, invocation, state, args, depth);
                if (expanded is { } alternatives)
                {
                    return alternatives;
                }
            }

            // A void helper is not expanded (its routes would only multiply the caller's), but a
            // [DoesNotReturnIf] assert on a [SecurityCheck] read at its top still guards the caller.
            if (method.ReturnsVoid && depth < _maxHelperDepth && AssertsSecurity(method))
            {
                state = state.WithGate(new SecurityGate(invocation, side: true, always: true));
            }

            return One(state, (Sym?)Produced(invocation, method, args, receiver, state, security) ?? UnknownSym.Of(security));
        }

        /// <summary>
        /// The value a call returns as a subject: the method and its arguments' subjects (primitive
        /// arguments are not compared). Null when the call returns nothing or an object argument has
        /// no subject (then the result is unknown).
        /// </summary>
        private CheckSym? Produced(IInvocationOperation invocation, IMethodSymbol method, ImmutableArray<Sym> args, Sym? receiver, RouteState state, bool security)
        {
            if (method.ReturnsVoid)
            {
                return null;
            }

            // The same call with the very same receiver, arguments, first lock and security flag makes the same value.
            var held = FirstHeld(state);
            if (TryRecall(invocation, receiver, held, Flag(security), args, out var known))
            {
                return (CheckSym)known;
            }

            var original = (IMethodSymbol)GuardOrderSymbols.Original(method)!;
            var subjects = ImmutableArray.CreateBuilder<Subject?>(args.Length + 1);
            if (invocation.Instance is not null)
            {
                if (receiver is not CheckSym { Subject: { } self })
                {
                    return null;
                }

                subjects.Add(self);
            }

            for (int i = 0; i < args.Length && i < invocation.Arguments.Length; i++)
            {
                if (IsPrimitive(invocation.Arguments[i].Parameter?.Type))
                {
                    subjects.Add(null);
                }
                else if (args[i] is CheckSym { Subject: { } argument })
                {
                    subjects.Add(argument);
                }
                else
                {
                    return null;
                }
            }

            var annotated = _symbols.IsFaultPathCheck(original) || _symbols.IsSecurityCheck(original) ? original : null;
            return Remember(invocation, receiver, held, Flag(security), args, new CheckSym(new ProducedSubject(original, subjects.Count == subjects.Capacity ? subjects.MoveToImmutable() : subjects.ToImmutable()), KindOf(original.ReturnType), null, held, invocation, security, annotated));
        }

        /// <summary>A call to a [MustMatchFaultPath] predicate of the fault path this walk checks against: it is checked on its own.</summary>
        private bool IsTrustedPredicate(IMethodSymbol method)
        {
            if (_trustedFaultPath is null || !_symbols.IsFaultPathPredicate(method))
            {
                return false;
            }

            var target = FaultPathTarget.Resolve((IMethodSymbol)GuardOrderSymbols.Original(method)!, _symbols, _cancellationToken);
            return target?.Method is { } faultPath && target.Problem is null && SymbolEqualityComparer.Default.Equals(faultPath.OriginalDefinition, _trustedFaultPath);
        }

        private bool AssertsSecurity(IMethodSymbol method) =>
            _bodies.AssertsSecurity((IMethodSymbol)GuardOrderSymbols.Original(method)!, AssertsSecurityAtTop, _cancellationToken);

        private bool AssertsSecurityAtTop(IMethodBodyOperation body)
        {
            var block = body.BlockBody ?? body.ExpressionBody;
            if (block is null)
            {
                return false;
            }

            foreach (var statement in block.Operations)
            {
                var call = statement is IExpressionStatementOperation expression ? expression.Operation as IInvocationOperation : null;
                if (call is null)
                {
                    return false;
                }

                foreach (var argument in call.Arguments)
                {
                    if (GuardOrderSymbols.HasAttribute(argument.Parameter, _symbols.DoesNotReturnIf) &&
                        SecurityReads.ReadsSecurityCheck(argument.Value, _symbols))
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        private bool IsExpandable(IMethodSymbol method) => GrantCalls.IsExpandable(method, _symbols);

        private (IMethodSymbol Method, ControlFlowGraph Cfg)? ShouldExpand(IMethodSymbol method, int depth)
        {
            if (depth >= _maxHelperDepth)
            {
                return null;
            }

            var original = (IMethodSymbol)GuardOrderSymbols.Original(method)!;
            if (!IsExpandable(original) &&
                !(_mode == RouteMode.FaultPath && GrantCalls.MayGrant(original, _maxHelperDepth - depth, _symbols, _bodies, _cancellationToken)))
            {
                return null; // neither a value the walk reads nor a route to a grant
            }

            foreach (var onStack in _inlineStack)
            {
                if (SymbolEqualityComparer.Default.Equals(onStack, original))
                {
                    return null;
                }
            }

            var cfg = _bodies.GetControlFlowGraph(original, _cancellationToken);
            return cfg is null ? null : (original, cfg);
        }

        /// <summary>Runs the helper's routes with its parameters bound to the arguments; each returning route is one alternative.</summary>
        private Few<(RouteState State, Sym Value)>? Expand((IMethodSymbol Method, ControlFlowGraph Cfg) helper, IInvocationOperation invocation, RouteState state, ImmutableArray<Sym> args, int depth)
        {
            var values = state.Values;
            var boundValues = values;
            for (int i = 0; i < invocation.Arguments.Length && i < args.Length; i++)
            {
                if (invocation.Arguments[i].Parameter is { } parameter)
                {
                    var definition = parameter.Ordinal < helper.Method.Parameters.Length ? helper.Method.Parameters[parameter.Ordinal] : parameter;
                    boundValues = boundValues.SetItem(new SymbolKey(definition.OriginalDefinition), args[i]);
                }
            }

            // One copy of the state for the whole frame change (a copy per change was a tenth of a walk's allocation).
            var bound = state.Framed(boundValues, null, null, null);

            _inlineStack.Add(helper.Method);
            List<Route> routes;
            try
            {
                routes = Run(helper.Cfg, bound, depth + 1);
            }
            finally
            {
                _inlineStack.RemoveAt(_inlineStack.Count - 1);
            }

            if (_aborted)
            {
                return NoAlternatives;
            }

            var result = new Few<(RouteState, Sym)>();
            foreach (var route in routes)
            {
                _routes--; // helper routes are not complete routes of the analysed method
                var end = route.State;
                var value = end.ReturnValue ?? UnknownSym.Plain;
                var back = end.Framed(values, state.Captures, state.ReturnValue, state.ReturnOperation);
                result.Add((back, value));
            }

            return result;
        }

    }
}
