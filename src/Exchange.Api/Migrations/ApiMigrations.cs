using Exchange.Chain.Migrations;
using Exchange.Storage;

namespace Exchange.Api.Migrations;

/// <summary>The API's tables (blobs, offers, key reveals): versions 0100-0199.</summary>
public static class ApiMigrations
{
    /// <summary>The scripts embedded in Exchange.Api.</summary>
    public static MigrationSet Set { get; } = MigrationSet.Embedded("api", 100, 199, typeof(ApiMigrations).Assembly);

    /// <summary>What the API's database holds: its own tables and the chain index it serves.</summary>
    public static IReadOnlyList<MigrationSet> Database { get; } = [ChainMigrations.Set, Set];
}
