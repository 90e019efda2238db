using Microsoft.Data.Sqlite;

namespace Exchange.Storage;

/// <summary>
/// Opens connections to one SQLite database file with the settings every part of Exchange relies on:
/// write-ahead logging, <c>synchronous=FULL</c> (a committed row survives a power cut), foreign keys
/// enforced and a busy timeout so that concurrent writers wait instead of failing.
/// </summary>
public sealed class SqliteConnectionFactory
{
    /// <summary>How long a connection waits for another writer's lock before failing: 10 seconds.</summary>
    public static readonly TimeSpan DefaultBusyTimeout = TimeSpan.FromSeconds(10);

    private readonly string _connectionString;
    private readonly int _busyTimeoutMs;

    /// <summary>Creates a factory for the database file at <paramref name="databasePath"/>; the file and its folder are created on first open.</summary>
    /// <param name="databasePath">Path of the database file. <c>:memory:</c> is refused: WAL and sharing across connections need a file.</param>
    /// <param name="busyTimeout">How long to wait for a lock; <see cref="DefaultBusyTimeout"/> when null.</param>
    public SqliteConnectionFactory(string databasePath, TimeSpan? busyTimeout = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        if (databasePath.Trim() == ":memory:")
        {
            throw new ArgumentException("an in-memory database cannot be shared between connections; give a file path", nameof(databasePath));
        }

        DatabasePath = Path.GetFullPath(databasePath);
        _busyTimeoutMs = (int)(busyTimeout ?? DefaultBusyTimeout).TotalMilliseconds;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            ForeignKeys = true,
            DefaultTimeout = Math.Max(1, _busyTimeoutMs / 1000),
        }.ToString();
        DapperTypeHandlers.Register();
    }

    /// <summary>Absolute path of the database file.</summary>
    public string DatabasePath { get; }

    /// <summary>Opens a connection with WAL, <c>synchronous=FULL</c>, foreign keys on and the busy timeout set.</summary>
    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        var folder = Path.GetDirectoryName(DatabasePath);
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }

        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            using var command = connection.CreateCommand();
            // journal_mode is persistent in the file; synchronous, foreign_keys and busy_timeout are per connection.
            command.CommandText =
                $"PRAGMA busy_timeout = {_busyTimeoutMs}; PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;";
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
