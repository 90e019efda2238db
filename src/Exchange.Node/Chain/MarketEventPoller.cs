using Exchange.Chain.Indexing;
using Exchange.Node.Hosting;
using Exchange.Node.Queues;
using Microsoft.Extensions.Logging;

namespace Exchange.Node.Chain;

/// <summary>The nodes' <see cref="ChainLogPoller"/>: the market's and the court's logs, in ranges of <see cref="NodeOptions.MaxLogRange"/> blocks.</summary>
public static class MarketEventPoller
{
    /// <summary>A poller of <paramref name="market"/>'s deployment with cursor <paramref name="cursor"/> in the node's database.</summary>
    public static ChainLogPoller Create(MarketClient market, NodeDatabase database, string cursor, NodeOptions node, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(market);
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(node);
        return new ChainLogPoller(
            market.Web3, market.Deployment, database.Connections, cursor, [market.Deployment.JobMarket, market.Deployment.AuditCourt],
            new LogPollerOptions { BatchSize = (ulong)node.MaxLogRange }, logger);
    }
}
