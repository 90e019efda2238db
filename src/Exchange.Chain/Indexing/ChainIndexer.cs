using System.Text.Json.Nodes;
using Dapper;
using Exchange.Chain.Deployment;
using Exchange.Chain.Migrations;
using Exchange.Chain.State;
using Exchange.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Nethereum.Web3;

namespace Exchange.Chain.Indexing;

/// <summary>
/// Rebuilds the contracts' state in SQLite from the events of the token, the vault, the market and
/// the court (tables of migrations 0003 and 0004, described in docs/chain.md), fed by a
/// <see cref="ChainLogPoller"/> whose cursor commits in the same transaction as the rows (so a
/// restart resumes exactly, without duplicates), with its confirmations and its reorg rollback,
/// after which the state is replayed from the events that remain.
/// One indexer per database; the database indexes one deployment.
/// </summary>
public sealed partial class ChainIndexer : IChainEventConsumer
{
    /// <summary>The indexer's cursor in <c>log_cursors</c>.</summary>
    public const string CursorName = "indexer";

    private readonly ContractState _state;
    private readonly SqliteConnectionFactory _database;
    private readonly ChainIndexerOptions _options;
    private readonly ILogger _logger;
    private readonly ChainLogPoller _poller;
    private StateProjector? _projector;

    /// <summary>Creates an indexer of <paramref name="deployment"/> into <paramref name="database"/>.</summary>
    public ChainIndexer(IWeb3 web3, ChainDeployment deployment, SqliteConnectionFactory database, ChainIndexerOptions? options = null, ILogger<ChainIndexer>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(web3);
        ArgumentNullException.ThrowIfNull(deployment);
        ArgumentNullException.ThrowIfNull(database);
        _state = new ContractState(web3, deployment);
        _database = database;
        _options = options ?? new ChainIndexerOptions();
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _poller = new ChainLogPoller(web3, deployment, database, CursorName, null, _options with { ReadTransactions = true }, _logger);
    }

    bool IChainEventConsumer.WritesInCursorTransaction => true;

    /// <summary>Indexes every block up to the head minus the confirmations, rolling back first if the chain reorganised.</summary>
    public async Task<PollProgress> SyncOnceAsync(CancellationToken cancellationToken = default)
    {
        await SchemaMigrator.MigrateAsync(_database, [ChainMigrations.Set], cancellationToken).ConfigureAwait(false);
        await _poller.NextBlockAsync(cancellationToken).ConfigureAwait(false); // refuses a database of another deployment before any call to it
        _projector ??= new StateProjector(await ReadRatesAsync(cancellationToken).ConfigureAwait(false));
        return await _poller.SyncOnceAsync(this, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Syncs, then polls every <see cref="ChainIndexerOptions.PollInterval"/> until cancelled; a failed round is logged and retried.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var progress = await SyncOnceAsync(cancellationToken).ConfigureAwait(false);
                if (progress.Events > 0)
                {
                    LogIndexed(_logger, progress.Events, progress.NextBlock - 1);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFailed(_logger, e, _options.PollInterval);
            }

            await Task.Delay(_options.PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    async Task IChainEventConsumer.ApplyAsync(IReadOnlyList<ChainEvent> events, SqliteTransaction? transaction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        var connection = transaction.Connection!;
        var indexed = events.Select(e => new IndexedEvent(
            e.BlockNumber, e.LogIndex, e.BlockHash, e.BlockTime, e.TransactionHash, e.Transaction!.From, e.Transaction.GasUsed,
            e.Contract, e.Name, ChainEventDecoder.Arguments(e.Event))).ToList();
        foreach (var e in indexed)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO chain_events (block_number, log_index, block_hash, block_time, tx_hash, tx_from, gas_used, contract, name, job_id, account, args)
                VALUES (@BlockNumber, @LogIndex, @BlockHash, @BlockTime, @TransactionHash, @TransactionFrom, @GasUsed, @Contract, @Name, @JobId, @Account, @Args)
                """,
                new
                {
                    BlockNumber = (long)e.BlockNumber, LogIndex = (long)e.LogIndex, e.BlockHash, BlockTime = (long)e.BlockTime, e.TransactionHash, e.TransactionFrom,
                    GasUsed = (long)e.GasUsed, e.Contract, e.Name, e.JobId, Account = FirstAddress(e.Args), Args = e.Args.ToJsonString(),
                },
                transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }

        await _projector!.ApplyAsync(connection, transaction, indexed, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes the events of the dropped blocks and replays the state from the ones that remain.</summary>
    async Task IChainEventConsumer.RollBackAsync(ulong fork, SqliteTransaction? transaction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        var connection = transaction.Connection!;
        await connection.ExecuteAsync(new CommandDefinition("DELETE FROM chain_events WHERE block_number >= @f", new { f = (long)fork }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        foreach (var table in StateProjector.Tables)
        {
            await connection.ExecuteAsync(new CommandDefinition($"DELETE FROM {table}", transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }

        var remaining = await ReadEventsAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        await _projector!.ApplyAsync(connection, transaction, remaining, cancellationToken).ConfigureAwait(false);
    }

    private async Task<MarketRates> ReadRatesAsync(CancellationToken cancellationToken)
    {
        var market = await _state.ParamsAsync(cancellationToken).ConfigureAwait(false);
        var court = await _state.CourtParamsAsync(cancellationToken).ConfigureAwait(false);
        return new MarketRates(market.VerificationFeeBps, market.ProtocolFeeBps, market.CollateralMultiplierBps, market.ExpiryPenaltyBps, court.PassAppealWindow);
    }

    private static async Task<List<IndexedEvent>> ReadEventsAsync(SqliteConnection connection, SqliteTransaction transaction, CancellationToken cancellationToken)
    {
        var rows = await connection.QueryAsync<(long BlockNumber, long LogIndex, string BlockHash, long BlockTime, string TxHash, string TxFrom, long GasUsed, string Contract, string Name, string Args)>(
            new CommandDefinition(
                "SELECT block_number, log_index, block_hash, block_time, tx_hash, tx_from, gas_used, contract, name, args FROM chain_events ORDER BY block_number, log_index",
                transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => new IndexedEvent((ulong)r.BlockNumber, (ulong)r.LogIndex, r.BlockHash, (ulong)r.BlockTime, r.TxHash, r.TxFrom,
            (ulong)r.GasUsed, r.Contract, r.Name, JsonNode.Parse(r.Args)!.AsObject())).ToList();
    }

    private static string? FirstAddress(JsonObject args) =>
        args.Select(a => a.Value).OfType<JsonValue>().Select(v => v.TryGetValue<string>(out var s) ? s : null)
            .FirstOrDefault(s => s is { Length: 42 } && s.StartsWith("0x", StringComparison.Ordinal));

    [LoggerMessage(Level = LogLevel.Information, Message = "indexed {Events} events up to block {Block}")]
    private static partial void LogIndexed(ILogger logger, int events, ulong block);

    [LoggerMessage(Level = LogLevel.Warning, Message = "indexing failed; retrying in {Interval}")]
    private static partial void LogFailed(ILogger logger, Exception exception, TimeSpan interval);
}
