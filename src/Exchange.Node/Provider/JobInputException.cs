namespace Exchange.Node.Provider;

/// <summary>A job's committed data is provably wrong (a manifest that does not match its roots, an input of the wrong shape): retrying cannot help.</summary>
public sealed class JobInputException : Exception
{
    /// <summary>Creates the exception.</summary>
    public JobInputException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public JobInputException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public JobInputException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
