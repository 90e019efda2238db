using Exchange.Chain.Bindings;
using Exchange.Chain.Deployment;
using Exchange.Core.Hashing;
using Exchange.Core.Jobs;
using Exchange.Node.Client;

namespace Exchange.Node.Tests.Client;

/// <summary>How the client reads a job's end from its status and events: the five answers it gives, amounts in tokens, dates in ISO 8601.</summary>
public sealed class JobOutcomeTests
{
    private const string Verifier = "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc";

    // Due 2026-11-30T16:00:00Z.
    private static readonly Job Record = new(
        "0x" + new string('1', 40), "0x" + new string('2', 40), Bytes32.Zero, MarketParameters.Tokens(1), 4, 1_796_054_400,
        Bytes32.Zero, Bytes32.Zero, Bytes32.Zero, Bytes32.Zero, 0, 0);

    private static readonly JobSettledEventDTO Paid = new() { JobId = 7, Payout = MarketParameters.Tokens(4) };

    [Fact]
    public void A_job_not_ended_is_pending_with_its_deadline()
    {
        var outcome = JobOutcome.From(7, JobStatus.Accepted, Record, JobEvents.None);

        Assert.Equal((JobEnd.Pending, "pending", false), (outcome.End, outcome.EndName, outcome.Failed));
        Assert.Equal("pending: accepted, due 2026-11-30T16:00:00Z", outcome.Detail);
    }

    [Fact]
    public void A_settled_job_says_whether_a_verifier_passed_it_a_committee_cleared_it_or_nobody_checked_it()
    {
        var passed = new VerdictSubmittedEventDTO { JobId = 7, Verifier = Verifier, Pass = true };
        var failed = new VerdictSubmittedEventDTO { JobId = 7, Verifier = Verifier, Pass = false };
        var cleared = new DisputeResolvedEventDTO { JobId = 7, ProviderWrong = false };

        var audited = JobOutcome.From(7, JobStatus.Settled, Record, JobEvents.None with { Settled = Paid, AuditOpened = true, Passed = passed });
        var disputed = JobOutcome.From(7, JobStatus.Settled, Record, JobEvents.None with { Settled = Paid, AuditOpened = true, Failed = failed, Resolved = cleared });
        var unverified = JobOutcome.From(7, JobStatus.Settled, Record, JobEvents.None with { Settled = Paid, AuditOpened = true });
        var notDrawn = JobOutcome.From(7, JobStatus.Settled, Record, JobEvents.None with { Settled = Paid });

        Assert.Equal("settled-audited", audited.EndName);
        Assert.Equal($"settled after an audit: verifier {Verifier} re-ran drawn tasks and passed them; the provider was paid 4 tokens", audited.Detail);
        Assert.Equal($"settled after an audit: verifier {Verifier} failed the audit and the committee ruled the provider right; the provider was paid 4 tokens", disputed.Detail);
        Assert.Equal((JobEnd.SettledUnaudited, "settled unaudited: drawn for audit, but no verifier delivered a verdict; the provider was paid 4 tokens"), (unverified.End, unverified.Detail));
        Assert.Equal((JobEnd.SettledUnaudited, "settled unaudited: the audit draw passed it over; the provider was paid 4 tokens"), (notDrawn.End, notDrawn.Detail));
        Assert.All(new[] { audited, disputed, unverified, notDrawn }, o => Assert.False(o.Failed));
    }

    [Fact]
    public void A_slashed_job_names_the_verdict_and_what_was_slashed()
    {
        var events = JobEvents.None with
        {
            AuditOpened = true,
            Failed = new VerdictSubmittedEventDTO { JobId = 7, Verifier = Verifier, Pass = false },
            Resolved = new DisputeResolvedEventDTO { JobId = 7, ProviderWrong = true, Slashed = MarketParameters.Tokens(12) / 10 },
        };

        var outcome = JobOutcome.From(7, JobStatus.Slashed, Record, events);

        Assert.Equal((JobEnd.Slashed, "slashed", true), (outcome.End, outcome.EndName, outcome.Failed));
        Assert.Equal($"slashed: verifier {Verifier} failed the audit and the committee ruled the provider wrong; 1.2 tokens of collateral slashed", outcome.Detail);

        // A pass that an appeal overturned.
        var appealed = JobOutcome.From(7, JobStatus.Slashed, Record, events with { Failed = null, Passed = new VerdictSubmittedEventDTO { JobId = 7, Verifier = Verifier, Pass = true } });
        Assert.Equal($"slashed: verifier {Verifier} passed it, the pass was appealed and the committee ruled the provider wrong; 1.2 tokens of collateral slashed", appealed.Detail);
    }

    [Fact]
    public void An_expired_job_says_whether_its_provider_declined_it_and_what_came_back()
    {
        var refund = new JobExpiredEventDTO { JobId = 7, Refund = MarketParameters.Tokens(448) / 100 };

        var declined = JobOutcome.From(7, JobStatus.Expired, Record, JobEvents.None with { Expired = refund, Declined = true });
        var overdue = JobOutcome.From(7, JobStatus.Expired, Record, JobEvents.None with { Expired = refund });

        Assert.Equal((JobEnd.Expired, true), (declined.End, declined.Failed));
        Assert.Equal("declined by the provider, refunded 4.48 tokens", declined.Detail);
        Assert.Equal("expired with no result by 2026-11-30T16:00:00Z, refunded 4.48 tokens", overdue.Detail);
    }
}
