using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Threading;
using GuardOrder.Analyzers.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace GuardOrder.Analyzers
{
    /// <summary>
    /// What the GO0002 fix "Add the checks the fault path makes" would insert before one granting
    /// return, or why it is not offered. The checks are those of the closest fault-path grant route
    /// (the one GO0002 names) that some route reaching this return does not establish, in the fault
    /// path's order, each written as an early return <c>if (&lt;check fails&gt;) return false;</c> with
    /// its subject written in the predicate's values (<c>vmf.vma</c> → <c>vma</c>, <c>vmf.page</c> → the
    /// predicate's local holding <c>vm_normal_page(...)</c>). Checks the fault path makes under a lock
    /// are made under the same lock, taken the way the fault path takes it
    /// (<c>if (!trylock_page(page)) return false;</c>) and released on every route out. Since every
    /// route reaching the return then establishes every fact of that grant route, the return is in
    /// sync; since the fix only adds <c>return false</c> exits (and releases what it takes), it never
    /// widens a grant. Offered only when every subject has a value in the predicate at the return
    /// (the same on every route there), no lock is held at the return, and the return is a statement
    /// of a block, a switch section or an <c>if</c>/<c>else</c> branch, or a method's expression body.
    /// </summary>
    internal sealed class GO0002CheckRepair
    {
        /// <summary>Diagnostic property: the statements to insert, one per line (<c>kind\ttext</c>), when the fix is offered.</summary>
        public const string ChecksProperty = "GO0002.Checks";

        /// <summary>An unlocked check: <c>if (text) return false;</c>.</summary>
        public const string CheckKind = "check";

        /// <summary>The fault path's try-lock: <c>if (!text) return false;</c>.</summary>
        public const string TryLockKind = "trylock";

        /// <summary>The fault path's blocking lock: <c>text;</c>.</summary>
        public const string LockKind = "lock";

        /// <summary>A check under the lock: <c>if (text) { release; return false; }</c>.</summary>
        public const string LockedCheckKind = "locked";

        /// <summary>The release after the locked checks: <c>text;</c> (also the release in each locked check).</summary>
        public const string ReleaseKind = "release";

        /// <summary>
        /// First when present: a parameter the predicate lacks, <c>type name</c>, appended to its parameter
        /// list, every caller passing its own local or parameter of that name and type (see
        /// <see cref="NewParameterProblem"/>).
        /// </summary>
        public const string ParameterKind = "parameter";

        private GO0002CheckRepair(string? refusal, ImmutableArray<(string Kind, string Text)> statements)
        {
            Refusal = refusal;
            Statements = statements;
        }

        public string? Refusal { get; }

        public ImmutableArray<(string Kind, string Text)> Statements { get; }

        public ImmutableDictionary<string, string?> Properties()
        {
            var builder = ImmutableDictionary.CreateBuilder<string, string?>();
            if (Refusal is null)
            {
                builder.Add(ChecksProperty, Encode(Statements));
            }
            else
            {
                builder.Add(GO0004LockRepair.RefusalProperty, Refusal);
            }

            return builder.ToImmutable();
        }

        public static string Encode(IEnumerable<(string Kind, string Text)> statements) =>
            string.Join("\n", statements.Select(s => s.Kind + "\t" + s.Text));

        /// <summary>The statements of a <see cref="ChecksProperty"/> value; empty when it is malformed.</summary>
        public static ImmutableArray<(string Kind, string Text)> Decode(string? encoded)
        {
            if (string.IsNullOrEmpty(encoded))
            {
                return ImmutableArray<(string, string)>.Empty;
            }

            var result = ImmutableArray.CreateBuilder<(string, string)>();
            foreach (var line in encoded!.Split('\n'))
            {
                var tab = line.IndexOf('\t');
                if (tab <= 0)
                {
                    return ImmutableArray<(string, string)>.Empty;
                }

                result.Add((line.Substring(0, tab), line.Substring(tab + 1)));
            }

            return result.ToImmutable();
        }

        private static GO0002CheckRepair Refuse(string reason) => new GO0002CheckRepair(reason, ImmutableArray<(string, string)>.Empty);

        /// <summary>
        /// The repair for the return of <paramref name="returned"/>: <paramref name="grant"/> is the closest
        /// fault-path grant route, <paramref name="required"/> its facts as the predicate must establish
        /// them, <paramref name="routes"/> every route of the predicate.
        /// </summary>
        public static GO0002CheckRepair Plan(
            IOperation returned,
            Route grant,
            FactSet required,
            IReadOnlyList<FactSet> faultRoutes,
            ImmutableArray<FactSet> assumptions,
            ImmutableArray<Route> routes,
            IMethodSymbol predicate,
            IMethodSymbol faultPath,
            IMethodBodyOperation? body,
            GuardOrderSymbols symbols,
            CancellationToken cancellationToken)
        {
            if (body?.SemanticModel is not { } model || model.SyntaxTree != returned.Syntax.SyntaxTree)
            {
                return Refuse("the predicate has no body to insert the checks into");
            }

            // A return statement of a block, a switch section or an if/else branch, or a method's expression body
            // (the fix gives it a block body first).
            SyntaxNode? anchor = returned.Syntax.Parent switch
            {
                ReturnStatementSyntax { Parent: BlockSyntax or SwitchSectionSyntax or IfStatementSyntax or ElseClauseSyntax } statement => statement,
                ArrowExpressionClauseSyntax { Parent: MethodDeclarationSyntax } arrow => arrow,
                _ => null,
            };
            if (anchor is null)
            {
                return Refuse("the return is not a statement of a block or an if/else branch, nor a method's expression body: where to insert the checks is not certain");
            }

            var here = routes.Where(r => r.End == RouteEnd.Return && r.State.ReturnOperation?.Syntax == returned.Syntax).ToList();
            if (here.Count == 0)
            {
                return Refuse("no route of the predicate reaches this return");
            }

            if (here.Any(r => !r.State.Held.IsEmpty))
            {
                return Refuse("a lock is held at this return: an inserted 'return false' would leak it (fix GO0004 first)");
            }

            // The facts of the grant route some route here does not establish, once per variable, in the fault path's order.
            var missing = new List<Fact>();
            var seen = new HashSet<FactVar>();
            var routeFacts = here.Select(r => FactSet.From(r.State.Facts)).ToList();
            foreach (var fact in required.Facts)
            {
                if (!seen.Add(fact.Var))
                {
                    continue;
                }

                var allowed = required.Constraints[fact.Var];
                if (routeFacts.All(f => f.Effective(fact.Var, Fact.DomainOf(fact.Kind)).IsSubsetOf(allowed)))
                {
                    continue;
                }

                missing.Add(fact.WithAllowed(allowed));
            }

            missing = Prune(missing, here, faultRoutes, assumptions, cancellationToken);
            var locked = missing.Where(f => f.Kind != FactKind.Lock && f.UnderLock is not null).ToList();
            var lockFact = missing.FirstOrDefault(f => f.Kind == FactKind.Lock);
            var writer = new Writer(here, predicate, faultPath, body, model, anchor.SpanStart, grant, symbols, cancellationToken);
            var statements = ImmutableArray.CreateBuilder<(string, string)>();
            HeldLock? held = locked.Count > 0 ? locked[0].UnderLock : null;
            if (held is null && lockFact is not null)
            {
                held = grant.State.Facts.Select(f => f.UnderLock).FirstOrDefault(h => h is not null && lockFact.Var.Subject.Equals(new LockSubject(h.Family)));
                if (held is null)
                {
                    return Refuse("the fault path takes " + lockFact.SubjectText + " but checks nothing under it: what to re-check is not certain");
                }
            }

            if (locked.Any(f => !Subject.SameType(f.UnderLock!.Family, held!.Family) || !Equals(f.UnderLock.Target, held.Target)))
            {
                return Refuse("the fault path's checks are made under more than one lock");
            }

            string? acquire = null, release = null;
            var acquireKind = LockKind;
            if (held is not null)
            {
                var lockPlan = writer.Lock(held);
                if (lockPlan.Refusal is not null)
                {
                    return Refuse(lockPlan.Refusal);
                }

                (acquire, release, acquireKind) = (lockPlan.Acquire, lockPlan.Release, lockPlan.Try ? TryLockKind : LockKind);
            }

            var lockOpen = false;
            var lockDone = false;
            foreach (var fact in missing)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (fact.Kind == FactKind.Lock)
                {
                    continue; // taken before the first check under it
                }

                var underLock = fact.UnderLock is not null;
                if (underLock && !lockOpen)
                {
                    if (lockDone)
                    {
                        return Refuse("the fault path takes the lock more than once on this route");
                    }

                    statements.Add((acquireKind, acquire!));
                    lockOpen = true;
                }
                else if (!underLock && lockOpen)
                {
                    statements.Add((ReleaseKind, release!));
                    lockOpen = false;
                    lockDone = true;
                }

                var text = writer.Failing(fact);
                if (text is null)
                {
                    return Refuse(writer.Problem ?? "the check '" + fact.Describe() + "' cannot be written in the predicate");
                }

                statements.Add((underLock ? LockedCheckKind : CheckKind, text));
            }

            if (held is not null && !lockDone && !lockOpen)
            {
                statements.Add((acquireKind, acquire!)); // the fault path's lock, with nothing left to re-check under it
                lockOpen = true;
            }

            if (lockOpen)
            {
                statements.Add((ReleaseKind, release!));
            }

            if (statements.Count > 0 && writer.NewParameter is { } added)
            {
                statements.Insert(0, (ParameterKind, added.Type.ToMinimalDisplayString(model, anchor.SpanStart) + " " + added.Name));
            }

            return statements.Count == 0
                ? Refuse("every route to this return already makes the grant route's checks")
                : new GO0002CheckRepair(null, statements.ToImmutable());
        }

        /// <summary>
        /// Drops the facts the others make unnecessary (last first): a fact stays when, without it, some
        /// granting route here (with each declared assumption) would no longer imply a grant route of the
        /// fault path, or when a kept check reads through the object it tests for null. Past
        /// <see cref="MaxPruningChecks"/> implication checks nothing is dropped (the fix is then only stricter than needed).
        /// </summary>
        private static List<Fact> Prune(List<Fact> facts, List<Route> here, IReadOnlyList<FactSet> faultRoutes, ImmutableArray<FactSet> assumptions, CancellationToken cancellationToken)
        {
            var granting = here
                .SelectMany(r => RouteWalker.Assume(r.State, r.State.ReturnValue ?? UnknownSym.Plain, outcome: true))
                .Where(g => g.Trusted is null)
                .Select(g => g.Facts)
                .ToList();
            if (granting.Count * System.Math.Max(1, assumptions.Length) * facts.Count > MaxPruningChecks)
            {
                return facts;
            }

            var kept = new List<Fact>(facts);
            var index = new GrantIndex(faultRoutes); // one index for every trial below
            for (var i = kept.Count - 1; i >= 0 && kept.Count > 1; i--)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var candidate = kept[i];
                if (candidate.Kind == FactKind.Reference && kept.Any(f => f != candidate && Reads(f.Var.Subject, candidate.Var.Subject)))
                {
                    continue;
                }

                var without = kept.Where((_, j) => j != i).ToList();
                if (granting.All(g => ImpliesWith(g, without)))
                {
                    kept.RemoveAt(i);
                }
            }

            return kept;

            bool ImpliesWith(ImmutableArray<Fact> route, List<Fact> added)
            {
                var own = FactSet.From(route.AddRange(added));
                foreach (var assumption in assumptions.IsDefaultOrEmpty ? ImmutableArray.Create(FactSet.From(ImmutableArray<Fact>.Empty)) : assumptions)
                {
                    var both = own.Conjoin(assumption);
                    if (both is not null && Implication.Check(both, index) is { Implied: false })
                    {
                        return false;
                    }
                }

                return true;
            }
        }

        /// <summary>Implication checks one repair may spend on dropping unnecessary checks.</summary>
        private const int MaxPruningChecks = 2000;

        /// <summary>Does <paramref name="subject"/> read through <paramref name="inner"/> (as an argument or an owner)?</summary>
        private static bool Reads(Subject subject, Subject inner) => subject switch
        {
            ProducedSubject produced => produced.Arguments.Any(a => a is not null && (a.Equals(inner) || Reads(a, inner))),
            MemberSubject member => member.Owner.Equals(inner) || Reads(member.Owner, inner),
            _ => false,
        };

        /// <summary>
        /// Why a parameter <paramref name="named"/> (its name and type) cannot be appended to
        /// <paramref name="predicate"/>'s parameter list, or null when it can: the predicate is an
        /// ordinary method that nothing overrides, implements or converts to a delegate, with no optional
        /// or params parameter and no use of the name in its text (so no member it reads is shadowed),
        /// not partial; and every call of it in the compilation is outside it and sees exactly one local
        /// or parameter of that name and type (the value the caller passes). The fix re-checks the
        /// callers in the whole solution.
        /// </summary>
        internal static string? NewParameterProblem(IMethodSymbol predicate, IParameterSymbol named, Compilation compilation, CancellationToken cancellationToken)
        {
            // Asked once per reported return of the predicate (the 2021 predicates have two): answered once per
            // compilation, predicate and parameter. A cancelled answer throws and is not kept.
            var cache = NewParameterProblems.GetValue(compilation, _ => new System.Collections.Concurrent.ConcurrentDictionary<NewParameterKey, ProblemBox>());
            var key = new NewParameterKey(predicate, named);
            if (!cache.TryGetValue(key, out var box))
            {
                box = cache.GetOrAdd(key, new ProblemBox(ComputeNewParameterProblem(predicate, named, compilation, cancellationToken)));
            }

            return box.Problem;
        }

        private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Compilation, System.Collections.Concurrent.ConcurrentDictionary<NewParameterKey, ProblemBox>> NewParameterProblems =
            new System.Runtime.CompilerServices.ConditionalWeakTable<Compilation, System.Collections.Concurrent.ConcurrentDictionary<NewParameterKey, ProblemBox>>();

        private sealed class ProblemBox
        {
            public ProblemBox(string? problem) => Problem = problem;

            public string? Problem { get; }
        }

        /// <summary>A predicate and the parameter it would gain: its name and type (all the answer depends on).</summary>
        private readonly struct NewParameterKey : System.IEquatable<NewParameterKey>
        {
            private readonly IMethodSymbol _predicate;
            private readonly ITypeSymbol _type;
            private readonly string _name;

            public NewParameterKey(IMethodSymbol predicate, IParameterSymbol named)
            {
                _predicate = predicate;
                _type = named.Type;
                _name = named.Name;
            }

            public bool Equals(NewParameterKey other) =>
                SymbolEqualityComparer.Default.Equals(_predicate, other._predicate) &&
                SymbolEqualityComparer.Default.Equals(_type, other._type) &&
                System.StringComparer.Ordinal.Equals(_name, other._name);

            public override bool Equals(object? obj) => obj is NewParameterKey other && Equals(other);

            public override int GetHashCode() =>
                (SymbolEqualityComparer.Default.GetHashCode(_predicate) * 31 + SymbolEqualityComparer.Default.GetHashCode(_type)) * 31 + System.StringComparer.Ordinal.GetHashCode(_name);
        }

        private static string? ComputeNewParameterProblem(IMethodSymbol predicate, IParameterSymbol named, Compilation compilation, CancellationToken cancellationToken)
        {
            var wanted = "a parameter '" + named.Type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat) + " " + named.Name + "'";
            if (predicate.MethodKind != MethodKind.Ordinary || predicate.IsVirtual || predicate.IsAbstract || predicate.IsOverride || predicate.IsExtern ||
                predicate.PartialDefinitionPart is not null || predicate.PartialImplementationPart is not null || !predicate.ExplicitInterfaceImplementations.IsEmpty ||
                predicate.DeclaringSyntaxReferences.Length != 1 || ImplementsInterface(predicate))
            {
                return wanted + " cannot be added: its signature is bound by an override, an interface or a partial declaration";
            }

            if (predicate.Parameters.Any(p => p.IsOptional || p.IsParams))
            {
                return wanted + " cannot be added after an optional or params parameter";
            }

            var declaration = predicate.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken);
            if (declaration.DescendantTokens().Any(t => t.IsKind(SyntaxKind.IdentifierToken) && t.ValueText == named.Name))
            {
                return wanted + " cannot be added: the predicate already uses the name '" + named.Name + "'";
            }

            var models = new Dictionary<SyntaxTree, SemanticModel>();
            foreach (var name in NameReferences.To(compilation, predicate, cancellationToken))
            {
                var tree = name.SyntaxTree;
                if (!models.TryGetValue(tree, out var model))
                {
#pragma warning disable RS1030 // Do not invoke Compilation.GetSemanticModel() method within a diagnostic analyzer
                    models[tree] = model = compilation.GetSemanticModel(tree); // only for a reported GO0002 whose repair adds a parameter
#pragma warning restore RS1030
                }

                string Line() => " (" + System.IO.Path.GetFileName(tree.FilePath) + " line " + (name.GetLocation().GetLineSpan().StartLinePosition.Line + 1).ToString(CultureInfo.InvariantCulture) + ")";
                if (name.Ancestors().Any(a => a is CrefSyntax))
                {
                    if (name.Ancestors().OfType<CrefSyntax>().Any(c => c.DescendantNodes().OfType<CrefParameterListSyntax>().Any()))
                    {
                        return wanted + " cannot be added: a documentation reference names its parameters" + Line();
                    }

                    continue;
                }

                if (name.Ancestors().OfType<InvocationExpressionSyntax>().Any(i => model.GetOperation(i, cancellationToken) is INameOfOperation))
                {
                    continue;
                }

                var callee = name.Parent is MemberAccessExpressionSyntax access && access.Name == name ? (ExpressionSyntax)access : name;
                if (callee.Parent is not InvocationExpressionSyntax invocation || invocation.Expression != callee)
                {
                    return wanted + " cannot be added: the predicate is used as a delegate, whose signature would change" + Line();
                }

                if (declaration.Span.Contains(invocation.Span) && declaration.SyntaxTree == tree)
                {
                    return wanted + " cannot be added: the predicate calls itself" + Line();
                }

                var values = model.LookupSymbols(invocation.SpanStart, name: named.Name);
                if (values.Length != 1 || values[0] is not (ILocalSymbol or IParameterSymbol) ||
                    !SymbolEqualityComparer.Default.Equals((values[0] as ILocalSymbol)?.Type ?? ((IParameterSymbol)values[0]).Type, named.Type))
                {
                    return wanted + " cannot be added: a caller has no local or parameter '" + named.Name + "' of that type to pass" + Line();
                }
            }

            return null;
        }

        private static bool ImplementsInterface(IMethodSymbol method)
        {
            foreach (var @interface in method.ContainingType.AllInterfaces)
            {
                foreach (var member in @interface.GetMembers(method.Name))
                {
                    if (SymbolEqualityComparer.Default.Equals(method.ContainingType.FindImplementationForInterfaceMember(member), method))
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        /// <summary>Writes fault-path subjects in the predicate's values at one return.</summary>
        private sealed class Writer
        {
            private readonly List<Route> _routes;
            private readonly IMethodSymbol _predicate;
            private readonly IMethodBodyOperation _body;
            private readonly SemanticModel _model;
            private readonly int _position;
            private readonly Route _grant;
            private readonly IMethodSymbol _grantMethod;
            private readonly GuardOrderSymbols _symbols;
            private readonly CancellationToken _cancellationToken;

            public Writer(List<Route> routes, IMethodSymbol predicate, IMethodSymbol faultPath, IMethodBodyOperation body, SemanticModel model, int position, Route grant, GuardOrderSymbols symbols, CancellationToken cancellationToken)
            {
                _routes = routes;
                _predicate = predicate;
                _body = body;
                _model = model;
                _position = position;
                _grant = grant;
                _grantMethod = faultPath;
                _symbols = symbols;
                _cancellationToken = cancellationToken;
            }

            /// <summary>Why the last write failed.</summary>
            public string? Problem { get; private set; }

            /// <summary>The parameter the repair adds (the fault path's number the predicate has no value for), or null.</summary>
            public IParameterSymbol? NewParameter { get; private set; }

            private string? _parameterProblem;

            /// <summary>
            /// The name of a new parameter standing for the fault path's argument <paramref name="named"/>
            /// (<c>vm_normal_page</c>'s <c>ulong addr</c>: the 2021 predicates take no address, mainline's
            /// took one in v6.0), or null when adding it is not certain to be right (<see cref="_parameterProblem"/>).
            /// </summary>
            private string? NewParameterFor(IParameterSymbol named)
            {
                if (NewParameter is { } added)
                {
                    if (added.Name == named.Name && SymbolEqualityComparer.Default.Equals(added.Type, named.Type))
                    {
                        return added.Name;
                    }

                    _parameterProblem = "the repair would need a second new parameter";
                    return null;
                }

                _parameterProblem = NewParameterProblem(_predicate, named, _model.Compilation, _cancellationToken);
                if (_parameterProblem is not null)
                {
                    return null;
                }

                NewParameter = named;
                return named.Name;
            }

            /// <summary>The condition that holds exactly when <paramref name="fact"/> does not, in the predicate's values; null (and <see cref="Problem"/>) when it cannot be written.</summary>
            public string? Failing(Fact fact)
            {
                var subject = Write(fact.Var.Subject, asArgument: false);
                if (subject is null)
                {
                    return null;
                }

                var allowed = fact.Allowed;
                switch (fact.Kind)
                {
                    case FactKind.Bool:
                        return allowed.Equals(IntSet.Point(0)) ? subject : allowed.Equals(IntSet.Point(1)) ? "!" + subject : Fail("the check '" + fact.Describe() + "' allows every value");
                    case FactKind.Reference:
                        return allowed.Equals(IntSet.Point(1)) ? subject + " is null" : allowed.Equals(IntSet.Point(0)) ? subject + " is not null" : Fail("the check '" + fact.Describe() + "' allows every value");
                    case FactKind.Flag:
                        var bit = BitName(fact);
                        if (bit is null)
                        {
                            return Fail("the flag of '" + fact.Describe() + "' has no name the predicate can use");
                        }

                        var masked = "(" + subject + " & " + bit + ")";
                        return allowed.Equals(IntSet.Point(1)) ? masked + " == 0" : allowed.Equals(IntSet.Point(0)) ? masked + " != 0" : Fail("the check '" + fact.Describe() + "' allows every value");
                    case FactKind.Integer:
                        return Outside(subject, allowed) ?? Fail("the check '" + fact.Describe() + "' allows every value");
                    default:
                        return Fail("the check '" + fact.Describe() + "' is not a condition");
                }
            }

            public (string? Refusal, string? Acquire, string? Release, bool Try) Lock(HeldLock held)
            {
                if (held.Acquire is not IInvocationOperation { Arguments.Length: 1 } acquire || !acquire.TargetMethod.IsStatic)
                {
                    return ("the fault path takes the lock with '" + RouteWalker.Text(held.Acquire) + "', not a static call on one object", null, null, false);
                }

                var target = TargetSubject(held);
                if (target is null)
                {
                    return ("the object the fault path locks ('" + acquire.Arguments[0].Value.Syntax + "') has no value in the predicate", null, null, false);
                }

                var written = Write(target, asArgument: true);
                if (written is null)
                {
                    return (Problem, null, null, false);
                }

                var releaseMethod = ReleaseOf(acquire.TargetMethod, held.Family);
                if (releaseMethod is null)
                {
                    return ("no single [ReleasesLock] method of one argument releases " + held.Family.Name + "'s lock next to " + acquire.TargetMethod.Name, null, null, false);
                }

                var isTry = _symbols.IsTryAcquiresLock(acquire.TargetMethod);
                return (null, Call(acquire.TargetMethod) + "(" + written + ")", Call(releaseMethod) + "(" + written + ")", isTry);
            }

            private string? Fail(string why)
            {
                Problem = why;
                return null;
            }

            /// <summary>The subject of the object the fault path locks.</summary>
            private Subject? TargetSubject(HeldLock held)
            {
                if (held.Target is null)
                {
                    return null;
                }

                if (KeySubject(held.Target) is { } known)
                {
                    return known;
                }

                // A check under the lock names the locked object as an argument (PageKsm(page)).
                foreach (var fact in _grant.State.Facts)
                {
                    if (fact.UnderLock is { } under && Subject.SameType(under.Family, held.Family) && Equals(under.Target, held.Target) && fact.Var.Subject is ProducedSubject produced && fact.Operation is IInvocationOperation call)
                    {
                        for (var i = 0; i < call.Arguments.Length && i < produced.Arguments.Length; i++)
                        {
                            if (Equals(RouteWalker.KeyOf(call.Arguments[i].Value), held.Target) && produced.Arguments[i] is { } argument)
                            {
                                return argument;
                            }
                        }
                    }
                }

                return null;
            }

            /// <summary>
            /// The subject of a fault-path value key at the grant: its value there, or, for an input
            /// parameter (of an object type unique among the parameters) and member paths on it, the
            /// subject the walker gives them (an object member of another type is that type's input).
            /// </summary>
            private Subject? KeySubject(ValueKey key)
            {
                if (_grant.State.Values.TryGetValue(key, out var value))
                {
                    return value is CheckSym check ? check.Subject : null;
                }

                switch (key)
                {
                    case SymbolKey { Symbol: IParameterSymbol parameter } when IsObject(parameter.Type) &&
                        parameter.ContainingSymbol is IMethodSymbol method && method.Parameters.Count(p => Subject.SameType(p.Type, parameter.Type)) == 1:
                        return new InputSubject(parameter.Type);
                    case PathKey path when KeySubject(path.Owner) is { } owner:
                        var type = (path.Member as IFieldSymbol)?.Type ?? (path.Member as IPropertySymbol)?.Type;
                        return owner is InputSubject input && type is not null && IsObject(type) && !Subject.SameType(type, input.Type)
                            ? new InputSubject(type)
                            : new MemberSubject(owner, path.Member);
                    default:
                        return null;
                }
            }

            private IMethodSymbol? ReleaseOf(IMethodSymbol acquire, ITypeSymbol family)
            {
                var candidates = acquire.ContainingType.GetMembers().OfType<IMethodSymbol>()
                    .Where(m => m.IsStatic && m.Parameters.Length == 1 && Subject.SameType(m.Parameters[0].Type, family) && _symbols.IsReleasesLock(m))
                    .ToList();
                return candidates.Count == 1 ? candidates[0] : null;
            }

            /// <summary>The subject in the predicate's values at the return, or null (and <see cref="Problem"/>).</summary>
            private string? Write(Subject subject, bool asArgument)
            {
                _cancellationToken.ThrowIfCancellationRequested();
                var local = ObjectLocal(subject);
                if (local is not null)
                {
                    return local;
                }

                switch (subject)
                {
                    case InputSubject input:
                        var parameters = _predicate.Parameters.Where(p => Subject.SameType(p.Type, input.Type)).ToList();
                        if (parameters.Count == 1 && IsObject(parameters[0].Type) && Visible(parameters[0]) && !Reassigned(parameters[0]))
                        {
                            return parameters[0].Name;
                        }

                        return Fail("the fault path's " + input.Type.Name + " has no value in the predicate");
                    case MemberSubject member:
                        var owner = Write(member.Owner, asArgument: true);
                        return owner is null ? null : owner + "." + member.Member.Name;
                    case StaticSubject member:
                        return Qualified(member.Member);
                    case ProducedSubject produced:
                        return Produced(produced, asArgument);
                    default:
                        return Fail("'" + subject + "' has no value in the predicate");
                }
            }

            private string? Produced(ProducedSubject produced, bool asArgument)
            {
                var method = produced.Method;
                if (!method.IsStatic || method.Parameters.Length != produced.Arguments.Length || method.IsGenericMethod)
                {
                    return Fail("the fault path's '" + method.Name + "(...)' is not a static call the predicate can make");
                }

                var arguments = new List<string>();
                for (var i = 0; i < produced.Arguments.Length; i++)
                {
                    string? argument;
                    if (produced.Arguments[i] is { } argumentSubject)
                    {
                        argument = Write(argumentSubject, asArgument: true);
                    }
                    else
                    {
                        // A number (vmf.address): the predicate's own argument in its own call of the same method,
                        // or its parameter of the name and type the method gives that argument.
                        argument = PredicateArgument(method, i) ?? NewParameterFor(method.Parameters[i]);
                        if (argument is null)
                        {
                            return Fail(FaultArgument(method, i) + " has no value in the predicate" + (_parameterProblem is null ? string.Empty : ", and " + _parameterProblem));
                        }
                    }

                    if (argument is null)
                    {
                        return null;
                    }

                    arguments.Add(argument);
                }

                var text = Call(method) + "(" + string.Join(", ", arguments) + ")";

                // An object the route has checked for null (the fault path's order puts that check first).
                if (asArgument && method.ReturnType.IsReferenceType && method.ReturnNullableAnnotation == NullableAnnotation.Annotated)
                {
                    text += "!";
                }

                return text;
            }

            /// <summary>A local of object type that holds <paramref name="subject"/> on every route to the return and is in scope there.</summary>
            private string? ObjectLocal(Subject subject)
            {
                string? found = null;
                foreach (var route in _routes)
                {
                    var names = new List<string>();
                    foreach (var pair in route.State.Values)
                    {
                        if (pair.Key is SymbolKey { Symbol: ILocalSymbol symbol } && IsObject(symbol.Type) && pair.Value is CheckSym check && check.Subject.Equals(subject) && Visible(symbol))
                        {
                            names.Add(symbol.Name);
                        }
                    }

                    names.Sort(System.StringComparer.Ordinal);
                    var name = names.FirstOrDefault();
                    if (name is null || (found is not null && found != name))
                    {
                        return null;
                    }

                    found = name;
                }

                return found;
            }

            private bool? _atOwnLevel;

            /// <summary>The position is in the predicate's body itself, not in a lambda or local function of it.</summary>
            private bool AtPredicatesOwnLevel() =>
                _atOwnLevel ??= SymbolEqualityComparer.Default.Equals(_model.GetEnclosingSymbol(_position, _cancellationToken), _predicate);

            // Asked per subject written, often of the same parameter or local: one lookup per symbol.
            private readonly Dictionary<ISymbol, bool> _visible = new Dictionary<ISymbol, bool>(SymbolEqualityComparer.Default);

            private bool Visible(ISymbol symbol)
            {
                if (symbol is IParameterSymbol && SymbolEqualityComparer.Default.Equals(symbol.ContainingSymbol, _predicate) && AtPredicatesOwnLevel())
                {
                    // A parameter of the predicate, asked at a place of its own body outside any lambda or local
                    // function: in scope there (C# lets no local of the body shadow it), without a lookup.
                    return true;
                }

                if (!_visible.TryGetValue(symbol, out var visible))
                {
                    visible = NameBindsTo(symbol, original: false);
                    _visible[symbol] = visible;
                }

                return visible;
            }

            /// <summary>
            /// The simple name of <paramref name="symbol"/>, written at the return, names it there (the symbol, or one
            /// of the candidates of a method group or of a name that does not fit the place). Bound speculatively,
            /// as the repair's text will be: a lookup of every symbol of that name in scope enumerated the members of
            /// every imported namespace on each call, a fifteenth of GuardOrder's time on the mixed corpus.
            /// </summary>
            /// <param name="original">Compare original definitions (a member of a generic type).</param>
            private bool NameBindsTo(ISymbol symbol, bool original)
            {
                if (!SyntaxFacts.IsValidIdentifier(symbol.Name))
                {
                    return false; // no simple name names it (half-typed code's empty name, an explicit implementation's I.M, .ctor)
                }

                var info = _model.GetSpeculativeSymbolInfo(_position, SyntaxFactory.IdentifierName(symbol.Name), SpeculativeBindingOption.BindAsExpression);
                bool Same(ISymbol? found) =>
                    found is not null && (original
                        ? SymbolEqualityComparer.Default.Equals(found.OriginalDefinition, symbol.OriginalDefinition)
                        : SymbolEqualityComparer.Default.Equals(found, symbol));
                if (Same(info.Symbol))
                {
                    return true;
                }

                foreach (var candidate in info.CandidateSymbols)
                {
                    if (Same(candidate))
                    {
                        return true;
                    }
                }

                return false;
            }

            private bool Reassigned(IParameterSymbol parameter) => GO0004LockRepair.WrittenAfter(_body, parameter, 0);

            private string? PredicateArgument(IMethodSymbol method, int index)
            {
                string? found = null;
                foreach (var call in _body.Descendants().OfType<IInvocationOperation>())
                {
                    if (!SymbolEqualityComparer.Default.Equals(call.TargetMethod.OriginalDefinition, method.OriginalDefinition))
                    {
                        continue;
                    }

                    var argument = call.Arguments.FirstOrDefault(a => a.Parameter?.Ordinal == index)?.Value;
                    while (argument is IConversionOperation { IsImplicit: true } conversion)
                    {
                        argument = conversion.Operand;
                    }

                    string? text = argument switch
                    {
                        IParameterReferenceOperation p when !Reassigned(p.Parameter) && Visible(p.Parameter) => p.Parameter.Name,
                        ILiteralOperation { ConstantValue.HasValue: true } literal => literal.Syntax.ToString(),
                        _ => null,
                    };
                    if (text is null || (found is not null && found != text))
                    {
                        return null; // not a plain value, or two different ones
                    }

                    found = text;
                }

                if (found is null)
                {
                    // No call of its own: the predicate's parameter the method names (vm_normal_page's 'ulong addr' is the predicate's 'ulong addr').
                    var named = method.Parameters[index];
                    var parameter = _predicate.Parameters.FirstOrDefault(p => p.Name == named.Name && SymbolEqualityComparer.Default.Equals(p.Type, named.Type));
                    if (parameter is not null && !Reassigned(parameter) && Visible(parameter))
                    {
                        found = parameter.Name;
                    }
                }

                return found;
            }

            private string FaultArgument(IMethodSymbol method, int index)
            {
                foreach (var fact in _grant.State.Facts)
                {
                    foreach (var call in fact.Operation?.DescendantsAndSelf().OfType<IInvocationOperation>() ?? Enumerable.Empty<IInvocationOperation>())
                    {
                        if (SymbolEqualityComparer.Default.Equals(call.TargetMethod.OriginalDefinition, method.OriginalDefinition) &&
                            call.Arguments.FirstOrDefault(a => a.Parameter?.Ordinal == index) is { } argument)
                        {
                            return RouteWalker.Text(argument.Value);
                        }
                    }
                }

                return "the argument '" + method.Parameters[index].Name + "' of " + method.Name;
            }

            private string? BitName(Fact fact)
            {
                var bit = fact.Var.Bit;
                if (fact.Annotated is IFieldSymbol { IsConst: true } annotated && IsBit(annotated, bit))
                {
                    return Qualified(annotated);
                }

                // The name the fault path wrote, "(vma.vm_flags & VM_SHARED)": in scope at the return, or a member of the fault path's type.
                var text = fact.SubjectText;
                var amp = text.LastIndexOf('&');
                if (amp < 0)
                {
                    return null;
                }

                var name = text.Substring(amp + 1).Trim().TrimEnd(')').Trim().Split('.').Last();
                var field = _model.LookupSymbols(_position, name: name).OfType<IFieldSymbol>().FirstOrDefault(f => f.IsConst && IsBit(f, bit))
                    ?? _grantMethod.ContainingType?.GetMembers(name).OfType<IFieldSymbol>().FirstOrDefault(f => f.IsConst && IsBit(f, bit));
                return field is null ? null : Qualified(field);
            }

            private static bool IsBit(IFieldSymbol field, long bit)
            {
                try
                {
                    return field.ConstantValue is { } value && System.Convert.ToUInt64(value, CultureInfo.InvariantCulture) == unchecked((ulong)bit);
                }
                catch (System.Exception e) when (e is System.FormatException or System.InvalidCastException or System.OverflowException)
                {
                    return false;
                }
            }

            /// <summary>A member as the predicate can name it at the return: bare when it is in scope there, else through its type.</summary>
            private readonly Dictionary<ISymbol, string> _qualified = new Dictionary<ISymbol, string>(SymbolEqualityComparer.Default);

            private string Qualified(ISymbol member)
            {
                if (_qualified.TryGetValue(member, out var text))
                {
                    return text;
                }

                text = NameBindsTo(member, original: true)
                    ? member.Name
                    : member.ContainingType.ToMinimalDisplayString(_model, _position) + "." + member.Name;
                _qualified[member] = text;
                return text;
            }

            private string Call(IMethodSymbol method) => Qualified(method.OriginalDefinition);

            private static bool IsObject(ITypeSymbol type) =>
                type.SpecialType == SpecialType.None && type.TypeKind != TypeKind.Enum && type.TypeKind != TypeKind.Pointer &&
                type.OriginalDefinition.SpecialType != SpecialType.System_Nullable_T;

            /// <summary>A condition true exactly when <paramref name="subject"/> lies outside <paramref name="allowed"/>, or null when it allows every value.</summary>
            private static string? Outside(string subject, IntSet allowed)
            {
                static string N(long value) => value.ToString(CultureInfo.InvariantCulture);
                var iv = allowed.Intervals;
                if (iv.Length == 1)
                {
                    var (lo, hi) = iv[0];
                    if (lo == hi)
                    {
                        return subject + " != " + N(lo);
                    }

                    if (lo == IntSet.Min && hi != IntSet.Max)
                    {
                        return subject + " > " + N(hi);
                    }

                    if (hi == IntSet.Max && lo != IntSet.Min)
                    {
                        return subject + " < " + N(lo);
                    }

                    if (lo != IntSet.Min && hi != IntSet.Max)
                    {
                        return subject + " < " + N(lo) + " || " + subject + " > " + N(hi);
                    }

                    return null;
                }

                if (iv.Length == 2 && iv[0].Lo == IntSet.Min && iv[1].Hi == IntSet.Max && iv[0].Hi + 2 == iv[1].Lo)
                {
                    return subject + " == " + N(iv[0].Hi + 1);
                }

                // Several ranges (a merged route's "x in {1, 3}"): outside each of them.
                var parts = new List<string>(iv.Length);
                foreach (var (lo, hi) in iv)
                {
                    parts.Add(
                        lo == hi ? subject + " != " + N(lo) :
                        lo == IntSet.Min ? subject + " > " + N(hi) :
                        hi == IntSet.Max ? subject + " < " + N(lo) :
                        "(" + subject + " < " + N(lo) + " || " + subject + " > " + N(hi) + ")");
                }

                return iv.Length == 0 ? null : string.Join(" && ", parts);
            }
        }
    }
}
