using System.Numerics;
using Exchange.Chain.Bindings;
using Exchange.Core.Jobs;
using Exchange.Node.Chain;
using Nethereum.Hex.HexTypes;
using Nethereum.RPC.Eth.DTOs;

namespace Exchange.Node.Client;

/// <summary>Rebuilds one job's record from the chain's logs (its JobCreated and ResultSubmitted events), in bounded ranges.</summary>
public static class JobLookup
{
    private const ulong Range = 5_000;

    /// <summary>The job's record as the chain commits to it now, or null when no such job was created.</summary>
    public static async Task<Job?> FindAsync(MarketClient market, BigInteger jobId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(market);
        var latest = (ulong)(await market.Web3.Eth.Blocks.GetBlockNumber.SendRequestAsync().WaitAsync(cancellationToken).ConfigureAwait(false)).Value;
        var created = market.Web3.Eth.GetEvent<JobCreatedEventDTO>(market.Deployment.JobMarket);
        var submitted = market.Web3.Eth.GetEvent<ResultSubmittedEventDTO>(market.Deployment.JobMarket);
        Job? job = null;
        for (var from = market.Deployment.StartBlock; from <= latest; from += Range)
        {
            var to = new BlockParameter(new HexBigInteger(Math.Min(latest, from + Range - 1)));
            var start = new BlockParameter(new HexBigInteger(from));
            if (job is null)
            {
                var logs = await created.GetAllChangesAsync(created.CreateFilterInput(jobId, start, to)).WaitAsync(cancellationToken).ConfigureAwait(false);
                if (logs.Count > 0)
                {
                    job = JobRecords.FromCreated(logs[0].Event);
                }
            }

            if (job is not null)
            {
                var results = await submitted.GetAllChangesAsync(submitted.CreateFilterInput(jobId, start, to)).WaitAsync(cancellationToken).ConfigureAwait(false);
                if (results.Count > 0)
                {
                    return JobRecords.WithResult(job, results[0].Event);
                }
            }
        }

        return job;
    }

    /// <summary>Every <typeparamref name="TEvent"/> that <paramref name="contract"/> emitted for job <paramref name="jobId"/> (its first indexed argument), in chain order.</summary>
    public static async Task<IReadOnlyList<TEvent>> EventsAsync<TEvent>(MarketClient market, string contract, BigInteger jobId, CancellationToken cancellationToken)
        where TEvent : class, Nethereum.ABI.FunctionEncoding.Attributes.IEventDTO, new()
    {
        ArgumentNullException.ThrowIfNull(market);
        var latest = (ulong)(await market.Web3.Eth.Blocks.GetBlockNumber.SendRequestAsync().WaitAsync(cancellationToken).ConfigureAwait(false)).Value;
        var handler = market.Web3.Eth.GetEvent<TEvent>(contract);
        var events = new List<TEvent>();
        for (var from = market.Deployment.StartBlock; from <= latest; from += Range)
        {
            var to = new BlockParameter(new HexBigInteger(Math.Min(latest, from + Range - 1)));
            var logs = await handler.GetAllChangesAsync(handler.CreateFilterInput(jobId, new BlockParameter(new HexBigInteger(from)), to)).WaitAsync(cancellationToken).ConfigureAwait(false);
            events.AddRange(logs.Select(l => l.Event));
        }

        return events;
    }
}
