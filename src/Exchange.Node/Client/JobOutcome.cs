using System.Globalization;
using System.Numerics;
using Exchange.Chain.Bindings;
using Exchange.Core.Jobs;
using Exchange.Node.Chain;

namespace Exchange.Node.Client;

/// <summary>A job's end and a one-line account of it, read from the chain's events.</summary>
/// <param name="JobId">The job.</param>
/// <param name="Status">Its status on chain.</param>
/// <param name="End">How it ended, or <see cref="JobEnd.Pending"/>.</param>
/// <param name="Detail">One line: who judged it and what moved, amounts in tokens, for example <c>slashed: verifier 0x… failed the audit and the committee ruled the provider wrong; 30 tokens of collateral slashed</c>.</param>
public sealed record JobOutcome(BigInteger JobId, JobStatus Status, JobEnd End, string Detail)
{
    /// <summary>Whether the job ended in a way the client did not pay for: slashed or expired.</summary>
    public bool Failed => End is JobEnd.Slashed or JobEnd.Expired;

    /// <summary>The name of <see cref="End"/> as messages and JSON write it: <c>settled-audited</c>, <c>slashed</c>…</summary>
    public string EndName => Name(End);

    /// <summary>The kebab-case name of an end.</summary>
    public static string Name(JobEnd end) => end switch
    {
        JobEnd.SettledAudited => "settled-audited",
        JobEnd.SettledUnaudited => "settled-unaudited",
        _ => end.ToString().ToLowerInvariant(),
    };

    /// <summary>Reads job <paramref name="jobId"/>'s status and, once it ended, the events that say how (<see cref="From"/>).</summary>
    /// <param name="market">The chain.</param>
    /// <param name="jobId">The job.</param>
    /// <param name="record">Its record (for the deadline of a pending job).</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    public static async Task<JobOutcome> ReadAsync(MarketClient market, BigInteger jobId, Job record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(market);
        var status = await market.StatusAsync(jobId, cancellationToken).ConfigureAwait(false);
        if (!ClientSession.IsFinal(status))
        {
            return From(jobId, status, record, JobEvents.None);
        }

        var created = await JobLookup.CreationBlockAsync(market, jobId, cancellationToken).ConfigureAwait(false) ?? market.Deployment.StartBlock;
        var logged = (await JobLookup.EventsAsync(market, jobId, created, cancellationToken).ConfigureAwait(false)).Select(e => e.Event).ToList();
        var verdicts = logged.OfType<VerdictSubmittedEventDTO>().ToList();
        var events = new JobEvents(
            logged.OfType<JobExpiredEventDTO>().LastOrDefault(),
            logged.OfType<JobDeclinedEventDTO>().Any(),
            logged.OfType<JobSettledEventDTO>().LastOrDefault(),
            logged.OfType<AuditOpenedEventDTO>().Any(),
            verdicts.LastOrDefault(v => v.Pass),
            verdicts.LastOrDefault(v => !v.Pass),
            logged.OfType<DisputeResolvedEventDTO>().LastOrDefault());
        return From(jobId, status, record, events);
    }

    /// <summary>How a job with status <paramref name="status"/> and these events ended, in one line.</summary>
    /// <param name="jobId">The job.</param>
    /// <param name="status">Its status on chain.</param>
    /// <param name="record">Its record (the deadline).</param>
    /// <param name="events">What the chain logged about its end.</param>
    public static JobOutcome From(BigInteger jobId, JobStatus status, Job record, JobEvents events)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(events);
        switch (status)
        {
            case JobStatus.Expired:
                var refund = events.Expired is null ? "refunded" : $"refunded {TokenUnits.Format(events.Expired.Refund)} tokens";
                return new(jobId, status, JobEnd.Expired, events.Declined ? $"declined by the provider, {refund}" : $"expired with no result by {Date(record.Deadline)}, {refund}");
            case JobStatus.Slashed:
                var verdict = $"{Challenge(events)} and the committee ruled the provider wrong";
                return new(jobId, status, JobEnd.Slashed, events.Resolved is null ? $"slashed: {verdict}" : $"slashed: {verdict}; {TokenUnits.Format(events.Resolved.Slashed)} tokens of collateral slashed");
            case JobStatus.Settled:
                var paid = events.Settled is null ? "" : $"; the provider was paid {TokenUnits.Format(events.Settled.Payout)} tokens";
                return events switch
                {
                    { Resolved.ProviderWrong: false } => new(jobId, status, JobEnd.SettledAudited, $"settled after an audit: {Challenge(events)} and the committee ruled the provider right{paid}"),
                    { Passed: { } passed } => new(jobId, status, JobEnd.SettledAudited, $"settled after an audit: verifier {passed.Verifier} re-ran drawn tasks and passed them{paid}"),
                    { AuditOpened: true } => new(jobId, status, JobEnd.SettledUnaudited, $"settled unaudited: drawn for audit, but no verifier delivered a verdict{paid}"),
                    _ => new(jobId, status, JobEnd.SettledUnaudited, $"settled unaudited: the audit draw passed it over{paid}"),
                };
            default:
                return new(jobId, status, JobEnd.Pending, $"pending: {status.ToString().ToLowerInvariant()}, due {Date(record.Deadline)}");
        }
    }

    /// <summary>A UNIX time as an ISO 8601 date and time in UTC.</summary>
    public static string Date(ulong unixSeconds) =>
        DateTimeOffset.FromUnixTimeSeconds((long)Math.Min(unixSeconds, (ulong)DateTimeOffset.MaxValue.ToUnixTimeSeconds())).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>What brought a job before a committee: a fail verdict, or an appeal of a pass.</summary>
    private static string Challenge(JobEvents events) => events switch
    {
        { Failed: { } failed } => $"verifier {failed.Verifier} failed the audit",
        { Passed: { } passed } => $"verifier {passed.Verifier} passed it, the pass was appealed",
        _ => "it was disputed",
    };
}
