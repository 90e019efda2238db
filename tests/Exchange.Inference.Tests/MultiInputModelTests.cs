using Exchange.Core.Hashing;
using Exchange.Core.Manifests;
using Exchange.Core.Models;
using Exchange.Core.Tensors;
using Exchange.Inference.Engine;
using Exchange.Inference.Models;
using Exchange.Inference.Devices;
using Exchange.Inference.Verification;
using Exchange.Inference.Tests.Support;
using Exchange.TestSupport;

namespace Exchange.Inference.Tests;

/// <summary>A graph with six named inputs of every dtype the engine runs: card, registry, engine, manifest and comparator.</summary>
public sealed class MultiInputModelTests : IAsyncDisposable
{
    private const int Width = 3;

    private readonly TempDirectory _folder = new();
    private readonly ModelRegistry _registry;
    private readonly byte[] _onnx = TinyOnnx.MixedInputs(Width);

    public MultiInputModelTests() => _registry = new ModelRegistry(new ModelStore(_folder.Path));

    public ValueTask DisposeAsync()
    {
        _folder.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task Engine_runs_six_mixed_dtype_inputs_in_the_card_order_and_batches_tasks()
    {
        var entry = _registry.Add(_onnx, TinyOnnx.MixedInputsCard("mixed", _onnx, Width));
        await using var engine = new InferenceEngine(_registry, new InferenceEngineOptions { Device = DeviceSpec.Cpu, MaxWait = TimeSpan.FromMilliseconds(50) });

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(seed => engine.RunAsync("mixed", TinyOnnx.MixedTask(Width, seed), CancellationToken.None)));

        Assert.Equal(["pixels", "scale", "ids", "counts", "bytes", "flags"], entry.Card.Inputs.Select(i => i.Name));
        for (var seed = 0; seed < results.Length; seed++)
        {
            var (sum, twice) = TinyOnnx.MixedExpected(Width, seed);
            Assert.Equal("float32[1, 3]", results[seed][0].ToString());
            Assert.Equal(sum, results[seed][0].AsFloat32().ToArray());
            Assert.Equal(twice, results[seed][1].AsInt64().ToArray());
        }

        Assert.True(engine.Counters(entry.ModelId)!.Value.Batches < 4, "tasks arriving together share batches");
    }

    [Fact]
    public async Task Inputs_in_another_order_or_dtype_are_refused_before_anything_runs()
    {
        _registry.Add(_onnx, TinyOnnx.MixedInputsCard("mixed", _onnx, Width));
        await using var engine = new InferenceEngine(_registry, new InferenceEngineOptions { Device = DeviceSpec.Cpu });
        var task = TinyOnnx.MixedTask(Width, 1);

        var swapped = await Assert.ThrowsAsync<TensorInputException>(() => engine.RunAsync("mixed", [task[1], task[0], .. task[2..]], CancellationToken.None));
        var missing = await Assert.ThrowsAsync<TensorInputException>(() => engine.RunAsync("mixed", task[..5], CancellationToken.None));

        Assert.Contains("'pixels' expects float32[?, 3], got float16[1, 3]", swapped.Message);
        Assert.Contains("takes 6 input(s)", missing.Message);
    }

    [Fact]
    public void A_card_listing_the_inputs_out_of_graph_order_or_with_another_dtype_is_refused()
    {
        var card = TinyOnnx.MixedInputsCard("mixed", _onnx, Width);
        var reordered = card with { Inputs = new[] { card.Inputs[1], card.Inputs[0] }.Concat(card.Inputs.Skip(2)).ToArray() };
        var retyped = card with { Inputs = card.Inputs.Select((s, i) => i == 3 ? s with { DType = TensorDType.Int64 } : s).ToArray() };

        var order = Assert.Throws<ModelCardException>(() => _registry.Add(_onnx, reordered));
        var dtype = Assert.Throws<ModelCardException>(() => _registry.Add(_onnx, retyped));

        Assert.Equal("inputs[0].name", order.Field);
        Assert.Equal("inputs[3].dtype", dtype.Field);
        Assert.Empty(_registry.Store.ReadCards());
    }

    [Fact]
    public void A_manifest_task_lists_one_blob_per_input_in_the_card_order_and_hashes_the_list()
    {
        var entry = _registry.Add(_onnx, TinyOnnx.MixedInputsCard("mixed", _onnx, Width));
        var blobs = TinyOnnx.MixedTask(Width, 2).Select((t, i) => new BlobRef(entry.Card.Inputs[i].Name, BlobAddress.Of(Npy.Write(t)))).ToArray();
        var manifest = new JobManifest(entry.ModelId, new[] { new ManifestTask(0, blobs) });

        manifest.EnsureMatches(entry.Card);
        var parsed = JobManifest.Parse(manifest.ToCanonicalJson());

        Assert.Equal(manifest, parsed);
        Assert.NotEqual(blobs[0].Hash, parsed.Tasks[0].InputHash);
        Assert.Equal(6, parsed.Tasks[0].Inputs.Count);
        var reversed = new JobManifest(entry.ModelId, new[] { new ManifestTask(0, blobs.Reverse().ToArray()) });
        Assert.Throws<ManifestException>(() => reversed.EnsureMatches(entry.Card));
    }

    [Fact]
    public void Comparator_judges_every_output_and_fails_the_task_when_the_integer_one_is_off()
    {
        var card = TinyOnnx.MixedInputsCard("mixed", _onnx, Width);
        var (sum, twice) = TinyOnnx.MixedExpected(Width, 0);
        Tensor[] expected = [Tensor.Create<float>(sum, 1, Width), Tensor.Create<long>(twice, 1, Width)];
        Tensor[] wrong = [expected[0], Tensor.Create<long>(twice.Select(v => v + 1).ToArray(), 1, Width)];

        Assert.True(OutputComparator.Compare(card, expected, expected).Pass);
        var result = OutputComparator.Compare(card, expected, wrong);
        Assert.False(result.Pass);
        Assert.Equal([true, false], result.Outputs.Select(o => o.Pass));
        Assert.Contains("'twice'", result.Outputs[1].Reason);
    }
}
