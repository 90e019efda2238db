namespace Exchange.Chain.Transactions;

/// <summary>A transaction could not be brought to a receipt: no receipt in time, or dropped and replaced. The message says which.</summary>
public sealed class TransactionFailedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TransactionFailedException(string message, string? transactionHash, Exception? innerException = null)
        : base(message, innerException) => TransactionHash = transactionHash;

    /// <summary>The transaction's hash, when it was signed.</summary>
    public string? TransactionHash { get; }
}
