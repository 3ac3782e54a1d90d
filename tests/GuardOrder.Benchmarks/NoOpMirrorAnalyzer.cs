using System;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace GuardOrder.Benchmarks
{
    /// <summary>
    /// The floor: wraps one real GuardOrder analyzer and registers exactly the callbacks it registers
    /// (same action families, same symbol / syntax / operation kinds, same concurrency and
    /// generated-code settings) but with empty bodies. The real analyzer's compilation-start action is
    /// run (it must run to say what it registers: symbol resolution via GuardOrderSymbols.TryCreate and
    /// the registrations), and everything it registers there becomes a no-op. Nested start actions
    /// (operation-block-start, symbol-start, code-block-start) become a no-op start that registers a
    /// no-op end action of the same family: what the real start action would register inside depends
    /// on work we do not want in the floor, so the floor is, if anything, slightly too cheap (which
    /// makes the GuardOrder/no-op ratio conservative).
    /// </summary>
#pragma warning disable RS1001, RS1012, RS1025, RS1026 // a measuring wrapper, never shipped
    internal sealed class NoOpMirrorAnalyzer : DiagnosticAnalyzer
    {
        private readonly DiagnosticAnalyzer _inner;

        public NoOpMirrorAnalyzer(DiagnosticAnalyzer inner)
        {
            _inner = inner;
        }

        public string InnerName => _inner.GetType().Name;

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => _inner.SupportedDiagnostics;

        public override void Initialize(AnalysisContext context) => _inner.Initialize(new Root(context));

        private sealed class Root : AnalysisContext
        {
            private readonly AnalysisContext _c;

            public Root(AnalysisContext c)
            {
                _c = c;
            }

            public override void EnableConcurrentExecution() => _c.EnableConcurrentExecution();

            public override void ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags analysisMode) => _c.ConfigureGeneratedCodeAnalysis(analysisMode);

            public override void RegisterCompilationStartAction(Action<CompilationStartAnalysisContext> action) =>
                _c.RegisterCompilationStartAction(ctx => action(new Start(ctx)));

            public override void RegisterCompilationAction(Action<CompilationAnalysisContext> action) => _c.RegisterCompilationAction(static _ => { });

            public override void RegisterSemanticModelAction(Action<SemanticModelAnalysisContext> action) => _c.RegisterSemanticModelAction(static _ => { });

            public override void RegisterSymbolAction(Action<SymbolAnalysisContext> action, ImmutableArray<SymbolKind> symbolKinds) =>
                _c.RegisterSymbolAction(static _ => { }, symbolKinds);

            public override void RegisterSymbolStartAction(Action<SymbolStartAnalysisContext> action, SymbolKind symbolKind) =>
                _c.RegisterSymbolStartAction(static s => s.RegisterSymbolEndAction(static _ => { }), symbolKind);

            public override void RegisterCodeBlockStartAction<TLanguageKindEnum>(Action<CodeBlockStartAnalysisContext<TLanguageKindEnum>> action) =>
                _c.RegisterCodeBlockStartAction<TLanguageKindEnum>(static s => s.RegisterCodeBlockEndAction(static _ => { }));

            public override void RegisterCodeBlockAction(Action<CodeBlockAnalysisContext> action) => _c.RegisterCodeBlockAction(static _ => { });

            public override void RegisterSyntaxTreeAction(Action<SyntaxTreeAnalysisContext> action) => _c.RegisterSyntaxTreeAction(static _ => { });

            public override void RegisterAdditionalFileAction(Action<AdditionalFileAnalysisContext> action) => _c.RegisterAdditionalFileAction(static _ => { });

            public override void RegisterSyntaxNodeAction<TLanguageKindEnum>(Action<SyntaxNodeAnalysisContext> action, ImmutableArray<TLanguageKindEnum> syntaxKinds) =>
                _c.RegisterSyntaxNodeAction(static _ => { }, syntaxKinds);

            public override void RegisterOperationAction(Action<OperationAnalysisContext> action, ImmutableArray<OperationKind> operationKinds) =>
                _c.RegisterOperationAction(static _ => { }, operationKinds);

            public override void RegisterOperationBlockStartAction(Action<OperationBlockStartAnalysisContext> action) =>
                _c.RegisterOperationBlockStartAction(static s => s.RegisterOperationBlockEndAction(static _ => { }));

            public override void RegisterOperationBlockAction(Action<OperationBlockAnalysisContext> action) => _c.RegisterOperationBlockAction(static _ => { });
        }

        private sealed class Start : CompilationStartAnalysisContext
        {
            private readonly CompilationStartAnalysisContext _c;

            public Start(CompilationStartAnalysisContext c)
                : base(c.Compilation, c.Options, c.CancellationToken)
            {
                _c = c;
            }

            public override void RegisterCompilationEndAction(Action<CompilationAnalysisContext> action) => _c.RegisterCompilationEndAction(static _ => { });

            public override void RegisterSemanticModelAction(Action<SemanticModelAnalysisContext> action) => _c.RegisterSemanticModelAction(static _ => { });

            public override void RegisterSymbolAction(Action<SymbolAnalysisContext> action, ImmutableArray<SymbolKind> symbolKinds) =>
                _c.RegisterSymbolAction(static _ => { }, symbolKinds);

            public override void RegisterSymbolStartAction(Action<SymbolStartAnalysisContext> action, SymbolKind symbolKind) =>
                _c.RegisterSymbolStartAction(static s => s.RegisterSymbolEndAction(static _ => { }), symbolKind);

            public override void RegisterCodeBlockStartAction<TLanguageKindEnum>(Action<CodeBlockStartAnalysisContext<TLanguageKindEnum>> action) =>
                _c.RegisterCodeBlockStartAction<TLanguageKindEnum>(static s => s.RegisterCodeBlockEndAction(static _ => { }));

            public override void RegisterCodeBlockAction(Action<CodeBlockAnalysisContext> action) => _c.RegisterCodeBlockAction(static _ => { });

            public override void RegisterSyntaxTreeAction(Action<SyntaxTreeAnalysisContext> action) => _c.RegisterSyntaxTreeAction(static _ => { });

            public override void RegisterAdditionalFileAction(Action<AdditionalFileAnalysisContext> action) => _c.RegisterAdditionalFileAction(static _ => { });

            public override void RegisterSyntaxNodeAction<TLanguageKindEnum>(Action<SyntaxNodeAnalysisContext> action, ImmutableArray<TLanguageKindEnum> syntaxKinds) =>
                _c.RegisterSyntaxNodeAction(static _ => { }, syntaxKinds);

            public override void RegisterOperationAction(Action<OperationAnalysisContext> action, ImmutableArray<OperationKind> operationKinds) =>
                _c.RegisterOperationAction(static _ => { }, operationKinds);

            public override void RegisterOperationBlockStartAction(Action<OperationBlockStartAnalysisContext> action) =>
                _c.RegisterOperationBlockStartAction(static s => s.RegisterOperationBlockEndAction(static _ => { }));

            public override void RegisterOperationBlockAction(Action<OperationBlockAnalysisContext> action) => _c.RegisterOperationBlockAction(static _ => { });
        }
    }
#pragma warning restore RS1001, RS1012, RS1025, RS1026
}
