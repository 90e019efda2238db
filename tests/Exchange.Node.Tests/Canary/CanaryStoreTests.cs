using System.Net;
using Exchange.Api.Client;
using Exchange.Core.Hashing;
using Exchange.Core.Jobs;
using Exchange.Node.Canary;
using Exchange.Node.Provider;
using Exchange.Node.Queues;
using Exchange.Node.Verifier;
using Exchange.TestSupport;

namespace Exchange.Node.Tests.Canary;

/// <summary>The canary's records survive events read twice, and the pieces it relies on choose as documented.</summary>
public sealed class CanaryStoreTests : IDisposable
{
    private const string CanaryClient = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
    private const string OtherClient = "0x90F79bf6EB2c4f870365E785982E1f101E93b906";

    private static readonly Job Created = new(
        CanaryClient, "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC", Keccak.Hash([1]),
        1000, 8, 1_800_000_000, Keccak.Hash([2]), Keccak.Hash([3]), Bytes32.Zero, Bytes32.Zero, 0, 0);

    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    private async Task<CanaryStore> OpenAsync() =>
        new(await NodeDatabase.OpenAsync(_folder.File("canary.db"), default), TimeProvider.System);

    [Fact]
    public async Task A_bond_read_twice_from_its_event_counts_once_and_marks_the_canary_appealed()
    {
        var store = await OpenAsync();
        await store.AddAsync(5, Created, new HashSet<int> { 1, 3 }, 1_120, default);
        await store.AddAsync(5, Created, new HashSet<int> { 0 }, 9, default);
        await store.MarkVerdictAsync(5, "0xverifier", pass: true, default);

        await store.AddBondAsync(5, 0, 240, default);
        await store.AddBondAsync(5, 0, 240, default);
        await store.AddBondAsync(5, 1, 480, default);

        var canary = Assert.Single(await (await OpenAsync()).ListAsync(default));
        Assert.Equal("appealed", canary.State);
        Assert.Equal(720, canary.Bonds);
        Assert.Equal(new HashSet<int> { 1, 3 }, canary.Wrong);
        Assert.Equal(1_120, canary.Cost);
        Assert.Equal("0xverifier", canary.Verifier);
    }

    [Fact]
    public async Task The_first_ending_of_a_canary_stays()
    {
        var store = await OpenAsync();
        await store.AddAsync(5, Created, new HashSet<int> { 1 }, 1_120, default);
        await store.EndAsync(5, CanaryOutcome.Caught, default);
        await store.EndAsync(5, CanaryOutcome.PassStood, default);
        await store.MarkVerdictAsync(5, "0xother", pass: true, default);

        var canary = Assert.Single(await store.ListAsync(default));
        Assert.Equal(("done", CanaryOutcome.Caught, (string?)null), (canary.State, canary.Outcome, canary.Verifier));
    }

    [Fact]
    public async Task Other_clients_jobs_are_counted_once_and_their_sizes_kept_per_model()
    {
        var store = await OpenAsync();
        await store.AddMarketJobAsync(1, Keccak.Hash([1]), 8, default);
        await store.AddMarketJobAsync(1, Keccak.Hash([1]), 8, default);
        await store.AddMarketJobAsync(2, Keccak.Hash([1]), 3, default);
        await store.AddMarketJobAsync(3, Keccak.Hash([9]), 64, default);

        Assert.Equal(3, await store.CountMarketJobsAsync(default));
        Assert.Equal([3u, 8u], await store.RecentSizesAsync(Keccak.Hash([1]), 10, default));
    }

    [Fact]
    public void The_canary_provider_cheats_its_own_client_only()
    {
        var cheater = new Cheater(CheatMode.Reuse, 0.5, 1, [CanaryClient]);

        Assert.NotEmpty(cheater.TasksToFalsify(7, CanaryClient.ToLowerInvariant(), 8));
        Assert.Equal(cheater.TasksToFalsify(7, 8), cheater.TasksToFalsify(7, CanaryClient, 8));
        Assert.Empty(cheater.TasksToFalsify(7, OtherClient, 8));
    }

    [Fact]
    public void Only_missing_or_wrong_data_counts_as_unavailable_not_an_api_that_is_away()
    {
        Assert.True(Auditor.IsUnavailable(new ExchangeApiException("gone", HttpStatusCode.NotFound)));
        Assert.True(Auditor.IsUnavailable(new BlobIntegrityException(Keccak.Hash([1]), Keccak.Hash([2]), new Uri("http://api/"))));
        Assert.True(Auditor.IsUnavailable(new JobInputException("does not prove into the result root")));
        Assert.False(Auditor.IsUnavailable(new ExchangeApiException("busy", HttpStatusCode.ServiceUnavailable)));
        Assert.False(Auditor.IsUnavailable(new ExchangeApiException("no answer")));
        Assert.False(Auditor.IsUnavailable(new HttpRequestException("connection refused")));
    }
}
