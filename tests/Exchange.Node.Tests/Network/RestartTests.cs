using System.Globalization;
using Exchange.Chain.Bindings;
using Exchange.Chain.Deployment;
using Exchange.Chain.Wallets;
using Exchange.Core.Hashing;
using Exchange.Core.Jobs;
using Exchange.Local.Demo;
using Exchange.Node.Chain;
using Exchange.Node.Client;
using Exchange.Node.Queues;
using Exchange.Node.Tests.Support;
using Exchange.TestSupport;

namespace Exchange.Node.Tests.Network;

/// <summary>
/// kill -9 of a provider or verifier process in the middle of its work, then a restart: the work
/// completes, and the chain sees exactly one result, verdict, commitment or reveal. Every job is selected for audit:
/// without a drawable verifier the provider records the draw and the court settles the job; with
/// one (staked an epoch before), that verifier's direct verdict settles it.
/// </summary>
[Trait("Lane", "Slow")]
[Collection(NetworkTestGroup.Name)]
public sealed class RestartTests : IDisposable
{
    private const int Provider = 1;
    private const int Verifier = 2;
    private const int Client = 8;

    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task A_provider_killed_in_the_middle_of_a_job_finishes_it_after_a_restart_with_one_result_submission()
    {
        await using var network = await LocalNetwork.StartAsync(null, TestNetwork.Deployment(auditRateBps: 10_000), TestNetwork.Funded(Provider, Client), _folder.File("net"), CancellationToken.None);
        var args = ProviderArgs(network);
        var first = NodeProcess.Start(args);
        var client = TestNetwork.Client(network, Client);

        var job = await TestNetwork.CreateJobAsync(network, client, DevAccounts.Address(Provider), 8, TimeSpan.FromMinutes(3));
        var queue = new ProviderJobStore(await NodeDatabase.OpenAsync(_folder.File("provider/provider.db"), default), TimeProvider.System);
        await TestNetwork.WaitForAsync(() => queue.FindAsync(job.JobId, default), "the provider to take the job", first.Tail);
        first.KillHard();
        first.Dispose();

        using var second = NodeProcess.Start(args);
        await TestNetwork.WaitForStatusAsync(client.Market, job.JobId, JobStatus.Settled, second.Tail);

        Assert.Equal(1, await TestNetwork.CountEventsAsync<ResultSubmittedEventDTO>(network, job.JobId));
        Assert.Equal(1, await TestNetwork.CountCallsAsync<SubmitResultsFunction>(network, DevAccounts.Address(Provider)));
        await TestNetwork.WaitForAsync(async () => (await queue.FindAsync(job.JobId, default))!.State == ProviderJobStore.Done ? new object() : null, "the provider to close the job", second.Tail);
    }

    [Fact]
    public async Task A_verifier_killed_in_the_middle_of_an_audit_finishes_it_after_a_restart_with_one_verdict()
    {
        await using var network = await LocalNetwork.StartAsync(null, TestNetwork.Deployment(auditRateBps: 10_000), TestNetwork.Funded(Provider, Verifier, Client), _folder.File("net"), CancellationToken.None);
        using var provider = NodeProcess.Start(ProviderArgs(network));
        var args = VerifierArgs(network);
        var first = NodeProcess.Start(args);
        var client = TestNetwork.Client(network, Client);
        await TestNetwork.WaitForAsync(async () => (await client.Market.VaultAccountAsync(DevAccounts.Address(Verifier), default)).Stake > 0 ? new object() : null, "the verifier's stake", first.Tail);
        await network.AdvanceEpochAsync(default);

        var job = await TestNetwork.CreateJobAsync(network, client, DevAccounts.Address(Provider), 8, TimeSpan.FromMinutes(3));
        var work = new VerifierWorkStore(await NodeDatabase.OpenAsync(_folder.File("verifier/verifier.db"), default), TimeProvider.System);
        // Any state: the node may have judged the audit, or sent its verdict, before this poll reads the queue.
        await TestNetwork.WaitForAsync(async () => (await work.CountsAsync(default)).Keys.Any(k => k.StartsWith("audit/", StringComparison.Ordinal)) ? new object() : null, "the audit to be drawn", first.Tail);
        first.KillHard();
        first.Dispose();

        using var second = NodeProcess.Start(args);
        await TestNetwork.WaitForStatusAsync(client.Market, job.JobId, JobStatus.Settled, () => second.Tail() + "\n--- provider:\n" + provider.Tail());

        Assert.Equal(1, await TestNetwork.CountEventsAsync<VerdictSubmittedEventDTO>(network, job.JobId, network.Deployment.AuditCourt));
        Assert.Equal(1, await TestNetwork.CountCallsAsync<SubmitVerdictFunction>(network, DevAccounts.Address(Verifier), network.Deployment.AuditCourt));
    }

