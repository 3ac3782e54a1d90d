namespace GuardOrder.Analyzers.Model
{
    /// <summary>
    /// Every bound of the route analysis, in one place. A method past a bound is never silently
    /// accepted: the rule reports GO0008 for it instead.
    /// </summary>
    internal static class Limits
    {
        /// <summary>Complete routes per walked method (helpers' routes included).</summary>
        public const int MaxRoutes = 4096;

        /// <summary>Block visits per walked method.</summary>
        public const int MaxSteps = 200_000;

        /// <summary>Distinct predicate fact sets GO0002/GO0003 decide per predicate.</summary>
        public const int MaxDistinctPredicateRoutes = 512;

        /// <summary>Partial assignments one implication search may visit.</summary>
        public const int MaxImplicationNodes = 100_000;

        /// <summary>Disjuncts of one condition (flag tests over many bits, negated disjunctions).</summary>
        public const int MaxDisjuncts = 64;

        /// <summary>
        /// How many times one route may enter the same block: a loop body is walked twice, so that the
        /// routes that leave a loop after it ran (its counters then unknown) are walked too.
        /// </summary>
        public const int LoopVisits = 2;

        /// <summary>Combinations of [FaultPathAssumption] routes conjoined with one predicate route.</summary>
        public const int MaxAssumptionCombinations = 64;
    }
}
