using Dapper;
using Exchange.Chain.Bindings;
using Exchange.Chain.Indexing;
using Exchange.Chain.Migrations;
using Exchange.Chain.Wallets;
using Exchange.Storage;
using Exchange.TestSupport;
using Microsoft.Data.Sqlite;
using Nethereum.Hex.HexTypes;
using Nethereum.RPC.Eth.DTOs;

namespace Exchange.Chain.Tests.Indexing;

/// <summary>The log poller on a real chain: a reorg three blocks deep is rolled back and read again, by a poller restarted after it.</summary>
[Trait("Lane", "Slow")]
[Collection(ChainFixture.Collection)]
public sealed class ChainLogPollerTests(ChainFixture chain) : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task A_poller_restarted_after_a_reorg_three_blocks_deep_rolls_back_and_reads_the_new_branch_once()
    {
        var database = new SqliteConnectionFactory(_folder.File("poller.db"));
        await SchemaMigrator.MigrateAsync(database, [ChainMigrations.Set]);
        var consumer = new TransferLedger(database);
        await consumer.CreateAsync();
        ChainLogPoller NewPoller() => new(chain.Web3, chain.Deployment, database, "transfers", [chain.Deployment.ComputeToken], new LogPollerOptions { BatchSize = 50 });
        await NewPoller().SyncOnceAsync(consumer);

        var snapshot = await chain.SnapshotAsync();
        var orphans = new List<TransactionReceipt>();
        foreach (var value in new[] { 101, 102, 103 })
        {
            orphans.Add(await Transfer(value));
        }

        Assert.Null((await NewPoller().SyncOnceAsync(consumer)).RolledBackTo);
        Assert.Equal(new[] { 101, 102, 103 }, await consumer.ValuesAfterAsync((ulong)orphans[0].BlockNumber.Value));

        await chain.RevertAsync(snapshot);
        var kept = await Transfer(201);
        await Transfer(202);
        await chain.MineAsync(3);
        var progress = await NewPoller().SyncOnceAsync(consumer);

        Assert.Equal((ulong)orphans[0].BlockNumber.Value, progress.RolledBackTo);
        Assert.Equal(Assert.Single(consumer.Forks), progress.RolledBackTo);
        Assert.Equal(new[] { 201, 202 }, await consumer.ValuesAfterAsync((ulong)kept.BlockNumber.Value));
        Assert.Equal(await TransferLogCountAsync(), await consumer.CountAsync());
        Assert.Null((await NewPoller().SyncOnceAsync(consumer)).RolledBackTo);
        Assert.Equal(await TransferLogCountAsync(), await consumer.CountAsync());
    }

    private Task<TransactionReceipt> Transfer(int value) =>
        chain.Sender(DevAccountsOfTests.Deployer).SendAsync(chain.Deployment.ComputeToken, new TransferFunction { To = DevAccounts.Address(17), Value = value });

    private async Task<long> TransferLogCountAsync() =>
        (await chain.Web3.Eth.Filters.GetLogs.SendRequestAsync(new NewFilterInput
        {
            Address = [chain.Deployment.ComputeToken],
            FromBlock = new BlockParameter(new HexBigInteger(chain.Deployment.StartBlock)),
            ToBlock = BlockParameter.CreateLatest(),
        })).Length;

    /// <summary>A consumer that writes each token event in the cursor's transaction, as the indexer does, and forgets a rolled-back branch.</summary>
    private sealed class TransferLedger(SqliteConnectionFactory database) : IChainEventConsumer
    {
        public List<ulong> Forks { get; } = [];

        public bool WritesInCursorTransaction => true;

        public async Task CreateAsync()
        {
            await using var connection = await database.OpenAsync();
            await connection.ExecuteAsync("CREATE TABLE token_logs (block_number INTEGER NOT NULL, log_index INTEGER NOT NULL, value TEXT, PRIMARY KEY (block_number, log_index))");
        }

        public async Task ApplyAsync(IReadOnlyList<ChainEvent> events, SqliteTransaction? transaction, CancellationToken cancellationToken)
        {
            foreach (var e in events)
            {
                // The primary key fails the range, cursor and all, if an event came twice.
                await transaction!.Connection!.ExecuteAsync(
                    "INSERT INTO token_logs (block_number, log_index, value) VALUES (@b, @i, @v)",
                    new { b = (long)e.BlockNumber, i = (long)e.LogIndex, v = (e.Event as TransferEventDTO)?.Value.ToString() }, transaction);
            }
        }

        public async Task RollBackAsync(ulong fork, SqliteTransaction? transaction, CancellationToken cancellationToken)
        {
            Forks.Add(fork);
            await transaction!.Connection!.ExecuteAsync("DELETE FROM token_logs WHERE block_number >= @f", new { f = (long)fork }, transaction);
        }

        public async Task<long> CountAsync()
        {
            await using var connection = await database.OpenAsync();
            return await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM token_logs");
        }

        public async Task<int[]> ValuesAfterAsync(ulong block)
        {
            await using var connection = await database.OpenAsync();
            return [.. (await connection.QueryAsync<string>("SELECT value FROM token_logs WHERE block_number >= @b ORDER BY block_number, log_index", new { b = (long)block })).Select(int.Parse)];
        }
    }
}