    [Fact]
    public async Task A_verifier_killed_after_committing_its_vote_reveals_it_after_a_restart_with_the_kept_salt()
    {
        int[] others = [3, 4];
        // Commit and reveal windows of 30 s, not 8: the verifier judges and commits within the first,
        // and its restarted process (a cold start on a loaded two-core machine) reveals within the second.
        var deployment = TestNetwork.Deployment(auditRateBps: 10_000);
        deployment = deployment with { Court = deployment.Court with { CommitWindow = 30, RevealWindow = 30 } };
        await using var network = await LocalNetwork.StartAsync(
            null, deployment, TestNetwork.Funded([Provider, Verifier, Client, .. others]), _folder.File("net"), CancellationToken.None);
        var members = others.ToDictionary(v => DevAccounts.Address(v), v => network.Market(DevAccounts.Key(v)), StringComparer.OrdinalIgnoreCase);
        foreach (var member in members.Values)
        {
            await member.EnsureStakeAsync(StakeRole.Verifier, MarketParameters.Tokens(1_000), default);
            await member.EnsureMarketBalanceAsync(MarketParameters.Tokens(100), default);
        }

        // Epoch 1: only the test's two verifiers can be drawn for the job's audit.
        await network.AdvanceEpochAsync(default);
        using var provider = NodeProcess.Start(ProviderArgs(network));
        var client = TestNetwork.Client(network, Client);
        var created = await TestNetwork.CreateJobAsync(network, client, DevAccounts.Address(Provider), 8, TimeSpan.FromMinutes(3));
        await TestNetwork.WaitForResultAsync(client.Market, created.JobId, provider.Tail);
        var job = (await JobLookup.FindAsync(client.Market, created.JobId, default))!;
        var jobId = created.JobId;
        var first = NodeProcess.Start(VerifierArgs(network));
        var verifier = DevAccounts.Address(Verifier);
        await TestNetwork.WaitForAsync(async () => (await client.Market.VaultAccountAsync(verifier, default)).Stake > 0 ? new object() : null, "the verifier's stake", first.Tail);
        var challenger = await TestNetwork.WaitForAsync(async () =>
            (await client.Market.PendingAuditorAsync(jobId, job, default)).Verifier is { } v && members.ContainsKey(v) ? v : null, "the draw", provider.Tail);

        // Epoch 2: the verifier node can sit on the committee of the dispute the challenger opens now.
        await network.AdvanceEpochAsync(default);
        await members[challenger].SendCourtAsync(MarketClient.SubmitVerdict(jobId, job, pass: false, Keccak.Hash([1])), default);
        var committee = await TestNetwork.WaitForAsync(async () =>
            (await client.Market.RoundOfAsync(jobId, 0, default)) is { Drawn: true } round ? round.Members : null, "the committee", provider.Tail);
        Assert.Contains(verifier, committee, StringComparer.OrdinalIgnoreCase);
        await TestNetwork.WaitForAsync(async () =>
            (await client.Market.VoteOfAsync(jobId, 0, verifier, default)).Commitment.Any(b => b != 0) ? new object() : null, "the verifier's commitment", first.Tail);
        first.KillHard();
        first.Dispose();

        // The last member commits: the reveal opens, and only the restarted node knows its salt.
        var salt = Keccak.Hash([7]);
        foreach (var member in committee.Where(m => !string.Equals(m, verifier, StringComparison.OrdinalIgnoreCase)))
        {
            await members[member].SendCourtAsync(MarketClient.CommitVote(jobId, await client.Market.VoteCommitmentAsync(jobId, 0, member, false, salt, default)), default);
        }

        using var second = NodeProcess.Start(VerifierArgs(network));
        var revealed = await TestNetwork.WaitForAsync(async () =>
            (await client.Market.VoteOfAsync(jobId, 0, verifier, default)) is { Revealed: not 0 } vote ? vote : null, "the verifier's reveal", second.Tail);

        Assert.Equal(2, revealed.Revealed); // provider right: the job was honest
        Assert.Equal(1, await TestNetwork.CountCallsAsync<CommitVoteFunction>(network, verifier, network.Deployment.AuditCourt));
        Assert.Equal(1, await TestNetwork.CountCallsAsync<RevealVoteFunction>(network, verifier, network.Deployment.AuditCourt));
    }

    private string[] ProviderArgs(LocalNetwork network) =>
    [
        "provider", "run", "--dev-account", Provider.ToString(CultureInfo.InvariantCulture), .. Common(network, "provider"),
        "--model", TestNetwork.Model, "--unit-price", "1", "--stake", "1000", "--min-turnaround", "60",
    ];

    private string[] VerifierArgs(LocalNetwork network) =>
    [
        "verifier", "run", "--dev-account", Verifier.ToString(CultureInfo.InvariantCulture), .. Common(network, "verifier"), "--stake", "1000",
    ];

    private string[] Common(LocalNetwork network, string name) =>
    [
        "--rpc", network.RpcUrl.ToString(), "--api", network.ApiUrl.ToString(),
        "--deployment", network.DeploymentPath, "--data", _folder.File(name),
    ];
}
