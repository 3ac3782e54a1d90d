using System;

namespace GuardOrder
{
    /// <summary>
    /// Marks a method whose call is the fault path granting write access in place
    /// (<c>wp_page_reuse</c>, <c>wp_page_shared</c>, ...). The fault path's grant routes are the
    /// routes that reach such a call.
    /// </summary>
    [AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
    public sealed class WriteGrantAttribute : Attribute
    {
    }
}
