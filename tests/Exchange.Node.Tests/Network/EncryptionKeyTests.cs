using System.Globalization;
using Exchange.Chain.Bindings;
using Exchange.Chain.Deployment;
using Exchange.Chain.Wallets;
using Exchange.Inference.Engine;
using Exchange.Inference.Models;
using Exchange.Local.Demo;
using Exchange.Node.Hosting;
using Exchange.Node.Provider;
using Exchange.Node.Tests.Support;
using Exchange.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Exchange.Node.Tests.Network;

/// <summary>The provider publishes its X25519 key in the vault once, and keeps it across restarts.</summary>
[Trait("Lane", "Slow")]
[Collection(NetworkTestGroup.Name)]
public sealed class EncryptionKeyTests : IDisposable
{
    private const int Provider = 1;

    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task A_provider_registers_its_X25519_key_at_start_and_a_restart_keeps_it_without_a_second_transaction()
    {
        await using var network = await LocalNetwork.StartAsync(null, TestNetwork.Deployment(auditRateBps: 10_000), TestNetwork.Funded(Provider), _folder.File("net"), CancellationToken.None);
        await using var engine = new InferenceEngine(new ModelRegistry(new ModelStore(Path.Combine(Path.GetTempPath(), "exchange-test-models"))));
        var data = _folder.File("provider");
        var node = new NodeOptions { RpcUrl = network.RpcUrl, ApiUrls = [network.ApiUrl], DataDirectory = data, Deployment = network.DeploymentPath };
        var options = new ProviderOptions { Model = TestNetwork.Model, UnitPrice = "1", Stake = MarketParameters.Tokens(1_000).ToString(CultureInfo.InvariantCulture) };
        var key = DevAccounts.Key(Provider);

        async Task<byte[]> StartAndReadVaultAsync()
        {
            var market = network.Market(key);
            var provider = await NodeFactory.CreateProviderAsync(market, node, options, key, engine, network.Api(), TimeProvider.System, NullLogger.Instance, CancellationToken.None);
            await provider.StartAsync(CancellationToken.None);
            return await market.EncryptionKeyAsync(market.Address, CancellationToken.None);
        }

        var first = await StartAndReadVaultAsync();
        var file = Path.Combine(data, ProviderEncryptionKey.FileName);
        using (var stored = ProviderEncryptionKey.LoadOrCreate(data))
        {
            Assert.Equal(ProviderEncryptionKey.PublicKeyBytes(stored), first);
        }

        Assert.NotEqual(new byte[32], first);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }

        var second = await StartAndReadVaultAsync();

        Assert.Equal(first, second);
        Assert.Equal(1, await TestNetwork.CountCallsAsync<SetEncryptionKeyFunction>(network, DevAccounts.Address(Provider), network.Deployment.StakingVault));
    }
}
