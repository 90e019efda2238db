namespace Exchange.Chain.Indexing;

/// <summary>What one <see cref="ChainIndexer.SyncOnceAsync"/> did.</summary>
/// <param name="NextBlock">The first block not indexed yet.</param>
/// <param name="Head">The chain's head when the sync began.</param>
/// <param name="Events">Events ingested by this sync.</param>
/// <param name="RolledBackTo">The fork block a reorg rolled the state back to, or null when there was none.</param>
public sealed record IndexerProgress(ulong NextBlock, ulong Head, int Events, ulong? RolledBackTo);
