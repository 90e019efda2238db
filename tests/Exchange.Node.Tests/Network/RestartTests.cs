using System.Globalization;
using Exchange.Chain.Bindings;
using Exchange.Chain.Wallets;
using Exchange.Core.Jobs;
using Exchange.Node.Demo;
using Exchange.Node.Queues;
using Exchange.Node.Tests.Support;
using Exchange.TestSupport;

namespace Exchange.Node.Tests.Network;

/// <summary>
/// kill -9 of a provider or verifier process in the middle of its work, then a restart: the work
/// completes, and the chain sees exactly one result or verdict. Every job is selected for audit:
/// without a drawable verifier the provider records the draw and the court settles the job; with
/// one (staked an epoch before), that verifier's direct verdict settles it.
/// </summary>
[Collection(NetworkTestGroup.Name)]
public sealed class RestartTests : IDisposable
{
    private const int Provider = 1;
    private const int Verifier = 2;
    private const int Client = 8;

    private readonly TempDirectory _folder = new();
    private readonly HttpClient _http = new();

    public void Dispose()
    {
        _http.Dispose();
        _folder.Dispose();
    }

    [Fact]
    public async Task A_provider_killed_in_the_middle_of_a_job_finishes_it_after_a_restart_with_one_result_submission()
    {
        await using var network = await LocalNetwork.StartAsync(null, TestNetwork.Deployment(auditRateBps: 10_000), TestNetwork.Funded(Provider, Client), _folder.File("net"), CancellationToken.None);
        var args = ProviderArgs(network);
        var first = NodeProcess.Start(args);
        var client = TestNetwork.Client(network, Client, _http);

        var job = await TestNetwork.CreateJobAsync(network, client, _http, DevAccounts.Address(Provider), 8, TimeSpan.FromMinutes(3));
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
        var client = TestNetwork.Client(network, Client, _http);
        await TestNetwork.WaitForAsync(async () => (await client.Market.VaultAccountAsync(DevAccounts.Address(Verifier), default)).Stake > 0 ? new object() : null, "the verifier's stake", first.Tail);
        await network.AdvanceEpochAsync(default);

        var job = await TestNetwork.CreateJobAsync(network, client, _http, DevAccounts.Address(Provider), 8, TimeSpan.FromMinutes(3));
        var work = new VerifierWorkStore(await NodeDatabase.OpenAsync(_folder.File("verifier/verifier.db"), default), TimeProvider.System);
        await TestNetwork.WaitForAsync(async () => (await work.ListWorkAsync("new", 10, default)).FirstOrDefault(w => w.JobId == job.JobId), "the audit to be drawn", first.Tail);
        first.KillHard();
        first.Dispose();

        using var second = NodeProcess.Start(args);
        await TestNetwork.WaitForStatusAsync(client.Market, job.JobId, JobStatus.Settled, () => second.Tail() + "\n--- provider:\n" + provider.Tail());

        Assert.Equal(1, await TestNetwork.CountEventsAsync<VerdictSubmittedEventDTO>(network, job.JobId, network.Deployment.AuditCourt));
        Assert.Equal(1, await TestNetwork.CountCallsAsync<SubmitVerdictFunction>(network, DevAccounts.Address(Verifier), network.Deployment.AuditCourt));
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
        "--deployments", network.DeploymentsDirectory, "--data", _folder.File(name),
    ];
}
