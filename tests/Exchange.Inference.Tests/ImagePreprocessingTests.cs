using Exchange.Core.Models;
using Exchange.Inference.Calibration;
using Exchange.Inference.Images;

namespace Exchange.Inference.Tests;

public class ImagePreprocessingTests
{
    [Fact]
    public void Card_json_round_trips_and_applies_scale_mean_and_std()
    {
        var preprocessing = new ImagePreprocessing(4, 2, 1 / 255f, [0.5f, 0.5f, 0.5f], [0.25f, 0.5f, 1f]);
        var read = ImagePreprocessing.From(preprocessing.ToPreprocessing());

        Assert.Equal(preprocessing.ToPreprocessing(), read.ToPreprocessing());
        var raw = ImageTensorizer.ToRgbPlanes(SyntheticImages.Jpeg(seed: 1), 4, 2, "x");
        var applied = read.Apply(SyntheticImages.Jpeg(seed: 1), "x");
        Assert.Equal(((raw[0] / 255f) - 0.5f) / 0.25f, applied[0], 5);
        Assert.Equal(((raw[^1] / 255f) - 0.5f) / 1f, applied[^1], 5);
    }

    [Theory]
    [InlineData("""{"kind":"none"}""", "not \"image\"")]
    [InlineData("""{"kind":"image","width":224}""", "\"height\"")]
    [InlineData("""{"kind":"image","width":0,"height":224}""", "\"width\"")]
    [InlineData("""{"kind":"image","width":224,"height":224,"layout":"NHWC"}""", "layout")]
    [InlineData("""{"kind":"image","width":224,"height":224,"std":[1,0,1]}""", "none zero")]
    [InlineData("""{"kind":"image","width":224,"height":224,"mean":[1,1]}""", "three numbers")]
    [InlineData("""{"kind":"image","width":224,"height":224,"crop":true}""", "unknown field \"crop\"")]
    public void Invalid_image_preprocessing_is_rejected_naming_the_problem(string json, string expected)
    {
        var error = Assert.Throws<FormatException>(() => ImagePreprocessing.From(Preprocessing.Parse(json)));

        Assert.Contains(expected, error.Message);
    }
}
