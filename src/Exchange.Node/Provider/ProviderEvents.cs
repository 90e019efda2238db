using Exchange.Chain.Bindings;
using Exchange.Chain.Indexing;
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
internal sealed class ProviderEvents(ProviderJobStore jobs, string address, ILogger logger) : IChainEventConsumer
{
    public bool WritesInCursorTransaction => false;

    public async Task ApplyAsync(IReadOnlyList<ChainEvent> events, SqliteTransaction? transaction, CancellationToken cancellationToken)
    {
        foreach (var e in events)
        {
            switch (e.Event)
            {
                case JobCreatedEventDTO created when string.Equals(created.Provider, address, StringComparison.OrdinalIgnoreCase):
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
    /// Nothing to undo: the queue holds what the provider must act on, and the events of the new
    /// branch are read again from the fork; a transaction the old branch mined is reconciled against
    /// the chain by its receipt, as after a crash.
    /// </summary>
    public Task RollBackAsync(ulong fork, SqliteTransaction? transaction, CancellationToken cancellationToken) => Task.CompletedTask;
}
