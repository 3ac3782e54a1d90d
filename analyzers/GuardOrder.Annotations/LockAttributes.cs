using System;

namespace GuardOrder
{
    /// <summary>
    /// The method locks the object passed as its first argument (<c>lock_page</c>). The lock is held
    /// after the call returns. Checked by GO0003 and GO0004.
    /// </summary>
    [AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
    public sealed class AcquiresLockAttribute : Attribute
    {
    }

    /// <summary>
    /// The method tries to lock the object passed as its first argument and returns <c>true</c>
    /// when the lock was taken (<c>trylock_page</c>). Its result must be branched on before the
    /// guarded code (GO0004).
    /// </summary>
    [AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
    public sealed class TryAcquiresLockAttribute : Attribute
    {
    }

    /// <summary>
    /// The method unlocks the object passed as its first argument (<c>unlock_page</c>).
    /// </summary>
    [AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
    public sealed class ReleasesLockAttribute : Attribute
    {
    }
}
