using Exchange.Chain.Bindings;
using Exchange.Chain.Wallets;
using Exchange.Core.Hashing;
using Exchange.Core.Jobs;
using Exchange.Core.Manifests;
using Exchange.Core.Merkle;
using Exchange.Node.Api;
using Exchange.Node.Client;
using Exchange.Node.Demo;
using Exchange.Node.Offers;
using Exchange.Node.Queues;
using Exchange.Node.Tests.Support;
using Exchange.TestSupport;

namespace Exchange.Node.Tests.Network;

/// <summary>A provider never accepts a job whose data is missing: the job expires unaccepted, the client gets everything back and the provider loses nothing.</summary>
[Collection(NetworkTestGroup.Name)]
public sealed class DeclineTests : IDisposable
{
    private const int Provider = 1;
    private const int Client = 8;

    private readonly TempDirectory _folder = new();
    private readonly HttpClient _http = new();

    public void Dispose()
    {
        _http.Dispose();
        _folder.Dispose();
    }

    [Fact]
    public async Task A_job_whose_manifest_is_missing_is_declined_on_chain_before_its_deadline_without_penalty()
    {
        await using var network = await LocalNetwork.StartAsync(null, TestNetwork.Deployment(auditRateBps: 10_000), TestNetwork.Funded(Provider, Client), _folder.File("net"), CancellationToken.None);
        using var provider = TestNetwork.StartProvider(network, Provider, _folder.File("provider"), minTurnaround: 5);
        var client = TestNetwork.Client(network, Client, _http);
        var api = new ExchangeApiClient(_http, [network.ApiUrl], null, TimeProvider.System);
        var offer = await TestNetwork.WaitForAsync(async () =>
            (await OfferBook.ListAsync(api, client.Card.ModelId, null, null, client.Market.Domain, default)) is [var first, ..] ? first : null, "the provider's offer", provider.Tail);

        // A manifest that was never uploaded: its input is nowhere either.
        var input = new BlobRef(client.Card.Inputs[0].Name, Keccak.Hash([1, 2, 3]));
        var missing = new JobManifest(client.Card.ModelId, new[] { new ManifestTask(0, new[] { input }) });
        var prepared = new PreparedJob(new JobSlice(0, 0, 1), offer, missing, MerkleLeaves.TaskTree(missing.InputHashes).Root);
        await client.EnsureBalanceAsync(await client.CostAsync([prepared], default), default);
        var balance = await client.Market.MarketBalanceAsync(client.Market.Address, default);
        var collateral = (await client.Market.MarketAccountAsync(DevAccounts.Address(Provider), default)).Collateral;
        var stake = (await client.Market.VaultAccountAsync(DevAccounts.Address(Provider), default)).Stake;

        // A deadline far enough away that only the provider's decline can end the job within the test.
        var job = Assert.Single(await client.CreateAsync([prepared], TimeSpan.FromMinutes(10), 1, null, default));
        var queue = new ProviderJobStore(await NodeDatabase.OpenAsync(_folder.File("provider/provider.db"), default), TimeProvider.System);
        await TestNetwork.WaitForAsync(async () => (await queue.FindAsync(job.JobId, default))?.State == ProviderJobStore.Declined ? new object() : null, "the provider to decline the job", provider.Tail);
        var statuses = await client.WaitAsync([job], null, TimeSpan.FromMilliseconds(500), default);

        Assert.Equal(JobStatus.Expired, statuses[job.JobId]);
        Assert.Equal(0, await TestNetwork.CountEventsAsync<JobAcceptedEventDTO>(network, job.JobId));
        Assert.Equal(1, await TestNetwork.CountEventsAsync<JobDeclinedEventDTO>(network, job.JobId));
        Assert.Equal(balance, await client.Market.MarketBalanceAsync(client.Market.Address, default));
        Assert.Equal(collateral, (await client.Market.MarketAccountAsync(DevAccounts.Address(Provider), default)).Collateral);
        Assert.Equal(stake, (await client.Market.VaultAccountAsync(DevAccounts.Address(Provider), default)).Stake);
    }
}
