using Exchange.Chain.Wallets;
using Exchange.Local.Demo;
using Exchange.Local.Hardhat;
using Exchange.Node.Tests.Support;
using Exchange.TestSupport;

namespace Exchange.Node.Tests.Network;

/// <summary>
/// The exchange API and the nodes read <c>appsettings.json</c> once, at start, and do not watch the
/// folder they run in. Watching it meant an inotify watch on every folder below the working
/// directory (every folder of the file system for a service that systemd starts in /) and a wake-up
/// of the watcher's thread for every blob written to a data folder under it.
/// </summary>
[Trait("Lane", "Slow")]
[Collection(NetworkTestGroup.Name)]
public sealed class WorkingDirectoryTests : IDisposable
{
    private const int Provider = 1;

    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task The_api_and_a_provider_hold_no_watch_on_the_folders_under_their_working_directory()
    {
        await using var network = await LocalNetwork.StartAsync(null, TestNetwork.Deployment(auditRateBps: 10_000), TestNetwork.Funded(Provider), _folder.File("net"), CancellationToken.None);
        // A working directory with folders in it, the processes' data folders among them.
        var work = _folder.File("work");
        foreach (var folder in new[] { "a/b/c", "d", "api", "provider" })
        {
            Directory.CreateDirectory(Path.Combine(work, folder));
        }

        using var api = NodeProcess.StartIn(
            work, "api", "run", "--urls", $"http://127.0.0.1:{HardhatNode.FreePort()}", "--rpc", network.RpcUrl.ToString(),
            "--deployment", network.DeploymentPath, "--data", Path.Combine(work, "api"));
        using var provider = NodeProcess.StartIn(
            work, "provider", "run", "--dev-account", Provider.ToString(System.Globalization.CultureInfo.InvariantCulture), "--rpc", network.RpcUrl.ToString(), "--api", network.ApiUrl.ToString(),
            "--deployment", network.DeploymentPath, "--data", Path.Combine(work, "provider"), "--model", TestNetwork.Model, "--unit-price", "1", "--stake", "1000");
        await TestNetwork.WaitForAsync(() => Task.FromResult(api.Wrote("listening") ? new object() : null), "the API to listen", api.Tail);
        var market = network.Market(DevAccounts.Key(Provider));
        await TestNetwork.WaitForAsync(
            async () => (await market.VaultAccountAsync(DevAccounts.Address(Provider), default)).Stake > 0 ? new object() : null, "the provider's stake", provider.Tail);

        Assert.Equal(0, InotifyWatches(api.Id));
        Assert.Equal(0, InotifyWatches(provider.Id));
    }

    /// <summary>The watches of every inotify instance <paramref name="pid"/> holds: one <c>inotify wd:</c> line each in the instance's fdinfo.</summary>
    private static int InotifyWatches(int pid)
    {
        var watches = 0;
        foreach (var fd in Directory.GetFiles($"/proc/{pid}/fd"))
        {
            try
            {
                if (new FileInfo(fd).LinkTarget == "anon_inode:inotify")
                {
                    watches += File.ReadLines($"/proc/{pid}/fdinfo/{Path.GetFileName(fd)}").Count(line => line.StartsWith("inotify wd:", StringComparison.Ordinal));
                }
            }
            catch (IOException)
            {
                // Closed between the listing and the read: not an instance the process still holds.
            }
        }

        return watches;
    }
}
