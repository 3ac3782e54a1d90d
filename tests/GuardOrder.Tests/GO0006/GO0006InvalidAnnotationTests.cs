using System.Threading.Tasks;
using GuardOrder.Tests.Model;
using Verify = GuardOrder.Tests.Verifiers.CSharpAnalyzerVerifier<GuardOrder.Analyzers.GO0006InvalidAnnotationAnalyzer>;

namespace GuardOrder.Tests.GO0006
{
    public class GO0006InvalidAnnotationTests
    {
        [Fact]
        public async Task ValidAnnotationsAreClean()
        {
            var source = KernelFixture.With("""
                    [MustMatchFaultPath(nameof(do_wp_page))]
                    static bool ok(page page) => !PageKsm(page);

                    [MustMatchFaultPath(typeof(mm), nameof(do_wp_page))]
                    static bool ok_typed(page page) => !PageKsm(page);
                """);
            await Verify.VerifyAnalyzerAsync(source);
        }

        /// <summary>A helper-depth option that cannot be used as written is reported where it takes effect, never dropped silently.</summary>
        [Theory]
        [InlineData("three", "guardorder.max_helper_depth = 'three' is not a whole number from 0 to 8: the default 3 is used")]
        [InlineData("12", "guardorder.max_helper_depth = 12 is outside 0 to 8: 8 is used")]
        [InlineData("-1", "guardorder.max_helper_depth = -1 is outside 0 to 8: 0 is used")]
        public async Task UnusableHelperDepthIsReported(string value, string problem)
        {
            var source = KernelFixture.With("""
                    [{|#0:MustMatchFaultPath(nameof(do_wp_page))|}]
                    static bool ok(page page) => !PageKsm(page);
                """);
            var test = new Verify.Test { TestCode = source };
            test.TestState.AnalyzerConfigFiles.Add(("/.editorconfig", "root = true\n[*]\nguardorder.max_helper_depth = " + value + "\n"));
            test.ExpectedDiagnostics.Add(Verify.Diagnostic("GO0006").WithLocation(0).WithArguments(
                "[MustMatchFaultPath] on 'ok' is compared with 'do_wp_page' under .editorconfig's " + problem));
            await test.RunAsync();
        }

        [Fact]
        public async Task UsableHelperDepthIsClean()
        {
            var source = KernelFixture.With("""
                    [MustMatchFaultPath(nameof(do_wp_page))]
                    static bool ok(page page) => !PageKsm(page);
                """);
            var test = new Verify.Test { TestCode = source };
            test.TestState.AnalyzerConfigFiles.Add(("/.editorconfig", "root = true\n[*]\nguardorder.max_helper_depth = 2\n"));
            await test.RunAsync();
        }

        [Fact]
        public async Task NamesNoMethod()
        {
            var source = KernelFixture.With("""
                    [{|#0:MustMatchFaultPath("do_wp_pag")|}]
                    static bool typo(page page) => !PageKsm(page);
                """);
            await Verify.VerifyAnalyzerAsync(source, Verify.Diagnostic("GO0006").WithLocation(0).WithArguments(
                "[MustMatchFaultPath] on 'typo' names 'do_wp_pag', but 'mm' has no method of that name"));
        }

        [Fact]
        public async Task AmbiguousOverload()
        {
            var source = KernelFixture.With("""
                    static int fault(vm_fault vmf) { wp_page_reuse(vmf); return 0; }
                    static int fault(vm_fault vmf, int flags) { wp_page_reuse(vmf); return flags; }

                    [{|#0:MustMatchFaultPath(nameof(fault))|}]
                    static bool ambiguous(page page) => !PageKsm(page);
                """);
            await Verify.VerifyAnalyzerAsync(source, Verify.Diagnostic("GO0006").WithLocation(0).WithArguments(
                "[MustMatchFaultPath] on 'ambiguous' names 'fault', which is ambiguous: 'mm' declares 2 overloads of it"));
        }

        [Fact]
        public async Task NonBoolPredicate()
        {
            var source = KernelFixture.With("""
                    [{|#0:MustMatchFaultPath(nameof(do_wp_page))|}]
                    static int counts(page page) => page_count(page);
                """);
            await Verify.VerifyAnalyzerAsync(source, Verify.Diagnostic("GO0006").WithLocation(0).WithArguments(
                "[MustMatchFaultPath] is on 'counts', which returns 'int': an early-write predicate must return bool"));
        }

