using System.Globalization;
using System.Numerics;
using Exchange.Chain.Bindings;
using Exchange.Chain.Wallets;
using Exchange.Core.Hashing;
using Exchange.Core.Jobs;
using Exchange.Inference.Calibration;
using Exchange.Local.Demo;
using Exchange.Local.Hardhat;
using Exchange.Node.Chain;
using Exchange.Node.Client;
using Exchange.Node.Offers;
using Exchange.Node.Queues;
using Exchange.Node.Tests.Support;
using Exchange.TestSupport;

namespace Exchange.Node.Tests.Network;

/// <summary>
/// A provider never gives up a job while time remains: an API outage longer than any fixed retry
/// budget only delays the job, a job that keeps failing never holds up the others, a result whose
/// deadline passed is dropped once instead of being sent again and again, a job whose data never
/// arrives keeps only its own slot while later jobs settle, and on a chain that mines
/// only on transactions (no interval mining) jobs still settle because the provider mines the
/// blocks it waits for.
/// </summary>
[Trait("Lane", "Slow")]
[Collection(NetworkTestGroup.Name)]
public sealed class RetryTests : IDisposable
{
    private const int Provider = 1;
    private const int Client = 8;

    /// <summary>Failures after which the provider used to give a job up (5 attempts of 8 API retries each).</summary>
    private const int OldAttemptBudget = 5;

    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task A_provider_retries_through_an_api_outage_longer_than_its_old_retry_budget_and_is_paid_once_the_api_is_back()
    {
        await using var network = await LocalNetwork.StartAsync(null, TestNetwork.Deployment(auditRateBps: 10_000), TestNetwork.Funded(Provider, Client), _folder.File("net"), CancellationToken.None);
        var client = TestNetwork.Client(network, Client);
        var provider = DevAccounts.Address(Provider);

        // The provider publishes its offer, then is away while the job is created: it meets the job only once the API is down.
        var first = TestNetwork.StartProvider(network, Provider, _folder.File("provider"), minTurnaround: 5);
        var prepared = await PrepareAsync(network, client, first, seed: 1, tasks: 4, tasksPerJob: 4);
        first.KillHard();
        first.Dispose();
        var before = await TotalAsync(client.Market, provider);
        var job = Assert.Single(await client.CreateAsync(prepared, TimeSpan.FromMinutes(10), 1, null, default));
        await network.StopApiAsync(default);

        using var second = TestNetwork.StartProvider(network, Provider, _folder.File("provider"), minTurnaround: 5);
        var queue = new ProviderJobStore(await NodeDatabase.OpenAsync(_folder.File("provider/provider.db"), default), TimeProvider.System);
        var failing = await TestNetwork.WaitForAsync(
            async () => await queue.FindAsync(job.JobId, default) is { Attempts: >= OldAttemptBudget } row ? row : null,
            $"{OldAttemptBudget} failed attempts at the job while the API is down", second.Tail, TimeSpan.FromMinutes(5));
        Assert.Equal(ProviderJobStore.New, failing.State);

        await network.StartApiAgainAsync(default);
        await TestNetwork.WaitForStatusAsync(client.Market, job.JobId, JobStatus.Settled, second.Tail);
        Assert.True(await TotalAsync(client.Market, provider) > before, second.Tail());
        Assert.Equal(0, await TestNetwork.CountEventsAsync<JobDeclinedEventDTO>(network, job.JobId));
    }

