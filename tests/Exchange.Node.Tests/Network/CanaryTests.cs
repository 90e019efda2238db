using System.Globalization;
using System.Numerics;
using System.Text.Json;
using Exchange.Chain.Bindings;
using Exchange.Chain.Deployment;
using Exchange.Chain.Wallets;
using Exchange.Core.Jobs;
using Exchange.Local.Demo;
using Exchange.Node.Chain;
using Exchange.Node.Tests.Support;
using Exchange.TestSupport;
using Nethereum.RPC.Eth.DTOs;

namespace Exchange.Node.Tests.Network;

/// <summary>
/// A dishonest verifier meets a canary on a live network of separate processes: the canary service
/// (<c>exchange canary run</c>, its own client and provider) posts one job with wrong outputs, the
/// dishonest verifier is drawn for its audit and passes it, the canary appeals the pass, and the
/// honest verifier, alone on the committee (the court never draws the passing verifier or the
/// appellant), re-runs the audited tasks and votes "provider wrong". The canary's provider is
/// slashed and the dishonest verifier loses its penalty. The draws are made certain by the epochs:
/// the dishonest verifier's stake is the only one in the snapshot of the job's submission, the
/// honest one's joins the next epoch's, in which the pass is appealed.
/// </summary>
[Trait("Lane", "Slow")]
[Collection(NetworkTestGroup.Name)]
public sealed class CanaryTests : IDisposable
{
    private const int CanaryProvider = 1;
    private const int Dishonest = 2;
    private const int Honest = 3;
    private const int CanaryClient = 8;

    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public Task A_lazy_verifier_passes_a_canary_and_is_penalised_after_the_canary_appeals() => CatchAsync("lazy");

    [Fact]
    public Task A_copying_verifier_passes_a_canary_and_is_penalised_after_the_canary_appeals() => CatchAsync("copying");

