using Exchange.Storage;

namespace Exchange.Chain.Migrations;

/// <summary>The chain index's tables (cursor, events, the state projected from them): versions 0001-0099.</summary>
public static class ChainMigrations
{
    /// <summary>The scripts embedded in Exchange.Chain.</summary>
    public static MigrationSet Set { get; } = MigrationSet.Embedded("chain", 1, 99, typeof(ChainMigrations).Assembly);
}
