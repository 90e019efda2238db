using System.Collections.Concurrent;
using System.Globalization;
using Dapper;
using Exchange.Chain.Deployment;
using Exchange.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Nethereum.Hex.HexTypes;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Web3;

namespace Exchange.Chain.Indexing;

/// <summary>
/// The one reader of a deployment's logs, for the indexer and the nodes alike: <c>eth_getLogs</c>
/// over bounded block ranges from a named cursor in SQLite (<c>log_cursors</c>), a configurable
/// number of confirmations, each log decoded once into a <see cref="ChainEvent"/>, and reorg
/// detection against the stored hashes of the blocks read, with rollback of the consumer and a
/// re-read from the fork. The cursor moves in one transaction with what the consumer wrote (see
/// <see cref="IChainEventConsumer.WritesInCursorTransaction"/>). One poller per cursor name.
/// </summary>
public sealed partial class ChainLogPoller
{
    private readonly IWeb3 _web3;
    private readonly ChainDeployment _deployment;
    private readonly SqliteConnectionFactory _database;
    private readonly string _cursor;
    private readonly LogPollerOptions _options;
    private readonly ILogger _logger;
    private readonly ChainEventDecoder _decoder;
    private readonly string[] _addresses;

    /// <summary>Creates a poller of <paramref name="deployment"/>'s logs with cursor <paramref name="cursor"/> in <paramref name="database"/>.</summary>
    /// <param name="web3">The chain.</param>
    /// <param name="deployment">The contracts.</param>
    /// <param name="database">Where the cursor is kept (migrated by its owner).</param>
    /// <param name="cursor">The cursor's name, one per consumer.</param>
    /// <param name="contracts">The addresses whose logs are read; all four contracts when null.</param>
    /// <param name="options">Ranges, confirmations, reorg depth.</param>
    /// <param name="logger">Log.</param>
    public ChainLogPoller(
        IWeb3 web3, ChainDeployment deployment, SqliteConnectionFactory database, string cursor,
        IReadOnlyCollection<string>? contracts = null, LogPollerOptions? options = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(web3);
        ArgumentNullException.ThrowIfNull(deployment);
        ArgumentNullException.ThrowIfNull(database);
        ArgumentException.ThrowIfNullOrWhiteSpace(cursor);
        _web3 = web3;
        _deployment = deployment;
        _database = database;
        _cursor = cursor;
        _options = options ?? new LogPollerOptions();
        ArgumentOutOfRangeException.ThrowIfZero(_options.BatchSize);
        _logger = logger ?? NullLogger.Instance;
        _decoder = new ChainEventDecoder(deployment);
        _addresses = contracts is null ? _decoder.Addresses : [.. contracts.Select(c => c.ToLowerInvariant())];
    }

    /// <summary>Hands <paramref name="consumer"/> every event up to the head minus the confirmations, rolling it back first if the chain reorganised.</summary>
    public async Task<PollProgress> SyncOnceAsync(IChainEventConsumer consumer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(consumer);
        var next = await NextBlockAsync(cancellationToken).ConfigureAwait(false);
        var head = (ulong)(await _web3.Eth.Blocks.GetBlockNumber.SendRequestAsync().WaitAsync(cancellationToken).ConfigureAwait(false)).Value;
        var rolledBack = await RollBackIfReorgedAsync(consumer, next, head, cancellationToken).ConfigureAwait(false);
        if (rolledBack is { } fork)
        {
            next = fork;
        }

        var events = 0;
        var target = head >= _options.Confirmations ? head - _options.Confirmations : 0;
        while (next <= target)
        {
            var to = Math.Min(target, next + _options.BatchSize - 1);
            events += await ReadRangeAsync(consumer, next, to, cancellationToken).ConfigureAwait(false);
            next = to + 1;
        }

        return new PollProgress(next, head, events, rolledBack);
    }

