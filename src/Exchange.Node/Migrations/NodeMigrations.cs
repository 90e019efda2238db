using Exchange.Chain.Migrations;
using Exchange.Storage;

namespace Exchange.Node.Migrations;

/// <summary>The nodes' tables (work queues, court work, canaries, retry schedule): versions 0200-0299.</summary>
public static class NodeMigrations
{
    /// <summary>The scripts embedded in Exchange.Node.</summary>
    public static MigrationSet Set { get; } = MigrationSet.Embedded("node", 200, 299, typeof(NodeMigrations).Assembly);

    /// <summary>What a node's database holds: its own tables and the chain tables its readers keep (cursors, events).</summary>
    public static IReadOnlyList<MigrationSet> Database { get; } = [ChainMigrations.Set, Set];
}
