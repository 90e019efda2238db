namespace Exchange.Api.Accounts;

/// <summary>The chain could not be asked (no RPC configured, or the node did not answer); the API answers 503.</summary>
public sealed class ChainUnavailableException : Exception
{
    /// <summary>Creates the exception with the reason.</summary>
    public ChainUnavailableException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with the reason and the failure of the call.</summary>
    public ChainUnavailableException(string message, Exception innerException) : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a generic reason.</summary>
    public ChainUnavailableException() : base("The chain is unavailable.")
    {
    }
}
