using Exchange.Node.Migrations;
using Exchange.Storage;

namespace Exchange.Node.Queues;

/// <summary>A node's SQLite database: its work queues and event cursors, migrated on open.</summary>
public sealed class NodeDatabase
{
    private NodeDatabase(SqliteConnectionFactory connections) => Connections = connections;

    /// <summary>Connections to the database file.</summary>
    public SqliteConnectionFactory Connections { get; }

    /// <summary>Opens (creating if needed) the database at <paramref name="path"/> and applies every migration it lacks.</summary>
    public static async Task<NodeDatabase> OpenAsync(string path, CancellationToken cancellationToken)
    {
        var connections = new SqliteConnectionFactory(path);
        await SchemaMigrator.MigrateAsync(connections, NodeMigrations.Database, cancellationToken).ConfigureAwait(false);
        return new NodeDatabase(connections);
    }
}
