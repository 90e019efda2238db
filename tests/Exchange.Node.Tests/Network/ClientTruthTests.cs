using System.Globalization;
using System.Numerics;
using System.Text.Json;
using Exchange.Api.Client;
using Exchange.Chain.Bindings;
using Exchange.Chain.Court;
using Exchange.Chain.Wallets;
using Exchange.Core.Hashing;
using Exchange.Core.Jobs;
using Exchange.Inference.Calibration;
using Exchange.Local.Demo;
using Exchange.Node.Chain;
using Exchange.Node.Client;
using Exchange.Node.Offers;
using Exchange.Node.Tests.Support;
using Exchange.TestSupport;

namespace Exchange.Node.Tests.Network;

/// <summary>
/// The client is told what it got. A provider that signs a result but withholds its outputs is caught
/// by <c>client submit --wait</c>'s availability check, which asks for an audit; the job ends
/// slashed, and <c>submit</c> and <c>wait</c> say so with a failing exit code. A slashed
/// job's outputs are refused by <c>fetch</c>, and written only marked as slashed when asked for.
/// The verifiers are played by the test: they fail both jobs, as the court rules unavailable or
/// false outputs wrong.
/// </summary>
[Trait("Lane", "Slow")]
[Collection(NetworkTestGroup.Name)]
public sealed class ClientTruthTests : IDisposable
{
    private const int Withholder = 1;
    private const int Falsifier = 5;
    private const int Client = 8;
    private static readonly int[] Verifiers = [2, 3, 4];

