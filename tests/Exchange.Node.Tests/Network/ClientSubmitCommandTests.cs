using System.Numerics;
using System.Text.Json;
using Exchange.Chain.Wallets;
using Exchange.Core.Hashing;
using Exchange.Core.Jobs;
using Exchange.Core.Manifests;
using Exchange.Core.Merkle;
using Exchange.Inference.Calibration;
using Exchange.Node.Api;
using Exchange.Node.Client;
using Exchange.Node.Demo;
using Exchange.Node.Offers;
using Exchange.Node.Tests.Support;
using Exchange.TestSupport;

namespace Exchange.Node.Tests.Network;

/// <summary><c>exchange client submit --wait</c> itself, as a user runs it, against a small live network.</summary>
[Collection(NetworkTestGroup.Name)]
public sealed class ClientSubmitCommandTests : IDisposable
{
    private const int Provider = 1;
    private const int Client = 8;

    private readonly TempDirectory _folder = new();
    private readonly HttpClient _http = new();

    public void Dispose()
    {
        _http.Dispose();
        _folder.Dispose();
    }

    [Fact]
    public async Task Submit_wait_refuses_a_non_image_input_without_a_transaction_then_writes_outputs_that_prove_into_the_result_roots()
    {
        await using var network = await LocalNetwork.StartAsync(null, TestNetwork.Deployment(auditRateBps: 10_000), TestNetwork.Funded(Provider, Client), _folder.File("net"), CancellationToken.None);
        using var provider = TestNetwork.StartProvider(network, Provider, _folder.File("provider"));
        var inputs = Directory.CreateDirectory(_folder.File("in")).FullName;
        var images = SyntheticImages.Png(3, 21, 224, 224).Select((png, i) =>
        {
            var path = Path.Combine(inputs, $"image-{i}.png");
            File.WriteAllBytes(path, png);
            return path;
        }).ToArray();
        var notes = Path.Combine(inputs, "notes.txt");
        await File.WriteAllTextAsync(notes, "not an image");
        var output = _folder.File("out");
        var client = TestNetwork.Client(network, Client, _http);
        var api = new ExchangeApiClient(_http, [network.ApiUrl], null, TimeProvider.System);
        await TestNetwork.WaitForAsync(async () => (await OfferBook.ListAsync(api, client.Card.ModelId, null, null, client.Market.Domain, default)) is [var offer, ..] ? offer : null, "the provider's offer", provider.Tail);

        var refused = await Submit([images[0], notes, "--json"]);

        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("notes.txt", refused.Stderr, StringComparison.Ordinal);
        Assert.Single(refused.Stderr.Trim().Split('\n'));
        Assert.Equal(BigInteger.Zero, (await network.Web3.Eth.Transactions.GetTransactionCount.SendRequestAsync(DevAccounts.Address(Client))).Value);
        Assert.False(Directory.Exists(output));

        // Public, so that each written file is itself the leaf (an encrypted job's leaf is its ciphertext's).
        var run = await Submit([.. images, "--tasks-per-job", "2", "--wait", "--out", output, "--public", "--json"]);

        Assert.True(run.ExitCode == 0, run.Stderr + provider.Tail());
        using var summary = JsonDocument.Parse(run.Stdout);
        Assert.Equal(3, summary.RootElement.GetProperty("tasks").GetInt32());
        Assert.Equal(2, summary.RootElement.GetProperty("jobs").GetInt32());
        Assert.Equal(2, summary.RootElement.GetProperty("settled").GetInt32());
        Assert.Equal(3, summary.RootElement.GetProperty("outputsWritten").GetInt32());
        var jobIds = summary.RootElement.GetProperty("jobIds").EnumerateArray().Select(j => BigInteger.Parse(j.GetString()!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(2, jobIds.Count);

        // Each written file, hashed here, must be the leaf the provider signed into its job's result root on chain.
        var task = 0;
        foreach (var jobId in jobIds)
        {
            Assert.Equal(JobStatus.Settled, await client.Market.StatusAsync(jobId, default));
            var record = (await JobLookup.FindAsync(client.Market, jobId, default))!;
            Assert.Equal(DevAccounts.Address(Client), record.Client, ignoreCase: true);
            var manifest = JobManifest.Parse(await api.GetBlobAsync(record.ManifestHash, default));
            var outputs = OutputManifest.Parse(await api.GetBlobAsync(record.OutputsHash, default));
            var tree = MerkleLeaves.ResultTree(manifest.InputHashes, outputs.OutputHashes);
            for (var t = 0; t < manifest.Tasks.Count; t++, task++)
            {
                var file = Path.Combine(output, $"image-{task}.{client.Card.Outputs[0].Name}.npy");
                Assert.True(File.Exists(file), $"{file} was not written");
                var leaf = MerkleLeaves.Result(t, manifest.Tasks[t].InputHash, Keccak.Hash(await File.ReadAllBytesAsync(file)));
                Assert.True(MerkleTree.Verify(tree.Proof(t), record.ResultRoot, leaf), $"{file} does not prove into job {jobId}'s result root");
            }
        }

        Assert.Equal(3, task);
        Assert.Equal(3, Directory.GetFiles(output).Length);

        Task<ExchangeCli.Result> Submit(string[] args) => ExchangeCli.RunAsync(
            _folder.Path, new Dictionary<string, string> { ["EXCHANGE_MODEL_STORE"] = _folder.File("models") },
            [
                "client", "submit", "--dev-account", Client.ToString(System.Globalization.CultureInfo.InvariantCulture), "--rpc", network.RpcUrl.ToString(),
                "--api", network.ApiUrl.ToString(), "--deployments", network.DeploymentsDirectory, "--model", TestNetwork.Model, "--input", .. args,
            ]);
    }
}
