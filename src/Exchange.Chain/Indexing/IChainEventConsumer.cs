using Microsoft.Data.Sqlite;

namespace Exchange.Chain.Indexing;

/// <summary>What a <see cref="ChainLogPoller"/> hands its events to.</summary>
public interface IChainEventConsumer
{
    /// <summary>
    /// True when <see cref="ApplyAsync"/> and <see cref="RollBackAsync"/> write only through the
    /// transaction they are given, the one that moves the cursor: what they wrote and the cursor
    /// commit together. False when they write elsewhere (they get no transaction): they run before
    /// the cursor moves, so a crash hands the same events again, and they must be idempotent.
    /// </summary>
    bool WritesInCursorTransaction { get; }

    /// <summary>Takes the events of one block range, in chain order (possibly none).</summary>
    Task ApplyAsync(IReadOnlyList<ChainEvent> events, SqliteTransaction? transaction, CancellationToken cancellationToken);

    /// <summary>Forgets what the events of block <paramref name="fork"/> and later did: the chain reorganised, and they are read again from there.</summary>
    Task RollBackAsync(ulong fork, SqliteTransaction? transaction, CancellationToken cancellationToken);
}
