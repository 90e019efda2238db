using System.Text;
using Exchange.Core.Hashing;
using Exchange.Core.Models;
using Exchange.Core.Tensors;

namespace Exchange.Core.Tests.Models;

public sealed class ModelCardTests
{
    [Fact]
    public void Parse_ReadsEveryField()
    {
        var card = ModelCard.Parse(SampleCards.ResNet);

        Assert.Equal("resnet18", card.Name);
        Assert.Equal("1", card.Version);
        Assert.Equal("ResNet-18 featurizer", card.Description);
        Assert.Equal(new ModelFile("resnet18.onnx", Bytes32.Parse("0x00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff")), card.Model);
        Assert.Equal(new TensorSpec("input", TensorDType.Float32, new long[] { -1, 3, 224, 224 }), Assert.Single(card.Inputs));
        Assert.Equal(new TensorSpec("output", TensorDType.Float32, new long[] { -1, 512 }), Assert.Single(card.Outputs));
        Assert.Equal("image", card.Preprocessing.Kind);
        Assert.Equal(224, card.Preprocessing.ToJsonElement().GetProperty("width").GetInt32());
        Assert.True(card.Classifier);
        Assert.Equal(new TolerancePolicy(0.01, 0.005, 0.9999, 1.0), card.Verification);
    }

    [Fact]
    public void ToCanonicalJson_SortsKeysAndDropsWhitespace()
    {
        var card = ModelCard.Parse(SampleCards.ResNet);

        Assert.Equal(SampleCards.ResNetCanonical, Encoding.UTF8.GetString(card.ToCanonicalJson()));
    }

    [Fact]
    public void ModelId_IsKeccakOfTheCanonicalBytes()
    {
        var card = ModelCard.Parse(SampleCards.ResNet);

        Assert.Equal(Keccak.Hash(Encoding.UTF8.GetBytes(SampleCards.ResNetCanonical)), card.ModelId);
    }

    [Fact]
    public void Parse_OfCanonicalBytes_RoundTrips()
    {
        var card = ModelCard.Parse(SampleCards.ResNet);

        var again = ModelCard.Parse(card.ToCanonicalJson());

        Assert.Equal(card, again);
        Assert.Equal(card.ModelId, again.ModelId);
    }

    [Fact]
    public void ExactPolicyWithSeveralInputs_RoundTrips()
    {
        var card = ModelCard.Parse(SampleCards.TwoInputsExact);

        Assert.Same(ExactPolicy.Instance, card.Verification);
        Assert.Null(card.Description);
        Assert.Equal(["a", "b"], card.Inputs.Select(i => i.Name));
        Assert.Equal(card, ModelCard.Parse(card.ToCanonicalJson()));
        Assert.DoesNotContain("description", Encoding.UTF8.GetString(card.ToCanonicalJson()), StringComparison.Ordinal);
    }

    [Fact]
    public void CardBuiltInCode_HasTheSameIdAsTheParsedOne()
    {
        var parsed = ModelCard.Parse(SampleCards.TwoInputsExact);
        var built = new ModelCard(
            "adder",
            "2",
            null,
            new ModelFile("add.onnx", Bytes32.Parse("0x" + new string('1', 64))),
            new[] { new TensorSpec("a", TensorDType.Int64, new long[] { 4 }), new TensorSpec("b", TensorDType.Int64, new long[] { 4 }) },
            new[] { new TensorSpec("sum", TensorDType.Int64, new long[] { 4 }) },
            Preprocessing.None,
            false,
            ExactPolicy.Instance);

        Assert.Equal(parsed, built);
        Assert.Equal(parsed.ModelId, built.ModelId);
    }

    [Theory]
    [InlineData("verification.maxAbs", "0.006")]
    [InlineData("version", "\"2\"")]
    [InlineData("preprocessing.mean[0]", "0.486")]
    [InlineData("inputs[0].shape[0]", "1")]
    [InlineData("classifier", "false")]
    [InlineData("description", "\"other\"")]
    public void ChangingAnyField_ChangesTheModelId(string path, string value)
    {
        var original = ModelCard.Parse(SampleCards.ResNet);
        if (path == "classifier")
        {
            // top-1 agreement is only allowed for classifiers
            var withoutTop1 = JsonPatch.Apply(SampleCards.ResNet, "verification.minTop1Agreement", null);
            original = ModelCard.Parse(withoutTop1);
            Assert.NotEqual(original.ModelId, ModelCard.Parse(JsonPatch.Apply(withoutTop1, path, value)).ModelId);
            return;
        }

        Assert.NotEqual(original.ModelId, ModelCard.Parse(JsonPatch.Apply(SampleCards.ResNet, path, value)).ModelId);
    }

    [Fact]
    public void TensorSpec_Mismatch_NamesExpectedAndFound()
    {
        var spec = new TensorSpec("input", TensorDType.Float32, new long[] { -1, 2 });

        Assert.Null(spec.Mismatch(Tensor.Create<float>(new float[6], 3, 2)));
        Assert.Equal("'input' expects float32[?, 2], got float32[2, 3]", spec.Mismatch(Tensor.Create<float>(new float[6], 2, 3)));
        Assert.Equal("'input' expects float32[?, 2], got int32[3, 2]", spec.Mismatch(Tensor.Create<int>(new int[6], 3, 2)));
        Assert.NotNull(spec.Mismatch(Tensor.Create<float>(new float[6], 6)));
    }

    [Fact]
    public void Preprocessing_IsComparedByCanonicalForm()
    {
        var a = Preprocessing.Parse("""{"kind":"image","width":224, "mean":[0.5]}""");
        var b = Preprocessing.Parse("""{"mean":[0.50],"width":224.0,"kind":"image"}""");

        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.Equal("""{"kind":"image","mean":[0.5],"width":224}""", a.ToString());
        Assert.Equal("none", Preprocessing.None.Kind);
    }
}
