using System.Diagnostics;

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
        var run = await roles.OutageAsync("outage", async (accepted, created) =>
        {
            network.KillApi();
            await progress.WriteLineAsync($"kill -9 api; down for {down.TotalSeconds:0} s with jobs {accepted} and {created} in flight").ConfigureAwait(false);
            var clock = Stopwatch.StartNew();
            await Task.Delay(down, cancellationToken).ConfigureAwait(false);
            await network.RestartApiAsync(kill: false, cancellationToken).ConfigureAwait(false);
            await progress.WriteLineAsync($"api back after {clock.Elapsed.TotalSeconds:0} s").ConfigureAwait(false);
        }, EndWithin, cancellationToken).ConfigureAwait(false);

        return new OutageResult(
            Math.Round(down.TotalSeconds), run.Chain.Jobs, run.Chain.NotSettled, run.Chain.Duplicates, run.Chain.Conserved, run.Parties, run.PartiesThatLost, run.WaitExitCode, run.Wait);
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
