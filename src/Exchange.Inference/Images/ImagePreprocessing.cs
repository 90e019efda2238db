using System.Text.Json;
using Exchange.Core.Models;
using Exchange.Core.Tensors;

namespace Exchange.Inference.Images;

/// <summary>
/// The <c>image</c> preprocessing kind of a model card: decode a PNG or JPEG, stretch it to
/// <see cref="Width"/> x <see cref="Height"/>, and lay out its R, G, B planes (NCHW) as 0..255 floats
/// times <see cref="Scale"/>, minus <see cref="Mean"/>, over <see cref="Std"/> per channel.
/// JSON: <c>{"kind":"image","width":224,"height":224,"layout":"NCHW","scale":1,"mean":[0,0,0],"std":[1,1,1]}</c>;
/// <c>scale</c>, <c>mean</c> and <c>std</c> may be left out (1, zeros, ones).
/// </summary>
/// <param name="Width">Tensor width in pixels.</param>
/// <param name="Height">Tensor height in pixels.</param>
/// <param name="Scale">Factor applied to the 0..255 values first.</param>
/// <param name="Mean">Per-channel value subtracted after scaling (R, G, B).</param>
/// <param name="Std">Per-channel divisor applied last (R, G, B).</param>
public sealed record ImagePreprocessing(int Width, int Height, float Scale, float[] Mean, float[] Std)
{
    /// <summary>The <c>kind</c> value of this preprocessing.</summary>
    public const string Kind = "image";

    /// <summary>The one layout supported: planar channels.</summary>
    public const string Layout = "NCHW";

    private static readonly string[] KnownFields = ["kind", "width", "height", "layout", "scale", "mean", "std"];

    /// <summary>The JSON object for a card.</summary>
    public Preprocessing ToPreprocessing() => Preprocessing.Parse(JsonSerializer.Serialize(new
    {
        kind = Kind,
        width = Width,
        height = Height,
        layout = Layout,
        scale = Scale,
        mean = Mean,
        std = Std,
    }));

    /// <summary>Reads the image preprocessing of a card.</summary>
    /// <exception cref="FormatException">The card's preprocessing is not a valid <c>image</c> object.</exception>
    public static ImagePreprocessing From(Preprocessing preprocessing)
    {
        ArgumentNullException.ThrowIfNull(preprocessing);
        if (preprocessing.Kind != Kind)
        {
            throw new FormatException($"preprocessing kind is \"{preprocessing.Kind}\", not \"{Kind}\"");
        }

        var json = preprocessing.ToJsonElement();
        foreach (var property in json.EnumerateObject())
        {
            if (!KnownFields.Contains(property.Name))
            {
                throw new FormatException($"image preprocessing has the unknown field \"{property.Name}\"; known: {string.Join(", ", KnownFields)}");
            }
        }

        var layout = json.TryGetProperty("layout", out var l) ? l.GetString() : Layout;
        if (layout != Layout)
        {
            throw new FormatException($"image preprocessing layout \"{layout}\" is not supported; expected \"{Layout}\"");
        }

        return new ImagePreprocessing(
            Size(json, "width"),
            Size(json, "height"),
            json.TryGetProperty("scale", out var scale) ? scale.GetSingle() : 1f,
            Channels(json, "mean", 0f),
            Channels(json, "std", 1f));
    }

    /// <summary>Turns an encoded image into the model's input tensor values.</summary>
    /// <exception cref="ImageInputException">The image is not a readable PNG or JPEG.</exception>
    public float[] Apply(ReadOnlySpan<byte> encoded, string source)
    {
        var planes = ImageTensorizer.ToRgbPlanes(encoded, Width, Height, source);
        var pixels = Width * Height;
        for (var c = 0; c < 3; c++)
        {
            var plane = planes.AsSpan(c * pixels, pixels);
            for (var p = 0; p < plane.Length; p++)
            {
                plane[p] = ((plane[p] * Scale) - Mean[c]) / Std[c];
            }
        }

        return planes;
    }

    /// <summary>
    /// Turns an encoded image into the tensor of one task for the model input <paramref name="spec"/>:
    /// float values as <see cref="Apply"/> makes them, or, for a <c>uint8</c> input, the pixels
    /// as they are, which the model converts in its graph (a quarter of the bytes to move).
    /// </summary>
    /// <exception cref="ImageInputException">The image is not a readable PNG or JPEG.</exception>
    /// <exception cref="FormatException">The input takes neither float32 nor uint8 values, or takes uint8 values from a card that would scale or shift them.</exception>
    public Tensor ToTensor(ReadOnlySpan<byte> encoded, string source, TensorSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return spec.DType switch
        {
            TensorDType.Float32 => Tensor.Create<float>(Apply(encoded, source), 1, 3, Height, Width),
            TensorDType.UInt8 when IsIdentity => Tensor.Create<byte>(ImageTensorizer.ToRgbBytePlanes(encoded, Width, Height, source), 1, 3, Height, Width),
            TensorDType.UInt8 => throw new FormatException(
                $"input '{spec.Name}' takes uint8 pixels, so the image preprocessing must leave them as they are (scale 1, mean 0, std 1): its graph does the rest"),
            _ => throw new FormatException($"input '{spec.Name}' is {spec.DType}; an image fills a float32 or uint8 input"),
        };
    }

    /// <summary>Whether <see cref="Apply"/> leaves the 0..255 values as they are.</summary>
    private bool IsIdentity => Scale == 1f && Mean.All(m => m == 0f) && Std.All(s => s == 1f);

    private static int Size(JsonElement json, string name) =>
        json.TryGetProperty(name, out var value) && value.TryGetInt32(out var size) && size is > 0 and <= 8192
            ? size
            : throw new FormatException($"image preprocessing needs \"{name}\" as a whole number of pixels from 1 to 8192");

    private static float[] Channels(JsonElement json, string name, float fallback)
    {
        if (!json.TryGetProperty(name, out var value))
        {
            return [fallback, fallback, fallback];
        }

        var values = value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().Select(v => v.GetSingle()).ToArray() : [];
        if (values.Length != 3 || (name == "std" && values.Any(v => v == 0)))
        {
            throw new FormatException($"image preprocessing \"{name}\" must be three numbers (R, G, B){(name == "std" ? ", none zero" : "")}");
        }

        return values;
    }
}
