using Exchange.Inference.Calibration;
using Exchange.Inference.Images;

namespace Exchange.Inference.Tests;

public class ImageTensorizerTests
{
    [Fact]
    public void Png_becomes_rgb_planes_of_the_requested_size()
    {
        var png = SyntheticImages.Png(1, seed: 7, width: 64, height: 48)[0];

        var planes = ImageTensorizer.ToRgbPlanes(png, 32, 16, "a.png");

        Assert.Equal(3 * 32 * 16, planes.Length);
        Assert.All(planes, v => Assert.InRange(v, 0f, 255f));
        Assert.True(planes.Distinct().Count() > 10);
    }

    [Fact]
    public void Jpeg_is_decoded()
    {
        var planes = ImageTensorizer.ToRgbPlanes(SyntheticImages.Jpeg(seed: 3), 224, 224, "b.jpg");

        Assert.Equal(3 * 224 * 224, planes.Length);
    }

    [Fact]
    public void Same_image_gives_the_same_tensor()
    {
        var png = SyntheticImages.Png(1, seed: 11)[0];

        Assert.Equal(ImageTensorizer.ToRgbPlanes(png, 224, 224, "x"), ImageTensorizer.ToRgbPlanes(png, 224, 224, "x"));
    }

    [Fact]
    public void Empty_file_is_rejected()
    {
        var error = Assert.Throws<ImageInputException>(() => ImageTensorizer.ToRgbPlanes([], 224, 224, "empty.png"));
        Assert.Contains("'empty.png' is empty", error.Message);
    }

    [Fact]
    public void Bytes_that_are_no_image_are_rejected_naming_the_file_and_the_expected_formats()
    {
        var error = Assert.Throws<ImageInputException>(() => ImageTensorizer.ToRgbPlanes("not an image"u8, 224, 224, "notes.txt"));
        Assert.Contains("'notes.txt'", error.Message);
        Assert.Contains("PNG or JPEG", error.Message);
    }

    [Fact]
    public void Other_image_formats_are_rejected()
    {
        // A 1x1 GIF.
        var gif = Convert.FromHexString("47494638396101000100800000000000FFFFFF21F90401000000002C00000000010001000002024401003B");

        var error = Assert.Throws<ImageInputException>(() => ImageTensorizer.ToRgbPlanes(gif, 224, 224, "dot.gif"));
        Assert.Contains("Gif", error.Message);
    }

    [Fact]
    public void Truncated_png_is_rejected()
    {
        var png = SyntheticImages.Png(1, seed: 5)[0];

        Assert.Throws<ImageInputException>(() => ImageTensorizer.ToRgbPlanes(png.AsSpan(0, png.Length / 2), 224, 224, "cut.png"));
    }
}
