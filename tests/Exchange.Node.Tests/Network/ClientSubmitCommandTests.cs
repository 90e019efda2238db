using System.Numerics;
using System.Text.Json;
using Exchange.Api.Client;
using Exchange.Chain.Wallets;
using Exchange.Core.Hashing;
using Exchange.Core.Jobs;
using Exchange.Core.Manifests;
using Exchange.Core.Merkle;
using Exchange.Core.Privacy;
using Exchange.Core.Tensors;
using Exchange.Inference.Calibration;
using Exchange.Local.Demo;
using Exchange.Node.Client;
using Exchange.Node.Offers;
using Exchange.Node.Tests.Support;
using Exchange.TestSupport;

namespace Exchange.Node.Tests.Network;

/// <summary><c>exchange client submit --wait</c> itself, as a user runs it (subscribed to its jobs' logs with <c>--ws</c>), against a small live network.</summary>
[Trait("Lane", "Slow")]
[Collection(NetworkTestGroup.Name)]
public sealed class ClientSubmitCommandTests : IDisposable
{
    private const int Provider = 1;
    private const int Client = 8;

    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Submit_wait_refuses_a_non_image_input_without_a_transaction_then_writes_outputs_that_prove_into_the_result_roots()
    {
        await using var network = await LocalNetwork.StartAsync(null, TestNetwork.Deployment(auditRateBps: 10_000), TestNetwork.Funded(Provider, Client), _folder.File("net"), CancellationToken.None);
        using var provider = TestNetwork.StartProvider(network, Provider, _folder.File("provider"), 60, "--ws", network.WsUrl!.ToString());
        var images = WriteImages(3, 21);
        var notes = _folder.File("in/notes.txt");
        await File.WriteAllTextAsync(notes, "not an image");
        var output = _folder.File("out");
        var (client, api) = await ClientAsync(network, provider);

        var refused = await Submit(network, [images[0], notes, "--json"]);

        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("notes.txt", refused.Stderr, StringComparison.Ordinal);
        Assert.Single(refused.Stderr.Trim().Split('\n'));
        Assert.Equal(BigInteger.Zero, (await network.Web3.Eth.Transactions.GetTransactionCount.SendRequestAsync(DevAccounts.Address(Client))).Value);
        Assert.False(Directory.Exists(output));

        // Public, so that each written file is itself the leaf (an encrypted job's leaf is its ciphertext's).
        var run = await Submit(network, [.. images, "--tasks-per-job", "2", "--wait", "--out", output, "--public", "--json"]);

        Assert.True(run.ExitCode == 0, run.Stderr + provider.Tail());
        using var summary = JsonDocument.Parse(run.Stdout);
        Assert.Equal(3, summary.RootElement.GetProperty("tasks").GetInt32());
        Assert.Equal(2, summary.RootElement.GetProperty("jobs").GetInt32());
        Assert.Equal(2, summary.RootElement.GetProperty("tasksPerJob").GetInt32());
        Assert.Equal(2, summary.RootElement.GetProperty("settled").GetInt32());
        Assert.Equal(3, summary.RootElement.GetProperty("outputsWritten").GetInt32());
        // A client that never sent bad data has its jobs computed during their check.
        Assert.False(provider.Wrote("computed only after its check"), provider.Tail());
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
                var leaf = MerkleLeaves.Result(t, manifest.Tasks[t].InputHash, BlobAddress.Of(await File.ReadAllBytesAsync(file)));
                Assert.True(MerkleTree.Verify(tree.Proof(t), record.ResultRoot, leaf), $"{file} does not prove into job {jobId}'s result root");
            }
        }

        Assert.Equal(3, task);
        Assert.Equal(3, Directory.GetFiles(output).Length);
    }

    [Fact]
    public async Task Submit_without_public_stores_only_ciphertext_and_writes_the_decrypted_outputs()
    {
        await using var network = await LocalNetwork.StartAsync(null, TestNetwork.Deployment(auditRateBps: 10_000), TestNetwork.Funded(Provider, Client), _folder.File("net"), CancellationToken.None);
        using var provider = TestNetwork.StartProvider(network, Provider, _folder.File("provider"));
        var images = WriteImages(2, 31);
        var output = _folder.File("out");
        var (client, api) = await ClientAsync(network, provider);

        var run = await Submit(network, [.. images, "--wait", "--out", output, "--json"]);

        Assert.True(run.ExitCode == 0, run.Stderr + provider.Tail());
        using var summary = JsonDocument.Parse(run.Stdout);
        Assert.Equal(2, summary.RootElement.GetProperty("outputsWritten").GetInt32());
        var jobId = BigInteger.Parse(Assert.Single(summary.RootElement.GetProperty("jobIds").EnumerateArray()).GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        var record = (await JobLookup.FindAsync(client.Market, jobId, default))!;
        var manifest = JobManifest.Parse(await api.GetBlobAsync(record.ManifestHash, default));
        var outputs = OutputManifest.Parse(await api.GetBlobAsync(record.OutputsHash, default));
        Assert.True(manifest.IsEncrypted);
        Assert.Equal(Bytes32.FromBytes(await client.Market.EncryptionKeyAsync(DevAccounts.Address(Provider), default)), manifest.Privacy!.Recipient);

        var job = JobCipher.ForClient(DevAccounts.Key(Client).GetPrivateKeyAsBytes(), manifest.Privacy.Salt);
        for (var t = 0; t < manifest.Tasks.Count; t++)
        {
            var cipher = job.Task(t);
            Assert.True(cipher.Matches(manifest.Privacy, manifest.Tasks[t].InputHash));

            // The stored input is ciphertext that opens to the image's tensor; the stored output is
            // ciphertext that opens to the file the client wrote, which is not itself the leaf.
            var storedInput = await api.GetBlobAsync(manifest.Tasks[t].Inputs[0].Hash, default);
            var plaintextInput = Npy.Write(ClientTask.FromFile(images[t], client.Card).Inputs[0]);
            Assert.Equal(-1, storedInput.AsSpan().IndexOf(plaintextInput.AsSpan(plaintextInput.Length / 2, 64)));
            Assert.True(cipher.TryDecryptInput(0, storedInput, out var openedInput));
            Assert.Equal(plaintextInput, openedInput);

            var written = await File.ReadAllBytesAsync(Path.Combine(output, $"image-{t}.{client.Card.Outputs[0].Name}.npy"));
            var storedOutput = await api.GetBlobAsync(outputs.Tasks[t].Outputs[0].Hash, default);
            Assert.NotEqual(outputs.Tasks[t].Outputs[0].Hash, BlobAddress.Of(written));
            Assert.True(cipher.TryDecryptOutput(0, storedOutput, out var openedOutput));
            Assert.Equal(written, openedOutput);
        }
    }

    private string[] WriteImages(int count, int seed)
    {
        var inputs = Directory.CreateDirectory(_folder.File("in")).FullName;
        return SyntheticImages.Png(count, seed, 224, 224).Select((png, i) =>
        {
            var path = Path.Combine(inputs, $"image-{i}.png");
            File.WriteAllBytes(path, png);
            return path;
        }).ToArray();
    }

    /// <summary>The client's session and a read-only API client, once the provider's offer is booked.</summary>
    private static async Task<(ClientSession Client, ExchangeApiClient Api)> ClientAsync(LocalNetwork network, NodeProcess provider)
    {
        var client = TestNetwork.Client(network, Client);
        var api = network.Api();
        await TestNetwork.WaitForAsync(async () => (await OfferDirectory.ListAsync(api, client.Card.ModelId, null, null, client.Market.Domain, default)) is [var offer, ..] ? offer : null, "the provider's offer", provider.Tail);
        return (client, api);
    }

    private Task<ExchangeCli.Result> Submit(LocalNetwork network, string[] args) => ExchangeCli.RunAsync(
        _folder.Path, new Dictionary<string, string> { ["EXCHANGE_MODEL_STORE"] = _folder.File("models") },
        [
            "client", "submit", "--dev-account", Client.ToString(System.Globalization.CultureInfo.InvariantCulture), "--rpc", network.RpcUrl.ToString(), "--ws", network.WsUrl!.ToString(),
            "--api", network.ApiUrl.ToString(), "--deployment", network.DeploymentPath, "--model", TestNetwork.Model, "--input", .. args,
        ]);
}
