using System;

namespace GuardOrder
{
    /// <summary>
    /// Marks a method, property, field or constant as a check whose outcome the fault path's write
    /// grant depends on (<c>PageKsm</c>, <c>page_count</c>, <c>userfaultfd_pte_wp</c>,
    /// <c>vm_normal_page</c>, <c>PageAnon</c>, <c>VM_SHARED</c>, ...). Every condition on the fault
    /// path's grant routes is compared with the predicate's, annotated or not; the annotation says
    /// the condition is meant (GO0007 lists the unannotated ones), and a check on a value the
    /// predicate cannot name stays required instead of being assumed.
    /// </summary>
    [AttributeUsage(AttributeTargets.Method | AttributeTargets.Property | AttributeTargets.Field, AllowMultiple = false, Inherited = false)]
    public sealed class FaultPathCheckAttribute : Attribute
    {
    }
}
