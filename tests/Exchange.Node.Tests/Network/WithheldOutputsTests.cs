using System.Globalization;
using System.Text.Json;
using Exchange.Api.Client;
using Exchange.Chain.Bindings;
using Exchange.Chain.Wallets;
using Exchange.Core.Hashing;
using Exchange.Core.Jobs;
using Exchange.Local.Demo;
using Exchange.Node.Client;
using Exchange.Node.Tests.Support;
using Exchange.TestSupport;
using Nethereum.RPC.Eth.DTOs;

namespace Exchange.Node.Tests.Network;

/// <summary>
/// A provider that signs and submits a result root but uploads neither its outputs nor its output
/// manifest (<c>--cheat withhold --cheat-rate 1</c>) is slashed when audited: the drawn verifier, finding the data
/// unavailable, fails the job, and the other verifier, drawn onto the committee, fetches for itself,
/// finds nothing and votes "provider wrong". Separate processes on a live chain.
/// </summary>
[Trait("Lane", "Slow")]
[Collection(NetworkTestGroup.Name)]
public sealed class WithheldOutputsTests : IDisposable
{
    private const int Provider = 1;
    private const int Client = 8;
    private static readonly int[] Verifiers = [2, 3];

    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task A_provider_that_withholds_its_outputs_is_failed_by_the_verifier_and_slashed_by_the_committee()
    {
        // Commit and reveal windows that a member loading its model on a busy machine meets (they close early once every member acted).
        var deployment = TestNetwork.Deployment(auditRateBps: 10_000);
        deployment = deployment with { Court = deployment.Court with { CommitWindow = 30, RevealWindow = 30 } };
        await using var network = await LocalNetwork.StartAsync(
            null, deployment, TestNetwork.Funded([Provider, Client, .. Verifiers]), _folder.File("net"), CancellationToken.None);
        var verifiers = Verifiers.Select(v => NodeProcess.Start(
            "verifier", "run", "--dev-account", v.ToString(CultureInfo.InvariantCulture), "--stake", "1000",
            "--rpc", network.RpcUrl.ToString(), "--api", network.ApiUrl.ToString(), "--deployment", network.DeploymentPath, "--data", _folder.File($"verifier{v}"))).ToList();
        try
        {
            var client = TestNetwork.Client(network, Client);
            foreach (var v in Verifiers)
            {
                await TestNetwork.WaitForAsync(async () => (await client.Market.VaultAccountAsync(DevAccounts.Address(v), default)).Stake > 0 ? new object() : null, "the verifiers' stakes", Tails(verifiers));
            }

            await network.AdvanceEpochAsync(default);
            using var provider = NodeProcess.Start(
                "provider", "run", "--dev-account", Provider.ToString(CultureInfo.InvariantCulture), "--rpc", network.RpcUrl.ToString(), "--api", network.ApiUrl.ToString(),
                "--deployment", network.DeploymentPath, "--data", _folder.File("provider"), "--model", TestNetwork.Model, "--unit-price", "1", "--stake", "1000",
                "--min-turnaround", "60", "--cheat", "withhold", "--cheat-rate", "1");
            var created = await TestNetwork.CreateJobAsync(network, client, DevAccounts.Address(Provider), 8, TimeSpan.FromMinutes(3));
            string Context() => provider.Tail() + "\n--- verifiers:\n" + Tails(verifiers)();
            await TestNetwork.WaitForResultAsync(client.Market, created.JobId, Context);

            // The root is on chain, the data nowhere.
            var job = (await JobLookup.FindAsync(client.Market, created.JobId, default))!;
            var api = network.Api();
            Assert.False(await api.HasBlobAsync(job.OutputsHash, default));

            await TestNetwork.WaitForStatusAsync(client.Market, created.JobId, JobStatus.Slashed, Context);
            var verdict = Assert.Single(await VerdictsAsync(network, created.JobId));
            Assert.False(verdict.Pass);
            using var evidence = JsonDocument.Parse(await api.GetBlobAsync(Bytes32.FromBytes(verdict.EvidenceHash), default));
            Assert.All(evidence.RootElement.GetProperty("tasks").EnumerateArray(), t =>
            {
                Assert.False(t.GetProperty("pass").GetBoolean());
                Assert.Contains("output manifest is unavailable", t.GetProperty("detail").GetString(), StringComparison.Ordinal);
            });

            // The committee is the other verifier: it fetched for itself and voted "provider wrong" (1).
            var member = Assert.Single((await client.Market.RoundOfAsync(created.JobId, 0, default)).Members);
            Assert.NotEqual(verdict.Verifier, member, StringComparer.OrdinalIgnoreCase);
            Assert.Equal(1, (await client.Market.VoteOfAsync(created.JobId, 0, member, default)).Revealed);
        }
        finally
        {
            verifiers.ForEach(v => v.Dispose());
        }
    }

    private static Func<string> Tails(List<NodeProcess> processes) => () => string.Join("\n---\n", processes.Select(p => p.Tail()));

    private static async Task<List<VerdictSubmittedEventDTO>> VerdictsAsync(LocalNetwork network, System.Numerics.BigInteger jobId)
    {
        var handler = network.Web3.Eth.GetEvent<VerdictSubmittedEventDTO>(network.Deployment.AuditCourt);
        var logs = await handler.GetAllChangesAsync(handler.CreateFilterInput(jobId, BlockParameter.CreateEarliest(), BlockParameter.CreateLatest()));
        return [.. logs.Select(l => l.Event)];
    }
}
