using System.Threading.Tasks;
using static GuardOrder.Tests.Sync.SyncTestRunner;

namespace GuardOrder.Tests.Sync
{
    /// <summary>
    /// The same attributes outside mm: a cache whose in-place update fast path must mirror the slow
    /// path's checks under the shard lock. Property patterns, null-conditional access, relational
    /// patterns and switch statements give the facts of their if-forms.
    /// </summary>
    public class SecondDomainTests
    {
        /// <summary>The cache domain, ending inside an open <c>partial class Cache</c> (also the second domain of the sync fix property).</summary>
        internal const string Cache = """
            #nullable enable
            using GuardOrder;

            public sealed class User { public bool CanWrite; }
            public sealed class Entry { public bool IsStale; public int Pins; public bool Frozen; }
            public sealed class Shard { public bool Locked; }
            public sealed class Request { public User User = new User(); public Entry? Entry; public Shard Shard = new Shard(); }

            public static partial class Cache
            {
                [SecurityCheck] public static bool MayWrite(User user) => user.CanWrite;
                [TryAcquiresLock] public static bool TryLockShard(Shard shard) { if (shard.Locked) return false; shard.Locked = true; return true; }
                [ReleasesLock] public static void UnlockShard(Shard shard) => shard.Locked = false;
                [WriteGrant] public static void UpdateInPlace(Request request) { }
                public static int CopyOnWrite(Request request) => 0;

                /// <summary>The slow path: the entry is updated in place only when it is fresh, unpinned and not frozen, checked under the shard lock.</summary>
                public static int Update(Request request)
                {
                    var entry = request.Entry;
                    if (entry is null)
                        return -1;
                    if (entry.Frozen)
                        return CopyOnWrite(request);
                    if (!TryLockShard(request.Shard))
                        return CopyOnWrite(request);
                    if (entry.IsStale || entry.Pins != 0)
                    {
                        UnlockShard(request.Shard);
                        return CopyOnWrite(request);
                    }
                    UpdateInPlace(request);
                    UnlockShard(request.Shard);
                    return 1;
                }
            }

            public static partial class Cache
            {

            """;

        private static string With(string fastPath) => Cache + fastPath + "\n}\n";

        [Fact]
        public async Task PropertyPatternUnderTheLockIsInSync()
        {
            var source = With("""
                [MustMatchFaultPath(nameof(Update))]
                public static bool CanUpdateInPlace(User user, Entry? entry, Shard shard)
                {
                    if (!MayWrite(user))
                        return false;
                    if (entry is null or { Frozen: true })
                        return false;
                    if (!TryLockShard(shard))
                        return false;
                    var ok = entry is { IsStale: false, Pins: 0 };
                    UnlockShard(shard);
                    return ok;
                }
                """);
            AssertSilent(await RunAsync(source));
        }

        [Fact]
        public async Task NullConditionalAndRelationalFormsAreInSync()
        {
            var source = With("""
                [MustMatchFaultPath(nameof(Update))]
                public static bool CanUpdateInPlace(User user, Entry? entry, Shard shard)
                {
                    if (!MayWrite(user) || entry?.Frozen != false)
                        return false;
                    if (!TryLockShard(shard))
                        return false;
                    bool ok = entry.IsStale is false && entry.Pins is not (> 0 or < 0);
                    UnlockShard(shard);
                    return ok;
                }
                """);
            AssertSilent(await RunAsync(source));
        }

        [Fact]
        public async Task SwitchWithACatchAllLastSectionHasNoPhantomRoute()
        {
            var source = With("""
                [MustMatchFaultPath(nameof(Update))]
                public static bool CanUpdateInPlace(User user, Entry? entry, Shard shard)
                {
                    if (!MayWrite(user) || entry is null || entry.Frozen)
                        return false;
                    if (!TryLockShard(shard))
                        return false;
                    bool ok;
                    switch (entry.Pins)
                    {
                        case 0 when !entry.IsStale:
                            ok = true;
                            break;
                        case { } pins:
                            ok = false;
                            break;
                    }
                    UnlockShard(shard);
                    return ok;
                }
                """);
            AssertSilent(await RunAsync(source));
        }

        /// <summary>A switch expression whose arms are exhaustive leaves no "no arm" route (the compiler's throw is not a return).</summary>
        [Fact]
        public async Task SwitchExpressionIsInSync()
        {
            var source = With("""
                [MustMatchFaultPath(nameof(Update))]
                public static bool CanUpdateInPlace(User user, Entry? entry, Shard shard)
                {
                    if (!MayWrite(user) || entry is null || entry.Frozen)
                        return false;
                    if (!TryLockShard(shard))
                        return false;
                    bool ok = entry switch
                    {
                        { IsStale: true } => false,
                        { Pins: 0 } => true,
                        _ => false,
                    };
                    UnlockShard(shard);
                    return ok;
                }
                """);
            AssertSilent(await RunAsync(source));
            AssertReports(await RunAsync(source.Replace("{ IsStale: true } => false,", string.Empty)), "GO0002", "IsStale");
        }

        [Fact]
        public async Task MissingPinsCheckIsReported()
        {
            var source = With("""
                [MustMatchFaultPath(nameof(Update))]
                public static bool CanUpdateInPlace(User user, Entry? entry, Shard shard)
                {
                    if (!MayWrite(user))
                        return false;
                    if (entry is null or { Frozen: true })
                        return false;
                    if (!TryLockShard(shard))
                        return false;
                    var ok = entry is { IsStale: false };
                    UnlockShard(shard);
                    return ok;
                }
                """);
            AssertReports(await RunAsync(source), "GO0002", "Pins");
        }

        [Fact]
        public async Task CheckOutsideTheShardLockIsGO0003()
        {
            var source = With("""
                [MustMatchFaultPath(nameof(Update))]
                public static bool CanUpdateInPlace(User user, Entry? entry, Shard shard)
                {
                    if (!MayWrite(user))
                        return false;
                    if (entry is null or { Frozen: true } or { IsStale: true })
                        return false;
                    if (!TryLockShard(shard))
                        return false;
                    var ok = entry.Pins == 0;
                    UnlockShard(shard);
                    return ok;
                }
                """);
            AssertReports(await RunAsync(source), "GO0003", "IsStale", "TryLockShard");
        }

        [Fact]
        public async Task ForgottenUnlockAndBypassAreReported()
        {
            var source = With("""
                [MustMatchFaultPath(nameof(Update))]
                public static bool CanUpdateInPlace(User user, Entry? entry, Shard shard, bool admin)
                {
                    if (!admin && !MayWrite(user))
                        return false;
                    if (entry is null or { Frozen: true })
                        return false;
                    if (!TryLockShard(shard))
                        return false;
                    return entry is { IsStale: false, Pins: 0 };
                }
                """);
            var diagnostics = await RunAsync(source);
            AssertReports(diagnostics, "GO0004", "TryLockShard(shard)");
            AssertReports(diagnostics, "GO0005");
        }
    }
}
