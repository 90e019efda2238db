using System.Numerics;
using Exchange.Chain.Bindings;
using Exchange.Chain.Indexing;
using Exchange.Core.Hashing;
using Exchange.Core.Jobs;
using Exchange.Node.Chain;
using Exchange.Node.Hosting;
using Exchange.Node.Queues;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Exchange.Node.Verifier;

/// <summary>
/// The verifier's intake of market and court events into its work queue: the jobs it may be drawn
/// for, audits assigned to it, its failed verdicts (disputes it follows as challenger), committees
/// it sits on, and endings. Every step is idempotent, so events handed again after a crash or a
/// reorg change nothing twice.
/// </summary>
/// <param name="market">The verifier's chain handle.</param>
/// <param name="work">The verifier's work queue.</param>
/// <param name="end">Closes what the verifier follows of a job that ended, with the outcome.</param>
/// <param name="logger">Log.</param>
public sealed class VerifierEvents(MarketClient market, VerifierWorkStore work, Func<BigInteger, string, CancellationToken, Task> end, ILogger logger) : IChainEventConsumer
{
    private readonly string address = market.Address;

    public bool WritesInCursorTransaction => false;

    /// <summary>Set when an event may have changed whom a pending draw names; the node reads those draws again and clears it.</summary>
    public bool PendingDrawsChanged { get; set; }

    public async Task ApplyAsync(IReadOnlyList<ChainEvent> events, SqliteTransaction? transaction, CancellationToken cancellationToken)
    {
        foreach (var e in events)
        {
            switch (e.Event)
            {
                case JobCreatedEventDTO created:
                    await work.RememberCreatedAsync(created.JobId, JobRecords.FromCreated(created), cancellationToken).ConfigureAwait(false);
                    break;
                case ResultSubmittedEventDTO submitted:
                    await work.RememberSubmittedAsync(submitted.JobId, submitted, cancellationToken).ConfigureAwait(false);
                    break;
                case AuditAssignedEventDTO assigned:
                    await work.MarkDrawFixedAsync(assigned.JobId, cancellationToken).ConfigureAwait(false);
                    // Also emitted for this verifier's own direct verdict: the audit is queued already then.
                    if (IsMe(assigned.Verifier)
                        && await SubmittedRecordAsync(assigned.JobId, cancellationToken).ConfigureAwait(false) is { } audited
                        && await work.AddAuditAsync(assigned.JobId, audited, Bytes32.FromBytes(assigned.Seed), cancellationToken).ConfigureAwait(false))
                    {
                        logger.WorkDrawn(assigned.JobId, VerifierWorkStore.Audit);
                    }

                    break;
                case DrawRecordedEventDTO recorded:
                    await work.MarkDrawFixedAsync(recorded.JobId, cancellationToken).ConfigureAwait(false);
                    break;
                case AuditTimedOutEventDTO or MemberPenalisedEventDTO or FalsePassPenalisedEventDTO:
                    // A verifier penalised now is passed over by every draw of this epoch still
                    // pending: one of them may name this verifier instead.
                    PendingDrawsChanged = true;
                    break;
                case VerdictSubmittedEventDTO { Pass: false } failed when IsMe(failed.Verifier):
                    if (await SubmittedRecordAsync(failed.JobId, cancellationToken).ConfigureAwait(false) is { } challenged)
                    {
                        await work.FollowDisputeAsync(failed.JobId, challenged, challenger: true, cancellationToken).ConfigureAwait(false);
                    }

                    break;
                case CommitteeDrawnEventDTO committee when committee.Members.Any(IsMe):
                    if (await SubmittedRecordAsync(committee.JobId, cancellationToken).ConfigureAwait(false) is { } judged)
                    {
                        await work.FollowDisputeAsync(committee.JobId, judged, challenger: false, cancellationToken).ConfigureAwait(false);
                        if (await work.AddVoteAsync(committee.JobId, (int)committee.Round, judged, cancellationToken).ConfigureAwait(false))
                        {
                            logger.VoteStep(committee.JobId, (int)committee.Round, "drawn");
                        }
                    }

                    break;
                case DisputeResolvedEventDTO resolved:
                    await end(resolved.JobId, "dispute resolved", cancellationToken).ConfigureAwait(false);
                    break;
                case JobSettledEventDTO settled:
                    await end(settled.JobId, "job ended", cancellationToken).ConfigureAwait(false);
                    break;
                case JobExpiredEventDTO expired:
                    await end(expired.JobId, "job ended", cancellationToken).ConfigureAwait(false);
                    break;
            }
        }
    }

    /// <summary>
    /// Forgets what it holds of each open job whose creation the chain no longer holds as recorded
    /// (the reorg dropped it, or another job now has its id), and asks the node for the account's
    /// nonce again; the events of the new branch, read again from the fork, add what is there. A
    /// verdict or vote for a job the chain still holds is reconciled by its receipt.
    /// </summary>
    public async Task RollBackAsync(ulong fork, SqliteTransaction? transaction, CancellationToken cancellationToken)
    {
        await market.Sender.ResetNonceAsync(cancellationToken).ConfigureAwait(false);
        foreach (var (jobId, record) in await work.OpenKnownAsync(cancellationToken).ConfigureAwait(false))
        {
            var onChain = await market.GetJobAsync(jobId, cancellationToken).ConfigureAwait(false);
            if (!JobRecords.StillOnChain(record, (JobStatus)onChain.Status, Bytes32.FromBytes(onChain.Commitment)))
            {
                await work.ForgetJobAsync(jobId, cancellationToken).ConfigureAwait(false);
                logger.JobDroppedByReorg(jobId, "known");
            }
        }
    }

    private async Task<Job?> SubmittedRecordAsync(BigInteger jobId, CancellationToken cancellationToken) =>
        await work.FindKnownAsync(jobId, cancellationToken).ConfigureAwait(false) is { IsSubmitted: true } record ? record : null;

    private bool IsMe(string account) => string.Equals(account, address, StringComparison.OrdinalIgnoreCase);
}
