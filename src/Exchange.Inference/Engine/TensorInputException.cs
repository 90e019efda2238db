namespace Exchange.Inference.Engine;

/// <summary>The input tensors of a task do not fit the model card (count, name order, dtype or shape).</summary>
public sealed class TensorInputException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    public TensorInputException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public TensorInputException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public TensorInputException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
