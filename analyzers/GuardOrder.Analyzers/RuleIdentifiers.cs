namespace GuardOrder.Analyzers
{
    /// <summary>The public rule ids. Never renumber: users suppress and configure by id.</summary>
    public static class RuleIdentifiers
    {
        public const string SecurityGuardFirst = "GO0001";
        public const string FaultPathMissingCheck = "GO0002";
        public const string FaultPathCheckOutsideLock = "GO0003";
        public const string LockDiscipline = "GO0004";
        public const string SecurityCheckBypassed = "GO0005";
        public const string InvalidAnnotation = "GO0006";
        public const string FaultPathAssumed = "GO0007";
        public const string AnalysisLimit = "GO0008";

        public const string Category = "GuardOrder";

        /// <summary>The page that documents <paramref name="id"/>.</summary>
        public static string GetHelpUri(string id) =>
            "https://github.com/guardorder/guardorder/blob/main/analyzers/docs/rules/" + id + ".md";
    }
}
