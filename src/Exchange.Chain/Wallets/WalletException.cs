namespace Exchange.Chain.Wallets;

/// <summary>A wallet could not be created, read or unlocked; the message says why and names the file.</summary>
public sealed class WalletException : Exception
{
    /// <summary>Creates the exception with a one-line reason.</summary>
    public WalletException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a one-line reason and its cause.</summary>
    public WalletException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