        [Fact]
        public async Task FaultPathWithoutWriteGrant()
        {
            var source = KernelFixture.With("""
                    static int copy_only(vm_fault vmf) => wp_page_copy(vmf);
                    static int via_helper(vm_fault vmf) => grant_helper(vmf);
                    static int grant_helper(vm_fault vmf) { wp_page_reuse(vmf); return 0; }

                    [{|#0:MustMatchFaultPath(nameof(copy_only))|}]
                    static bool never(page page) => !PageKsm(page);

                    [MustMatchFaultPath(nameof(via_helper))]
                    static bool through_helper(page page) => !PageKsm(page);
                """);
            await Verify.VerifyAnalyzerAsync(source, Verify.Diagnostic("GO0006").WithLocation(0).WithArguments(
                "[MustMatchFaultPath] on 'never' names 'copy_only', which never calls a [WriteGrant] method (helpers expanded 3 levels): there is no grant to match"));
        }

        [Fact]
        public async Task FaultPathWithoutSourceBody()
        {
            var source = KernelFixture.With("""
                    [{|#0:MustMatchFaultPath(typeof(string), nameof(string.IsNullOrEmpty))|}]
                    static bool metadata_only(page page) => !PageKsm(page);
                """);
            await Verify.VerifyAnalyzerAsync(source, Verify.Diagnostic("GO0006").WithLocation(0).WithArguments(
                "[MustMatchFaultPath] on 'metadata_only' names 'IsNullOrEmpty', which has no source body in this compilation to compare with"));
        }

        [Fact]
        public async Task NullEmptyAndUnresolvableNames()
        {
            var source = KernelFixture.With("""
                    [{|#0:MustMatchFaultPath(null!)|}]
                    static bool nothing(page page) => !PageKsm(page);

                    [{|#1:MustMatchFaultPath("")|}]
                    static bool empty(page page) => !PageKsm(page);

                    [{|#2:MustMatchFaultPath(typeof({|CS0246:missing_type|}), "do_wp_page")|}]
                    static bool unresolved(page page) => !PageKsm(page);

                    [{|#3:MustMatchFaultPath(null!, "do_wp_page")|}]
                    static bool null_type(page page) => !PageKsm(page);
                """);
            await Verify.VerifyAnalyzerAsync(
                source,
                Verify.Diagnostic("GO0006").WithLocation(0).WithArguments("[MustMatchFaultPath] on 'nothing' names no fault path: pass the method's name, e.g. nameof(do_wp_page)"),
                Verify.Diagnostic("GO0006").WithLocation(1).WithArguments("[MustMatchFaultPath] on 'empty' names no fault path: pass the method's name, e.g. nameof(do_wp_page)"),
                Verify.Diagnostic("GO0006").WithLocation(2).WithArguments("[MustMatchFaultPath] on 'unresolved' names no type that declares the fault path"),
                Verify.Diagnostic("GO0006").WithLocation(3).WithArguments("[MustMatchFaultPath] on 'null_type' names no type that declares the fault path"));
        }

        [Fact]
        public async Task LockAttributesNeedAParameter()
        {
            var source = KernelFixture.With("""
                    [{|#0:AcquiresLock|}] static void lock_all() { }
                    [{|#1:ReleasesLock|}] static void unlock_all() { }
                    [{|#2:TryAcquiresLock|}] static bool trylock_all() => true;
                    [{|#3:TryAcquiresLock|}] static void trylock_void(page page) { }
                """);
            await Verify.VerifyAnalyzerAsync(
                source,
                Verify.Diagnostic("GO0006").WithLocation(0).WithArguments("[AcquiresLock] on 'lock_all' has no parameter to lock: the lock attributes lock the object passed as the first argument"),
                Verify.Diagnostic("GO0006").WithLocation(1).WithArguments("[ReleasesLock] on 'unlock_all' has no parameter to lock: the lock attributes lock the object passed as the first argument"),
                Verify.Diagnostic("GO0006").WithLocation(2).WithArguments("[TryAcquiresLock] on 'trylock_all' has no parameter to lock: the lock attributes lock the object passed as the first argument"),
                Verify.Diagnostic("GO0006").WithLocation(3).WithArguments("[TryAcquiresLock] on 'trylock_void' needs a bool result (true = the lock was taken), but it returns 'void'"));
        }

        [Fact]
        public async Task SilentWithoutAnnotations()
        {
            const string source = "static class C { static bool f() => true; }";
            await Verify.VerifyAnalyzerAsync(source, withAnnotations: false);
        }
    }
}
