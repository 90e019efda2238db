using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Exchange.Api.Infrastructure;

/// <summary>The API's SQLite database, a file in the data folder.</summary>
public sealed class ApiDatabase(IOptions<ApiOptions> options)
{
    private readonly string _connectionString = new SqliteConnectionStringBuilder
    {
        DataSource = Path.Combine(Path.GetFullPath(options.Value.DataDirectory), "exchange.db"),
        Pooling = true,
    }.ToString();

    /// <summary>Opens a connection with the durability settings every writer uses.</summary>
    public async Task<SqliteConnection> OpenAsync(CancellationToken ct)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(ct);
        await using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=5000;";
        await pragma.ExecuteNonQueryAsync(ct);
        return connection;
    }
}
