namespace Exchange.Inference.Devices;

/// <summary>Where a model runs.</summary>
public enum DeviceKind
{
    /// <summary>CUDA when its execution provider loads, the CPU otherwise.</summary>
    Auto,

    /// <summary>The ONNX Runtime CPU execution provider.</summary>
    Cpu,

    /// <summary>The ONNX Runtime CUDA execution provider; failing to load it is an error.</summary>
    Cuda,
}
