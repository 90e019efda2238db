using System.Numerics;
using Exchange.Chain.Bindings;
using Exchange.Chain.Indexing;
using Exchange.Core.Jobs;
using Exchange.Node.Chain;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.Hex.HexTypes;
using Nethereum.RPC.Eth.DTOs;

namespace Exchange.Node.Client;

/// <summary>
/// Rebuilds one job's record and reads its events from the chain without scanning the market's
/// history: the blocks where the job was created and where its result landed are found by
/// bisecting the job's status over past blocks (a few dozen view calls), and its events are read
/// in bounded <c>eth_getLogs</c> ranges from its creation block on, each log decoded once.
/// </summary>
public static class JobLookup
{
    /// <summary>The block that created job <paramref name="jobId"/>, or null when no such job exists.</summary>
    public static async Task<ulong?> CreationBlockAsync(MarketClient market, BigInteger jobId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(market);
        var (head, _) = await market.LatestBlockAsync(cancellationToken).ConfigureAwait(false);
        return await FirstBlockAsync(market, jobId, market.Deployment.StartBlock, head, s => s != JobStatus.None, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The job's record as the chain commits to it now, or null when no such job was created.</summary>
    /// <param name="market">The chain.</param>
    /// <param name="jobId">The job.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <param name="createdAt">The job's creation block when the caller knows it (from its receipt), saving the search.</param>
    public static async Task<Job?> FindAsync(MarketClient market, BigInteger jobId, CancellationToken cancellationToken, ulong? createdAt = null)
    {
        ArgumentNullException.ThrowIfNull(market);
        var (head, _) = await market.LatestBlockAsync(cancellationToken).ConfigureAwait(false);
        if ((createdAt ?? await CreationBlockAsync(market, jobId, cancellationToken).ConfigureAwait(false)) is not { } created)
        {
            return null;
        }

        var job = (await LogsAsync(market, jobId, created, created, cancellationToken).ConfigureAwait(false))
            .Select(e => e.Event).OfType<JobCreatedEventDTO>().Select(JobRecords.FromCreated).FirstOrDefault();
        if (job is null || !HasResult(await market.StatusAsync(jobId, cancellationToken).ConfigureAwait(false)))
        {
            return job;
        }

        // The status leaves Created or Accepted only with the result (or the expiry, which has none).
        var submittedAt = await FirstBlockAsync(market, jobId, created, head, HasResult, cancellationToken).ConfigureAwait(false);
        var submitted = submittedAt is { } block
            ? (await LogsAsync(market, jobId, block, block, cancellationToken).ConfigureAwait(false)).Select(e => e.Event).OfType<ResultSubmittedEventDTO>().FirstOrDefault()
            : null;
        return submitted is null ? job : JobRecords.WithResult(job, submitted);
    }

    /// <summary>Every event of the market and the court about job <paramref name="jobId"/>, in chain order, read from block <paramref name="fromBlock"/> on.</summary>
    public static async Task<IReadOnlyList<ChainEvent>> EventsAsync(MarketClient market, BigInteger jobId, ulong fromBlock, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(market);
        var (head, _) = await market.LatestBlockAsync(cancellationToken).ConfigureAwait(false);
        return await LogsAsync(market, jobId, fromBlock, head, cancellationToken).ConfigureAwait(false);
    }

    private static bool HasResult(JobStatus status) => status is not (JobStatus.None or JobStatus.Created or JobStatus.Accepted or JobStatus.Expired);

    /// <summary>The first block in [<paramref name="from"/>, <paramref name="to"/>] where the job's status satisfies <paramref name="reached"/> (a condition that, once true, stays true), or null.</summary>
    private static async Task<ulong?> FirstBlockAsync(MarketClient market, BigInteger jobId, ulong from, ulong to, Func<JobStatus, bool> reached, CancellationToken cancellationToken)
    {
        if (!reached(await market.State.StatusAtAsync(jobId, to, cancellationToken).ConfigureAwait(false)))
        {
            return null;
        }

        while (from < to)
        {
            var middle = from + ((to - from) / 2);
            if (reached(await market.State.StatusAtAsync(jobId, middle, cancellationToken).ConfigureAwait(false)))
            {
                to = middle;
            }
            else
            {
                from = middle + 1;
            }
        }

        return from;
    }

    /// <summary>The market's and the court's logs whose first indexed argument is <paramref name="jobId"/>, in bounded ranges, decoded once.</summary>
    private static async Task<IReadOnlyList<ChainEvent>> LogsAsync(MarketClient market, BigInteger jobId, ulong from, ulong to, CancellationToken cancellationToken)
    {
        var decoder = new ChainEventDecoder(market.Deployment);
        var topic = LogFilter.NumberTopic(jobId);
        var range = new LogPollerOptions().BatchSize;
        var events = new List<ChainEvent>();
        for (var start = from; start <= to; start += range)
        {
            var logs = await market.Web3.Eth.Filters.GetLogs.SendRequestAsync(new NewFilterInput
            {
                Address = [market.Deployment.JobMarket, market.Deployment.AuditCourt],
                FromBlock = new BlockParameter(new HexBigInteger(start)),
                ToBlock = new BlockParameter(new HexBigInteger(Math.Min(to, start + range - 1))),
                Topics = [null, topic],
            }).WaitAsync(cancellationToken).ConfigureAwait(false);
            foreach (var log in logs.OrderBy(l => l.BlockNumber.Value).ThenBy(l => l.LogIndex.Value))
            {
                if (decoder.Decode(log) is { } decoded)
                {
                    events.Add(new ChainEvent(
                        (ulong)log.BlockNumber.Value, (ulong)log.LogIndex.Value, log.BlockHash.ToLowerInvariant(), 0, log.TransactionHash.ToLowerInvariant(),
                        decoded.Contract, decoded.Name, decoded.Event, null));
                }
            }
        }

        return events;
    }
}
