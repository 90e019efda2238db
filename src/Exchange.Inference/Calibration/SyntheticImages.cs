using SkiaSharp;

namespace Exchange.Inference.Calibration;

/// <summary>
/// Deterministic test pictures (gradients, shapes, strokes) drawn with SkiaSharp and encoded as PNG,
/// so calibration and tests exercise the real image path without shipping a data set.
/// </summary>
public static class SyntheticImages
{
    /// <summary>Draws <paramref name="count"/> different PNG images of the given size from <paramref name="seed"/>.</summary>
    public static IReadOnlyList<byte[]> Png(int count, int seed, int width = 256, int height = 256)
    {
        var random = new Random(seed);
        var images = new List<byte[]>(count);
        for (var i = 0; i < count; i++)
        {
            images.Add(Draw(random, width, height, SKEncodedImageFormat.Png));
        }

        return images;
    }

    /// <summary>One JPEG image, for tests of the JPEG decoder.</summary>
    public static byte[] Jpeg(int seed, int width = 200, int height = 150) => Draw(new Random(seed), width, height, SKEncodedImageFormat.Jpeg);

    private static byte[] Draw(Random random, int width, int height, SKEncodedImageFormat format)
    {
        using var surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        var canvas = surface.Canvas;
        using (var background = new SKPaint())
        {
            background.Shader = SKShader.CreateLinearGradient(
                new SKPoint(0, 0), new SKPoint(width, height), [Color(random), Color(random)], SKShaderTileMode.Clamp);
            canvas.DrawRect(0, 0, width, height, background);
        }

        using var paint = new SKPaint { IsAntialias = true };
        for (var s = 0; s < 12; s++)
        {
            paint.Color = Color(random);
            paint.Style = random.Next(3) == 0 ? SKPaintStyle.Stroke : SKPaintStyle.Fill;
            paint.StrokeWidth = 2 + random.Next(10);
            var x = random.NextSingle() * width;
            var y = random.NextSingle() * height;
            var size = 8 + (random.NextSingle() * width / 3);
            if (random.Next(2) == 0)
            {
                canvas.DrawCircle(x, y, size / 2, paint);
            }
            else
            {
                canvas.DrawRect(x, y, size, size * (0.3f + random.NextSingle()), paint);
            }
        }

        using var image = surface.Snapshot();
        using var data = image.Encode(format, 90);
        return data.ToArray();
    }

    private static SKColor Color(Random random) => new((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
}
