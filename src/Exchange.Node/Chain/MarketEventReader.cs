using Exchange.Node.Queues;
using Nethereum.Hex.HexTypes;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Web3;

namespace Exchange.Node.Chain;

/// <summary>
/// Reads the logs of the market and its court in bounded <c>eth_getLogs</c> ranges from a persisted cursor (no
/// node-side filters). Each range is handed to the caller before the cursor moves past it, so a
/// crash re-reads it: handlers must be idempotent, which the work queues' inserts are.
/// </summary>
public sealed class MarketEventReader
{
    private readonly IWeb3 _web3;
    private readonly string[] _contracts;
    private readonly CursorStore _cursors;
    private readonly string _name;
    private readonly ulong _startBlock;
    private readonly ulong _maxRange;

    /// <summary>Creates a reader.</summary>
    /// <param name="web3">The chain.</param>
    /// <param name="contracts">The contracts whose logs are read (the JobMarket and the AuditCourt).</param>
    /// <param name="cursors">Where the position is kept.</param>
    /// <param name="name">This reader's cursor name.</param>
    /// <param name="startBlock">Where to start when the cursor is new (the deployment's first block).</param>
    /// <param name="maxRange">Most blocks per <c>eth_getLogs</c> request.</param>
    public MarketEventReader(IWeb3 web3, IReadOnlyList<string> contracts, CursorStore cursors, string name, ulong startBlock, ulong maxRange)
    {
        ArgumentNullException.ThrowIfNull(contracts);
        ArgumentOutOfRangeException.ThrowIfZero(maxRange);
        _web3 = web3;
        _contracts = [.. contracts];
        _cursors = cursors;
        _name = name;
        _startBlock = startBlock;
        _maxRange = maxRange;
    }

    /// <summary>Reads every new log up to the latest block, range by range, calling <paramref name="handle"/> on each range's logs in chain order.</summary>
    /// <returns>The latest block read.</returns>
    public async Task<ulong> PollAsync(Func<IReadOnlyList<FilterLog>, CancellationToken, Task> handle, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handle);
        var latest = (ulong)(await _web3.Eth.Blocks.GetBlockNumber.SendRequestAsync().WaitAsync(cancellationToken).ConfigureAwait(false)).Value;
        var next = await _cursors.GetAsync(_name, cancellationToken).ConfigureAwait(false) ?? _startBlock;
        while (next <= latest)
        {
            var to = Math.Min(latest, next + _maxRange - 1);
            var logs = await _web3.Eth.Filters.GetLogs.SendRequestAsync(new NewFilterInput
            {
                Address = _contracts,
                FromBlock = new BlockParameter(new HexBigInteger(next)),
                ToBlock = new BlockParameter(new HexBigInteger(to)),
            }).WaitAsync(cancellationToken).ConfigureAwait(false);
            var ordered = logs.OrderBy(l => l.BlockNumber.Value).ThenBy(l => l.LogIndex.Value).ToList();
            await handle(ordered, cancellationToken).ConfigureAwait(false);
            next = to + 1;
            await _cursors.SetAsync(_name, next, cancellationToken).ConfigureAwait(false);
        }

        return latest;
    }
}
