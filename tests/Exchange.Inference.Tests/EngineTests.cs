using Exchange.Core.Hashing;
using Exchange.Core.Tensors;
using Exchange.Inference.Devices;
using Exchange.Inference.Engine;
using Exchange.Inference.Models;
using Exchange.Inference.Runtime;
using Exchange.Inference.Tests.Support;
using Exchange.Inference.Verification;
using Exchange.TestSupport;

namespace Exchange.Inference.Tests;

[Collection(EngineGroup.Name)]
public class EngineTests(EngineFixture fixture)
{
    [Fact]
    public async Task Sessions_are_cached_per_model_id()
    {
        var card = fixture.Preprocess.Card;
        var first = await fixture.Engine.OnnxModelAsync(card, CancellationToken.None);
        await fixture.Engine.RunAsync(card, EngineFixture.Images(1, seed: 1), CancellationToken.None);
        var again = await fixture.Engine.OnnxModelAsync(fixture.Registry.Resolve(fixture.Preprocess.ModelId.ToString()).Card, CancellationToken.None);

        Assert.Same(first, again);
        Assert.Equal(BatchMode.Stacked, (await fixture.Engine.LoadAsync(card, CancellationToken.None)).BatchMode);
    }

    [Fact]
    public async Task Concurrent_tasks_are_batched_and_each_gets_its_own_output_in_order()
    {
        var card = fixture.Preprocess.Card;
        var inputs = EngineFixture.Images(12, seed: 2);
        var alone = new List<Tensor[]>();
        foreach (var input in inputs)
        {
            alone.Add(await fixture.Engine.RunAsync(card, [input], CancellationToken.None));
        }

        var before = fixture.Engine.Counters(fixture.Preprocess.ModelId)!.Value;
        var together = await Task.WhenAll(inputs.Select(input => fixture.Engine.RunAsync(card, [input], CancellationToken.None)));
        var after = fixture.Engine.Counters(fixture.Preprocess.ModelId)!.Value;

        Assert.Equal(12, after.Tasks - before.Tasks);
        Assert.True(after.Batches - before.Batches <= 3, $"{after.Batches - before.Batches} batches for 12 tasks");
        for (var i = 0; i < inputs.Length; i++)
        {
            Assert.Equal(alone[i][0], together[i][0]);
        }

        Assert.NotEqual(together[0][0], together[1][0]);
    }

    [Fact]
    public async Task ResNet18_gives_512_features_per_image_and_batched_runs_agree_with_single_runs()
    {
        var entry = fixture.ResNet18;
        var inputs = EngineFixture.Images(3, seed: 3);

        var together = await Task.WhenAll(inputs.Select(input => fixture.Engine.RunAsync(entry.Card, [input], CancellationToken.None)));
        var alone = await fixture.Engine.RunAsync(BuiltInModels.ResNet18, [inputs[1]], CancellationToken.None);

        Assert.All(together, outputs => Assert.Equal(new long[] { 1, 512, 1, 1 }, outputs[0].Shape));
        Assert.True(OutputComparator.Compare(entry.Card, alone, together[1]).Pass);
        Assert.False(OutputComparator.Compare(entry.Card, together[0], together[1]).Pass);
    }

    [Fact]
    public async Task A_task_with_several_rows_gets_as_many_output_rows()
    {
        var card = fixture.Preprocess.Card;
        var images = EngineFixture.Images(2, seed: 4);
        var stacked = new Tensor(TensorDType.Float32, [2, 3, 224, 224], images.SelectMany(i => i.Data.ToArray()).ToArray());

        var output = (await fixture.Engine.RunAsync(card, [stacked], CancellationToken.None))[0];
        var second = (await fixture.Engine.RunAsync(card, [images[1]], CancellationToken.None))[0];

        Assert.Equal(new long[] { 2, 3, 224, 224 }, output.Shape);
        Assert.Equal(second.Data.ToArray(), output.Data[(int)(second.Data.Length)..].ToArray());
    }

