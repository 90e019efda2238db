namespace Exchange.Node.Client;

/// <summary>A job's published outputs are not the ones its provider signed: the client refuses them.</summary>
public sealed class OutputRejectedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public OutputRejectedException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public OutputRejectedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public OutputRejectedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
