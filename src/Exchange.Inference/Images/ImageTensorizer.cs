using SkiaSharp;

namespace Exchange.Inference.Images;

/// <summary>Decodes PNG and JPEG images with SkiaSharp and lays them out as planar (NCHW) float or byte values.</summary>
public static class ImageTensorizer
{
    /// <summary>
    /// Most pixels an input image may have (64 megapixels, 256 MiB decoded): a header claiming
    /// 30,000 x 30,000 is refused from its size alone, before the pixels are allocated.
    /// </summary>
    public const long MaxPixels = 64L * 1024 * 1024;

    /// <summary>
    /// Decodes <paramref name="encoded"/>, stretches it to <paramref name="width"/> x <paramref name="height"/>
    /// with bilinear filtering, and returns its R, G and B planes, one after the other, as values 0..255.
    /// </summary>
    /// <param name="encoded">The PNG or JPEG file bytes.</param>
    /// <param name="width">The tensor's width.</param>
    /// <param name="height">The tensor's height.</param>
    /// <param name="source">A name for the image in error messages (its path).</param>
    /// <exception cref="ImageInputException">The bytes are not a readable PNG or JPEG image.</exception>
    public static float[] ToRgbPlanes(ReadOnlySpan<byte> encoded, int width, int height, string source)
    {
        var bytes = ToRgbBytePlanes(encoded, width, height, source);
        var planes = new float[bytes.Length];
        for (var i = 0; i < bytes.Length; i++)
        {
            planes[i] = bytes[i];
        }

        return planes;
    }

    /// <summary>
    /// As <see cref="ToRgbPlanes"/>, the values as bytes: the input of a model that takes <c>uint8</c>
    /// pixels and converts them in its graph, a quarter of the bytes of the float planes.
    /// </summary>
    /// <exception cref="ImageInputException">The bytes are not a readable PNG or JPEG image.</exception>
    public static byte[] ToRgbBytePlanes(ReadOnlySpan<byte> encoded, int width, int height, string source)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if (encoded.IsEmpty)
        {
            throw new ImageInputException($"Image '{source}' is empty: expected a PNG or JPEG file.");
        }

        using var data = SKData.CreateCopy(encoded);
        using var codec = SKCodec.Create(data)
            ?? throw new ImageInputException($"Image '{source}' is not a readable image: expected a PNG or JPEG file.");
        if (codec.EncodedFormat is not (SKEncodedImageFormat.Png or SKEncodedImageFormat.Jpeg))
        {
            throw new ImageInputException($"Image '{source}' is {codec.EncodedFormat}: expected a PNG or JPEG file.");
        }

        if ((long)codec.Info.Width * codec.Info.Height > MaxPixels)
        {
            throw new ImageInputException(
                $"Image '{source}' is {codec.Info.Width}x{codec.Info.Height} pixels, more than the {MaxPixels / (1024 * 1024)} megapixels an input may have: scale it down first.");
        }

        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var decoded = new SKBitmap(info);
        var result = codec.GetPixels(info, decoded.GetPixels());
        if (result != SKCodecResult.Success)
        {
            throw new ImageInputException($"Image '{source}' could not be decoded ({result}): expected a valid PNG or JPEG file.");
        }

        using var resized = decoded.Resize(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul), new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.None))
            ?? throw new ImageInputException($"Image '{source}' could not be resized to {width}x{height}.");
        return Planes(resized.GetPixelSpan(), width * height);
    }

    private static byte[] Planes(ReadOnlySpan<byte> rgba, int pixels)
    {
        var planes = new byte[3 * pixels];
        for (var p = 0; p < pixels; p++)
        {
            planes[p] = rgba[4 * p];
            planes[pixels + p] = rgba[(4 * p) + 1];
            planes[(2 * pixels) + p] = rgba[(4 * p) + 2];
        }

        return planes;
    }
}
