using System;

namespace GuardOrder
{
    /// <summary>
    /// Marks a <c>bool</c> method that states what a fault path may rely on without showing it: a
    /// kernel invariant (<c>(vma.vm_flags &amp; VM_SHARED) == 0 || !PageAnon(page)</c>: "a shared
    /// mapping holds no anonymous page"), or the fault mode a predicate mirrors. Declare it in the
    /// type of the fault path or of the predicate; its parameters map by type like the predicate's.
    /// GO0002 conjoins its true routes with every predicate route before deciding the implication,
    /// and GO0007 lists it as assumed.
    /// </summary>
    [AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
    public sealed class FaultPathAssumptionAttribute : Attribute
    {
    }
}