    [Fact]
    public async Task Inputs_that_do_not_fit_the_card_are_rejected_naming_what_was_expected()
    {
        var card = fixture.Preprocess.Card;
        var image = EngineFixture.Images(1, seed: 5)[0];

        var count = await Assert.ThrowsAsync<TensorInputException>(() => fixture.Engine.RunAsync(card, [image, image], CancellationToken.None));
        Assert.Contains("takes 1 input(s) ('OriginalInput' float32[?, 3, 224, 224]), got 2", count.Message);

        var shape = await Assert.ThrowsAsync<TensorInputException>(() =>
            fixture.Engine.RunAsync(card, [Tensor.Create<float>(new float[3 * 32 * 32], 1, 3, 32, 32)], CancellationToken.None));
        Assert.Contains("expects float32[?, 3, 224, 224], got float32[1, 3, 32, 32]", shape.Message);

        var dtype = await Assert.ThrowsAsync<TensorInputException>(() =>
            fixture.Engine.RunAsync(card, [Tensor.Create<int>(new int[3 * 224 * 224], 1, 3, 224, 224)], CancellationToken.None));
        Assert.Contains("got int32[1, 3, 224, 224]", dtype.Message);

        var empty = await Assert.ThrowsAsync<TensorInputException>(() =>
            fixture.Engine.RunAsync(card, [Tensor.Create<float>(ReadOnlySpan<float>.Empty, 0, 3, 224, 224)], CancellationToken.None));
        Assert.Contains("has 0 rows", empty.Message);
    }

    [Fact]
    public async Task Unknown_models_are_rejected_naming_the_known_ones()
    {
        var byName = await Assert.ThrowsAsync<UnknownModelException>(() => fixture.Engine.RunAsync("resnet50", [], CancellationToken.None));
        Assert.Contains("known: resnet18, resnet-preprocess", byName.Message);

        await Assert.ThrowsAsync<UnknownModelException>(() => fixture.Engine.RunAsync(Keccak.Hash("no such card"u8), [], CancellationToken.None));
    }

    [Fact]
    public async Task A_card_whose_file_is_nowhere_cannot_run()
    {
        var onnx = TinyOnnx.Doubler(2);
        var card = Cards.Tiny("absent", onnx, 2);

        await Assert.ThrowsAsync<FileNotFoundException>(() =>
            fixture.Engine.RunAsync(card, [Tensor.Create<float>([1f, 2f], 1, 2)], CancellationToken.None));
    }

    [Fact]
    public async Task Fixed_batch_model_in_the_store_still_batches()
    {
        using var folder = new TempDirectory();
        var registry = new ModelRegistry(new ModelStore(folder.Path));
        var onnx = TinyOnnx.PinnedReshape(2);
        var entry = registry.Add(onnx, Cards.Tiny("pinned", onnx, 2, batch: 1));
        await using var engine = new InferenceEngine(registry, new InferenceEngineOptions { Device = DeviceSpec.Cpu, MaxWait = TimeSpan.FromSeconds(5), MaxBatchSize = 4 });

        var outputs = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            engine.RunAsync("pinned", [Tensor.Create<float>([i, -i], 1, 2)], CancellationToken.None)));

        Assert.Equal(BatchMode.Concurrent, (await engine.LoadAsync(entry.Card, CancellationToken.None)).BatchMode);
        Assert.Equal((2, 8), engine.Counters(entry.ModelId));
        Assert.Equal(Enumerable.Range(0, 8).Select(i => (float)-i), outputs.Select(o => o[0].AsFloat32()[1]));
    }

    [Fact]
    public async Task Cuda_requested_without_a_gpu_fails_clearly_and_auto_runs_on_the_cpu()
    {
        using var folder = new TempDirectory();
        var registry = new ModelRegistry(new ModelStore(folder.Path));
        var input = EngineFixture.Images(1, seed: 6);
        await using var cuda = new InferenceEngine(registry, new InferenceEngineOptions { Device = DeviceSpec.Parse("cuda") });
        await using var auto = new InferenceEngine(registry, new InferenceEngineOptions { Device = DeviceSpec.Auto });
        LoadedModelInfo? onGpu = null;
        try
        {
            onGpu = await cuda.LoadAsync(fixture.Preprocess.Card, CancellationToken.None);
        }
        catch (CudaUnavailableException error)
        {
            Assert.Contains("CUDA device 0 was requested but cannot be used", error.Message);
            var fallback = await auto.LoadAsync(fixture.Preprocess.Card, CancellationToken.None);
            Assert.Equal("cpu", fallback.Device.Name);
            Assert.NotNull(fallback.Device.FallbackReason);
            Assert.Single(await auto.RunAsync(fixture.Preprocess.Card, input, CancellationToken.None));
        }

        Assert.True(onGpu is null || onGpu.Device.Kind == DeviceKind.Cuda);
    }
}
