using Exchange.Core.Tensors;
using Exchange.Inference.Calibration;
using Exchange.Inference.Devices;
using Exchange.Inference.Engine;
using Exchange.Inference.Images;
using Exchange.Inference.Models;
using Exchange.TestSupport;

namespace Exchange.Inference.Tests.Support;

/// <summary>One registry, store and CPU engine for the tests that run the built-in models, so ResNet-18 loads once.</summary>
public sealed class EngineFixture : IAsyncLifetime
{
    private readonly TempDirectory _folder = new();

    public EngineFixture()
    {
        Registry = new ModelRegistry(new ModelStore(_folder.Path));
        Engine = new InferenceEngine(Registry, new InferenceEngineOptions { Device = DeviceSpec.Cpu, MaxWait = TimeSpan.FromMilliseconds(50) });
    }

    public ModelRegistry Registry { get; }

    public InferenceEngine Engine { get; }

    public ModelEntry ResNet18 => Registry.Resolve(BuiltInModels.ResNet18);

    public ModelEntry Preprocess => Registry.Resolve(BuiltInModels.ResNetPreprocess);

    public ModelEntry MiniLm => Registry.Resolve(BuiltInModels.MiniLm);

    /// <summary>Input tensors of synthetic pictures, as the resnet cards take them.</summary>
    public static Tensor[] Images(int count, int seed)
    {
        var image = new ImagePreprocessing(224, 224, 1f, [0f, 0f, 0f], [1f, 1f, 1f]);
        return SyntheticImages.Png(count, seed).Select((png, i) => Tensor.Create<float>(image.Apply(png, $"image {i}"), 1, 3, 224, 224)).ToArray();
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await Engine.DisposeAsync();
        _folder.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class EngineGroup : ICollectionFixture<EngineFixture>
{
    public const string Name = "engine";
}