    /// <summary>
    /// The API serves the first job's input with bytes that do not hash to its address (a fault of
    /// the store, retried, not the job's data), or holds it as a named pipe with no writer, so that
    /// the API's read of it, and the provider's fetch, never end: either way the job keeps only its
    /// own slot, and a later job settles.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_job_whose_data_keeps_failing_or_never_arrives_holds_up_no_later_job(bool hangs)
    {
        await using var network = await LocalNetwork.StartAsync(null, TestNetwork.Deployment(auditRateBps: 10_000), TestNetwork.Funded(Provider, Client), _folder.File("net"), CancellationToken.None);
        using var provider = TestNetwork.StartProvider(network, Provider, _folder.File("provider"), minTurnaround: 5);
        var client = TestNetwork.Client(network, Client);

        var broken = Assert.Single(await PrepareAsync(network, client, provider, seed: 2, tasks: 1, tasksPerJob: 1));
        var stored = StoredInput(broken);
        var original = File.ReadAllBytes(stored);
        if (hangs)
        {
            File.Delete(stored);
            using var mkfifo = System.Diagnostics.Process.Start("mkfifo", stored);
            await mkfifo.WaitForExitAsync();
            Assert.Equal(0, mkfifo.ExitCode);
        }
        else
        {
            File.WriteAllBytes(stored, [1, 2, 3]);
        }

        try
        {
            var bad = Assert.Single(await client.CreateAsync([broken], TimeSpan.FromMinutes(10), 1, null, default));
            var queue = new ProviderJobStore(await NodeDatabase.OpenAsync(_folder.File("provider/provider.db"), default), TimeProvider.System);
            await TestNetwork.WaitForAsync(
                async () => await queue.FindAsync(bad.JobId, default) is { } row && (hangs || row.Attempts >= 1) ? row : null,
                hangs ? "the provider to see the job whose data never arrives" : "a failed attempt at the broken job", provider.Tail);

            var good = Assert.Single(await client.CreateAsync(await PrepareAsync(network, client, provider, seed: 3, tasks: 2, tasksPerJob: 2), TimeSpan.FromMinutes(10), 1, null, default));
            await TestNetwork.WaitForStatusAsync(client.Market, good.JobId, JobStatus.Settled, provider.Tail);

            // Its deadline is minutes away: the broken job is neither accepted nor given up.
            Assert.Equal(JobStatus.Created, await client.Market.StatusAsync(bad.JobId, default));
            Assert.Equal(ProviderJobStore.New, (await queue.FindAsync(bad.JobId, default))!.State);
        }
        finally
        {
            if (hangs)
            {
                // On Linux a read-write open of a pipe never blocks, and it wakes the reads waiting for a writer; closing it ends them.
                new FileStream(stored, FileMode.Open, FileAccess.ReadWrite).Dispose();
                File.Delete(stored);
                File.WriteAllBytes(stored, original);
            }
        }
    }

    [Fact]
    public async Task A_result_whose_deadline_passed_is_dropped_once_with_a_log_line_and_never_sent_even_across_restarts()
    {
        await using var network = await LocalNetwork.StartAsync(null, TestNetwork.Deployment(auditRateBps: 10_000), TestNetwork.Funded(Provider, Client), _folder.File("net"), CancellationToken.None);
        var client = TestNetwork.Client(network, Client);
        var first = TestNetwork.StartProvider(network, Provider, _folder.File("provider"), minTurnaround: 5);
        var prepared = await PrepareAsync(network, client, first, seed: 4, tasks: 1, tasksPerJob: 1);
        first.KillHard();
        first.Dispose();

        // The queue as a provider stopped after computing leaves it (the result is signed but not sent); then the deadline passes.
        var job = Assert.Single(await client.CreateAsync(prepared, TimeSpan.FromSeconds(30), 1, null, default));
        var record = (await JobLookup.FindAsync(client.Market, job.JobId, default))!;
        var queue = new ProviderJobStore(await NodeDatabase.OpenAsync(_folder.File("provider/provider.db"), default), TimeProvider.System);
        await queue.AddAsync(job.JobId, record, default);
        await queue.MarkAcceptedAsync(job.JobId, default);
        await queue.MarkComputedAsync(job.JobId, Keccak.Hash([4]), Keccak.Hash([5]), new byte[65], 0, default);
        await network.Web3.Client.SendRequestAsync<object>("evm_increaseTime", null, 120);
        await network.Web3.Client.SendRequestAsync<object>("evm_mine", null);

        var line = $"job {job.JobId}: dropped, it can no longer succeed (missed-deadline)";
        using (var second = TestNetwork.StartProvider(network, Provider, _folder.File("provider"), minTurnaround: 5))
        {
            var done = await TestNetwork.WaitForAsync(async () => await queue.FindAsync(job.JobId, default) is { State: ProviderJobStore.Done } row ? row : null, "the job to be dropped", second.Tail);
            Assert.Equal(1, Occurrences(second.Tail(), line));
            await RoundsAsync(network, second);
            Assert.Equal(1, Occurrences(second.Tail(), line));
        }

        using var third = TestNetwork.StartProvider(network, Provider, _folder.File("provider"), minTurnaround: 5);
        await RoundsAsync(network, third);
        Assert.Equal(0, Occurrences(third.Tail(), line));
        Assert.Equal(0, await TestNetwork.CountCallsAsync<SubmitResultsFunction>(network, DevAccounts.Address(Provider)));
        Assert.Equal(ProviderJobStore.Done, (await queue.FindAsync(job.JobId, default))!.State);
    }

