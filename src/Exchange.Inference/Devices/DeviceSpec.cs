using System.Globalization;

namespace Exchange.Inference.Devices;

/// <summary>A requested device, as written on the command line: <c>auto</c>, <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>.</summary>
/// <param name="Kind">The kind of device.</param>
/// <param name="DeviceId">The CUDA device ordinal (0 unless <c>cuda:N</c> names another).</param>
public sealed record DeviceSpec(DeviceKind Kind, int DeviceId = 0)
{
    /// <summary>CUDA when it loads, the CPU otherwise.</summary>
    public static DeviceSpec Auto { get; } = new(DeviceKind.Auto);

    /// <summary>The CPU.</summary>
    public static DeviceSpec Cpu { get; } = new(DeviceKind.Cpu);

    /// <summary>Parses <c>auto</c>, <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c> (case-insensitive).</summary>
    /// <exception cref="FormatException">The text is none of those.</exception>
    public static DeviceSpec Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var value = text.Trim().ToLowerInvariant();
        switch (value)
        {
            case "auto":
                return Auto;
            case "cpu":
                return Cpu;
            case "cuda":
                return new DeviceSpec(DeviceKind.Cuda);
        }

        if (value.StartsWith("cuda:", StringComparison.Ordinal)
            && int.TryParse(value.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            return new DeviceSpec(DeviceKind.Cuda, id);
        }

        throw new FormatException($"Unknown device '{text}': expected auto, cpu, cuda or cuda:N.");
    }

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        DeviceKind.Auto => "auto",
        DeviceKind.Cpu => "cpu",
        _ => $"cuda:{DeviceId}",
    };
}
