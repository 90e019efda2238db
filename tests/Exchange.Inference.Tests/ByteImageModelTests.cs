using Exchange.Core.Models;
using Exchange.Core.Tensors;
using Exchange.Inference.Calibration;
using Exchange.Inference.Images;
using Exchange.Inference.Models;
using Exchange.Inference.Runtime;
using Exchange.Inference.Tests.Support;
using Exchange.Inference.Verification;

namespace Exchange.Inference.Tests;

[Collection(EngineGroup.Name)]
public class ByteImageModelTests(EngineFixture fixture)
{
    [Fact]
    public async Task Preprocess_card_taking_bytes_gives_the_float_cards_outputs_bit_for_bit_from_a_quarter_of_the_bytes()
    {
        var floats = fixture.Preprocess.Card;
        var bytes = fixture.Registry.Resolve(BuiltInModels.ResNetPreprocessBytes).Card;
        var pictures = SyntheticImages.Png(3, seed: 7);
        var floatInputs = pictures.Select((png, i) => Tensor(floats, png, i)).ToArray();
        var byteInputs = pictures.Select((png, i) => Tensor(bytes, png, i)).ToArray();

        var fromFloats = await Task.WhenAll(floatInputs.Select(input => fixture.Engine.RunAsync(floats, [input], CancellationToken.None)));
        var fromBytes = await Task.WhenAll(byteInputs.Select(input => fixture.Engine.RunAsync(bytes, [input], CancellationToken.None)));

        Assert.Equal(TensorDType.UInt8, byteInputs[0].DType);
        Assert.Equal(floatInputs[0].Data.Length / 4, byteInputs[0].Data.Length);
        Assert.Equal(BatchMode.Stacked, (await fixture.Engine.LoadAsync(bytes, CancellationToken.None)).BatchMode);
        for (var i = 0; i < pictures.Count; i++)
        {
            Assert.Equal(fromFloats[i][0], fromBytes[i][0]);
        }

        Assert.NotEqual(fromBytes[0][0], fromBytes[1][0]);
    }

    [Fact]
    public async Task ResNet18_card_taking_bytes_agrees_with_the_float_card()
    {
        var floats = fixture.ResNet18.Card;
        var bytes = fixture.Registry.Resolve(BuiltInModels.ResNet18Bytes).Card;
        var pictures = SyntheticImages.Png(2, seed: 8);

        var fromFloats = await fixture.Engine.RunAsync(floats, [Tensor(floats, pictures[0], 0)], CancellationToken.None);
        var fromBytes = await fixture.Engine.RunAsync(bytes, [Tensor(bytes, pictures[0], 0)], CancellationToken.None);
        var other = await fixture.Engine.RunAsync(bytes, [Tensor(bytes, pictures[1], 1)], CancellationToken.None);

        Assert.Equal(new long[] { 1, 512, 1, 1 }, fromBytes[0].Shape);
        Assert.True(OutputComparator.Compare(floats, fromFloats, fromBytes).Pass);
        Assert.False(OutputComparator.Compare(floats, fromFloats, other).Pass);
    }

    [Fact]
    public async Task Identity_card_answers_every_picture_with_its_own_bytes_in_one_stacked_batch()
    {
        var card = fixture.Registry.Resolve(BuiltInModels.IdentityBytes).Card;
        var inputs = SyntheticImages.Png(3, seed: 10).Select((png, i) => Tensor(card, png, i)).ToArray();

        var outputs = await Task.WhenAll(inputs.Select(input => fixture.Engine.RunAsync(card, [input], CancellationToken.None)));

        Assert.Equal(BatchMode.Stacked, (await fixture.Engine.LoadAsync(card, CancellationToken.None)).BatchMode);
        for (var i = 0; i < inputs.Length; i++)
        {
            Assert.Equal(TensorDType.UInt8, outputs[i][0].DType);
            Assert.Equal(inputs[i].Shape.ToArray(), outputs[i][0].Shape.ToArray());
            Assert.Equal(inputs[i].Data.ToArray(), outputs[i][0].Data.ToArray());
            Assert.True(OutputComparator.Compare(card, [inputs[i]], outputs[i]).Pass);
        }

        Assert.False(OutputComparator.Compare(card, [inputs[0]], outputs[1]).Pass);
    }

    [Fact]
    public void Byte_input_is_refused_when_the_card_would_scale_or_shift_the_pixels()
    {
        var scaled = new ImagePreprocessing(224, 224, 1 / 255f, [0f, 0f, 0f], [1f, 1f, 1f]);
        var spec = new TensorSpec("image", TensorDType.UInt8, new long[] { -1, 3, 224, 224 });

        var error = Assert.Throws<FormatException>(() => scaled.ToTensor(SyntheticImages.Png(1, seed: 9)[0], "x", spec));

        Assert.Contains("scale 1, mean 0, std 1", error.Message);
    }

    private static Tensor Tensor(ModelCard card, byte[] png, int i) =>
        ImagePreprocessing.From(card.Preprocessing).ToTensor(png, $"image {i}", card.Inputs[0]);
}
