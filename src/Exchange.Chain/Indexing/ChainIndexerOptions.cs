namespace Exchange.Chain.Indexing;

/// <summary>How the <see cref="ChainIndexer"/> reads the chain: its poller's options and the pause between polls.</summary>
public sealed record ChainIndexerOptions : LogPollerOptions
{
    /// <summary>Pause between polls when caught up (<see cref="ChainIndexer.RunAsync"/>). Default 1 s.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);
}
