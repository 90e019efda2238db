using System.Numerics;
using Exchange.Chain.Bindings;
using Exchange.Chain.Court;
using Exchange.Chain.Deployment;
using Exchange.Chain.Wallets;
using Exchange.Core.Hashing;
using Exchange.Core.Jobs;
using Exchange.Local.Demo;
using Exchange.Node.Chain;
using Exchange.Node.Client;
using Exchange.Node.Tests.Support;
using Exchange.TestSupport;
using Nethereum.Contracts;
using Nethereum.Hex.HexTypes;
using Nethereum.RPC.Eth.DTOs;

namespace Exchange.Node.Tests.Network;

/// <summary>
/// The provider's node in the court. An honest provider whose job a lying verifier fails and a
/// colluding committee rules against appeals the ruling on its own, and wins the next round: its
/// job settles and it is paid its price plus half of the challenger's forfeited bond. A passed job
/// is finalized by the provider's keeper once the pass's appeal window is over. The verifiers are
/// played by the test.
/// </summary>
[Trait("Lane", "Slow")]
[Collection(NetworkTestGroup.Name)]
public sealed class AppealTests : IDisposable
{
    private const int Provider = 1;
    private const int Client = 8;
    private static readonly int[] Verifiers = [2, 3, 4];

    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task An_honest_provider_appeals_a_wrong_ruling_and_wins_the_next_round()
    {
        await using var network = await LocalNetwork.StartAsync(
            null, TestNetwork.Deployment(auditRateBps: 10_000), TestNetwork.Funded([Provider, Client, .. Verifiers]), _folder.File("net"), CancellationToken.None);
        var verifiers = await TestNetwork.StakeVerifiersAsync(network, Verifiers);
        using var provider = TestNetwork.StartProvider(network, Provider, _folder.File("provider"));
        var client = TestNetwork.Client(network, Client);
        var created = await TestNetwork.CreateJobAsync(network, client, DevAccounts.Address(Provider), 8, TimeSpan.FromMinutes(3));
        await TestNetwork.WaitForResultAsync(client.Market, created.JobId, provider.Tail);
        var before = await TestNetwork.HoldingsAsync(client.Market, DevAccounts.Address(Provider));
        var job = (await JobLookup.FindAsync(client.Market, created.JobId, default))!;
        var jobId = created.JobId;

        // The drawn verifier lies: it fails honest work, posting the challenger bond.
        var drawn = await TestNetwork.WaitForAsync(async () =>
            (await client.Market.PendingAuditorAsync(jobId, job, default)).Verifier is { } v && verifiers.ContainsKey(v) ? v : null, "the draw", provider.Tail);
        await verifiers[drawn].SendCourtAsync(MarketClient.SubmitVerdict(jobId, job, pass: false, Keccak.Hash([1])), default);

        // Round 0: the provider draws the committee as keeper; the members collude against it.
        await TestNetwork.VoteAsync(client.Market, verifiers, jobId, round: 0, providerWrong: true, provider.Tail);

        // The provider appeals on its own (its work was honest), then the larger committee rules for it.
        var appealed = await TestNetwork.WaitForAsync(async () =>
            (await client.Market.DisputeOfAsync(jobId, default)).Rounds == 2 ? await client.Market.RoundOfAsync(jobId, 1, default) : null, "the provider's appeal", provider.Tail);
        Assert.Equal(DevAccounts.Address(Provider), appealed.Funder, ignoreCase: true);
        Assert.False(appealed.FundedWrong);
        await TestNetwork.VoteAsync(client.Market, verifiers, jobId, round: 1, providerWrong: false, provider.Tail);

        await TestNetwork.WaitForStatusAsync(client.Market, jobId, JobStatus.Settled, provider.Tail);
        var bond = (await client.Market.RoundOfAsync(jobId, 0, default)).Bond;
        Assert.Equal(1, await TestNetwork.CountCallsAsync<AppealFunction>(network, DevAccounts.Address(Provider), network.Deployment.AuditCourt));
        // Its price, and half of the challenger's forfeited bond (its own appeal bond comes back).
        Assert.Equal(before + MarketParameters.Tokens(8) + (bond / 2), await TestNetwork.HoldingsAsync(client.Market, DevAccounts.Address(Provider)));
    }

