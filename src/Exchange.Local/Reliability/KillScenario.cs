using System.Numerics;
using Exchange.Chain.Bindings;

namespace Exchange.Local.Reliability;

/// <summary>
/// <c>kill -9</c> of each role at a point of a job's life, then the same command started again:
/// the provider before and after it accepts, the API after an accept, the client after the result
/// is submitted, two verifiers during an audit. Every job must end settled, with one accept, one
/// result, one settlement and at most one verdict per verifier on the chain, and the supply conserved.
/// </summary>
internal sealed class KillScenario(CampaignNetwork network, CampaignRoles roles)
{
    /// <summary>The scenario's name in <c>--only</c> and the report.</summary>
    public const string Name = "kill-9";

    private static readonly TimeSpan EndWithin = TimeSpan.FromMinutes(12);

    private readonly List<KillPoint> _points = [];

    /// <summary>Runs the kills and judges the jobs.</summary>
    public async Task<KillResult> RunAsync(CancellationToken cancellationToken)
    {
        var jobs = new List<BigInteger>();

        // The provider dead when the job is created: started again, it must find the job.
        roles.Kill("provider");
        var a = await roles.SubmitAsync("a", cancellationToken).ConfigureAwait(false);
        jobs.Add(a);
        await roles.StartAsync("provider", cancellationToken).ConfigureAwait(false);
        _points.Add(new KillPoint("provider", "before accept", a));

        // The provider killed right after its accept: it must compute and submit once.
        var b = await roles.SubmitAsync("b", cancellationToken).ConfigureAwait(false);
        jobs.Add(b);
        await roles.WaitForEventAsync<JobAcceptedEventDTO>(network.Deployment.JobMarket, e => e.JobId, b, cancellationToken).ConfigureAwait(false);
        roles.Kill("provider");
        await roles.StartAsync("provider", cancellationToken).ConfigureAwait(false);
        _points.Add(new KillPoint("provider", "after accept", b));

        // The API killed after an accept, before the provider fetched or uploaded.
        var c = await roles.SubmitAsync("c", cancellationToken).ConfigureAwait(false);
        jobs.Add(c);
        await roles.WaitForEventAsync<JobAcceptedEventDTO>(network.Deployment.JobMarket, e => e.JobId, c, cancellationToken).ConfigureAwait(false);
        await network.RestartApiAsync(kill: true, cancellationToken).ConfigureAwait(false);
        _points.Add(new KillPoint("api", "after accept", c));

        // The client following its job killed once the result is submitted; `client wait` follows it again.
        var before = await roles.CreatedAsync(cancellationToken).ConfigureAwait(false);
        var follower = network.Operator.Start("client", ["client", "submit", "--dev-account", CampaignRoles.Client, "--model", CampaignRoles.ModelName, "--input", .. roles.Inputs("d"), "--wait", "--json"]);
        var d = await roles.WaitForNewJobAsync(before, follower, cancellationToken).ConfigureAwait(false);
        jobs.Add(d);
        await roles.WaitForEventAsync<ResultSubmittedEventDTO>(network.Deployment.JobMarket, e => e.JobId, d, cancellationToken).ConfigureAwait(false);
        follower.Kill();
        follower.Dispose();
        _points.Add(new KillPoint("client", "after submit", d));

        // Two of the three verifiers killed during an audit.
        var e = await roles.SubmitAsync("e", cancellationToken).ConfigureAwait(false);
        jobs.Add(e);
        await roles.WaitForEventAsync<AuditOpenedEventDTO>(network.Deployment.AuditCourt, x => x.JobId, e, cancellationToken).ConfigureAwait(false);
        roles.Kill("verifier2");
        roles.Kill("verifier3");
        await roles.StartAsync("verifier2", cancellationToken).ConfigureAwait(false);
        await roles.StartAsync("verifier3", cancellationToken).ConfigureAwait(false);
        _points.Add(new KillPoint("verifier", "during audit", e));

        var wait = await roles.WaitAsync(jobs, EndWithin, cancellationToken).ConfigureAwait(false);
        var chain = await roles.JudgeAsync(jobs, cancellationToken).ConfigureAwait(false);
        return new KillResult(_points, chain.Jobs, chain.NotSettled, chain.Duplicates, chain.Conserved, wait.ExitCode, CampaignRoles.Shorten(wait.ExitCode == 0 ? wait.Stdout : wait.Stderr));
    }
}

/// <summary>Where a role was killed.</summary>
/// <param name="Role">provider, verifier, client or api.</param>
/// <param name="When">The point of the job's life.</param>
/// <param name="JobId">The job in flight.</param>
public sealed record KillPoint(string Role, string When, BigInteger JobId);

/// <summary>One job's events on the chain after the kills.</summary>
public sealed record KillJob(string JobId, int Accepted, int Submitted, int Settled, int Expired);

/// <summary>The kill scenario's result.</summary>
/// <param name="Kills">Each kill.</param>
/// <param name="Jobs">Each job's events.</param>
/// <param name="NotSettled">Jobs that did not end settled exactly once.</param>
/// <param name="Duplicates">Accepts, results, endings or verdicts beyond one.</param>
/// <param name="Conserved">Whether the supply and the market's books balance; null while a job is in flight.</param>
/// <param name="WaitExitCode">client wait's exit code (0: every job settled).</param>
/// <param name="Wait">What client wait printed, shortened.</param>
public sealed record KillResult(IReadOnlyList<KillPoint> Kills, IReadOnlyList<KillJob> Jobs, int NotSettled, int Duplicates, bool? Conserved, int WaitExitCode, string Wait);
