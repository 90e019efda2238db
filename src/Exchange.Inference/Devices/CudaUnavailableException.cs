namespace Exchange.Inference.Devices;

/// <summary>CUDA was requested explicitly and its execution provider could not be used.</summary>
public sealed class CudaUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public CudaUnavailableException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public CudaUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the ONNX Runtime error behind it.</summary>
    public CudaUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