    /// <summary>The first block the cursor has not read (the deployment's first block for a new cursor).</summary>
    /// <exception cref="InvalidOperationException">The cursor follows another deployment.</exception>
    public async Task<ulong> NextBlockAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var market = _deployment.JobMarket.ToLowerInvariant();
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT OR IGNORE INTO log_cursors (name, chain_id, market, next_block, updated_at) VALUES (@name, @c, @m, @n, @t)",
            new { name = _cursor, c = (long)_deployment.ChainId, m = market, n = (long)_deployment.StartBlock, t = Now() }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var row = await connection.QuerySingleAsync<(long ChainId, string Market, long NextBlock)>(new CommandDefinition(
            "SELECT chain_id, market, next_block FROM log_cursors WHERE name = @name", new { name = _cursor }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (row.ChainId != (long)_deployment.ChainId || row.Market != market)
        {
            throw new InvalidOperationException(
                $"{_database.DatabasePath} follows JobMarket {row.Market} on chain {row.ChainId}, not {market} on chain {_deployment.ChainId}; use another database");
        }

        return (ulong)row.NextBlock;
    }

    /// <summary>Compares stored block hashes, newest first, with the node's; on a mismatch rolls the consumer back to the block after the last matching one.</summary>
    private async Task<ulong?> RollBackIfReorgedAsync(IChainEventConsumer consumer, ulong next, ulong head, CancellationToken cancellationToken)
    {
        if (next <= _deployment.StartBlock)
        {
            return null;
        }

        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var stored = await connection.QueryAsync<(long Number, string Hash)>(new CommandDefinition(
            "SELECT number, hash FROM log_blocks WHERE cursor = @name ORDER BY number DESC", new { name = _cursor }, cancellationToken: cancellationToken)).ConfigureAwait(false);
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

        LogReorg(_logger, _cursor, next, fork);
        await CommitAsync(connection, consumer, (c, t) => c.RollBackAsync(fork, t, cancellationToken), async transaction =>
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "DELETE FROM log_blocks WHERE cursor = @name AND number >= @f; UPDATE log_cursors SET next_block = @f, updated_at = @t WHERE name = @name",
                new { name = _cursor, f = (long)fork, t = Now() }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
        return fork;
    }

    private async Task<int> ReadRangeAsync(IChainEventConsumer consumer, ulong from, ulong to, CancellationToken cancellationToken)
    {
        var logs = await _web3.Eth.Filters.GetLogs.SendRequestAsync(new NewFilterInput
        {
            Address = _addresses,
            FromBlock = new BlockParameter(new HexBigInteger(from)),
            ToBlock = new BlockParameter(new HexBigInteger(to)),
        }).WaitAsync(cancellationToken).ConfigureAwait(false);

        var blockNumbers = logs.Select(l => (ulong)l.BlockNumber.Value).Append(to).Distinct().ToList();
        var blocks = await FetchAsync(blockNumbers, n => _web3.Eth.Blocks.GetBlockWithTransactionsHashesByNumber.SendRequestAsync(new HexBigInteger(n)), cancellationToken).ConfigureAwait(false);
        var receipts = _options.ReadTransactions
            ? await FetchAsync(logs.Select(l => l.TransactionHash).Distinct().ToList(), h => _web3.Eth.Transactions.GetTransactionReceipt.SendRequestAsync(h), cancellationToken).ConfigureAwait(false)
            : [];

        var events = new List<ChainEvent>();
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

            var transaction = receipts.TryGetValue(log.TransactionHash, out var receipt)
                ? new ChainTransaction(receipt.From.ToLowerInvariant(), (ulong)receipt.GasUsed.Value)
                : null;
            events.Add(new ChainEvent(
                (ulong)log.BlockNumber.Value, (ulong)log.LogIndex.Value, log.BlockHash.ToLowerInvariant(), (ulong)block.Timestamp.Value,
                log.TransactionHash.ToLowerInvariant(), decoded.Contract, decoded.Name, decoded.Event, transaction));
        }

        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await CommitAsync(connection, consumer, (c, t) => c.ApplyAsync(events, t, cancellationToken), async transaction =>
        {
            var cursor = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                "SELECT next_block FROM log_cursors WHERE name = @name", new { name = _cursor }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            if ((ulong)cursor != from)
            {
                throw new InvalidOperationException($"another poller moved cursor '{_cursor}' of {_database.DatabasePath} to block {cursor}; run one per cursor");
            }

            foreach (var (number, block) in blocks)
            {
                await connection.ExecuteAsync(new CommandDefinition(
                    "INSERT OR REPLACE INTO log_blocks (cursor, number, hash) VALUES (@name, @n, @h)",
                    new { name = _cursor, n = (long)number, h = block.BlockHash.ToLowerInvariant() }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            }

            await connection.ExecuteAsync(new CommandDefinition(
                "DELETE FROM log_blocks WHERE cursor = @name AND number < @keep; UPDATE log_cursors SET next_block = @next, updated_at = @t WHERE name = @name",
                new { name = _cursor, keep = (long)to - (long)_options.ReorgDepth, next = (long)to + 1, t = Now() }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
        return events.Count;
    }

    /// <summary>
    /// Runs the consumer's part and the cursor's part: in one transaction when the consumer writes
    /// through it, else the consumer first (a crash before the commit hands it the same again).
    /// </summary>
    private static async Task CommitAsync(
        SqliteConnection connection, IChainEventConsumer consumer, Func<IChainEventConsumer, SqliteTransaction?, Task> consume,
        Func<SqliteTransaction, Task> moveCursor, CancellationToken cancellationToken)
    {
        if (!consumer.WritesInCursorTransaction)
        {
            await consume(consumer, null).ConfigureAwait(false);
        }

        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (consumer.WritesInCursorTransaction)
        {
            await consume(consumer, transaction).ConfigureAwait(false);
        }

        await moveCursor(transaction).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<string?> BlockHashAsync(ulong number, CancellationToken cancellationToken)
    {
        var block = await _web3.Eth.Blocks.GetBlockWithTransactionsHashesByNumber.SendRequestAsync(new HexBigInteger(number)).WaitAsync(cancellationToken).ConfigureAwait(false);
        return block?.BlockHash?.ToLowerInvariant();
    }

    private async Task<Dictionary<TKey, TValue>> FetchAsync<TKey, TValue>(IReadOnlyList<TKey> keys, Func<TKey, Task<TValue>> fetch, CancellationToken cancellationToken)
        where TKey : notnull
    {
        var results = new ConcurrentDictionary<TKey, TValue>();
        await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = _options.Parallelism, CancellationToken = cancellationToken }, async (key, token) =>
        {
            var value = await fetch(key).WaitAsync(token).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"the node returned nothing for {key} (a reorg or a pruned node); the next sync retries");
            results[key] = value;
        }).ConfigureAwait(false);
        return new Dictionary<TKey, TValue>(results);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "chain reorganised: cursor {Cursor} rolls back from block {Next} to block {Fork}")]
    private static partial void LogReorg(ILogger logger, string cursor, ulong next, ulong fork);

    private static string Now() => DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);
}
