using Dapper;
using Exchange.Core.Hashing;
using Exchange.Node.Migrations;
using Exchange.Node.Queues;
using Exchange.Storage;
using Exchange.TestSupport;

namespace Exchange.Node.Tests.Queues;

public sealed class NodeDatabaseMigrationTests : IDisposable
{
    private static readonly Exchange.Core.Jobs.Job Record = new(
        "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC", Keccak.Hash([1]),
        1000, 4, 1_800_000_000, Keccak.Hash([2]), Keccak.Hash([3]), Bytes32.Zero, Bytes32.Zero, 0, 0);

    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task A_v1_queue_keeps_its_rows_and_their_states_when_migrated()
    {
        var path = _folder.File("provider.db");
        var connections = new SqliteConnectionFactory(path);
        await SchemaMigrator.MigrateAsync(connections, [.. NodeMigrations.Database.SelectMany(f => f.Migrations).Where(m => m.Version <= 200)]);
        await using (var connection = await connections.OpenAsync())
        {
            await connection.ExecuteAsync(
                """
                INSERT INTO provider_jobs (job_id, record, state, result_root, submit_tx, updated_at)
                VALUES ('7', @record, 'submitting', @root, '0xabc', '2026-01-01T00:00:00Z')
                """,
                new { record = Exchange.Node.Chain.JobRecords.ToJson(Record), root = Keccak.Hash([4]).ToString() });
        }

        var store = new ProviderJobStore(await NodeDatabase.OpenAsync(path, default), TimeProvider.System);

        var job = (await store.FindAsync(7, default))!;
        Assert.Equal(ProviderJobStore.Submitting, job.State);
        Assert.Equal("0xabc", job.SubmitTx);
        Assert.Equal(Keccak.Hash([4]), job.ResultRoot);
        Assert.Null(job.Audited);
        Assert.Equal(0, job.Falsified);
    }
}
