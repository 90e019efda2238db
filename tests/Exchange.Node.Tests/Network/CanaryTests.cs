using System.Globalization;
using System.Numerics;
using System.Text.Json;
using Exchange.Chain.Bindings;
using Exchange.Chain.Deployment;
using Exchange.Chain.Wallets;
using Exchange.Core.Jobs;
using Exchange.Node.Demo;
using Exchange.Node.Tests.Support;
using Exchange.TestSupport;
using Nethereum.RPC.Eth.DTOs;

namespace Exchange.Node.Tests.Network;

/// <summary>
/// A dishonest verifier meets a canary on a live network of separate processes: the canary service
/// (<c>exchange canary run</c>, its own client and provider) posts one job with wrong outputs, the
/// dishonest verifier is drawn for its audit (it stakes a thousand times an honest verifier's
/// 100 tokens, so the draw picks it but for a chance of one in a thousand) and passes it, the canary
/// appeals the pass, and the honest verifier, alone on the committee (the court never draws the
/// passing verifier or the appellant), re-runs the audited tasks and votes "provider wrong". The
/// canary's provider is slashed and the dishonest verifier loses its penalty.
/// </summary>
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
        deployment = deployment with { Court = deployment.Court with { PassAppealWindow = 20 } };
        var funded = TestNetwork.Funded(CanaryProvider, Honest, CanaryClient).ToDictionary();
        funded[Dishonest] = MarketParameters.Tokens(200_000);
        await using var network = await LocalNetwork.StartAsync(null, deployment, funded, _folder.File("net"), CancellationToken.None);
        using var dishonest = NodeProcess.Start(VerifierArgs(network, Dishonest, mode, "100000"));
        using var honest = NodeProcess.Start(VerifierArgs(network, Honest, "honest", "100"));
        var reader = network.Deployer;
        foreach (var (account, process) in new[] { (Dishonest, dishonest), (Honest, honest) })
        {
            await TestNetwork.WaitForAsync(async () => (await reader.VaultAccountAsync(DevAccounts.Address(account), default)).Stake > 0 ? new object() : null, "the verifiers' stakes", process.Tail);
        }

        await network.AdvanceEpochAsync(default);
        var dishonestStake = (await reader.VaultAccountAsync(DevAccounts.Address(Dishonest), default)).Stake;

        var run = await ExchangeCli.RunAsync(_folder.Path, null,
        [
            "canary", "run", "--dev-account", Num(CanaryProvider), "--client-dev-account", Num(CanaryClient),
            "--rpc", network.RpcUrl.ToString(), "--api", network.ApiUrl.ToString(), "--deployments", network.DeploymentsDirectory, "--data", _folder.File("canary"),
            "--model", TestNetwork.Model, "--unit-price", "1", "--stake", "1000", "--min-turnaround", "60",
            "--rate", "1", "--max-canaries", "1", "--tasks", "8", "--deadline", "120", "--wrong-share", "1", "--json",
        ]);
        var context = $"canary exit {run.ExitCode}\n{run.Stderr}\n--- {mode} verifier:\n{dishonest.Tail()}\n--- honest verifier:\n{honest.Tail()}";
        Assert.True(run.ExitCode == 0, context);

        using var report = JsonDocument.Parse(run.Stdout);
        var root = report.RootElement;
        Assert.Equal(1, root.GetProperty("posted").GetInt32());
        Assert.Equal(1, root.GetProperty("passesAppealed").GetInt32());
        Assert.Equal(1, root.GetProperty("lazyCaught").GetInt32());
        Assert.Equal(DevAccounts.Address(Dishonest), Assert.Single(root.GetProperty("caughtVerifiers").EnumerateArray()).GetString(), ignoreCase: true);

        // The chain agrees: the canary's job was slashed, its pass appealed by the canary's client, and the dishonest verifier penalised.
        var created = network.Web3.Eth.GetEvent<JobCreatedEventDTO>(network.Deployment.JobMarket);
        var canary = Assert.Single(await created.GetAllChangesAsync(created.CreateFilterInput(BlockParameter.CreateEarliest(), BlockParameter.CreateLatest()))).Event;
        Assert.Equal(DevAccounts.Address(CanaryClient), canary.Client, ignoreCase: true);
        Assert.Equal(DevAccounts.Address(CanaryProvider), canary.Provider, ignoreCase: true);
        var jobId = canary.JobId;
        Assert.Equal(JobStatus.Slashed, await reader.StatusAsync(jobId, default));
        Assert.Equal(1, await TestNetwork.CountEventsAsync<PassAppealedEventDTO>(network, jobId, network.Deployment.AuditCourt));
        Assert.Equal(1, await TestNetwork.CountCallsAsync<AppealPassFunction>(network, DevAccounts.Address(CanaryClient), network.Deployment.AuditCourt));
        Assert.Equal(0, await TestNetwork.CountEventsAsync<PassFinalizedEventDTO>(network, jobId, network.Deployment.AuditCourt));
        var penalty = dishonestStake - (await reader.VaultAccountAsync(DevAccounts.Address(Dishonest), default)).Stake;
        Assert.True(penalty > 0, context);
        Assert.Equal(TokenUnitsOf(penalty), root.GetProperty("penaltiesTaken").GetDecimal());
        // The honest member re-ran the audited tasks and voted "provider wrong" (1).
        var committee = await reader.RoundOfAsync(jobId, 0, default);
        Assert.Equal(DevAccounts.Address(Honest), Assert.Single(committee.Members), ignoreCase: true);
        Assert.Equal(1, (await reader.VoteOfAsync(jobId, 0, DevAccounts.Address(Honest), default)).Revealed);
    }

    private string[] VerifierArgs(LocalNetwork network, int account, string mode, string stake) =>
    [
        "verifier", "run", "--dev-account", Num(account), "--mode", mode, "--stake", stake,
        "--rpc", network.RpcUrl.ToString(), "--api", network.ApiUrl.ToString(), "--deployments", network.DeploymentsDirectory, "--data", _folder.File($"verifier{account}"),
    ];

    private static string Num(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static decimal TokenUnitsOf(BigInteger amount) => Chain.TokenUnits.ToDecimal(amount);
}
