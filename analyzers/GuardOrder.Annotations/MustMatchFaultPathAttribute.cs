using System;

namespace GuardOrder
{
    /// <summary>
    /// Marks a <see cref="bool"/> method as an early-write predicate: it may only return
    /// <c>true</c> where the named fault path would also grant the write in place (a call to a
    /// <see cref="WriteGrantAttribute"/> method). Checked by GO0002 and GO0003.
    /// </summary>
    /// <example><code>[MustMatchFaultPath(nameof(do_wp_page))] static bool may_avoid_write_fault(...)</code></example>
    [AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
    public sealed class MustMatchFaultPathAttribute : Attribute
    {
        /// <summary>The fault path is a method of the predicate's own type.</summary>
        /// <param name="faultPath">The fault path method's name, e.g. <c>nameof(do_wp_page)</c>.</param>
        public MustMatchFaultPathAttribute(string faultPath)
        {
            FaultPath = faultPath;
        }

        /// <summary>The fault path is a method of <paramref name="declaringType"/>.</summary>
        /// <param name="declaringType">The type that declares the fault path.</param>
        /// <param name="faultPath">The fault path method's name, e.g. <c>nameof(memory.do_wp_page)</c>.</param>
        public MustMatchFaultPathAttribute(Type declaringType, string faultPath)
        {
            DeclaringType = declaringType;
            FaultPath = faultPath;
        }

        /// <summary>The type that declares the fault path, or <c>null</c> for the predicate's own type.</summary>
        public Type? DeclaringType { get; }

        /// <summary>The fault path method's name.</summary>
        public string FaultPath { get; }
    }
}
