using System.Globalization;
using System.Text.Json.Nodes;
using Dapper;
using Exchange.Chain.Bindings;
using Exchange.Chain.Deployment;
using Exchange.Chain.Migrations;
using Exchange.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Nethereum.Hex.HexTypes;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Web3;

namespace Exchange.Chain.Indexing;

/// <summary>
/// Rebuilds the contracts' state in SQLite from the events of the token, the vault, the market and
/// the court (tables of migrations 0003 and 0004, described in docs/chain.md): <c>eth_getLogs</c> over bounded block ranges, a cursor committed in the same
/// transaction as the rows (so a restart resumes exactly, without duplicates), a configurable number
/// of confirmations, and reorg detection against stored block hashes with rollback and replay.
/// One indexer per database; the database indexes one deployment.
/// </summary>
public sealed partial class ChainIndexer
{
    private readonly IWeb3 _web3;
    private readonly ChainDeployment _deployment;
    private readonly SqliteConnectionFactory _database;
    private readonly ChainIndexerOptions _options;
    private readonly ILogger _logger;
    private readonly LogDecoder _decoder;
    private StateProjector? _projector;

    /// <summary>Creates an indexer of <paramref name="deployment"/> into <paramref name="database"/>.</summary>
    public ChainIndexer(IWeb3 web3, ChainDeployment deployment, SqliteConnectionFactory database, ChainIndexerOptions? options = null, ILogger<ChainIndexer>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(web3);
        ArgumentNullException.ThrowIfNull(deployment);
        ArgumentNullException.ThrowIfNull(database);
        _web3 = web3;
        _deployment = deployment;
        _database = database;
        _options = options ?? new ChainIndexerOptions();
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _decoder = new LogDecoder(new Dictionary<string, string>
        {
            ["ComputeToken"] = deployment.ComputeToken,
            ["StakingVault"] = deployment.StakingVault,
            ["JobMarket"] = deployment.JobMarket,
            ["AuditCourt"] = deployment.AuditCourt,
        });
    }

