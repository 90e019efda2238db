using Exchange.Core.Models;
using Exchange.Inference.Models;
using Exchange.Inference.Tests.Support;
using Exchange.TestSupport;
using Microsoft.ML.OnnxRuntime;

namespace Exchange.Inference.Tests;

public class ModelRegistryTests
{
    [Fact]
    public void Built_in_models_are_always_there_with_stable_ids()
    {
        using var folder = new TempDirectory();
        var registry = new ModelRegistry(new ModelStore(folder.Path));

        Assert.Equal(["resnet18", "resnet-preprocess", "minilm", "resnet18-u8", "resnet-preprocess-u8", "identity-u8"], registry.List().Select(e => e.Name));
        var resnet = registry.Resolve("resnet18");
        Assert.True(resnet.BuiltIn);
        Assert.Equal("0x8a567f3e9ab28bde3183404e28570fad24f9257fe80207c709a3a5852910e575", resnet.ModelId.ToString());
        Assert.Equal("0x90cff21f8bcfea7dd57194bdfb64b11133035a5c6f5e07eff5d8ab186645101c", resnet.Card.Model.Keccak256.ToString());
        Assert.Equal(resnet, registry.Resolve(resnet.ModelId.ToString()));
        Assert.Equal(BuiltInModels.ResNet18Policy, resnet.Card.Verification);
        var miniLm = registry.Resolve("minilm");
        Assert.Equal("0x46c949cbee8e85140a784b0f7b68a7c4c286e8093c75583652f1ed10ee59b1ee", miniLm.ModelId.ToString());
        Assert.Equal("0x00f0773d77f04fb23e9c5dd6b966ab9eb1c058a391fc552a10635e3cb2021b9d", miniLm.Card.Model.Keccak256.ToString());
    }

    [Fact]
    public void Every_built_in_model_builds_to_its_pinned_id_and_is_found_by_it()
    {
        using var folder = new TempDirectory();
        var registry = new ModelRegistry(new ModelStore(folder.Path));

        // A node that knows a job's model by id alone builds the one model its pinned id names.
        Assert.Equal(BuiltInModels.Names, BuiltInModels.PinnedIds.Keys);
        foreach (var entry in BuiltInModels.Entries)
        {
            Assert.Equal(BuiltInModels.PinnedIds[entry.Name], entry.ModelId);
            Assert.Equal(entry, registry.Find(entry.ModelId));
        }

        Assert.Null(registry.Find(Exchange.Core.Hashing.Bytes32.Parse("0x" + new string('a', 64))));
    }

    [Fact]
    public void Added_model_is_stored_by_hash_and_found_by_name_and_id_from_a_fresh_registry()
    {
        using var folder = new TempDirectory();
        var onnx = TinyOnnx.Doubler(3);
        var card = Cards.Tiny("doubler", onnx, 3);

        var entry = new ModelRegistry(new ModelStore(folder.Path)).Add(onnx, card);
        var reopened = new ModelRegistry(new ModelStore(folder.Path));

        Assert.Equal(card.ModelId, entry.ModelId);
        Assert.Equal(entry, reopened.Resolve("doubler"));
        Assert.Equal(entry, reopened.Resolve(entry.ModelId.ToString()));
        Assert.Equal(entry, reopened.Find(entry.ModelId));
        Assert.Equal(onnx, reopened.ReadModelFile(card));
        Assert.True(File.Exists(reopened.Store.FilePath(card.Model.Keccak256)));
    }

    public static TheoryData<string, Func<byte[], ModelCard>> BadCards => new()
    {
        { "model.keccak256", onnx => Cards.Tiny("doubler", TinyOnnx.Doubler(4), 3) },
        { "inputs[0].shape", onnx => Cards.Tiny("doubler", onnx, 3) with { Inputs = new[] { new TensorSpec("x", Core.Tensors.TensorDType.Float32, new long[] { 1, 4 }) } } },
        { "inputs[0].name", onnx => Cards.Tiny("doubler", onnx, 3) with { Inputs = new[] { new TensorSpec("z", Core.Tensors.TensorDType.Float32, new long[] { 1, 3 }) } } },
        { "outputs[0].dtype", onnx => Cards.Tiny("doubler", onnx, 3) with { Outputs = new[] { new TensorSpec("y", Core.Tensors.TensorDType.Int64, new long[] { 1, 3 }) } } },
        { "outputs", onnx => Cards.Tiny("doubler", onnx, 3) with { Outputs = new[] { new TensorSpec("y", Core.Tensors.TensorDType.Float32, new long[] { 1, 3 }), new TensorSpec("w", Core.Tensors.TensorDType.Float32, new long[] { 1, 3 }) } } },
        { "name", onnx => Cards.Tiny("resnet18", onnx, 3) },
    };

    [Theory]
    [MemberData(nameof(BadCards))]
    public void A_card_that_does_not_describe_its_file_is_rejected_and_nothing_is_stored(string field, Func<byte[], ModelCard> makeCard)
    {
        using var folder = new TempDirectory();
        var registry = new ModelRegistry(new ModelStore(folder.Path));
        var onnx = TinyOnnx.Doubler(3);

        var error = Assert.Throws<ModelCardException>(() => registry.Add(onnx, makeCard(onnx)));

        Assert.Equal(field, error.Field);
        Assert.Empty(Directory.EnumerateFileSystemEntries(folder.Path));
    }

    [Fact]
    public void A_file_that_is_not_onnx_is_rejected()
    {
        using var folder = new TempDirectory();
        var registry = new ModelRegistry(new ModelStore(folder.Path));
        var junk = "not a model"u8.ToArray();

        Assert.Throws<OnnxRuntimeException>(() => registry.Add(junk, Cards.Tiny("junk", junk, 3)));
        Assert.Empty(Directory.EnumerateFileSystemEntries(folder.Path));
    }

    [Fact]
    public void A_tampered_store_file_is_an_error_not_another_model()
    {
        using var folder = new TempDirectory();
        var registry = new ModelRegistry(new ModelStore(folder.Path));
        var onnx = TinyOnnx.Doubler(3);
        var card = Cards.Tiny("doubler", onnx, 3);
        registry.Add(onnx, card);
        var path = registry.Store.FilePath(card.Model.Keccak256);
        var bytes = File.ReadAllBytes(path);
        bytes[^1] ^= 1;
        File.WriteAllBytes(path, bytes);

        var error = Assert.Throws<InvalidDataException>(() => registry.ReadModelFile(card));
        Assert.Contains("corrupted", error.Message);
    }

    [Fact]
    public void Two_stored_versions_under_one_name_need_the_id()
    {
        using var folder = new TempDirectory();
        var registry = new ModelRegistry(new ModelStore(folder.Path));
        var onnx = TinyOnnx.Doubler(3);
        var v1 = registry.Add(onnx, Cards.Tiny("doubler", onnx, 3, version: "1"));
        var v2 = registry.Add(onnx, Cards.Tiny("doubler", onnx, 3, version: "2"));

        var error = Assert.Throws<UnknownModelException>(() => registry.Resolve("doubler"));
        Assert.Contains(v1.ModelId.ToString(), error.Message);
        Assert.Equal(v2, registry.Resolve(v2.ModelId.ToString()));
    }

    [Theory]
    [InlineData("0x1234")]
    [InlineData("0x0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("mobilenet")]
    public void Unknown_names_and_ids_are_rejected(string nameOrId)
    {
        using var folder = new TempDirectory();

        var error = Assert.Throws<UnknownModelException>(() => new ModelRegistry(new ModelStore(folder.Path)).Resolve(nameOrId));
        Assert.Contains("resnet18", error.Message);
    }
}
