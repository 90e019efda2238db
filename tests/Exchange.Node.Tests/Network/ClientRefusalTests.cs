using Exchange.Chain.Wallets;
using Exchange.Core.Hashing;
using Exchange.Core.Jobs;
using Exchange.Local.Demo;
using Exchange.Node.Client;
using Exchange.Node.Tests.Support;
using Exchange.TestSupport;

namespace Exchange.Node.Tests.Network;

/// <summary>The client takes only outputs that prove into the provider's signed result root.</summary>
[Trait("Lane", "Slow")]
[Collection(NetworkTestGroup.Name)]
public sealed class ClientRefusalTests : IDisposable
{
    private const int Provider = 1;
    private const int Client = 8;

    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task The_client_checks_outputs_against_the_signed_result_root_and_refuses_tampered_ones()
    {
        await using var network = await LocalNetwork.StartAsync(null, TestNetwork.Deployment(auditRateBps: 10_000), TestNetwork.Funded(Provider, Client), _folder.File("net"), CancellationToken.None);
        using var provider = TestNetwork.StartProvider(network, Provider, _folder.File("provider"));
        var client = TestNetwork.Client(network, Client);
        var job = await TestNetwork.CreateJobAsync(network, client, DevAccounts.Address(Provider), 4, TimeSpan.FromMinutes(3));
        await TestNetwork.WaitForStatusAsync(client.Market, job.JobId, JobStatus.Settled, provider.Tail);
        var record = (await JobLookup.FindAsync(client.Market, job.JobId, default))!;

        var outputs = await client.FetchAsync(job.JobId, record, default);
        Assert.Equal(4, outputs.Count);

        // A root the provider did not sign: every output is refused.
        var forged = record with { ResultRoot = Keccak.Hash([1, 2, 3]) };
        await Assert.ThrowsAsync<OutputRejectedException>(() => client.FetchAsync(job.JobId, forged, default));

        // The API serves a tampered output: its bytes no longer hash to the leaf the root commits to.
        var manifest = Exchange.Core.Manifests.OutputManifest.Parse(await network.Api().GetBlobAsync(record.OutputsHash, default));
        var hash = manifest.Tasks[2].Outputs[0].Hash.ToString();
        var blob = StoredBlobs.Locate(Path.Combine(_folder.File("net"), "api"))[hash];
        var bytes = StoredBlobs.Read(blob);
        using (var file = File.OpenHandle(blob.File, FileMode.Open, FileAccess.Write))
        {
            RandomAccess.Write(file, new[] { (byte)(bytes[^1] ^ 0xFF) }, blob.Offset + blob.Size - 1);
        }
        var refused = await Assert.ThrowsAsync<OutputRejectedException>(() => client.FetchAsync(job.JobId, record, default));
        Assert.Contains(hash, refused.Message, StringComparison.Ordinal);
    }
}