    private readonly TempDirectory _folder = new();
    private LocalNetwork? _network;

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Withheld_outputs_are_caught_by_the_client_and_slashed_outputs_are_refused_or_written_marked()
    {
        // No verifier process fixes the draws, so a result stays unaudited until the provider
        // fixes its draw blocks later: only the client's own check catches the withholder first.
        var deployment = TestNetwork.Deployment(auditRateBps: 10_000) with { Market = TestNetwork.Deployment(10_000).Market with { ChallengeWindow = 60 } };
        await using var network = await LocalNetwork.StartAsync(null, deployment, TestNetwork.Funded([Withholder, Falsifier, Client, .. Verifiers]), _folder.File("net"), CancellationToken.None);
        _network = network;
        var verifiers = await TestNetwork.StakeVerifiersAsync(network, Verifiers);
        using var withholder = TestNetwork.StartProvider(network, Withholder, _folder.File("withholder"), 60, "--cheat", "withhold", "--cheat-rate", "1");
        var client = TestNetwork.Client(network, Client);
        var api = network.Api();
        await TestNetwork.WaitForAsync(async () => (await OfferDirectory.ListAsync(api, client.Card.ModelId, null, null, client.Market.Domain, default)).Count > 0 ? new object() : null, "the withholder's offer", withholder.Tail);
        var images = SyntheticImages.Png(2, 4, 224, 224).Select((png, i) =>
        {
            var path = _folder.File($"image-{i}.png");
            File.WriteAllBytes(path, png);
            return path;
        }).ToArray();

        // The command creates the job (the first on this chain) on the only offer and follows it,
        // checking its outputs as soon as its result is on chain; then through its audit and
        // dispute to the end: minutes on a loaded machine.
        var submit = Cli(TimeSpan.FromMinutes(5), "submit", "--model", TestNetwork.Model, "--input", images[0], images[1], "--wait", "--json");
        var withheld = BigInteger.One;
        await TestNetwork.WaitForAsync(() => JobLookup.FindAsync(client.Market, withheld, default), "the command to create its job", withholder.Tail);

        using var falsifier = TestNetwork.StartProvider(network, Falsifier, _folder.File("falsifier"), 60, "--cheat", "random", "--cheat-rate", "1");
        string Tails() => withholder.Tail() + falsifier.Tail();
        var falsified = await TestNetwork.CreateJobAsync(network, client, DevAccounts.Address(Falsifier), 2, TimeSpan.FromMinutes(5));

        // The falsifier's outputs are all there and prove: the check passes them, so the client asks for this audit itself.
        await TestNetwork.WaitForStatusAsync(client.Market, falsified.JobId, JobStatus.Submitted, Tails);
        var check = await client.CheckAvailabilityAsync(falsified.JobId, default);
        Assert.True(check is { Available: true, AuditRequested: false }, check?.Describe());
        await client.RequestAuditAsync(falsified.JobId, (await JobLookup.FindAsync(client.Market, falsified.JobId, default))!, default);

        await Task.WhenAll(FailAsync(client.Market, verifiers, withheld, Tails), FailAsync(client.Market, verifiers, falsified.JobId, Tails));

        var submitted = await submit;
        Assert.True(submitted.ExitCode == 3, submitted.Stdout + submitted.Stderr + Tails());
        using (var summary = JsonDocument.Parse(submitted.Stdout))
        {
            Assert.Equal(1, summary.RootElement.GetProperty("slashed").GetInt32());
            var outcome = Assert.Single(summary.RootElement.GetProperty("outcomes").EnumerateArray().ToList());
            Assert.Equal("1", outcome.GetProperty("jobId").GetString());
            Assert.Equal("slashed", outcome.GetProperty("outcome").GetString());
            Assert.True(outcome.GetProperty("auditRequested").GetBoolean(), outcome.ToString());
            Assert.Matches("^outputs unavailable \\(job 1: .*404.*\\); audit requested for [0-9.]+ tokens$", outcome.GetProperty("availability").GetString());
            Assert.Contains("committee ruled the provider wrong", outcome.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        // wait says the same of a job that ended, and fails likewise.
        var waited = await Cli("wait", "1", "--json");
        Assert.True(waited.ExitCode == 3, waited.Stderr);
        using (var outcomes = JsonDocument.Parse(waited.Stdout))
        {
            Assert.Equal("slashed", Assert.Single(outcomes.RootElement.EnumerateArray().ToList()).GetProperty("outcome").GetString());
        }

        // Two audit requests: the command's, for the withheld job, and the test's own.
        Assert.Equal(2, await TestNetwork.CountCallsAsync<RequestAuditFunction>(network, DevAccounts.Address(Client)));
        Assert.Equal((byte)AuditOrigin.ClientRequested, (await client.Market.AuditOfAsync(withheld, default)).Origin);

        // fetch refuses a slashed job's outputs and writes nothing ...
        var output = _folder.File("out");
        var refused = await Cli("fetch", falsified.JobId.ToString(CultureInfo.InvariantCulture), "--out", output);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("slashed", refused.Stderr, StringComparison.Ordinal);
        Assert.Single(refused.Stderr.Trim().Split('\n'));
        Assert.False(Directory.Exists(output));

        // ... and with --include-slashed writes them apart, each marked.
        var marked = await Cli("fetch", falsified.JobId.ToString(CultureInfo.InvariantCulture), "--out", output, "--include-slashed");
        Assert.True(marked.ExitCode == 0, marked.Stderr);
        Assert.Contains("SLASHED", marked.Stdout, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(output));
        var files = Directory.GetFiles(Path.Combine(output, "slashed")).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.Equal([$"job{falsified.JobId}-task0.{client.Card.Outputs[0].Name}.slashed.npy", $"job{falsified.JobId}-task1.{client.Card.Outputs[0].Name}.slashed.npy"], files);

        // status says how each ended, and fails for a slashed job.
        var status = await Cli("status", falsified.JobId.ToString(CultureInfo.InvariantCulture), "--json");
        Assert.Equal(3, status.ExitCode);
        using (var view = JsonDocument.Parse(status.Stdout))
        {
            Assert.Equal("slashed", view.RootElement.GetProperty("outcome").GetString());
            Assert.True(DateTimeOffset.TryParse(view.RootElement.GetProperty("deadline").GetString(), CultureInfo.InvariantCulture, out _));
        }

        // The client's jobs, from the API's index, once it has seen both slashed.
        await TestNetwork.WaitForAsync(async () =>
        {
            var jobs = await Cli("jobs", "--json");
            using var list = JsonDocument.Parse(jobs.Stdout);
            var slashed = list.RootElement.EnumerateArray().Where(j => j.GetProperty("status").GetString() == "Slashed").Select(j => j.GetProperty("jobId").GetString()).ToList();
            return slashed.Count == 2 && slashed.Contains("1") ? slashed : null;
        }, "client jobs to list both slashed jobs", Tails);
    }

    /// <summary>The drawn verifier fails the job and the committee rules the provider wrong; the provider's keeper moves the court along.</summary>
    private static async Task FailAsync(MarketClient reader, Dictionary<string, MarketClient> verifiers, BigInteger jobId, Func<string> context)
    {
        var drawn = await TestNetwork.WaitForAsync(async () =>
            await reader.AuditOfAsync(jobId, default) is { Phase: (byte)AuditPhase.Assigned } audit ? audit.Verifier : null, $"a verifier for job {jobId}", context);
        var job = (await JobLookup.FindAsync(reader, jobId, default))!;
        await verifiers[drawn].SendCourtAsync(MarketClient.SubmitVerdict(jobId, job, pass: false, Keccak.Hash([7])), default);
        await TestNetwork.VoteAsync(reader, verifiers, jobId, round: 0, providerWrong: true, context);
        await TestNetwork.WaitForStatusAsync(reader, jobId, JobStatus.Slashed, context);
    }

    private Task<ExchangeCli.Result> Cli(params string[] args) => Cli(TimeSpan.FromMinutes(2), args);

    private Task<ExchangeCli.Result> Cli(TimeSpan limit, params string[] args) => ExchangeCli.RunAsync(
        _folder.Path, new Dictionary<string, string> { ["EXCHANGE_MODEL_STORE"] = _folder.File("models") }, limit,
        [
            "client", .. args, "--dev-account", Client.ToString(CultureInfo.InvariantCulture), "--rpc", _network!.RpcUrl.ToString(), "--api", _network.ApiUrl.ToString(),
            "--deployment", _network.DeploymentPath,
        ]);
}
