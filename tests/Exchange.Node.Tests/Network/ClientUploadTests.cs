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

/// <summary>Jobs' inputs uploaded in one stream of groups, one encoded while the one before is stored, on a real chain and API.</summary>
[Trait("Lane", "Slow")]
[Collection(NetworkTestGroup.Name)]
public sealed class ClientUploadTests : IDisposable
{
    private const int Provider = 1;
    private const int Client = 8;

    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Jobs_of_several_upload_groups_name_each_task_s_own_input_sealed_under_its_own_key()
    {
        await using var network = await LocalNetwork.StartAsync(null, TestNetwork.Deployment(auditRateBps: 10_000), TestNetwork.Funded(Provider, Client), _folder.File("net"), CancellationToken.None);
        using var provider = TestNetwork.StartProvider(network, Provider, _folder.File("provider"), 60, "--max-tasks", "256");
        var client = TestNetwork.Client(network, Client);
        var offer = await TestNetwork.OfferOfAsync(network, client, DevAccounts.Address(Provider), provider.Tail);
        // 130 tasks, each task's index in its job naming its key.
        // Past the first 40 tasks' bytes the tasks read their pictures again as they are uploaded.
        var pictures = SyntheticImages.Png(130, 7, 32, 32);
        var sources = pictures.Select((png, i) => new SyntheticSource($"image-{i}.png", null, png, null)).ToList();
        var taskBytes = ClientTask.FromImage("one.png", pictures[0], client.Card).Inputs[0].Data.Length;
        var tasks = ClientTask.FromSynthetic(sources, client.Card, new ModelRegistry(new ModelStore(_folder.File("models"))), heldInputBytes: 40L * taskBytes);
        Assert.Equal(40, tasks.Count(t => t.Held));
        var progress = new List<int>();

        // Two jobs (100 and 30 tasks) in one stream of groups: 64 and 36 of the first, then 30 of the
        // second, whose first group goes up beside the first job's manifest.
        var prepared = await client.PrepareAsync(tasks, [offer], 100, new SynchronousProgress<int>(progress.Add), CancellationToken.None);

        Assert.Equal([(0, 100), (100, 30)], prepared.Select(p => (p.Slice.FirstTask, p.Slice.TaskCount)));
        Assert.Equal([64, 100, 130], progress);
        foreach (var job in prepared)
        {
            Assert.Equal(Enumerable.Range(0, job.Slice.TaskCount), job.Manifest.Tasks.Select(t => t.Index));
            var cipher = JobCipher.ForClient(DevAccounts.Key(Client).GetPrivateKeyAsBytes(), job.Manifest.Privacy!.Salt);
            var stored = await network.Api().GetBlobsAsync([.. job.Manifest.Tasks.Select(t => t.Inputs[0].Hash)], CancellationToken.None);
            for (var i = 0; i < job.Slice.TaskCount; i++)
            {
                Assert.True(cipher.Task(i).TryDecryptInput(0, stored[i], out var input), $"job task {i}'s input does not open under its key");
                Assert.Equal(Npy.Write(tasks[job.Slice.FirstTask + i].Inputs[0]), input);
            }
        }

        // A picture past the held bytes that changed after the check stops the stream with its
        // file's name, as a loop over the tasks would throw it, not wrapped in the encoders' error.
        var paths = pictures.Take(100).Select((png, i) =>
        {
            var path = _folder.File($"picture-{i:D3}.png");
            File.WriteAllBytes(path, png);
            return path;
        }).ToList();
        var files = ClientTask.FromPaths(paths, client.Card, new ModelRegistry(new ModelStore(_folder.File("models"))), heldInputBytes: 10L * taskBytes);
        File.WriteAllBytes(paths[90], [1, 2, 3]);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => client.PrepareAsync(files, [offer], 50, null, CancellationToken.None));

        Assert.Contains("picture-090.png", error.Message, StringComparison.Ordinal);
    }
}
