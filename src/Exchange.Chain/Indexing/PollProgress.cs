namespace Exchange.Chain.Indexing;

/// <summary>What one <see cref="ChainLogPoller.SyncOnceAsync"/> did.</summary>
/// <param name="NextBlock">The first block not read yet.</param>
/// <param name="Head">The chain's head when the sync began.</param>
/// <param name="Events">Events handed over by this sync.</param>
/// <param name="RolledBackTo">The fork block a reorg rolled the consumer back to, or null when there was none.</param>
public sealed record PollProgress(ulong NextBlock, ulong Head, int Events, ulong? RolledBackTo);
