using System.Text.Json;
using Exchange.Chain.Wallets;
using Exchange.Core.Hashing;
using Exchange.Core.Manifests;
using Exchange.Core.Privacy;
using Exchange.Core.Tensors;
using Exchange.Inference.Calibration;
using Exchange.Node.Api;
using Exchange.Node.Client;
using Exchange.Node.Demo;
using Exchange.Node.Offers;
using Exchange.Node.Tests.Support;
using Exchange.TestSupport;

namespace Exchange.Node.Tests.Privacy;

/// <summary><c>exchange client submit</c> encrypts by default: the API holds ciphertext, the client writes the plaintext outputs.</summary>
[Collection(NetworkTestGroup.Name)]
public sealed class PrivateSubmitCommandTests : IDisposable
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
    public async Task Submit_without_public_stores_only_ciphertext_and_writes_the_decrypted_outputs()
    {
        await using var network = await LocalNetwork.StartAsync(null, TestNetwork.Deployment(auditRateBps: 10_000), TestNetwork.Funded(Provider, Client), _folder.File("net"), CancellationToken.None);
        using var provider = TestNetwork.StartProvider(network, Provider, _folder.File("provider"));
        var inputs = Directory.CreateDirectory(_folder.File("in")).FullName;
        var images = SyntheticImages.Png(2, 31, 224, 224).Select((png, i) =>
        {
            var path = Path.Combine(inputs, $"image-{i}.png");
            File.WriteAllBytes(path, png);
            return path;
        }).ToArray();
        var output = _folder.File("out");
        var client = TestNetwork.Client(network, Client, _http);
        var api = new ExchangeApiClient(_http, [network.ApiUrl], null, TimeProvider.System);
        await TestNetwork.WaitForAsync(async () => (await OfferBook.ListAsync(api, client.Card.ModelId, null, null, client.Market.Domain, default)) is [var offer, ..] ? offer : null, "the provider's offer", provider.Tail);

        var run = await ExchangeCli.RunAsync(
            _folder.Path, new Dictionary<string, string> { ["EXCHANGE_MODEL_STORE"] = _folder.File("models") },
            [
                "client", "submit", "--dev-account", Client.ToString(System.Globalization.CultureInfo.InvariantCulture), "--rpc", network.RpcUrl.ToString(),
                "--api", network.ApiUrl.ToString(), "--deployments", network.DeploymentsDirectory, "--model", TestNetwork.Model, "--input", .. images,
                "--wait", "--out", output, "--json",
            ]);

        Assert.True(run.ExitCode == 0, run.Stderr + provider.Tail());
        using var summary = JsonDocument.Parse(run.Stdout);
        Assert.Equal(2, summary.RootElement.GetProperty("outputsWritten").GetInt32());
        var jobId = System.Numerics.BigInteger.Parse(Assert.Single(summary.RootElement.GetProperty("jobIds").EnumerateArray()).GetString()!, System.Globalization.CultureInfo.InvariantCulture);
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
            Assert.NotEqual(outputs.Tasks[t].Outputs[0].Hash, Keccak.Hash(written));
            Assert.True(cipher.TryDecryptOutput(0, storedOutput, out var openedOutput));
            Assert.Equal(written, openedOutput);
        }
    }
}
