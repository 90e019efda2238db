namespace Exchange.Inference.Devices;

/// <summary>How an ONNX Runtime session is made: device, CPU threads and graph optimisation.</summary>
/// <param name="Device">The requested device.</param>
/// <param name="IntraOpThreads">CPU threads per operator; 0 lets ONNX Runtime choose (one per physical core).</param>
/// <param name="OptimizeGraph">Whether ONNX Runtime applies all graph optimisations (true) or none.</param>
/// <param name="BasicOptimizationsOnly">With <paramref name="OptimizeGraph"/>, only ONNX Runtime's basic level (constant folding, redundant nodes removed; no operator fusion).</param>
/// <param name="SpinWait">
/// Whether ONNX Runtime's CPU pool threads spin while they wait for work (ONNX Runtime's own default)
/// rather than sleep (ours): spinning saves microseconds per operator on cores nothing else needs,
/// and takes cores from everything else in a node that also serves HTTP, hashes and encrypts.
/// </param>
public sealed record SessionSettings(DeviceSpec Device, int IntraOpThreads = 0, bool OptimizeGraph = true, bool BasicOptimizationsOnly = false, bool SpinWait = false)
{
    /// <summary>Automatic device, default threads, full optimisation.</summary>
    public static SessionSettings Default { get; } = new(DeviceSpec.Auto);
}
