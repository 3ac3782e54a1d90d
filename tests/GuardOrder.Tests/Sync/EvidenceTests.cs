using System.Linq;
using System.Threading.Tasks;
using GuardOrder.Tests.Model;
using Microsoft.CodeAnalysis;
using static GuardOrder.Tests.Sync.SyncTestRunner;

namespace GuardOrder.Tests.Sync
{
    /// <summary>Issue 10, point 1: every GO0002–GO0005 diagnostic points at its evidence (additional locations, SARIF relatedLocations).</summary>
    public class EvidenceTests
    {
        private static string Text(Location location) => location.SourceTree!.GetText().ToString(location.SourceSpan);

        [Fact]
        public async Task GO0002PointsAtTheMissingChecksAndTheGrant()
        {
            var source = KernelFixture.With("""
                [MustMatchFaultPath(nameof(do_wp_page))]
                static bool p(pte_t pte, vm_area_struct vma)
                {
                    if ((vma.vm_flags & VM_WRITE) == 0)
                        return false;
                    if (userfaultfd_pte_wp(vma, pte))
                        return false;
                    page? page = vm_normal_page(vma, pte);
                    if (page == null || !PageAnon(page))
                        return false;
                    return page_count(page) == 1;
                }
                """);
            var diagnostic = (await RunAsync(source)).Single(d => d.Id == "GO0002");
            var evidence = diagnostic.AdditionalLocations.Select(Text).ToList();
            Assert.Contains("PageKsm(page)", evidence);
            Assert.Contains("trylock_page(page)", evidence);
            Assert.Contains("wp_page_reuse(vmf)", evidence);
            Assert.All(diagnostic.AdditionalLocations, l => Assert.True(l.IsInSource));
        }

        [Fact]
        public async Task GO0003PointsAtTheLockAndTheLockedRecheck()
        {
            var source = KernelFixture.With("""
                [MustMatchFaultPath(nameof(do_wp_page))]
                static bool p(pte_t pte, vm_area_struct vma)
                {
                    if ((vma.vm_flags & VM_WRITE) == 0)
                        return false;
                    if (userfaultfd_pte_wp(vma, pte))
                        return false;
                    page? page = vm_normal_page(vma, pte);
                    if (page == null || !PageAnon(page) || PageKsm(page))
                        return false;
                    if (!trylock_page(page))
                        return false;
                    bool ok = page_mapcount(page) == 1 && page_count(page) == 1;
                    unlock_page(page);
                    return ok;
                }
                """);
            var diagnostic = (await RunAsync(source)).Single(d => d.Id == "GO0003");
            var evidence = diagnostic.AdditionalLocations.Select(Text).ToList();
            Assert.Equal(new[] { "trylock_page(page)", "PageKsm(page)" }, evidence);

            // The re-check is the one under the lock (the second PageKsm of do_wp_page), not the first.
            var recheck = diagnostic.AdditionalLocations[1];
            var acquire = diagnostic.AdditionalLocations[0];
            Assert.True(recheck.SourceSpan.Start > acquire.SourceSpan.Start);
        }

        [Fact]
        public async Task GO0004PointsAtTheAcquisition()
        {
            var source = KernelFixture.With("""
                static bool f(page page)
                {
                    if (!trylock_page(page))
                        return false;
                    if (PageKsm(page))
                        return false;
                    unlock_page(page);
                    return true;
                }
                """);
            var diagnostic = (await RunAsync(source)).Single(d => d.Id == "GO0004");
            var evidence = diagnostic.AdditionalLocations.Select(Text).ToList();
            Assert.Equal("trylock_page(page)", evidence[0]);
            Assert.Contains("false", evidence);
        }

        [Fact]
        public async Task GO0005PointsAtTheSecurityCheck()
        {
            var source = KernelFixture.With("""
                [MustMatchFaultPath(nameof(do_wp_page))]
                static bool p(vm_area_struct vma, ulong cp_flags)
                {
                    if ((cp_flags & MM_CP_DIRTY_ACCT) != 0)
                        return true;
                    if ((vma.vm_flags & VM_WRITE) == 0)
                        return false;
                    return false;
                }
                """);
            var diagnostic = (await RunAsync(source)).Single(d => d.Id == "GO0005");
            Assert.Equal("(vma.vm_flags & VM_WRITE) == 0", Text(Assert.Single(diagnostic.AdditionalLocations)));
        }
    }
}
