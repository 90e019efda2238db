using Exchange.Chain.Deployment;
using Exchange.Chain.Indexing;
using Exchange.Chain.Wallets;
using Exchange.Core.Eip712;
using Exchange.Core.Jobs;
using Exchange.Inference.Calibration;
using Exchange.Local.Demo;
using Exchange.Node.Chain;
using Exchange.Node.Client;
using Exchange.Node.Hosting;
using Exchange.Node.Offers;
using Exchange.Node.Privacy;
using Exchange.Node.Provider;
using Exchange.Node.Queues;
using Exchange.Node.Tests.Support;
using Exchange.Node.Verifier;
using Exchange.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Exchange.Node.Tests.Chain;

/// <summary>
/// The provider's and the verifier's event intake across a reorg three blocks deep (evm_snapshot,
/// evm_revert) on a real chain, each poll by a freshly started reader over the same database, as
/// after a restart.
/// </summary>
[Trait("Lane", "Slow")]
[Collection(NetworkTestGroup.Name)]
public sealed class NodeEventsReorgTests : IDisposable
{
    private const int Provider = 1;
    private const int Client = 8;
    private const int Verifier = 3;

    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task A_provider_restarted_after_a_reorg_holds_each_job_of_the_new_branch_once_and_none_of_the_dropped_one_it_had_accepted()
    {
        await using var network = await LocalNetwork.StartAsync(null, TestNetwork.Deployment(auditRateBps: 10_000), TestNetwork.Funded(Provider, Client), _folder.File("net"), default);
        var provider = await ProviderAsync(network);
        var client = TestNetwork.Client(network, Client);
        var offer = await OfferAsync(provider, client.Card.ModelId);
        var database = _folder.File("provider/provider.db");

        var kept = await CreateAsync(client, offer, tasks: 2);
        await PollAsync(provider, database);
        var snapshot = await network.Web3.Client.SendRequestAsync<string>("evm_snapshot");
        var dropped = await CreateAsync(client, offer, tasks: 4);
        await AcceptAsync(provider, dropped);
        await network.Web3.Client.SendRequestAsync<object>("hardhat_mine", null, "0x3");
        Assert.Null((await PollAsync(provider, database)).RolledBackTo);
        Assert.Equal(4u, (await QueueAsync(database))[dropped.JobId].TaskCount);
        Assert.Equal(ProviderJobStore.Accepted, (await StatesAsync(database))[dropped.JobId]);

        Assert.True(await network.Web3.Client.SendRequestAsync<bool>("evm_revert", null, snapshot));
        await client.Market.Sender.ResetNonceAsync();
        var replacement = await CreateAsync(client, offer, tasks: 3);
        await network.Web3.Client.SendRequestAsync<object>("hardhat_mine", null, "0x4");
        var progress = await PollAsync(provider, database);

        Assert.NotNull(progress.RolledBackTo);
        Assert.Equal(dropped.JobId, replacement.JobId); // the new branch gave the dropped job's id to another job
        var queue = await QueueAsync(database);
        Assert.Equal([kept.JobId, replacement.JobId], queue.Keys.Order());
        Assert.Equal(replacement.Record.Commitment(), queue[replacement.JobId].Commitment());
        Assert.Equal(kept.Record.Commitment(), queue[kept.JobId].Commitment());

        Assert.Equal(ProviderJobStore.New, (await StatesAsync(database))[replacement.JobId]);

        Assert.Null((await PollAsync(provider, database)).RolledBackTo);
        Assert.Equal(queue, await QueueAsync(database));

        // The accept the dropped blocks held took a nonce the chain no longer counts: the provider
        // accepts the new branch's job at once rather than behind a nonce gap.
        await AcceptAsync(provider, replacement).WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task A_verifier_after_a_reorg_knows_the_new_branch_job_that_took_a_dropped_jobs_id()
    {
        await using var network = await LocalNetwork.StartAsync(null, TestNetwork.Deployment(auditRateBps: 10_000), TestNetwork.Funded(Provider, Client), _folder.File("net"), default);
        var provider = await ProviderAsync(network);
        var verifier = network.Market(DevAccounts.Key(Verifier));
        var client = TestNetwork.Client(network, Client);
        var offer = await OfferAsync(provider, client.Card.ModelId);
        var database = _folder.File("verifier/verifier.db");

        var kept = await CreateAsync(client, offer, tasks: 2);
        var snapshot = await network.Web3.Client.SendRequestAsync<string>("evm_snapshot");
        var dropped = await CreateAsync(client, offer, tasks: 4);
        await network.Web3.Client.SendRequestAsync<object>("hardhat_mine", null, "0x3");
        Assert.Null((await PollVerifierAsync(verifier, database)).RolledBackTo);
        Assert.Equal(dropped.Record, await KnownAsync(database, dropped.JobId));

        Assert.True(await network.Web3.Client.SendRequestAsync<bool>("evm_revert", null, snapshot));
        await client.Market.Sender.ResetNonceAsync();
        var replacement = await CreateAsync(client, offer, tasks: 3);
        await network.Web3.Client.SendRequestAsync<object>("hardhat_mine", null, "0x4");

        Assert.NotNull((await PollVerifierAsync(verifier, database)).RolledBackTo);
        Assert.Equal(dropped.JobId, replacement.JobId);
        Assert.Equal(replacement.Record, await KnownAsync(database, replacement.JobId));
        Assert.Equal(kept.Record, await KnownAsync(database, kept.JobId));
    }

    private static async Task<PollProgress> PollVerifierAsync(MarketClient verifier, string path)
    {
        var database = await NodeDatabase.OpenAsync(path, default);
        var poller = MarketEventPoller.Create(verifier, database, "verifier", new NodeOptions { MaxLogRange = 50 }, NullLogger.Instance);
        var work = new VerifierWorkStore(database, TimeProvider.System);
        return await poller.SyncOnceAsync(new VerifierEvents(verifier, work, (_, _, _) => Task.CompletedTask, NullLogger.Instance), default);
    }

    private static async Task<Job?> KnownAsync(string path, System.Numerics.BigInteger jobId) =>
        await new VerifierWorkStore(await NodeDatabase.OpenAsync(path, default), TimeProvider.System).FindKnownAsync(jobId, default);

    /// <summary>The provider staked, with collateral and its encryption key on chain, as a running provider is.</summary>
    private async Task<MarketClient> ProviderAsync(LocalNetwork network)
    {
        var provider = network.Market(DevAccounts.Key(Provider));
        await provider.EnsureStakeAsync(StakeRole.Provider, MarketParameters.Tokens(1_000), default);
        await provider.EnsureCollateralAsync(MarketParameters.Tokens(500), default);
        using var encryptionKey = ProviderEncryptionKey.LoadOrCreate(_folder.File("provider"));
        await provider.EnsureEncryptionKeyAsync(ProviderEncryptionKey.PublicKeyBytes(encryptionKey), default);
        return provider;
    }

    private static async Task AcceptAsync(MarketClient provider, ClientJob job)
    {
        var sent = await provider.SubmitMarketAsync(MarketClient.AcceptJobs([(job.JobId, job.Record)]), default);
        Assert.Equal(1UL, (ulong)(await provider.Sender.WaitForReceiptAsync(sent)).Status.Value);
    }

    private static async Task<PollProgress> PollAsync(MarketClient provider, string path)
    {
        var database = await NodeDatabase.OpenAsync(path, default);
        var poller = MarketEventPoller.Create(provider, database, "provider", new NodeOptions { MaxLogRange = 50 }, NullLogger.Instance);
        return await poller.SyncOnceAsync(new ProviderEvents(provider, new ProviderJobStore(database, TimeProvider.System), NullLogger.Instance), default);
    }

    private static async Task<Dictionary<System.Numerics.BigInteger, Job>> QueueAsync(string path) =>
        (await RowsAsync(path)).ToDictionary(r => r.Job.JobId, r => r.Job.Record);

    private static async Task<Dictionary<System.Numerics.BigInteger, string>> StatesAsync(string path) =>
        (await RowsAsync(path)).ToDictionary(r => r.Job.JobId, r => r.State);

    /// <summary>The queue's rows in the states this test reaches (every state but those of ended jobs).</summary>
    private static async Task<List<(ProviderJob Job, string State)>> RowsAsync(string path)
    {
        var jobs = new ProviderJobStore(await NodeDatabase.OpenAsync(path, default), TimeProvider.System);
        var rows = new List<(ProviderJob, string)>();
        foreach (var state in (string[])[ProviderJobStore.New, ProviderJobStore.Checked, ProviderJobStore.Accepted, ProviderJobStore.Submitted])
        {
            rows.AddRange((await jobs.ListAsync(state, 100, default)).Select(j => (j, state)));
        }

        return rows;
    }

    private static async Task<SignedOffer> OfferAsync(MarketClient provider, Exchange.Core.Hashing.Bytes32 modelId)
    {
        var (_, _, now) = await provider.ChainNowAsync(default);
        var offer = new Offer(provider.Address, modelId, MarketParameters.Tokens(1), 8, 60, now + 3_600, Region.Encode(""), now);
        return SignedOffer.Sign(offer, provider.Domain, DevAccounts.Key(Provider).GetPrivateKeyAsBytes());
    }

    private static async Task<ClientJob> CreateAsync(ClientSession client, SignedOffer offer, int tasks)
    {
        var inputs = SyntheticImages.Png(tasks, 5, 224, 224).Select((png, i) => ClientTask.FromImage($"image-{i}.png", png, client.Card)).ToList();
        var prepared = await client.PrepareAsync(inputs, [offer], tasks, null, default);
        return Assert.Single(await client.CreateAsync(prepared, TimeSpan.FromMinutes(10), 1, null, default));
    }
}
