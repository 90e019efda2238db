namespace Exchange.Inference.Devices;

/// <summary>The device a session really runs on.</summary>
/// <param name="Kind">Cpu or Cuda (never Auto).</param>
/// <param name="DeviceId">The CUDA ordinal, 0 on the CPU.</param>
/// <param name="FallbackReason">Why <c>auto</c> did not get CUDA; null when nothing fell back.</param>
public sealed record ResolvedDevice(DeviceKind Kind, int DeviceId, string? FallbackReason)
{
    /// <summary><c>cpu</c> or <c>cuda:N</c>.</summary>
    public string Name => Kind == DeviceKind.Cuda ? $"cuda:{DeviceId}" : "cpu";
}
