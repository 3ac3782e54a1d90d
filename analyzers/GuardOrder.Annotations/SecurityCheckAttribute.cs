using System;

namespace GuardOrder
{
    /// <summary>
    /// Marks a field, constant, enum member, property or method as security-relevant: any guard
    /// condition that reads it is a security check and must come before the other guards (GO0001),
    /// and no route may grant write access without passing it (GO0005).
    /// </summary>
    /// <example><code>[SecurityCheck] public const ulong VM_WRITE = 0x2;</code></example>
    [AttributeUsage(
        AttributeTargets.Field | AttributeTargets.Property | AttributeTargets.Method,
        AllowMultiple = false,
        Inherited = false)]
    public sealed class SecurityCheckAttribute : Attribute
    {
    }
}
