using Exchange.Core.Tensors;
using Exchange.Inference.Models;
using Exchange.Node.Benchmarks;
using Exchange.Node.Client;
using Exchange.TestSupport;

namespace Exchange.Node.Tests.Benchmarks;

/// <summary><c>exchange bench hashing</c> hashes the model's real input blob with both functions and reports both.</summary>
public sealed class BlobHashingBenchmarkTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Both_functions_hash_the_models_input_blob_and_the_counts_add_up()
    {
        var registry = new ModelRegistry(new ModelStore(_folder.File("models")));
        var entry = registry.Resolve(BuiltInModels.ResNetPreprocess);

        var result = BlobHashingBenchmark.Run(registry, entry, 2, CancellationToken.None);

        Assert.Equal(BuiltInModels.ResNetPreprocess, result.Model);
        Assert.Equal(Npy.Write(ClientTask.Synthetic(entry.Card, registry, 1, seed: 1)[0].Inputs[0]).Length, result.BlobBytes);
        Assert.Equal(20, result.Blobs);
        Assert.True(result.KeccakMicrosPerBlob > 0 && result.AddressMicrosPerBlob > 0, $"{result}");
        var ratio = result.KeccakMicrosPerBlob / result.AddressMicrosPerBlob;
        Assert.InRange(result.Speedup, ratio * 0.95, ratio * 1.05);
    }
}
