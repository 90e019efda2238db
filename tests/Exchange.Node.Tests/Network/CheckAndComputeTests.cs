using System.Diagnostics;
using Exchange.Api.Client.Blobs;
using Exchange.Chain.Deployment;
using Exchange.Chain.Wallets;
using Exchange.Core.Hashing;
using Exchange.Core.Jobs;
using Exchange.Core.Manifests;
using Exchange.Core.Merkle;
using Exchange.Core.Tensors;
using Exchange.Inference.Calibration;
using Exchange.Inference.Engine;
using Exchange.Inference.Models;
using Exchange.Local.Demo;
using Exchange.Node.Chain;
using Exchange.Node.Client;
using Exchange.Node.Models;
using Exchange.Node.Provider;
using Exchange.Node.Tests.Support;
using Exchange.TestSupport;

namespace Exchange.Node.Tests.Network;

/// <summary>
/// A provider computes a job while it checks it (<see cref="JobComputer.CheckAndComputeAsync"/>):
/// each batch's computation follows the check of its tasks, the whole job can be computed before the
/// check's last step, the result is the one a computation after the check gets, and a job that fails
/// its check stops its computation and leaves no inputs held. Without the overlap (the provider's
/// choice for a client whose data it declined before) the computation starts once the check has ended.
/// </summary>
[Trait("Lane", "Slow")]
[Collection(NetworkTestGroup.Name)]
public sealed class CheckAndComputeTests : IDisposable
{
    private const int Provider = 1;
    private const int Client = 8;
    private const int BatchSize = 2;

    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task The_computation_runs_during_the_check_unless_told_not_to_and_gets_the_result_of_a_computation_after_it()
    {
        await using var network = await LocalNetwork.StartAsync(null, TestNetwork.Deployment(auditRateBps: 10_000), TestNetwork.Funded(Provider, Client), _folder.File("net"), CancellationToken.None);
        await using var engine = new InferenceEngine(new ModelRegistry(new ModelStore(Path.Combine(Path.GetTempPath(), "exchange-test-models"))));
        var client = TestNetwork.Client(network, Client);
        var images = SyntheticImages.Png(2, 3, 224, 224).Select((png, i) => ClientTask.FromImage($"image-{i}.png", png, client.Card).Inputs[0]).ToArray();
        var (id, job) = await UploadJobAsync(network, client, [.. Enumerable.Range(0, 8).Select(i => images[i % 2])]);
        await StakeProviderAsync(network);

        var kept = new CheckedInputs(1L << 30, TimeProvider.System);
        var computer = Computer(network, engine, kept);
        var keptAtCheck = -1L;
        var result = await computer.CheckAndComputeAsync(id, job, async ct =>
        {
            // Every input passed and was kept; the computation takes them batch by batch meanwhile,
            // without waiting for this step (with the computation after the check, this would time out).
            keptAtCheck = kept.Bytes;
            var clock = Stopwatch.StartNew();
            while (kept.Bytes > 0)
            {
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"the computation took none of the {kept.Bytes} bytes of checked inputs while the check's last step waited");
                await Task.Delay(10, ct);
            }
        }, CancellationToken.None).WaitAsync(TimeSpan.FromMinutes(2));

        Assert.True(keptAtCheck >= 0, "the check's last step never ran");
        var after = await Computer(network, engine, null).ComputeAsync(id, job, CancellationToken.None);
        Assert.Equal(after.ResultRoot, result.ResultRoot);
        Assert.Equal(after.OutputsHash, result.OutputsHash);
        Assert.Equal(after.Signature, result.Signature);
        Assert.Equal(0, kept.Bytes);

