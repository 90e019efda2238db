using Exchange.Chain.Bindings;

namespace Exchange.Node.Client;

/// <summary>What the chain logged about a job's end (the latest of each kind), for <see cref="JobOutcome.From"/>.</summary>
/// <param name="Expired">Its <c>JobExpired</c>, or null.</param>
/// <param name="Declined">Whether its provider declined it (<c>JobDeclined</c>).</param>
/// <param name="Settled">Its <c>JobSettled</c>, or null.</param>
/// <param name="AuditOpened">Whether the court opened an audit of it.</param>
/// <param name="Passed">The latest pass verdict, or null.</param>
/// <param name="Failed">The latest fail verdict, or null.</param>
/// <param name="Resolved">Its dispute's final ruling, or null.</param>
public sealed record JobEvents(
    JobExpiredEventDTO? Expired, bool Declined, JobSettledEventDTO? Settled, bool AuditOpened,
    VerdictSubmittedEventDTO? Passed, VerdictSubmittedEventDTO? Failed, DisputeResolvedEventDTO? Resolved)
{
    /// <summary>Nothing logged yet.</summary>
    public static JobEvents None { get; } = new(null, false, null, false, null, null, null);
}
