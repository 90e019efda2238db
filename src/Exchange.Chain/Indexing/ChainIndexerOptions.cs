namespace Exchange.Chain.Indexing;

/// <summary>How the <see cref="ChainIndexer"/> reads the chain.</summary>
public sealed record ChainIndexerOptions
{
    /// <summary>Blocks per <c>eth_getLogs</c> request (providers cap ranges; 2000 is within most). Default 2000.</summary>
    public ulong BatchSize { get; init; } = 2_000;

    /// <summary>Blocks a block must be buried under before it is indexed. Default 0 (local chains); use 12 or more on a public chain.</summary>
    public ulong Confirmations { get; init; }

    /// <summary>Pause between polls when caught up (<see cref="ChainIndexer.RunAsync"/>). Default 1 s.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How many recent block hashes are kept to find the fork point of a reorg; a deeper reorg replays from the deployment. Default 256.</summary>
    public ulong ReorgDepth { get; init; } = 256;

    /// <summary>Concurrent RPC requests for block headers and receipts. Default 8.</summary>
    public int Parallelism { get; init; } = 8;
}