    [Fact]
    public async Task Jobs_settle_on_a_chain_that_mines_only_on_transactions()
    {
        using var chain = await HardhatNode.StartAsync(CancellationToken.None);
        await using var network = await LocalNetwork.StartAsync(chain.RpcUrl, TestNetwork.Deployment(auditRateBps: 10_000), TestNetwork.Funded(Provider, Client), _folder.File("net"), CancellationToken.None);
        using var provider = TestNetwork.StartProvider(network, Provider, _folder.File("provider"), minTurnaround: 5);
        var client = TestNetwork.Client(network, Client);

        var jobs = await client.CreateAsync(await PrepareAsync(network, client, provider, seed: 5, tasks: 2, tasksPerJob: 1), TimeSpan.FromMinutes(5), 1, null, default);
        Assert.Equal(2, jobs.Count);
        foreach (var job in jobs)
        {
            await TestNetwork.WaitForStatusAsync(client.Market, job.JobId, JobStatus.Settled, provider.Tail);
        }
    }

    /// <summary>Uploads <paramref name="tasks"/> images drawn from <paramref name="seed"/> as jobs of <paramref name="tasksPerJob"/> on the provider's offer, once it is published.</summary>
    private static async Task<IReadOnlyList<PreparedJob>> PrepareAsync(LocalNetwork network, ClientSession client, NodeProcess provider, int seed, int tasks, int tasksPerJob)
    {
        var api = network.Api();
        var offer = await TestNetwork.WaitForAsync(async () =>
            (await OfferDirectory.ListAsync(api, client.Card.ModelId, null, null, client.Market.Domain, default)) is [var first, ..] ? first : null, "the provider's offer", provider.Tail);
        var inputs = SyntheticImages.Png(tasks, seed, 224, 224).Select((png, i) => ClientTask.FromImage($"image-{i}.png", png, client.Card)).ToList();
        return await client.PrepareAsync(inputs, [offer], tasksPerJob, null, default);
    }

    /// <summary>Where the local API's blob store keeps the first input of <paramref name="job"/>.</summary>
    /// <summary>The file that holds the job's one input: the pack of its upload, which holds that blob alone.</summary>
    private string StoredInput(PreparedJob job)
    {
        var blob = StoredBlobs.Locate(_folder.File("net/api"))[job.Manifest.InputHashes[0].ToString()];
        Assert.Equal(blob.Size, new FileInfo(blob.File).Length);
        return blob.File;
    }

    /// <summary>Waits until the provider has read events of three blocks mined after now: whole rounds of its work have run since.</summary>
    private async Task RoundsAsync(LocalNetwork network, NodeProcess provider)
    {
        var start = (ulong)(await network.Web3.Eth.Blocks.GetBlockNumber.SendRequestAsync()).Value;
        var database = await NodeDatabase.OpenAsync(_folder.File("provider/provider.db"), default);
        await TestNetwork.WaitForAsync(async () =>
        {
            await using var connection = await database.Connections.OpenAsync(default);
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT next_block FROM log_cursors WHERE name = 'provider'";
            return await command.ExecuteScalarAsync() is long next && (ulong)next > start + 3 ? new object() : null;
        }, "three rounds of the provider", provider.Tail);
    }

    /// <summary>Everything <paramref name="account"/> owns in the market's tokens: wallet, market balance, stake and free collateral.</summary>
    private static async Task<BigInteger> TotalAsync(MarketClient market, string account) =>
        await TestNetwork.HoldingsAsync(market, account) + (await market.MarketAccountAsync(account, default)).Collateral;

    private static int Occurrences(string text, string line) => text.Split('\n').Count(l => l.Contains(line, StringComparison.Ordinal));
}