        // Without the overlap (a client whose data was declined before) the computation waits for the check's last step.
        var held = new CheckedInputs(1L << 30, TimeProvider.System);
        var late = await Computer(network, engine, held).CheckAndComputeAsync(id, job, async ct =>
        {
            var atCheck = held.Bytes;
            await Task.Delay(TimeSpan.FromSeconds(1), ct);
            Assert.Equal(8L * 3 * 224 * 224 * sizeof(float), atCheck);
            Assert.True(held.Bytes == atCheck, $"the computation took {atCheck - held.Bytes} bytes of checked inputs before the check's last step ended");
        }, CancellationToken.None, overlap: false).WaitAsync(TimeSpan.FromMinutes(2));
        Assert.Equal(after.ResultRoot, late.ResultRoot);
        Assert.Equal(0, held.Bytes);
    }

    [Fact]
    public async Task A_job_whose_input_fails_the_check_after_the_computation_began_stops_it_and_keeps_nothing()
    {
        await using var network = await LocalNetwork.StartAsync(null, TestNetwork.Deployment(auditRateBps: 10_000), TestNetwork.Funded(Provider, Client), _folder.File("net"), CancellationToken.None);
        await using var engine = new InferenceEngine(new ModelRegistry(new ModelStore(Path.Combine(Path.GetTempPath(), "exchange-test-models"))));
        var client = TestNetwork.Client(network, Client);
        var image = ClientTask.FromImage("image.png", SyntheticImages.Png(1, 4, 224, 224)[0], client.Card).Inputs[0];
        var nan = new float[3 * 224 * 224];
        nan[5] = float.NaN;
        // The bad input is in the check's second read (the first carries BlobBatch.MaxBlobsPerRequest
        // tasks), so the computation of the first batches has started when the check meets it.
        var tasks = Enumerable.Range(0, BlobBatch.MaxBlobsPerRequest + 2).Select(_ => image).ToList();
        tasks[^1] = Tensor.Create<float>(nan, 1, 3, 224, 224);
        var (id, job) = await UploadJobAsync(network, client, tasks);

        var kept = new CheckedInputs(1L << 30, TimeProvider.System);
        var checkedCalls = 0;
        var refused = await Assert.ThrowsAsync<JobInputException>(() => Computer(network, engine, kept).CheckAndComputeAsync(id, job, _ =>
        {
            checkedCalls++;
            return Task.CompletedTask;
        }, CancellationToken.None).WaitAsync(TimeSpan.FromMinutes(2)));

        Assert.Contains($"task {tasks.Count - 1} input", refused.Message, StringComparison.Ordinal);
        Assert.Contains("must be finite", refused.Message, StringComparison.Ordinal);
        Assert.Equal(0, checkedCalls);
        Assert.Equal(0, kept.Bytes);
    }

    private static JobComputer Computer(LocalNetwork network, InferenceEngine engine, CheckedInputs? kept)
    {
        var key = DevAccounts.Key(Provider);
        return new JobComputer(network.Api(key), new ModelCatalog(engine), key, network.Market(key).Domain, new Cheater(CheatMode.None, 0, 0), null, BatchSize, kept);
    }

    /// <summary>Stakes the provider, whose outputs the API then stores (it stores blobs of staked or funded accounts only).</summary>
    private static async Task StakeProviderAsync(LocalNetwork network)
    {
        var key = DevAccounts.Key(Provider);
        await network.Market(key).EnsureStakeAsync(StakeRole.Provider, MarketParameters.Tokens(1_000), default);
        var api = network.Api(key);
        await TestNetwork.WaitForAsync(
            async () => await api.PutBlobAsync(new byte[] { 1 }, default).ContinueWith(t => t.IsCompletedSuccessfully ? "stored" : null, TaskScheduler.Default),
            "the API to see the provider's stake");
    }

    /// <summary>Uploads the tasks' inputs and the manifest as a funded client, and the job record a provider would read from the chain.</summary>
    private static async Task<(System.Numerics.BigInteger Id, Job Job)> UploadJobAsync(LocalNetwork network, ClientSession client, List<Tensor> inputs)
    {
        await client.DepositAsync(MarketParameters.Tokens(10), default);
        var api = network.Api(DevAccounts.Key(Client));
        var name = client.Card.Inputs[0].Name;
        var tasks = new ManifestTask[inputs.Count];
        for (var i = 0; i < inputs.Count; i++)
        {
            tasks[i] = new ManifestTask(i, new[] { new BlobRef(name, await api.PutBlobAsync(Npy.Write(inputs[i]), default)) });
        }

        var manifest = new JobManifest(client.Card.ModelId, tasks);
        var manifestHash = await api.PutBlobAsync(manifest.ToCanonicalJson(), default);
        var deadline = (ulong)DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds();
        var job = new Job(
            client.Market.Address, DevAccounts.Address(Provider), client.Card.ModelId, 1, (uint)inputs.Count, deadline,
            MerkleLeaves.TaskTree(manifest.InputHashes).Root, manifestHash, Bytes32.Zero, Bytes32.Zero, 0, 0);
        return (1, job);
    }
}
