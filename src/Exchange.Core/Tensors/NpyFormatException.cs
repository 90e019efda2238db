namespace Exchange.Core.Tensors;

/// <summary>A <c>.npy</c> file this reader rejects; the message names the problem.</summary>
public sealed class NpyFormatException : FormatException
{
    /// <summary>Creates the exception.</summary>
    public NpyFormatException()
    {
    }

    /// <summary>Creates the exception with a message naming the problem.</summary>
    /// <param name="message">What is wrong with the file.</param>
    public NpyFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    /// <param name="message">What is wrong with the file.</param>
    /// <param name="innerException">The cause.</param>
    public NpyFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
