using Exchange.Inference.Devices;
using Exchange.Inference.Runtime;

namespace Exchange.Inference.Engine;

/// <summary>How the engine runs models.</summary>
public sealed record InferenceEngineOptions
{
    /// <summary>The device: <c>auto</c> (default) takes CUDA when its provider loads and the CPU otherwise.</summary>
    public DeviceSpec Device { get; init; } = DeviceSpec.Auto;

    /// <summary>CPU threads per operator; 0 (default) lets ONNX Runtime use one per physical core.</summary>
    public int IntraOpThreads { get; init; }

    /// <summary>Whether ONNX Runtime applies all graph optimisations (default true).</summary>
    public bool OptimizeGraph { get; init; } = true;

    /// <summary>Whether ONNX Runtime's CPU threads spin while they wait for work (default false: they sleep; see <see cref="SessionSettings.SpinWait"/>).</summary>
    public bool SpinWait { get; init; }

    /// <summary>The most tasks one batch holds; null (default) means 8 on the CPU, where larger batches gain nothing, and 32 on CUDA.</summary>
    public int? MaxBatchSize { get; init; }

    /// <summary>How long a batch's first task waits for more (default 2 ms).</summary>
    public TimeSpan MaxWait { get; init; } = TimeSpan.FromMilliseconds(2);

    /// <summary>Tasks queued per model before callers wait (default 256); bounds memory under any load.</summary>
    public int QueueCapacity { get; init; } = 256;

    internal SessionSettings Session => new(Device, IntraOpThreads, OptimizeGraph, SpinWait: SpinWait);

    internal const int CpuBatch = 8;
    internal const int CudaBatch = 32;

    internal BatchingOptions Batching(DeviceKind device) =>
        new(MaxBatchSize ?? (device == DeviceKind.Cuda ? CudaBatch : CpuBatch), MaxWait, QueueCapacity, device == DeviceKind.Cuda ? 2 : 1);
}
