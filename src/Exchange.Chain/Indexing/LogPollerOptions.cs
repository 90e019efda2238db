namespace Exchange.Chain.Indexing;

/// <summary>How a <see cref="ChainLogPoller"/> reads the chain.</summary>
public record LogPollerOptions
{
    /// <summary>Blocks per <c>eth_getLogs</c> request (providers cap ranges; 2000 is within most). Default 2000.</summary>
    public ulong BatchSize { get; init; } = 2_000;

    /// <summary>Blocks a block must be buried under before its logs are read. Default 0 (local chains); use 12 or more on a public chain.</summary>
    public ulong Confirmations { get; init; }

    /// <summary>How many recent block hashes are kept to find the fork point of a reorg; a deeper reorg replays from the deployment. Default 256.</summary>
    public ulong ReorgDepth { get; init; } = 256;

    /// <summary>Concurrent RPC requests for block headers and receipts. Default 8.</summary>
    public int Parallelism { get; init; } = 8;

    /// <summary>Whether each event carries its transaction's sender and gas (one receipt per transaction read). Default false.</summary>
    public bool ReadTransactions { get; init; }
}
