namespace GuardOrder.Package.Tests
{
    internal static class Placeholder
    {
    }
}
