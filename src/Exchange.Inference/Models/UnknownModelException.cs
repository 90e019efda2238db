namespace Exchange.Inference.Models;

/// <summary>A model name or id that neither the built-in models nor the local store know.</summary>
public sealed class UnknownModelException : Exception
{
    /// <summary>Creates the exception.</summary>
    public UnknownModelException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public UnknownModelException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public UnknownModelException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
