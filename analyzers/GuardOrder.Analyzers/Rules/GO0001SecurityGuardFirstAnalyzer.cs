using System.Collections.Immutable;
using GuardOrder.Analyzers.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace GuardOrder.Analyzers
{
    /// <summary>
    /// GO0001: in the leading guard run of a body, and in a &amp;&amp;/|| chain that forms an if
    /// condition or a return value, the checks that read a [SecurityCheck] symbol come first.
    /// Reported once per misplaced security check, at its condition. The diagnostic says whether
    /// the "Move the security check first" fix keeps behaviour (<see cref="FixableProperty"/>),
    /// and when it does not, the message says why.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class GO0001SecurityGuardFirstAnalyzer : DiagnosticAnalyzer
    {
        /// <summary>Diagnostic property: "true" when the fix is offered.</summary>
        public const string FixableProperty = "GO0001.Fixable";

        /// <summary>Diagnostic property: <see cref="GuardKind"/> or <see cref="ChainKind"/>.</summary>
        public const string KindProperty = "GO0001.Kind";

        public const string GuardKind = "Guard";
        public const string ChainKind = "Chain";

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
            ImmutableArray.Create(Descriptors.GO0001SecurityGuardFirst);

        public override void Initialize(AnalysisContext context)
        {
            context.EnableConcurrentExecution();
            // Generated code is not analysed (no Analyze flag); the rule reports only inside the code it analyses,
            // so its diagnostics need no generated-code filter (ReportDiagnostics spares the driver's search of a
            // tree's declarations for [GeneratedCode] on each tree's first report: GeneratedCodeTests).
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.ReportDiagnostics);
            context.RegisterCompilationStartAction(OnCompilationStart);
        }

        private static void OnCompilationStart(CompilationStartAnalysisContext context)
        {
            var symbols = GuardOrderSymbols.TryCreate(context.Compilation);
            if (symbols?.SecurityCheck is null)
            {
                return;
            }

            var purity = new Purity(context.Compilation);
            context.RegisterOperationAction(
                c => AnalyzeBody(c, symbols, purity),
                OperationKind.MethodBody,
                OperationKind.ConstructorBody,
                OperationKind.LocalFunction,
                OperationKind.AnonymousFunction);
            context.RegisterOperationAction(c => AnalyzeIf(c, symbols, purity), OperationKind.Conditional);
            context.RegisterOperationAction(c => AnalyzeReturn(c, symbols, purity), OperationKind.Return);
        }

        private static void AnalyzeBody(OperationAnalysisContext context, GuardOrderSymbols symbols, Purity purity)
        {
            var body = GuardRun.BodyOf(context.Operation);
            if (body is null)
            {
                return;
            }

            // Cheap passes first: most bodies hold no security guard, and most others nothing misplaced
            // (they need no purity analysis).
            if (!GuardRun.MayHoldSecurityGuard(body, symbols))
            {
                return;
            }

            var run = GuardRun.Build(body, symbols, purity: null, context.CancellationToken);
            if (run.Misplaced.IsEmpty)
            {
                return;
            }

            run = GuardRun.Build(body, symbols, purity, context.CancellationToken);
            if (run.Misplaced.IsEmpty || run.FirstOtherGuard is null)
            {
                return;
            }

            var plan = run.Plan(purity, context.CancellationToken);
            foreach (var security in run.Misplaced)
            {
                if (security.ConditionSyntax is null)
                {
                    continue;
                }

                plan.Blockers.TryGetValue(security, out var blocker);
                Report(context, security.ConditionSyntax, security.ConditionText, run.FirstOtherGuard.Text, blocker, GuardKind);
            }
        }

        private static void AnalyzeIf(OperationAnalysisContext context, GuardOrderSymbols symbols, Purity purity)
        {
            // Statements only: a ?: expression has a type.
            if (context.Operation is IConditionalOperation { Type: null } conditional)
            {
                AnalyzeChains(context, conditional.Condition, symbols, purity);
            }
        }

        private static void AnalyzeReturn(OperationAnalysisContext context, GuardOrderSymbols symbols, Purity purity)
        {
            if (context.Operation is IReturnOperation { Kind: OperationKind.Return } ret)
            {
                AnalyzeChains(context, ret.ReturnedValue, symbols, purity);
            }
        }

        private static void AnalyzeChains(OperationAnalysisContext context, IOperation? condition, GuardOrderSymbols symbols, Purity purity)
        {
            foreach (var chain in ConditionChain.FindAll(condition, symbols))
            {
                if (chain.Misplaced.IsEmpty || chain.FirstOther is null)
                {
                    continue;
                }

                var plan = chain.Plan(purity, context.CancellationToken);
                foreach (var security in chain.Misplaced)
                {
                    plan.Blockers.TryGetValue(security, out var blocker);
                    Report(context, security.Syntax, security.Text, chain.FirstOther.Text, blocker, ChainKind);
                }
            }
        }

        private static void Report(OperationAnalysisContext context, SyntaxNode at, string security, string other, MoveBlocker? blocker, string kind)
        {
            var properties = ImmutableDictionary.CreateBuilder<string, string?>();
            properties.Add(FixableProperty, blocker is null ? "true" : "false");
            properties.Add(KindProperty, kind);
            context.ReportDiagnostic(Diagnostic.Create(
                Descriptors.GO0001SecurityGuardFirst,
                at.GetLocation(),
                properties.ToImmutable(),
                security,
                other,
                blocker?.MessageSuffix ?? string.Empty));
        }
    }
}
