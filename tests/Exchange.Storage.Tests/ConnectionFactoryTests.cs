using Dapper;
using Exchange.TestSupport;
using Microsoft.Data.Sqlite;

namespace Exchange.Storage.Tests;

public sealed class ConnectionFactoryTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }

    [Fact]
    public async Task The_database_file_and_its_folder_are_created_on_first_open()
    {
        var path = Path.Combine(_folder.Path, "nested", "deeper", "node.db");
        var factory = new SqliteConnectionFactory(path);

        await using (await factory.OpenAsync())
        {
        }

        Assert.True(File.Exists(path));
        Assert.Equal(Path.GetFullPath(path), factory.DatabasePath);
    }

    [Fact]
    public async Task A_new_connection_is_wal_full_sync_with_foreign_keys_and_the_default_busy_timeout()
    {
        await using var connection = await new SqliteConnectionFactory(_folder.File("defaults.db")).OpenAsync();

        Assert.Equal("wal", await connection.ExecuteScalarAsync<string>("PRAGMA journal_mode"));
        Assert.Equal(2L, await connection.ExecuteScalarAsync<long>("PRAGMA synchronous"));
        Assert.Equal(1L, await connection.ExecuteScalarAsync<long>("PRAGMA foreign_keys"));
        Assert.Equal((long)SqliteConnectionFactory.DefaultBusyTimeout.TotalMilliseconds, await connection.ExecuteScalarAsync<long>("PRAGMA busy_timeout"));
    }

    [Fact]
    public async Task Write_ahead_logging_is_recorded_in_the_file_for_every_reader()
    {
        var path = _folder.File("wal.db");
        await using (var connection = await new SqliteConnectionFactory(path).OpenAsync())
        {
            await connection.ExecuteAsync("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1);");
        }

        // A plain connection, without the factory's pragmas, still finds the file in WAL mode.
        await using var plain = new SqliteConnection($"Data Source={path};Pooling=False");
        await plain.OpenAsync();
        Assert.Equal("wal", await plain.ExecuteScalarAsync<string>("PRAGMA journal_mode"));
    }

    [Fact]
    public async Task Every_connection_from_the_pool_is_full_sync_with_foreign_keys_and_the_busy_timeout()
    {
        var factory = new SqliteConnectionFactory(_folder.File("pool.db"), TimeSpan.FromSeconds(3));
        await using (var first = await factory.OpenAsync())
        {
            await first.ExecuteAsync("PRAGMA synchronous = OFF; PRAGMA foreign_keys = OFF; PRAGMA busy_timeout = 0;");
        }

        // The pool hands the same physical connection back with the settings its last user left.
        await using var reused = await factory.OpenAsync();

        Assert.Equal(2L, await reused.ExecuteScalarAsync<long>("PRAGMA synchronous"));
        Assert.Equal(1L, await reused.ExecuteScalarAsync<long>("PRAGMA foreign_keys"));
        Assert.Equal(3_000L, await reused.ExecuteScalarAsync<long>("PRAGMA busy_timeout"));
    }

    [Fact]
    public async Task Foreign_keys_are_enforced()
    {
        await using var connection = await new SqliteConnectionFactory(_folder.File("fk.db")).OpenAsync();
        await connection.ExecuteAsync("CREATE TABLE parent (id INTEGER PRIMARY KEY); CREATE TABLE child (parent_id INTEGER NOT NULL REFERENCES parent (id));");

        var error = await Assert.ThrowsAsync<SqliteException>(() => connection.ExecuteAsync("INSERT INTO child VALUES (7)"));

        Assert.Contains("FOREIGN KEY constraint failed", error.Message);
    }

    [Fact]
    public async Task A_committed_row_is_read_by_a_second_factory_on_the_same_file()
    {
        var path = _folder.File("shared.db");
        await using (var writer = await new SqliteConnectionFactory(path).OpenAsync())
        {
            await writer.ExecuteAsync("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (42);");
        }

        await using var reader = await new SqliteConnectionFactory(path).OpenAsync();

        Assert.Equal(42L, await reader.ExecuteScalarAsync<long>("SELECT x FROM t"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(" :memory: ")]
    public void A_path_that_is_no_file_is_refused(string path) =>
        Assert.ThrowsAny<ArgumentException>(() => new SqliteConnectionFactory(path));
}