    [Fact]
    public async Task The_providers_keeper_finalizes_a_pass_after_its_appeal_window_and_pays_itself_and_the_verifier()
    {
        await using var network = await LocalNetwork.StartAsync(
            null, TestNetwork.Deployment(auditRateBps: 10_000), TestNetwork.Funded([Provider, Verifiers[0], Client]), _folder.File("net"), CancellationToken.None);
        var verifier = network.Market(DevAccounts.Key(Verifiers[0]));
        var verifierAddress = DevAccounts.Address(Verifiers[0]);
        await verifier.EnsureStakeAsync(StakeRole.Verifier, MarketParameters.Tokens(1_000), default);
        await network.AdvanceEpochAsync(default);

        using var provider = TestNetwork.StartProvider(network, Provider, _folder.File("provider"));
        var client = TestNetwork.Client(network, Client);
        var created = await TestNetwork.CreateJobAsync(network, client, DevAccounts.Address(Provider), 8, TimeSpan.FromMinutes(3));
        await TestNetwork.WaitForResultAsync(client.Market, created.JobId, provider.Tail);
        var job = (await JobLookup.FindAsync(client.Market, created.JobId, default))!;
        var jobId = created.JobId;
        var providerBefore = await TestNetwork.HoldingsAsync(client.Market, DevAccounts.Address(Provider));
        var verifierBefore = await client.Market.MarketBalanceAsync(verifierAddress, default);

        // A pass no longer settles the job: it waits in the court's phase Passed until the pass's
        // appeal window is over. Every job is audited and the test's verifier is the only one to draw.
        await TestNetwork.WaitForAsync(async () =>
            string.Equals((await client.Market.PendingAuditorAsync(jobId, job, default)).Verifier, verifierAddress, StringComparison.OrdinalIgnoreCase) ? new object() : null,
            "the draw", provider.Tail);
        var verdict = await verifier.SendCourtAsync(MarketClient.SubmitVerdict(jobId, job, pass: true, Keccak.Hash([1])), default);

        await TestNetwork.WaitForStatusAsync(client.Market, jobId, JobStatus.Settled, provider.Tail);
        Assert.Equal(AuditPhase.Done, (AuditPhase)(await client.Market.AuditOfAsync(jobId, default)).Phase);
        // The pass waited out its appeal window. Read from the blocks, not from the phase right after
        // the verdict: the keeper may finalize while a loaded test is still reading.
        var finalized = Assert.Single(await PassesFinalizedAsync(network, jobId));
        var waited = await BlockTimeAsync(network, finalized.Log.BlockNumber) - await BlockTimeAsync(network, verdict.BlockNumber);
        Assert.True(waited >= (long)TestNetwork.Deployment(10_000).Court.PassAppealWindow, $"finalized {waited} s after the pass");
        Assert.Equal(1, await TestNetwork.CountCallsAsync<FinalizePassFunction>(network, DevAccounts.Address(Provider), network.Deployment.AuditCourt));
        Assert.Equal(1, await TestNetwork.CountEventsAsync<PassFinalizedEventDTO>(network, jobId, network.Deployment.AuditCourt));
        // 8 tasks at 1 token: the provider gets the price, the verifier the reward of 10 %.
        Assert.Equal(providerBefore + MarketParameters.Tokens(8), await TestNetwork.HoldingsAsync(client.Market, DevAccounts.Address(Provider)));
        Assert.Equal(verifierBefore + MarketParameters.Tokens(8) / 10, await client.Market.MarketBalanceAsync(verifierAddress, default));
    }

    private static async Task<List<EventLog<PassFinalizedEventDTO>>> PassesFinalizedAsync(LocalNetwork network, BigInteger jobId)
    {
        var handler = network.Web3.Eth.GetEvent<PassFinalizedEventDTO>(network.Deployment.AuditCourt);
        return [.. await handler.GetAllChangesAsync(handler.CreateFilterInput(jobId, BlockParameter.CreateEarliest(), BlockParameter.CreateLatest()))];
    }

    private static async Task<long> BlockTimeAsync(LocalNetwork network, HexBigInteger number) =>
        (long)(await network.Web3.Eth.Blocks.GetBlockWithTransactionsHashesByNumber.SendRequestAsync(new BlockParameter(number))).Timestamp.Value;
}
