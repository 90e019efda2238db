using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using Exchange.Chain.Bindings;
using Exchange.Chain.Wallets;

namespace Exchange.Local.Reliability;

/// <summary>
/// The exchange API down (SIGKILL, then nothing listening) for five minutes (one with
/// <c>--quick</c>) while jobs are in flight: one just created, one accepted. Then it comes back on
/// its data. No honest party may lose: every job settles, the provider and each verifier own at
/// least what they owned before (wallet, market balance and collateral, stake), and the client
/// paid only for settled jobs.
/// </summary>
internal sealed class ApiOutageScenario(CampaignNetwork network, CampaignRoles roles, TextWriter progress)
{
    /// <summary>The scenario's name in <c>--only</c> and the report.</summary>
    public const string Name = "api-outage";

    private static readonly TimeSpan EndWithin = TimeSpan.FromMinutes(15);

    /// <summary>Runs the outage and compares what each party owned before and after.</summary>
    public async Task<OutageResult> RunAsync(bool quick, CancellationToken cancellationToken)
    {
        var down = quick ? TimeSpan.FromSeconds(60) : TimeSpan.FromMinutes(5);
        var before = await roles.HonestWealthAsync(cancellationToken).ConfigureAwait(false);

        var accepted = await roles.SubmitAsync("outage-accepted", cancellationToken).ConfigureAwait(false);
        await roles.WaitForEventAsync<JobAcceptedEventDTO>(network.Deployment.JobMarket, e => e.JobId, accepted, cancellationToken).ConfigureAwait(false);
        var created = await roles.SubmitAsync("outage-created", cancellationToken).ConfigureAwait(false);
        network.KillApi();
        await progress.WriteLineAsync($"kill -9 api; down for {down.TotalSeconds:0} s with jobs {accepted} and {created} in flight").ConfigureAwait(false);
        var clock = Stopwatch.StartNew();
        await Task.Delay(down, cancellationToken).ConfigureAwait(false);
        await network.RestartApiAsync(kill: false, cancellationToken).ConfigureAwait(false);
        await progress.WriteLineAsync($"api back after {clock.Elapsed.TotalSeconds:0} s").ConfigureAwait(false);

        BigInteger[] jobs = [accepted, created];
        var wait = await roles.WaitAsync(jobs, EndWithin, cancellationToken).ConfigureAwait(false);
        var chain = await roles.JudgeAsync(jobs, cancellationToken).ConfigureAwait(false);
        var parties = await roles.CompareWealthAsync(before, cancellationToken).ConfigureAwait(false);

        return new OutageResult(
            Math.Round(down.TotalSeconds), chain.Jobs, chain.NotSettled, chain.Duplicates, chain.Conserved, parties, parties.Count(p => !p.NoLoss),
            wait.ExitCode, CampaignRoles.Shorten(wait.ExitCode == 0 ? wait.Stdout : wait.Stderr));
    }
}

/// <summary>What an honest party owned before and after.</summary>
public sealed record PartyWealth(string Account, string Before, string After, bool NoLoss);

/// <summary>The outage scenario's result.</summary>
/// <param name="DownSeconds">How long the API was down.</param>
/// <param name="Jobs">Each job's events on the chain.</param>
/// <param name="NotSettled">Jobs that did not end settled exactly once.</param>
/// <param name="Duplicates">Accepts, results, endings or verdicts beyond one.</param>
/// <param name="Conserved">Whether the supply and the market's books balance; null while a job is in flight.</param>
/// <param name="Parties">The provider's and the verifiers' tokens before and after.</param>
/// <param name="PartiesThatLost">Honest parties that own less after.</param>
/// <param name="WaitExitCode">client wait's exit code.</param>
/// <param name="Wait">What client wait printed, shortened.</param>
public sealed record OutageResult(
    double DownSeconds, IReadOnlyList<KillJob> Jobs, int NotSettled, int Duplicates, bool? Conserved, IReadOnlyList<PartyWealth> Parties, int PartiesThatLost, int WaitExitCode, string Wait);
