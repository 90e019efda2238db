using Exchange.Chain.Bindings;
using Exchange.Chain.Indexing;
using Exchange.Core.Hashing;
using Exchange.Core.Jobs;
using Exchange.Node.Chain;
using Exchange.Node.Hosting;
using Exchange.Node.Queues;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Exchange.Node.Provider;

/// <summary>
/// The provider's intake of market and court events into its work queue: jobs addressed to it,
/// their acceptance, results, draws and endings. Every step is idempotent (the queue ignores a job
/// it knows and moves states forward only), so events handed again after a crash or a reorg change nothing twice.
/// </summary>
/// <param name="market">The provider's chain handle.</param>
/// <param name="jobs">Its work queue.</param>
/// <param name="logger">Log.</param>
public sealed class ProviderEvents(MarketClient market, ProviderJobStore jobs, ILogger logger) : IChainEventConsumer
{
    private readonly string _address = market.Address;

    /// <inheritdoc />
    public bool WritesInCursorTransaction => false;

    /// <inheritdoc />
    public async Task ApplyAsync(IReadOnlyList<ChainEvent> events, SqliteTransaction? transaction, CancellationToken cancellationToken)
    {
        foreach (var e in events)
        {
            switch (e.Event)
            {
                case JobCreatedEventDTO created when string.Equals(created.Provider, _address, StringComparison.OrdinalIgnoreCase):
                    if (await jobs.AddAsync(created.JobId, JobRecords.FromCreated(created), cancellationToken).ConfigureAwait(false))
                    {
                        logger.JobSeen(created.JobId, created.TaskCount, created.Client);
                    }

                    break;
                case JobAcceptedEventDTO accepted:
                    await jobs.MarkAcceptedAsync(accepted.JobId, cancellationToken).ConfigureAwait(false);
                    break;
                case ResultSubmittedEventDTO submitted:
                    if (await jobs.FindAsync(submitted.JobId, cancellationToken).ConfigureAwait(false) is { } job)
                    {
                        await jobs.MarkSubmittedAsync(submitted.JobId, JobRecords.WithResult(job.Record, submitted), cancellationToken).ConfigureAwait(false);
                    }

                    break;
                case DrawRecordedEventDTO drawn:
                    await jobs.SetAuditedAsync(drawn.JobId, drawn.Audited, cancellationToken).ConfigureAwait(false);
                    break;
                case AuditRequestedEventDTO requested:
                    await jobs.SetAuditedAsync(requested.JobId, true, cancellationToken).ConfigureAwait(false);
                    break;
                case JobSettledEventDTO settled:
                    await jobs.MarkDoneAsync(settled.JobId, "settled", cancellationToken).ConfigureAwait(false);
                    break;
                case JobExpiredEventDTO expired:
                    await jobs.MarkDoneAsync(expired.JobId, "expired", cancellationToken).ConfigureAwait(false);
                    break;
                case DisputeResolvedEventDTO { ProviderWrong: true } resolved:
                    await jobs.MarkDoneAsync(resolved.JobId, "slashed", cancellationToken).ConfigureAwait(false);
                    break;
            }
        }
    }

    /// <summary>
    /// Forgets every job not yet ended whose creation the chain no longer holds as recorded (the
    /// reorg dropped it, or another job now has its id), whatever the provider had sent for it: those
    /// transactions went with the dropped blocks. The events of the new branch, read again from the
    /// fork, add what is there. The account's nonce is asked of the node again, since transactions
    /// it had counted may be gone.
    /// </summary>
    public async Task RollBackAsync(ulong fork, SqliteTransaction? transaction, CancellationToken cancellationToken)
    {
        await market.Sender.ResetNonceAsync(cancellationToken).ConfigureAwait(false);
        foreach (var state in OpenStates)
        {
            foreach (var job in await jobs.ListAsync(state, int.MaxValue, cancellationToken).ConfigureAwait(false))
            {
                var onChain = await market.GetJobAsync(job.JobId, cancellationToken).ConfigureAwait(false);
                if (!JobRecords.StillOnChain(job.Record, (JobStatus)onChain.Status, Bytes32.FromBytes(onChain.Commitment)))
                {
                    await jobs.ForgetAsync(job.JobId, cancellationToken).ConfigureAwait(false);
                    logger.JobDroppedByReorg(job.JobId, state);
                }
            }
        }
    }

    private static readonly string[] OpenStates =
    [
        ProviderJobStore.New, ProviderJobStore.Checked, ProviderJobStore.Accepting, ProviderJobStore.Accepted,
        ProviderJobStore.Computed, ProviderJobStore.Submitting, ProviderJobStore.Submitted,
    ];
}
