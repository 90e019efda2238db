using System.Numerics;

namespace Exchange.Chain.Transactions;

/// <summary>How a <see cref="TransactionSender"/> prices, retries and waits.</summary>
public sealed record TransactionSenderOptions
{
    /// <summary>How long to wait for a receipt before giving up. Default 2 minutes.</summary>
    public TimeSpan ReceiptTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>How often to ask for a receipt. Default 50 ms (a local node answers at once; a remote one is asked more slowly by its block time).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>After this long without a receipt, check that the node still knows the transaction and rebroadcast it if not. Default 10 s.</summary>
    public TimeSpan RebroadcastAfter { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The tip per gas offered to the block producer. Default 1 gwei.</summary>
    public BigInteger MaxPriorityFeePerGas { get; init; } = 1_000_000_000;

    /// <summary>Percent added to the gas estimate, for state that changes between estimate and inclusion. Default 20.</summary>
    public int GasMarginPercent { get; init; } = 20;

    /// <summary>How many times a send is re-signed after "nonce too low" or a stale fee. Default 5.</summary>
    public int MaxResends { get; init; } = 5;
}
