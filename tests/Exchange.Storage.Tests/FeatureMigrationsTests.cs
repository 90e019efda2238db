using Dapper;
using Exchange.Api.Migrations;
using Exchange.Chain.Migrations;
using Exchange.Node.Migrations;
using Exchange.TestSupport;

namespace Exchange.Storage.Tests;

/// <summary>Each feature's migrations, embedded in its own project, against each other and against databases made before.</summary>
public sealed class FeatureMigrationsTests : IDisposable
{
    /// <summary>Every feature, in version order.</summary>
    internal static readonly IReadOnlyList<MigrationSet> Features = [ChainMigrations.Set, ApiMigrations.Set, NodeMigrations.Set];

    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    public static TheoryData<string> Processes => ["api", "node", "chain"];

    private static IReadOnlyList<MigrationSet> SetsOf(string process) => process switch
    {
        "api" => ApiMigrations.Database,
        "node" => NodeMigrations.Database,
        _ => [ChainMigrations.Set],
    };

    [Theory]
    [MemberData(nameof(Processes))]
    public async Task A_database_of_the_old_layout_opens_without_reapplying_anything(string process)
    {
        var db = await OldLayoutAsync();
        var before = await RecordedAsync(db);

        var applied = await SchemaMigrator.MigrateAsync(db, SetsOf(process));

        // Only the migrations written after the old layout run.
        Assert.Equal(SetsOf(process).SelectMany(f => f.Migrations).Select(m => m.Version).Where(v => before.All(r => r.Version != v)).Order(), applied);
        Assert.Equal(12, before.Count);
        Assert.Equal(before, (await RecordedAsync(db)).Where(r => before.Any(b => b.Version == r.Version)));
    }

    [Fact]
    public async Task The_features_together_build_the_schema_and_records_of_the_old_layout_in_number_order()
    {
        var fresh = new SqliteConnectionFactory(_folder.File("fresh.db"));

        // Given last to first: the order is the versions', across features. The migrations written
        // after the old layout are left out.
        var old = await OldLayoutAsync();
        var layout = (await RecordedAsync(old)).Select(r => (int)r.Version).ToHashSet();
        var applied = await SchemaMigrator.MigrateAsync(fresh, [.. Features.Reverse().Select(f => f with { Migrations = [.. f.Migrations.Where(m => layout.Contains(m.Version))] })]);

        Assert.Equal(applied.Order(), applied);
        Assert.Equal(await SchemaAsync(old), await SchemaAsync(fresh));
        Assert.Equal((await RecordedAsync(old)).Select(r => (r.Version, r.Name, r.Checksum)), (await RecordedAsync(fresh)).Select(r => (r.Version, r.Name, r.Checksum)));
    }

    [Fact]
    public async Task Each_process_applies_its_features_and_leaves_the_others_tables_alone()
    {
        var db = new SqliteConnectionFactory(_folder.File("shared.db"));

        var api = await SchemaMigrator.MigrateAsync(db, ApiMigrations.Database);
        var node = await SchemaMigrator.MigrateAsync(db, NodeMigrations.Database);
        var again = await SchemaMigrator.MigrateAsync(db, ApiMigrations.Database);

        Assert.All(api, v => Assert.InRange(v, 1, 199));
        Assert.Contains(150, api);
        Assert.All(node, v => Assert.InRange(v, 200, 299));
        Assert.Contains(200, node);
        Assert.Empty(again);
    }

    [Fact]
    public async Task A_version_unknown_to_a_feature_is_refused_and_one_of_a_feature_not_run_is_ignored()
    {
        var db = new SqliteConnectionFactory(_folder.File("newer.db"));
        var a = SchemaMigrator.Create(100, "0100_a.sql", "CREATE TABLE a (x INTEGER);");
        var newer = SchemaMigrator.Create(101, "0101_newer.sql", "CREATE TABLE newer (x INTEGER);");
        var b = SchemaMigrator.Create(200, "0200_b.sql", "CREATE TABLE b (x INTEGER);");
        await SchemaMigrator.MigrateAsync(db, [a, newer]);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => SchemaMigrator.MigrateAsync(db, [new MigrationSet("a", 100, 199, [a])]));
        var applied = await SchemaMigrator.MigrateAsync(db, [new MigrationSet("b", 200, 299, [b])]);

        Assert.Contains("0101", error.Message);
        Assert.Equal([200], applied);
    }

    [Fact]
    public async Task Features_that_share_versions_are_refused_before_anything_runs()
    {
        var db = new SqliteConnectionFactory(_folder.File("overlap.db"));
        MigrationSet[] overlapping =
        [
            new("a", 100, 199, [SchemaMigrator.Create(100, "0100_a.sql", "CREATE TABLE a (x INTEGER);")]),
            new("b", 150, 249, [SchemaMigrator.Create(200, "0200_b.sql", "CREATE TABLE b (x INTEGER);")]),
        ];

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => SchemaMigrator.MigrateAsync(db, overlapping));

        Assert.Equal("features a (0100-0199) and b (0150-0249) share versions", error.Message);
        Assert.False(File.Exists(_folder.File("overlap.db")));
    }

    [Fact]
    public void A_feature_whose_script_is_outside_its_versions_is_refused_with_the_script_name()
    {
        var error = Assert.Throws<InvalidOperationException>(() => MigrationSet.Embedded("node", 200, 299, typeof(ChainMigrations).Assembly));

        Assert.Equal("migration 0001_chain_cursor.sql of node is outside its versions 0200-0299", error.Message);
    }

    private async Task<SqliteConnectionFactory> OldLayoutAsync()
    {
        var db = new SqliteConnectionFactory(_folder.File($"old-{Guid.NewGuid():N}.db"));
        await using var connection = await db.OpenAsync();
        await connection.ExecuteAsync(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Fixtures", "old-layout.sql")));
        return db;
    }

    private static async Task<List<(long Version, string Name, string Checksum, string AppliedAt)>> RecordedAsync(SqliteConnectionFactory db)
    {
        await using var connection = await db.OpenAsync();
        return [.. await connection.QueryAsync<(long, string, string, string)>("SELECT version, name, checksum, applied_at FROM schema_version ORDER BY version")];
    }

    private static async Task<List<(string Type, string Name, string? Sql)>> SchemaAsync(SqliteConnectionFactory db)
    {
        await using var connection = await db.OpenAsync();
        return [.. await connection.QueryAsync<(string, string, string?)>("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name")];
    }
}
