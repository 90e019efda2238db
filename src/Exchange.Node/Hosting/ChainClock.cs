using Exchange.Chain.Transactions;
using Exchange.Node.Chain;
using Microsoft.Extensions.Logging;

namespace Exchange.Node.Hosting;

/// <summary>
/// The chain's time as the next transaction will see it, and blocks when a node waits for one. A
/// chain that mines only on transactions (a plain <c>npx hardhat node</c>) keeps its latest
/// block's timestamp until someone sends one, so the latest block understates the time a
/// transaction sent now is mined at: the pending block's timestamp (where the node gives one)
/// tells it. A draw seed or a committee ticket waits for a block number, not a time: when the
/// chain has produced no block for <c>idleBlock</c>, the node mines the block it waits for itself
/// with a transfer of nothing to itself, rather than depending on someone else's traffic.
/// </summary>
public sealed class ChainClock(MarketClient market, TimeSpan idleBlock, ILogger logger)
{
    private ulong _latestNumber;
    private ulong _latestTimestamp;
    private ulong _now;

    /// <summary>The latest block's number, and the chain time a transaction sent now is mined at (<see cref="MarketClient.ChainNowAsync"/>).</summary>
    public async Task<(ulong Number, ulong Now)> ReadAsync(CancellationToken cancellationToken)
    {
        (_latestNumber, _latestTimestamp, _now) = await market.ChainNowAsync(cancellationToken).ConfigureAwait(false);
        return (_latestNumber, _now);
    }

    /// <summary>
    /// Mines a block when block <paramref name="number"/> does not exist yet and the chain, as last
    /// read, has made none for the idle time: a 21,000-gas transfer of nothing to the node's own
    /// address per missing block. A chain that produces blocks by itself never needs it.
    /// </summary>
    public async Task EnsureBlockAsync(ulong number, CancellationToken cancellationToken)
    {
        if (_latestNumber >= number || _now < _latestTimestamp + (ulong)idleBlock.TotalSeconds)
        {
            return;
        }

        // Two at most are ever missing (a seed is the block after the one that took its ticket): one wait covers them.
        for (var i = 0; _latestNumber < number && i < 2; i++)
        {
            var receipt = await market.Sender.SendAsync(new TransactionRequest(market.Address, "0x", 0, 21_000), cancellationToken).ConfigureAwait(false);
            _latestNumber = (ulong)receipt.BlockNumber.Value;
            logger.BlockMined(_latestNumber, number);
        }

        _latestTimestamp = _now;
    }
}
