using Dapper;
using Exchange.Storage;
using Exchange.TestSupport;

namespace Exchange.Chain.Tests.Storage;

public sealed class SchemaMigratorTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    private SqliteConnectionFactory NewDatabase() => new(_folder.File("test.db"));

    [Fact]
    public async Task Embedded_migrations_are_applied_once_in_order_and_recorded()
    {
        var db = NewDatabase();
        var first = await SchemaMigrator.MigrateAsync(db);
        var second = await SchemaMigrator.MigrateAsync(db);

        Assert.NotEmpty(SchemaMigrator.Embedded);
        Assert.Equal(SchemaMigrator.Embedded.Select(m => m.Version), first);
        Assert.Empty(second);
        await using var connection = await db.OpenAsync();
        var recorded = (await connection.QueryAsync<long>("SELECT version FROM schema_version ORDER BY version")).Select(v => (int)v);
        Assert.Equal(first, recorded);
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM sqlite_master WHERE name = 'chain_cursor'"));
    }

    [Fact]
    public async Task Connections_use_wal_full_sync_and_foreign_keys()
    {
        await using var connection = await NewDatabase().OpenAsync();
        Assert.Equal("wal", await connection.ExecuteScalarAsync<string>("PRAGMA journal_mode"));
        Assert.Equal(2L, await connection.ExecuteScalarAsync<long>("PRAGMA synchronous"));
        Assert.Equal(1L, await connection.ExecuteScalarAsync<long>("PRAGMA foreign_keys"));
        Assert.Equal(10_000L, await connection.ExecuteScalarAsync<long>("PRAGMA busy_timeout"));
    }

    [Fact]
    public async Task Migrations_run_by_number_not_by_list_order()
    {
        var db = NewDatabase();
        var applied = await SchemaMigrator.MigrateAsync(db,
        [
            SchemaMigrator.Create(201, "0201_b.sql", "ALTER TABLE a ADD COLUMN y INTEGER;"),
            SchemaMigrator.Create(100, "0100_a.sql", "CREATE TABLE a (x INTEGER);"),
        ]);
        Assert.Equal([100, 201], applied);
    }

    [Fact]
    public async Task A_failing_migration_names_itself_and_leaves_nothing_behind()
    {
        var db = NewDatabase();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => SchemaMigrator.MigrateAsync(db,
        [
            SchemaMigrator.Create(100, "0100_good.sql", "CREATE TABLE good (x INTEGER);"),
            SchemaMigrator.Create(101, "0101_bad.sql", "CREATE TABLE half (x INTEGER); CREATE TABLE broken (;"),
        ]));
        Assert.Contains("0101_bad.sql", error.Message);
        await using var connection = await db.OpenAsync();
        Assert.Equal(0L, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM sqlite_master WHERE name = 'half'"));
        Assert.Equal([100L], await connection.QueryAsync<long>("SELECT version FROM schema_version"));
    }

    [Fact]
    public async Task An_edited_applied_migration_is_refused()
    {
        var db = NewDatabase();
        await SchemaMigrator.MigrateAsync(db, [SchemaMigrator.Create(100, "0100_a.sql", "CREATE TABLE a (x INTEGER);")]);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            SchemaMigrator.MigrateAsync(db, [SchemaMigrator.Create(100, "0100_a.sql", "CREATE TABLE a (x TEXT);")]));
        Assert.Contains("changed after it was applied", error.Message);
    }

    [Fact]
    public async Task A_database_newer_than_the_program_is_refused()
    {
        var db = NewDatabase();
        await SchemaMigrator.MigrateAsync(db, [SchemaMigrator.Create(100, "0100_a.sql", "CREATE TABLE a (x INTEGER);")]);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => SchemaMigrator.MigrateAsync(db, []));
        Assert.Contains("0100", error.Message);
    }

    [Fact]
    public async Task Repeated_version_numbers_are_refused_before_anything_runs()
    {
        var db = NewDatabase();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => SchemaMigrator.MigrateAsync(db,
        [
            SchemaMigrator.Create(100, "0100_a.sql", "CREATE TABLE a (x INTEGER);"),
            SchemaMigrator.Create(100, "0100_b.sql", "CREATE TABLE b (x INTEGER);"),
        ]));
        Assert.Contains("0100_a.sql and 0100_b.sql", error.Message);
        await using var connection = await db.OpenAsync();
        Assert.Equal(0L, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM sqlite_master WHERE name = 'a'"));
    }

    [Fact]
    public async Task Concurrent_migrators_apply_each_script_once()
    {
        var migrations = Enumerable.Range(100, 20)
            .Select(v => SchemaMigrator.Create(v, $"{v:D4}_t.sql", $"CREATE TABLE t{v} (x INTEGER);"))
            .ToList();
        var runs = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => SchemaMigrator.MigrateAsync(NewDatabase(), migrations))));
        Assert.Equal(migrations.Select(m => m.Version), runs.SelectMany(r => r).Order());
    }

    [Fact]
    public async Task BigInteger_round_trips_as_decimal_text()
    {
        await using var connection = await NewDatabase().OpenAsync();
        var big = System.Numerics.BigInteger.Pow(2, 256) - 1;
        await connection.ExecuteAsync("CREATE TABLE m (amount TEXT NOT NULL)");
        await connection.ExecuteAsync("INSERT INTO m VALUES (@big)", new { big });
        Assert.Equal(big.ToString(), await connection.ExecuteScalarAsync<string>("SELECT amount FROM m"));
        Assert.Equal(big, (await connection.QueryAsync<System.Numerics.BigInteger>("SELECT amount FROM m")).Single());
    }

    [Fact]
    public void In_memory_databases_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new SqliteConnectionFactory(":memory:"));
    }
}
