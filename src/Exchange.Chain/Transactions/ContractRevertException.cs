namespace Exchange.Chain.Transactions;

/// <summary>A call or transaction was reverted by a contract; <see cref="Revert"/> names the custom error and its arguments.</summary>
public sealed class ContractRevertException : Exception
{
    /// <summary>Creates the exception for a decoded revert.</summary>
    /// <param name="revert">The decoded error.</param>
    /// <param name="transactionHash">The mined, reverted transaction; null when the revert was found before sending (by the gas estimate).</param>
    public ContractRevertException(DecodedRevert revert, string? transactionHash)
        : base(transactionHash is null ? $"reverted: {revert}" : $"transaction {transactionHash} reverted: {revert}")
    {
        Revert = revert;
        TransactionHash = transactionHash;
    }

    /// <summary>The decoded error.</summary>
    public DecodedRevert Revert { get; }

    /// <summary>The reverted transaction's hash, or null when nothing was sent.</summary>
    public string? TransactionHash { get; }
}
