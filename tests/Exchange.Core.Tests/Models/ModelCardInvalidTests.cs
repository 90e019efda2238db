using System.Text;
using Exchange.Core.Models;

namespace Exchange.Core.Tests.Models;

/// <summary>Every invalid card is rejected with a <see cref="ModelCardException"/> naming the field.</summary>
public sealed class ModelCardInvalidTests
{
    [Theory]
    [InlineData("name", null, "name", "is required")]
    [InlineData("name", "\"\"", "name", "must not be empty")]
    [InlineData("name", "7", "name", "must be a string, found number")]
    [InlineData("version", null, "version", "is required")]
    [InlineData("description", "[]", "description", "must be a string")]
    [InlineData("extra", "1", "extra", "unknown field")]
    [InlineData("model", "\"resnet18.onnx\"", "model", "must be an object, found string")]
    [InlineData("model.file", "\"../x.onnx\"", "model.file", "plain file name")]
    [InlineData("model.keccak256", "\"0x1234\"", "model.keccak256", "must have 64 digits")]
    [InlineData("model.keccak256", "\"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\"", "model.keccak256", "must start with 0x")]
    [InlineData("model.keccak256", "\"0xzz112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\"", "model.keccak256", "non-hex character 'z'")]
    [InlineData("model.sha256", "\"x\"", "model.sha256", "unknown field")]
    [InlineData("inputs", "[]", "inputs", "must not be empty")]
    [InlineData("inputs", "{}", "inputs", "must be an array, found object")]
    [InlineData("inputs[0].dtype", "\"float64\"", "inputs[0].dtype", "unknown dtype \"float64\"; expected one of float32, float16, int64, int32, uint8, bool")]
    [InlineData("inputs[0].dtype", null, "inputs[0].dtype", "is required")]
    [InlineData("inputs[0].shape[1]", "-2", "inputs[0].shape[1]", "-1 for a dynamic dimension, found -2")]
    [InlineData("inputs[0].shape[1]", "3.5", "inputs[0].shape[1]", "must be an integer")]
    [InlineData("inputs[0].shape[1]", "\"3\"", "inputs[0].shape[1]", "must be an integer")]
    [InlineData("inputs[0].shape", "3", "inputs[0].shape", "must be an array")]
    [InlineData("outputs[0].name", "\"\"", "outputs[0].name", "must not be empty")]
    [InlineData("outputs[0].unit", "\"x\"", "outputs[0].unit", "unknown field")]
    [InlineData("preprocessing", "{\"width\":1}", "preprocessing", "\"kind\"")]
    [InlineData("preprocessing", "null", "preprocessing", "must be an object")]
    [InlineData("classifier", "\"yes\"", "classifier", "must be true or false")]
    [InlineData("verification.policy", "\"fuzzy\"", "verification.policy", "unknown policy \"fuzzy\"")]
    [InlineData("verification.maxAbs", "-1", "verification.maxAbs", "must be at least 0")]
    [InlineData("verification.maxAbs", null, "verification.maxAbs", "is required")]
    [InlineData("verification.minCosine", "1.5", "verification.minCosine", "within [-1, 1]")]
    [InlineData("verification.minTop1Agreement", "2", "verification.minTop1Agreement", "within [0, 1]")]
    [InlineData("verification.maxRelL2", "\"0.1\"", "verification.maxRelL2", "must be a finite number")]
    [InlineData("verification.tolerance", "1", "verification.tolerance", "unknown field")]
    public void Parse_InvalidField_NamesIt(string path, string? value, string field, string problem)
    {
        var json = JsonPatch.Apply(SampleCards.ResNet, path, value);

        var e = Assert.Throws<ModelCardException>(() => ModelCard.Parse(json));

        Assert.Equal(field, e.Field);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
        Assert.Contains($"'{field}'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_DuplicateInputName_IsRejected()
    {
        var json = JsonPatch.Apply(SampleCards.TwoInputsExact, "inputs[1].name", "\"a\"");

        var e = Assert.Throws<ModelCardException>(() => ModelCard.Parse(json));

        Assert.Equal("inputs[1].name", e.Field);
        Assert.Contains("repeats the name \"a\"", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ExactPolicyWithThresholds_IsRejected()
    {
        var json = JsonPatch.Apply(SampleCards.TwoInputsExact, "verification.maxAbs", "0.1");

        Assert.Equal("verification.maxAbs", Assert.Throws<ModelCardException>(() => ModelCard.Parse(json)).Field);
    }

    [Fact]
    public void Parse_Top1AgreementOnANonClassifier_IsRejected()
    {
        var json = JsonPatch.Apply(SampleCards.ResNet, "classifier", "false");

        var e = Assert.Throws<ModelCardException>(() => ModelCard.Parse(json));

        Assert.Equal("verification.minTop1Agreement", e.Field);
        Assert.Contains("only to classifiers", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("{")]
    [InlineData("{\"name\":\"a\",\"name\":\"b\"}")]
    [InlineData("not json")]
    public void Parse_NotACardAtAll_IsRejected(string json) =>
        Assert.Throws<ModelCardException>(() => ModelCard.Parse(json));

    [Fact]
    public void Parse_DuplicateKey_IsRejectedAsNotCanonical()
    {
        var json = SampleCards.ResNet.Replace("\"version\": \"1\",", "\"version\": \"1\", \"version\": \"2\",", StringComparison.Ordinal);

        var e = Assert.Throws<ModelCardException>(() => ModelCard.Parse(Encoding.UTF8.GetBytes(json)));

        Assert.Contains("duplicate key \"version\"", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InvalidCardBuiltInCode_HasNoId()
    {
        var card = ModelCard.Parse(SampleCards.ResNet) with { Inputs = Array.Empty<TensorSpec>() };

        Assert.Equal("inputs", Assert.Throws<ModelCardException>(() => card.ModelId).Field);
        Assert.Throws<ModelCardException>(card.Validate);
    }

    [Fact]
    public void CardBuiltInCode_WithABadThreshold_HasNoId()
    {
        var card = ModelCard.Parse(SampleCards.ResNet) with { Verification = new TolerancePolicy(double.NaN, 0, 0) };

        Assert.Equal("verification.maxRelL2", Assert.Throws<ModelCardException>(() => card.ToCanonicalJson()).Field);
    }

    [Fact]
    public void CardBuiltInCode_WithANullField_HasNoId()
    {
        var card = ModelCard.Parse(SampleCards.ResNet) with { Model = null!, Name = "x" };

        Assert.Equal("model", Assert.Throws<ModelCardException>(() => card.ModelId).Field);
    }
}
