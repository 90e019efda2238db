using Exchange.Core.Tensors;
using Exchange.Inference.Models;
using Exchange.Local.Benchmarks;
using Exchange.Node.Client;
using Exchange.TestSupport;

namespace Exchange.Node.Tests.Benchmarks;

/// <summary><c>exchange bench blobs</c> stores blobs the size of the model's input both ways, in the folder given, and leaves nothing there.</summary>
public sealed class BlobStoreBenchmarkTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Both_layouts_store_the_model_s_input_sized_blobs_and_the_counts_add_up()
    {
        var registry = new ModelRegistry(new ModelStore(_folder.File("models")));
        var entry = registry.Resolve(BuiltInModels.IdentityBytes);
        var data = _folder.File("disk");
        Directory.CreateDirectory(data);

        var result = await BlobStoreBenchmark.RunAsync(registry, entry, 3, data, CancellationToken.None);

        Assert.Equal(BuiltInModels.IdentityBytes, result.Model);
        Assert.Equal(Npy.Write(ClientTask.Synthetic(entry.Card, registry, 1, seed: 1)[0].Inputs[0]).Length, result.BlobBytes);
        Assert.Equal((3, 30), (result.BlobsPerUpload, result.Blobs));
        Assert.True(result.PackCpuMicrosPerBlob > 0 && result.FilesCpuMicrosPerBlob > 0 && result.PackWallMicrosPerBlob > 0 && result.FilesWallMicrosPerBlob > 0, $"{result}");
        Assert.InRange(result.CpuSpeedup, result.FilesCpuMicrosPerBlob / result.PackCpuMicrosPerBlob * 0.95, result.FilesCpuMicrosPerBlob / result.PackCpuMicrosPerBlob * 1.05);
        Assert.Empty(Directory.EnumerateFileSystemEntries(data));
    }
}
