using Exchange.Core.Hashing;

namespace Exchange.Api.Client;

/// <summary>A blob's bytes do not hash to the address they were asked for: the store (or the path to it) cannot be trusted for this blob.</summary>
public sealed class BlobIntegrityException : Exception
{
    /// <summary>Creates the exception.</summary>
    public BlobIntegrityException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public BlobIntegrityException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public BlobIntegrityException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a blob that hashed to <paramref name="actual"/> instead of <paramref name="expected"/>.</summary>
    public BlobIntegrityException(Bytes32 expected, Bytes32 actual, Uri source)
        : base($"blob {expected} from {source} hashes to {actual}: refused")
    {
        Expected = expected;
        Actual = actual;
    }

    /// <summary>The address asked for.</summary>
    public Bytes32 Expected { get; }

    /// <summary>What the received bytes hash to.</summary>
    public Bytes32 Actual { get; }
}