    /// <summary>Indexes every block up to the head minus the confirmations, rolling back first if the chain reorganised.</summary>
    public async Task<IndexerProgress> SyncOnceAsync(CancellationToken cancellationToken = default)
    {
        await SchemaMigrator.MigrateAsync(_database, [ChainMigrations.Set], cancellationToken).ConfigureAwait(false);
        var next = await CursorAsync(cancellationToken).ConfigureAwait(false);
        _projector ??= new StateProjector(await ReadRatesAsync(cancellationToken).ConfigureAwait(false));
        var head = (ulong)(await _web3.Eth.Blocks.GetBlockNumber.SendRequestAsync().WaitAsync(cancellationToken).ConfigureAwait(false)).Value;
        var rolledBack = await RollBackIfReorgedAsync(next, head, cancellationToken).ConfigureAwait(false);
        if (rolledBack is { } fork)
        {
            next = fork;
        }

        var events = 0;
        var target = head >= _options.Confirmations ? head - _options.Confirmations : 0;
        while (next <= target)
        {
            var to = Math.Min(target, next + _options.BatchSize - 1);
            events += await IndexRangeAsync(next, to, cancellationToken).ConfigureAwait(false);
            next = to + 1;
        }

        return new IndexerProgress(next, head, events, rolledBack);
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

    private async Task<MarketRates> ReadRatesAsync(CancellationToken cancellationToken)
    {
        var output = await _web3.Eth.GetContractQueryHandler<ParamsFunction>()
            .QueryDeserializingToObjectAsync<ParamsOutputDTO>(new ParamsFunction(), _deployment.JobMarket).WaitAsync(cancellationToken).ConfigureAwait(false);
        var p = output.ReturnValue0;
        var court = await _web3.Eth.GetContractQueryHandler<AuditCourtParamsFunction>()
            .QueryDeserializingToObjectAsync<AuditCourtParamsOutputDTO>(new AuditCourtParamsFunction(), _deployment.AuditCourt).WaitAsync(cancellationToken).ConfigureAwait(false);
        return new MarketRates(p.VerificationFeeBps, p.ProtocolFeeBps, p.CollateralMultiplierBps, p.ExpiryPenaltyBps, court.ReturnValue0.PassAppealWindow);
    }

    private async Task<ulong> CursorAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<(long ChainId, string Market, long NextBlock)?>(new CommandDefinition(
            "SELECT chain_id, market, next_block FROM chain_cursor WHERE id = 1", cancellationToken: cancellationToken)).ConfigureAwait(false);
        var market = _deployment.JobMarket.ToLowerInvariant();
        if (row is null)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO chain_cursor (id, chain_id, market, next_block, updated_at) VALUES (1, @c, @m, @n, @t)",
                new { c = (long)_deployment.ChainId, m = market, n = (long)_deployment.StartBlock, t = Now() }, cancellationToken: cancellationToken)).ConfigureAwait(false);
            return _deployment.StartBlock;
        }

        if (row.Value.ChainId != (long)_deployment.ChainId || row.Value.Market != market)
        {
            throw new InvalidOperationException(
                $"{_database.DatabasePath} indexes JobMarket {row.Value.Market} on chain {row.Value.ChainId}, not {market} on chain {_deployment.ChainId}; use another database");
        }

        return (ulong)row.Value.NextBlock;
    }

    /// <summary>Compares stored block hashes, newest first, with the node's; on a mismatch replays the state up to the last matching block.</summary>
    private async Task<ulong?> RollBackIfReorgedAsync(ulong next, ulong head, CancellationToken cancellationToken)
    {
        if (next <= _deployment.StartBlock)
        {
            return null;
        }

        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var stored = await connection.QueryAsync<(long Number, string Hash)>(new CommandDefinition(
            "SELECT number, hash FROM chain_blocks ORDER BY number DESC", cancellationToken: cancellationToken)).ConfigureAwait(false);
        var fork = _deployment.StartBlock;
        foreach (var (number, hash) in stored)
        {
            if ((ulong)number <= head && await BlockHashAsync((ulong)number, cancellationToken).ConfigureAwait(false) == hash)
            {
                fork = (ulong)number + 1;
                break;
            }
        }

        if (fork >= next)
        {
            return null;
        }

        LogReorg(_logger, next, fork);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var parameters = new { f = (long)fork };
        await connection.ExecuteAsync(new CommandDefinition("DELETE FROM chain_events WHERE block_number >= @f", parameters, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition("DELETE FROM chain_blocks WHERE number >= @f", parameters, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        foreach (var table in StateProjector.Tables)
        {
            await connection.ExecuteAsync(new CommandDefinition($"DELETE FROM {table}", transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }

        var remaining = await ReadEventsAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        await _projector!.ApplyAsync(connection, transaction, remaining, cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition("UPDATE chain_cursor SET next_block = @f, updated_at = @t WHERE id = 1",
            new { f = (long)fork, t = Now() }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return fork;
    }

    private async Task<int> IndexRangeAsync(ulong from, ulong to, CancellationToken cancellationToken)
    {
        var logs = await _web3.Eth.Filters.GetLogs.SendRequestAsync(new NewFilterInput
        {
            Address = _decoder.Addresses,
            FromBlock = new BlockParameter(new HexBigInteger(from)),
            ToBlock = new BlockParameter(new HexBigInteger(to)),
        }).WaitAsync(cancellationToken).ConfigureAwait(false);

        var blockNumbers = logs.Select(l => (ulong)l.BlockNumber.Value).Append(to).Distinct().ToList();
        var blocks = await FetchAsync(blockNumbers, n => _web3.Eth.Blocks.GetBlockWithTransactionsHashesByNumber.SendRequestAsync(new HexBigInteger(n)), cancellationToken).ConfigureAwait(false);
        var receipts = await FetchAsync(logs.Select(l => l.TransactionHash).Distinct().ToList(),
            h => _web3.Eth.Transactions.GetTransactionReceipt.SendRequestAsync(h), cancellationToken).ConfigureAwait(false);

        var events = new List<IndexedEvent>();
        foreach (var log in logs.OrderBy(l => l.BlockNumber.Value).ThenBy(l => l.LogIndex.Value))
        {
            var block = blocks[(ulong)log.BlockNumber.Value];
            if (!string.Equals(block.BlockHash, log.BlockHash, StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException($"block {log.BlockNumber.Value} changed while it was read (a reorg); the next sync rolls it back");
            }

            if (_decoder.Decode(log) is not { } decoded)
            {
                continue;
            }

            var receipt = receipts[log.TransactionHash];
            events.Add(new IndexedEvent(
                (ulong)log.BlockNumber.Value, (ulong)log.LogIndex.Value, log.BlockHash.ToLowerInvariant(), (ulong)block.Timestamp.Value,
                log.TransactionHash.ToLowerInvariant(), receipt.From.ToLowerInvariant(), (ulong)receipt.GasUsed.Value,
                decoded.Contract, decoded.Name, decoded.Args));
        }

        await StoreAsync(from, to, events, blocks, cancellationToken).ConfigureAwait(false);
        return events.Count;
    }

    private async Task StoreAsync(ulong from, ulong to, List<IndexedEvent> events, Dictionary<ulong, BlockWithTransactionHashes> blocks, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var cursor = await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT next_block FROM chain_cursor WHERE id = 1", transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if ((ulong)cursor != from)
        {
            throw new InvalidOperationException($"another indexer moved the cursor of {_database.DatabasePath} to block {cursor}; run one indexer per database");
        }

        foreach (var e in events)
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

        await _projector!.ApplyAsync(connection, transaction, events, cancellationToken).ConfigureAwait(false);
        foreach (var (number, block) in blocks)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT OR REPLACE INTO chain_blocks (number, hash, parent_hash) VALUES (@n, @h, @p)",
                new { n = (long)number, h = block.BlockHash.ToLowerInvariant(), p = block.ParentHash.ToLowerInvariant() }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }

        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM chain_blocks WHERE number < @keep; UPDATE chain_cursor SET next_block = @next, updated_at = @t WHERE id = 1",
            new { keep = (long)to - (long)_options.ReorgDepth, next = (long)to + 1, t = Now() }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
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

    private async Task<string?> BlockHashAsync(ulong number, CancellationToken cancellationToken)
    {
        var block = await _web3.Eth.Blocks.GetBlockWithTransactionsHashesByNumber.SendRequestAsync(new HexBigInteger(number)).WaitAsync(cancellationToken).ConfigureAwait(false);
        return block?.BlockHash?.ToLowerInvariant();
    }

    private async Task<Dictionary<TKey, TValue>> FetchAsync<TKey, TValue>(IReadOnlyList<TKey> keys, Func<TKey, Task<TValue>> fetch, CancellationToken cancellationToken)
        where TKey : notnull
    {
        var results = new System.Collections.Concurrent.ConcurrentDictionary<TKey, TValue>();
        await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = _options.Parallelism, CancellationToken = cancellationToken }, async (key, token) =>
        {
            var value = await fetch(key).WaitAsync(token).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"the node returned nothing for {key} (a reorg or a pruned node); the next sync retries");
            results[key] = value;
        }).ConfigureAwait(false);
        return new Dictionary<TKey, TValue>(results);
    }

    private static string? FirstAddress(JsonObject args) =>
        args.Select(a => a.Value).OfType<JsonValue>().Select(v => v.TryGetValue<string>(out var s) ? s : null)
            .FirstOrDefault(s => s is { Length: 42 } && s.StartsWith("0x", StringComparison.Ordinal));

    [LoggerMessage(Level = LogLevel.Information, Message = "indexed {Events} events up to block {Block}")]
    private static partial void LogIndexed(ILogger logger, int events, ulong block);

    [LoggerMessage(Level = LogLevel.Warning, Message = "indexing failed; retrying in {Interval}")]
    private static partial void LogFailed(ILogger logger, Exception exception, TimeSpan interval);

    [LoggerMessage(Level = LogLevel.Warning, Message = "chain reorganised: rolling back from block {Next} to block {Fork}")]
    private static partial void LogReorg(ILogger logger, ulong next, ulong fork);

    private static string Now() => DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);
}
