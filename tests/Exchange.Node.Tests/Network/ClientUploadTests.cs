using Exchange.Chain.Wallets;
using Exchange.Core.Privacy;
using Exchange.Core.Tensors;
using Exchange.Inference.Calibration;
using Exchange.Inference.Models;
using Exchange.Local.Demo;
using Exchange.Node.Client;
using Exchange.Node.Tests.Support;
using Exchange.TestSupport;

namespace Exchange.Node.Tests.Network;

/// <summary>A job's inputs uploaded in several groups, one encoded while the one before is stored, on a real chain and API.</summary>
[Trait("Lane", "Slow")]
[Collection(NetworkTestGroup.Name)]
public sealed class ClientUploadTests : IDisposable
{
    private const int Provider = 1;
    private const int Client = 8;

    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task A_job_of_several_upload_groups_names_each_task_s_own_input_sealed_under_its_own_key()
    {
        await using var network = await LocalNetwork.StartAsync(null, TestNetwork.Deployment(auditRateBps: 10_000), TestNetwork.Funded(Provider, Client), _folder.File("net"), CancellationToken.None);
        using var provider = TestNetwork.StartProvider(network, Provider, _folder.File("provider"), 60, "--max-tasks", "256");
        var client = TestNetwork.Client(network, Client);
        var offer = await TestNetwork.OfferOfAsync(network, client, DevAccounts.Address(Provider), provider.Tail);
        // Three groups of a batch upload's worth (64, 64 and 2): each task's index names its key.
        // Past the first 40 tasks' bytes the tasks read their pictures again as they are uploaded.
        var pictures = SyntheticImages.Png(130, 7, 32, 32);
        var sources = pictures.Select((png, i) => new SyntheticSource($"image-{i}.png", null, png, null)).ToList();
        var taskBytes = ClientTask.FromImage("one.png", pictures[0], client.Card).Inputs[0].Data.Length;
        var tasks = ClientTask.FromSynthetic(sources, client.Card, new ModelRegistry(new ModelStore(_folder.File("models"))), heldInputBytes: 40L * taskBytes);
        Assert.Equal(40, tasks.Count(t => t.Held));
        var progress = new List<int>();

        var prepared = await client.PrepareAsync(tasks, [offer], tasks.Count, new SynchronousProgress<int>(progress.Add), CancellationToken.None);

        Assert.Equal([130], prepared.Select(p => p.Slice.TaskCount));
        var job = prepared[0];
        Assert.Equal([64, 128, 130], progress);
        Assert.Equal(Enumerable.Range(0, 130), job.Manifest.Tasks.Select(t => t.Index));
        var cipher = JobCipher.ForClient(DevAccounts.Key(Client).GetPrivateKeyAsBytes(), job.Manifest.Privacy!.Salt);
        var stored = await network.Api().GetBlobsAsync([.. job.Manifest.Tasks.Select(t => t.Inputs[0].Hash)], CancellationToken.None);
        for (var i = 0; i < tasks.Count; i++)
        {
            Assert.True(cipher.Task(i).TryDecryptInput(0, stored[i], out var input), $"task {i}'s input does not open under task {i}'s key");
            Assert.Equal(Npy.Write(tasks[i].Inputs[0]), input);
        }
    }
}
