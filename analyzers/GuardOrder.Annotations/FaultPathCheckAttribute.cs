using System;

namespace GuardOrder
{
    /// <summary>
    /// Marks a method or property as a check whose outcome the fault path's write grant depends on
    /// (<c>PageKsm</c>, <c>page_count</c>, <c>userfaultfd_pte_wp</c>, <c>vm_normal_page</c>,
    /// <c>PageAnon</c>, ...). GO0002 compares the outcomes of these checks along the predicate's and
    /// the fault path's routes; facts about members without this attribute are ignored.
    /// </summary>
    [AttributeUsage(AttributeTargets.Method | AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
    public sealed class FaultPathCheckAttribute : Attribute
    {
    }
}
