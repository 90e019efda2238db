using System.Globalization;
using Dapper;

namespace Exchange.Node.Queues;

/// <summary>The persisted position of a node's event readers: the first block each has not read yet.</summary>
public sealed class CursorStore(NodeDatabase database, TimeProvider time)
{
    /// <summary>The first unread block of reader <paramref name="name"/>, or null when it never ran.</summary>
    public async Task<ulong?> GetAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = await database.Connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        var value = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT next_block FROM node_cursors WHERE name = @name", new { name }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return value is { } block ? (ulong)block : null;
    }

    /// <summary>Records that reader <paramref name="name"/> has read every block before <paramref name="nextBlock"/>.</summary>
    public async Task SetAsync(string name, ulong nextBlock, CancellationToken cancellationToken)
    {
        await using var connection = await database.Connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO node_cursors (name, next_block, updated_at) VALUES (@name, @next, @now)
            ON CONFLICT (name) DO UPDATE SET next_block = excluded.next_block, updated_at = excluded.updated_at
            """,
            new { name, next = (long)nextBlock, now = time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture) },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
    }
}
