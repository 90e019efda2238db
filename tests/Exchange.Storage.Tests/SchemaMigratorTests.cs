using Dapper;
using Exchange.Storage;
using Exchange.TestSupport;

namespace Exchange.Storage.Tests;

public sealed class SchemaMigratorTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    private SqliteConnectionFactory NewDatabase() => new(_folder.File("test.db"));

    private static IReadOnlyList<Migration> Embedded => [.. FeatureMigrationsTests.Features.SelectMany(f => f.Migrations)];

    [Fact]
    public async Task Embedded_migrations_are_applied_once_in_order_and_recorded()
    {
        var db = NewDatabase();
        var first = await SchemaMigrator.MigrateAsync(db, FeatureMigrationsTests.Features);
        var second = await SchemaMigrator.MigrateAsync(db, FeatureMigrationsTests.Features);

        Assert.NotEmpty(Embedded);
        Assert.Equal(Embedded.Select(m => m.Version), first);
        Assert.Empty(second);
        await using var connection = await db.OpenAsync();
        var recorded = (await connection.QueryAsync<long>("SELECT version FROM schema_version ORDER BY version")).Select(v => (int)v);
        Assert.Equal(first, recorded);
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM sqlite_master WHERE name = 'log_cursors'"));
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
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => SchemaMigrator.MigrateAsync(db, Array.Empty<Migration>()));
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
    public void Embedded_migrations_have_unique_increasing_versions_and_their_numbers_in_their_names()
    {
        var embedded = Embedded;

        Assert.Equal(embedded.Select(m => m.Version).Order().Distinct(), embedded.Select(m => m.Version));
        Assert.All(embedded, m => Assert.Matches(@"^\d{4}_[a-z0-9_]+\.sql$", m.Name));
        Assert.All(embedded, m => Assert.StartsWith($"{m.Version:D4}_", m.Name));
    }

    [Fact]
    public void A_misnamed_migration_resource_is_refused_with_its_name()
    {
        var error = Assert.Throws<InvalidOperationException>(() => SchemaMigrator.Load(typeof(SchemaMigratorTests).Assembly));

        Assert.Equal("migration file '12_Misnamed-Table.sql' is not named NNNN_lower_case_words.sql", error.Message);
    }

    [Fact]
    public async Task A_fixed_migration_is_applied_on_the_next_run_after_the_ones_already_applied()
    {
        var db = NewDatabase();
        var good = SchemaMigrator.Create(100, "0100_good.sql", "CREATE TABLE good (x INTEGER);");
        await Assert.ThrowsAsync<InvalidOperationException>(() => SchemaMigrator.MigrateAsync(db,
            [good, SchemaMigrator.Create(101, "0101_next.sql", "CREATE TABLE next (;")]));

        var applied = await SchemaMigrator.MigrateAsync(db, [good, SchemaMigrator.Create(101, "0101_next.sql", "CREATE TABLE next (x INTEGER);")]);

        Assert.Equal([101], applied);
        await using var connection = await db.OpenAsync();
        Assert.Equal([100L, 101L], await connection.QueryAsync<long>("SELECT version FROM schema_version ORDER BY version"));
    }

    [Fact]
    public async Task Two_factories_on_one_file_migrate_it_once()
    {
        var path = _folder.File("twice.db");

        var first = await SchemaMigrator.MigrateAsync(new SqliteConnectionFactory(path), FeatureMigrationsTests.Features);
        var second = await SchemaMigrator.MigrateAsync(new SqliteConnectionFactory(path), FeatureMigrationsTests.Features);

        Assert.Equal(Embedded.Select(m => m.Version), first);
        Assert.Empty(second);
    }
}
