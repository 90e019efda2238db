using System.Globalization;
using System.Numerics;
using Exchange.Chain.Bindings;
using Exchange.Core.Jobs;
using Exchange.Node.Chain;

namespace Exchange.Node.Client;

/// <summary>How a job ended, as the client must be told it.</summary>
public enum JobEnd
{
    /// <summary>Not ended: waiting for acceptance, a result, the challenge window, an audit or a dispute.</summary>
    Pending,

    /// <summary>Settled after a verifier re-ran drawn tasks and passed them (or a committee ruled the provider right).</summary>
    SettledAudited,

    /// <summary>Settled without a verdict: the draw passed it over, or no verifier could be drawn.</summary>
    SettledUnaudited,

    /// <summary>The provider was ruled wrong and slashed: its outputs are not to be trusted.</summary>
    Slashed,

    /// <summary>No result by the deadline (or the provider declined it): the client was refunded.</summary>
    Expired,
}

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

    /// <summary>Reads job <paramref name="jobId"/>'s status and, once it ended, the events that say how.</summary>
    /// <param name="market">The chain.</param>
    /// <param name="jobId">The job.</param>
    /// <param name="record">Its record (for the deadline of a pending job).</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    public static async Task<JobOutcome> ReadAsync(MarketClient market, BigInteger jobId, Job record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(market);
        ArgumentNullException.ThrowIfNull(record);
        var status = await market.StatusAsync(jobId, cancellationToken).ConfigureAwait(false);
        var court = market.Deployment.AuditCourt;
        switch (status)
        {
            case JobStatus.Expired:
                var expired = Latest(await JobLookup.EventsAsync<JobExpiredEventDTO>(market, market.Deployment.JobMarket, jobId, cancellationToken).ConfigureAwait(false));
                var declined = (await JobLookup.EventsAsync<JobDeclinedEventDTO>(market, market.Deployment.JobMarket, jobId, cancellationToken).ConfigureAwait(false)).Count > 0;
                var refund = expired is null ? "refunded" : $"refunded {TokenUnits.Format(expired.Refund)} tokens";
                return new(jobId, status, JobEnd.Expired, declined ? $"declined by the provider, {refund}" : $"expired with no result by {Date(record.Deadline)}, {refund}");
            case JobStatus.Slashed:
                var failed = (await JobLookup.EventsAsync<VerdictSubmittedEventDTO>(market, court, jobId, cancellationToken).ConfigureAwait(false)).LastOrDefault(v => !v.Pass);
                var resolved = Latest(await JobLookup.EventsAsync<DisputeResolvedEventDTO>(market, court, jobId, cancellationToken).ConfigureAwait(false));
                var verdict = failed is null ? "the provider was ruled wrong" : $"verifier {failed.Verifier} failed the audit and the committee ruled the provider wrong";
                return new(jobId, status, JobEnd.Slashed, resolved is null ? $"slashed: {verdict}" : $"slashed: {verdict}; {TokenUnits.Format(resolved.Slashed)} tokens of collateral slashed");
            case JobStatus.Settled:
                return await SettledAsync(market, jobId, cancellationToken).ConfigureAwait(false);
            default:
                return new(jobId, status, JobEnd.Pending, $"pending: {status.ToString().ToLowerInvariant()}, due {Date(record.Deadline)}");
        }
    }

    /// <summary>A UNIX time as an ISO 8601 date and time in UTC.</summary>
    public static string Date(ulong unixSeconds) =>
        DateTimeOffset.FromUnixTimeSeconds((long)Math.Min(unixSeconds, (ulong)DateTimeOffset.MaxValue.ToUnixTimeSeconds())).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static T? Latest<T>(IReadOnlyList<T> events)
        where T : class => events.Count > 0 ? events[^1] : null;

    private static async Task<JobOutcome> SettledAsync(MarketClient market, BigInteger jobId, CancellationToken cancellationToken)
    {
        var court = market.Deployment.AuditCourt;
        var settled = Latest(await JobLookup.EventsAsync<JobSettledEventDTO>(market, market.Deployment.JobMarket, jobId, cancellationToken).ConfigureAwait(false));
        var paid = settled is null ? "" : $"; the provider was paid {TokenUnits.Format(settled.Payout)} tokens";
        var resolved = Latest(await JobLookup.EventsAsync<DisputeResolvedEventDTO>(market, court, jobId, cancellationToken).ConfigureAwait(false));
        if (resolved is { ProviderWrong: false })
        {
            return new(jobId, JobStatus.Settled, JobEnd.SettledAudited, $"settled after an audit: a verifier failed it and the committee ruled the provider right{paid}");
        }

        var passed = (await JobLookup.EventsAsync<VerdictSubmittedEventDTO>(market, court, jobId, cancellationToken).ConfigureAwait(false)).LastOrDefault(v => v.Pass);
        if (passed is not null)
        {
            return new(jobId, JobStatus.Settled, JobEnd.SettledAudited, $"settled after an audit: verifier {passed.Verifier} re-ran drawn tasks and passed them{paid}");
        }

        var opened = (await JobLookup.EventsAsync<AuditOpenedEventDTO>(market, court, jobId, cancellationToken).ConfigureAwait(false)).Count > 0;
        return new(jobId, JobStatus.Settled, JobEnd.SettledUnaudited, opened
            ? $"settled unaudited: drawn for audit, but no verifier delivered a verdict{paid}"
            : $"settled unaudited: the audit draw passed it over{paid}");
    }
}
