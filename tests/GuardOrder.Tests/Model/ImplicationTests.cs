using System.Collections.Immutable;
using System.Linq;
using GuardOrder.Analyzers.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace GuardOrder.Tests.Model
{
    /// <summary>The fact domain and the exact implication check, without a CFG.</summary>
    public class ImplicationTests
    {
        private static readonly Compilation Members = CSharpCompilation.Create(
            "Members",
            new[] { CSharpSyntaxTree.ParseText("public class page {} public static class mm { public static bool PageKsm(page p) => false; public static int page_count(page p) => 0; public static bool A() => false; public static bool B() => false; public static bool trylock_page(page p) => true; }") },
            Basic.Reference.Assemblies.Net100.References.All);

        private static ISymbol Member(string name) => Members.GetTypeByMetadataName("mm")!.GetMembers(name).Single();

        private static readonly ITypeSymbol PageType = Members.GetTypeByMetadataName("page")!;

        private static readonly HeldLock PageLock = new HeldLock(null, PageType, null!, "trylock_page(page)");

        /// <summary>member(the page): the subject every test fact is about.</summary>
        private static FactVar Var(string member, HeldLock? underLock) =>
            new FactVar(new ProducedSubject((IMethodSymbol)Member(member), ImmutableArray.Create<Subject?>(new InputSubject(PageType))), 0, underLock?.Family);

        private static Fact Bool(string member, bool value, HeldLock? underLock = null) =>
            new Fact(Var(member, underLock), FactKind.Bool, member + "(page)", IntSet.Point(value ? 1 : 0), underLock, null, Member(member));

        private static Fact Count(IntSet allowed, HeldLock? underLock = null) =>
            new Fact(Var("page_count", underLock), FactKind.Integer, "page_count(page)", allowed, underLock, null, Member("page_count"));

        private static FactSet Set(params Fact[] facts) => FactSet.From(ImmutableArray.Create(facts));

        /// <summary>A fact set keeps one constraint per variable (the intersection of the route's facts about it), the first fact as its representative, in the order the route first constrained each.</summary>
        [Fact]
        public void FactSet_OneConstraintPerVariable_FirstFactRepresents_RouteOrder()
        {
            var first = Count(IntSet.Range(0, 3));
            var second = Count(IntSet.Range(1, 5));
            var ksm = Bool("PageKsm", false);
            var set = Set(first, ksm, second);

            Assert.Equal(2, set.Constraints.Count);
            Assert.Equal(IntSet.Range(1, 3), set.Constraints[first.Var]);
            Assert.Same(first, set.Representatives[first.Var]);
            Assert.Same(ksm, set.Representatives[ksm.Var]);
            var order = new System.Collections.Generic.List<FactVar>();
            foreach (var pair in set.Constraints)
            {
                order.Add(pair.Key);
            }

            Assert.Equal(new[] { first.Var, ksm.Var }, order);
            Assert.False(set.Constraints.TryGetValue(Var("A", null), out _));
            Assert.Throws<System.Collections.Generic.KeyNotFoundException>(() => set.Constraints[Var("A", null)]);

            // Equal whatever the order of the facts; not equal when a constraint differs.
            Assert.Equal(set, Set(ksm, second, first));
            Assert.Equal(set.GetHashCode(), Set(ksm, second, first).GetHashCode());
            Assert.NotEqual(set, Set(first, ksm));
            Assert.Equal(0, Set().Constraints.Count);
        }

        [Fact]
        public void IntSetOperations()
        {
            var notOne = IntSet.Point(1).ComplementWithin(IntSet.AllIntegers);
            Assert.False(notOne.Contains(1));
            Assert.True(notOne.Contains(0) && notOne.Contains(2));
            Assert.True(IntSet.Point(1).IsSubsetOf(IntSet.Range(0, 3)));
            Assert.False(IntSet.Range(0, 3).IsSubsetOf(IntSet.Point(1)));
            Assert.True(IntSet.Point(1).Intersect(notOne).IsEmpty);
            Assert.Equal(IntSet.Point(0), IntSet.Point(1).ComplementWithin(IntSet.Boolean));
            Assert.Equal(" != 1", Fact.Render(FactKind.Integer, "", notOne));
            Assert.Equal(" >= 4", Fact.Render(FactKind.Integer, "", IntSet.Range(4, IntSet.Max)));
        }

        /// <summary>The union the exact route merge writes: touching intervals join, so a union equals the set built at once.</summary>
        [Fact]
        public void IntSetUnion()
        {
            Assert.Equal(IntSet.Boolean, IntSet.Point(0).Union(IntSet.Point(1)));
            Assert.Equal(IntSet.Range(0, 5), IntSet.Range(3, 5).Union(IntSet.Range(0, 3)));
            Assert.Equal(IntSet.Range(0, 5), IntSet.Range(0, 2).Union(IntSet.Range(3, 5)));
            var oneOrThree = IntSet.Point(1).Union(IntSet.Point(3));
            Assert.Equal(new[] { (1L, 1L), (3L, 3L) }, oneOrThree.Intervals.ToArray());
            Assert.Equal(" in {1, 3}", Fact.Render(FactKind.Integer, "", oneOrThree));
            var notOne = IntSet.Point(1).ComplementWithin(IntSet.AllIntegers);
            Assert.Equal(IntSet.AllIntegers, notOne.Union(IntSet.Point(1)));
            Assert.True(IntSet.AllIntegers.IsSubsetOf(notOne.Union(IntSet.Range(0, 2))));
            Assert.Same(oneOrThree, oneOrThree.Union(IntSet.Empty));
            Assert.Equal(notOne, IntSet.Range(IntSet.Min, 0).Union(IntSet.Range(2, IntSet.Max)));
            Assert.Equal(" in {0..2, 5}", Fact.Render(FactKind.Integer, "", IntSet.Range(0, 2).Union(IntSet.Point(5))));
        }

        [Fact]
        public void EqualsOneImpliesNotEqualsOneIsFalseAndNotGreaterThanThree()
        {
            var predicate = Set(Count(IntSet.Point(1)));
            Assert.True(Implication.Check(predicate, new[] { Set(Count(IntSet.Range(IntSet.Min, 3))) }).Implied);
            Assert.True(Implication.Check(predicate, new[] { Set(Count(IntSet.Point(1))) }).Implied);
            Assert.False(Implication.Check(Set(Count(IntSet.Range(1, 2))), new[] { Set(Count(IntSet.Point(1))) }).Implied);
        }

        [Fact]
        public void LockedCheckSatisfiesTheUnlockedRequirementButNotTheReverse()
        {
            var fault = new[] { Set(Bool("PageKsm", false), Bool("PageKsm", false, PageLock)) };
            Assert.True(Implication.Check(Set(Bool("PageKsm", false, PageLock)), fault).Implied);

            var unlockedOnly = Implication.Check(Set(Bool("PageKsm", false)), fault);
            Assert.False(unlockedOnly.Implied);
            Assert.Single(unlockedOnly.OutsideLock);
            Assert.Empty(unlockedOnly.Missing);
        }

        [Fact]
        public void OneMatchingRouteIsEnoughAndDisjunctionsCover()
        {
            // Fast path: A => grant; slow path: !A, !PageKsm => grant.
            var fault = new[] { Set(Bool("A", true)), Set(Bool("A", false), Bool("PageKsm", false)) };
            Assert.True(Implication.Check(Set(Bool("A", true)), fault).Implied);
            Assert.True(Implication.Check(Set(Bool("PageKsm", false)), fault).Implied); // A true or false: both covered
            var missing = Implication.Check(Set(Bool("B", true)), fault);
            Assert.False(missing.Implied);
            Assert.Equal(0, missing.Closest); // fewest additions
            Assert.Equal("A(page) is true", Assert.Single(missing.Missing).Describe());
        }

        [Fact]
        public void ClosestRouteSharesTheMostFactsAndListsOnlyNeededAdditions()
        {
            // userfaultfd_pte_wp expanded: (A false) or (A true and B false); then PageKsm and the count.
            var fault = new[]
            {
                Set(Bool("A", false), Bool("PageKsm", false), Count(IntSet.Point(1))),
                Set(Bool("A", true), Bool("B", false), Bool("PageKsm", false), Count(IntSet.Point(1))),
            };
            var result = Implication.Check(Set(Bool("B", false), Count(IntSet.Point(1))), fault);
            Assert.False(result.Implied);
            Assert.Equal(1, result.Closest);
            Assert.Equal(new[] { "PageKsm(page) is false" }, result.Missing.Select(f => f.Describe()));
        }
    
        private static RouteState State(params Fact[] facts)
        {
            var state = RouteState.Initial;
            foreach (var fact in facts)
            {
                state = state.WithFact(fact)!;
            }

            return state;
        }

        private static string[] Described(RouteState state) => state.Facts.Select(f => f.Describe()).ToArray();

        /// <summary>
        /// <c>RouteState.Disjoin</c>, the exact merge of two arrivals: one conjunction for both only when it is exactly
        /// their disjunction. Each case here fails if one of its checks is dropped (the facts only one side holds on one
        /// variable of one kind on both sides, the same lock and annotated member, the shared facts kept in route order).
        /// </summary>
        [Fact]
        public void Disjoin_MergesOnlyWhenOneConjunctionIsBoth()
        {
            var ksm = Bool("PageKsm", false);

            // The same fact but one value: one fact allowing both, where the first side's fact was; the newer shared fact after it.
            var merged = RouteState.Disjoin(State(Count(IntSet.Point(1)), ksm), State(Count(IntSet.Point(3)), Bool("PageKsm", false)));
            Assert.NotNull(merged);
            Assert.Equal(new[] { IntSet.Point(1).Union(IntSet.Point(3)), ksm.Allowed }, merged!.Facts.Select(f => f.Allowed));
            Assert.Same(ksm, merged.Facts[1]);

            // One side's facts among the other's: that side.
            var wide = State(ksm);
            var narrow = State(ksm, Count(IntSet.Point(1)));
            Assert.Same(wide, RouteState.Disjoin(wide, narrow));
            Assert.Same(wide, RouteState.Disjoin(narrow, wide));

            // Both values of a bool: the fact dropped, the shared ones kept.
            var either = RouteState.Disjoin(State(ksm, Bool("A", true)), State(ksm, Bool("A", false)));
            Assert.Equal(new[] { "PageKsm(page) is false" }, Described(either!));

            // Facts on two variables of the same kind, one on each side: no single conjunction (also when neither names
            // an annotated member, so that nothing but the variables tells them apart).
            Assert.Null(RouteState.Disjoin(State(ksm, Bool("A", true)), State(ksm, Bool("B", true))));
            Fact Unannotated(string member) => new Fact(Var(member, null), FactKind.Bool, member + "(page)", IntSet.Point(1), null, null, null);
            Assert.Null(RouteState.Disjoin(State(ksm, Unannotated("A")), State(ksm, Unannotated("B"))));

            // Two variables on one side: none either.
            Assert.Null(RouteState.Disjoin(State(Bool("A", true), Count(IntSet.Point(1))), State(Count(IntSet.Point(3)))));

            // A fact read under the page lock and one read without it are two variables.
            Assert.Null(RouteState.Disjoin(State(Count(IntSet.Point(1), PageLock)), State(Count(IntSet.Point(3)))));

            // The same variable, values that do not cover its domain, but another annotated member: not written as one.
            var other = new Fact(Var("page_count", null), FactKind.Integer, "page_count(page)", IntSet.Point(3), null, null, Member("A"));
            Assert.Null(RouteState.Disjoin(State(Count(IntSet.Point(1))), State(other)));
        }
    }
}