    private async Task CatchAsync(string mode)
    {
        var deployment = TestNetwork.Deployment(auditRateBps: 10_000);
        // Epochs long enough that only the test moves them on (AdvanceEpochAsync), never the wall clock;
        // commit and reveal windows that a member loading its model on a busy machine meets (they
        // close early once every member acted).
        deployment = deployment with { EpochLength = 600, Court = deployment.Court with { PassAppealWindow = 20, CommitWindow = 30, RevealWindow = 30 } };
        await using var network = await LocalNetwork.StartAsync(
            null, deployment, TestNetwork.Funded(CanaryProvider, Dishonest, Honest, CanaryClient), _folder.File("net"), CancellationToken.None);
        var reader = network.Deployer;

        // Epoch 1: only the dishonest verifier can be drawn (its node starts later and finds its stake in place).
        await network.Market(DevAccounts.Key(Dishonest)).EnsureStakeAsync(StakeRole.Verifier, MarketParameters.Tokens(1_000), default);
        await network.AdvanceEpochAsync(default);
        using var honest = NodeProcess.Start(VerifierArgs(network, Honest, "honest"));
        await TestNetwork.WaitForAsync(async () => (await reader.VaultAccountAsync(DevAccounts.Address(Honest), default)).Stake > 0 ? new object() : null, "the honest verifier's stake", honest.Tail);

        var running = ExchangeCli.RunAsync(_folder.Path, null,
        [
            "canary", "run", "--dev-account", Num(CanaryProvider), "--client-dev-account", Num(CanaryClient),
            "--rpc", network.RpcUrl.ToString(), "--api", network.ApiUrl.ToString(), "--deployment", network.DeploymentPath, "--data", _folder.File("canary"),
            "--model", TestNetwork.Model, "--unit-price", "1", "--stake", "1000", "--min-turnaround", "60",
            "--rate", "1", "--max-canaries", "1", "--tasks", "8", "--deadline", "120", "--wrong-share", "1", "--json",
        ]);
        var jobId = (await TestNetwork.WaitForAsync(async () => (await CanaryJobsAsync(network)).FirstOrDefault(), "the canary's job", honest.Tail)).JobId;
        await TestNetwork.WaitForResultAsync(reader, jobId, honest.Tail);

        // Epoch 2: the honest verifier can sit on the committee of the appeal; the audit still draws from the submission's epoch.
        await network.AdvanceEpochAsync(default);
        using var dishonest = NodeProcess.Start(VerifierArgs(network, Dishonest, mode));
        var run = await running;
        var context = $"canary exit {run.ExitCode}: {run.Stdout}\n{run.Stderr}\n--- {mode} verifier:\n{dishonest.Tail()}\n--- honest verifier:\n{honest.Tail()}";
        Assert.True(run.ExitCode == 0, context);

        using var report = JsonDocument.Parse(run.Stdout);
        var root = report.RootElement;
        Assert.True(
            (root.GetProperty("posted").GetInt32(), root.GetProperty("passesAppealed").GetInt32(), root.GetProperty("lazyCaught").GetInt32()) == (1, 1, 1),
            context);
        Assert.Equal(DevAccounts.Address(Dishonest), Assert.Single(root.GetProperty("caughtVerifiers").EnumerateArray()).GetString(), ignoreCase: true);

        // The chain agrees: the canary's job was slashed, its pass appealed by the canary's client, and the dishonest verifier penalised.
        var canary = Assert.Single(await CanaryJobsAsync(network));
        Assert.Equal((DevAccounts.Address(CanaryClient), DevAccounts.Address(CanaryProvider)), (canary.Client, canary.Provider));
        Assert.Equal(JobStatus.Slashed, await reader.StatusAsync(jobId, default));
        Assert.Equal(1, await TestNetwork.CountEventsAsync<PassAppealedEventDTO>(network, jobId, network.Deployment.AuditCourt));
        Assert.Equal(1, await TestNetwork.CountCallsAsync<AppealPassFunction>(network, DevAccounts.Address(CanaryClient), network.Deployment.AuditCourt));
        Assert.Equal(0, await TestNetwork.CountEventsAsync<PassFinalizedEventDTO>(network, jobId, network.Deployment.AuditCourt));
        var penalty = MarketParameters.Tokens(1_000) - (await reader.VaultAccountAsync(DevAccounts.Address(Dishonest), default)).Stake;
        // The court's penalty: falsePassPenaltyBps of the audit reward (10 % of 8 tokens).
        Assert.Equal(deployment.Court.FalsePassPenalty(MarketParameters.Tokens(8) * deployment.Market.AuditRewardBps / MarketParameters.Bps), penalty);
        Assert.Equal(TokenUnits.ToDecimal(penalty), root.GetProperty("penaltiesTaken").GetDecimal());
        // The honest member re-ran the audited tasks and voted "provider wrong" (1).
        var committee = await reader.RoundOfAsync(jobId, 0, default);
        Assert.Equal(DevAccounts.Address(Honest), Assert.Single(committee.Members), ignoreCase: true);
        Assert.Equal(1, (await reader.VoteOfAsync(jobId, 0, DevAccounts.Address(Honest), default)).Revealed);
    }

    private static async Task<List<JobCreatedEventDTO>> CanaryJobsAsync(LocalNetwork network)
    {
        var created = network.Web3.Eth.GetEvent<JobCreatedEventDTO>(network.Deployment.JobMarket);
        return [.. (await created.GetAllChangesAsync(created.CreateFilterInput(BlockParameter.CreateEarliest(), BlockParameter.CreateLatest()))).Select(e => e.Event)];
    }

    private string[] VerifierArgs(LocalNetwork network, int account, string mode) =>
    [
        "verifier", "run", "--dev-account", Num(account), "--mode", mode, "--stake", "1000",
        "--rpc", network.RpcUrl.ToString(), "--api", network.ApiUrl.ToString(), "--deployment", network.DeploymentPath, "--data", _folder.File($"verifier{account}"),
    ];

    private static string Num(int value) => value.ToString(CultureInfo.InvariantCulture);
}
