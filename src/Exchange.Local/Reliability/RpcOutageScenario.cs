using System.Diagnostics;

namespace Exchange.Local.Reliability;

/// <summary>
/// The chain endpoint of the provider and the three verifiers gone for 90 seconds (30 with
/// <c>--quick</c>) while jobs are in flight, one just created and one accepted, and the chain going
/// on without them: they reach it through an <see cref="RpcProxy"/> that is cut (every connection
/// reset), while the campaign mines a block a second, as a live chain would. Then the relay comes
/// back. No honest party may lose: both jobs settle once and the provider and each verifier own at
/// least what they owned before. Afterwards the roles reach the chain directly again.
/// </summary>
internal sealed class RpcOutageScenario(CampaignNetwork network, CampaignRoles roles, TextWriter progress)
{
    /// <summary>The scenario's name in <c>--only</c> and the report.</summary>
    public const string Name = "rpc-outage";

    private static readonly TimeSpan EndWithin = TimeSpan.FromMinutes(15);

    /// <summary>Runs the outage and compares what each party owned before and after.</summary>
    public async Task<RpcOutageResult> RunAsync(bool quick, CancellationToken cancellationToken)
    {
        var down = quick ? TimeSpan.FromSeconds(30) : TimeSpan.FromSeconds(90);
        var proxy = RpcProxy.Start(network.Operator.Rpc);
        try
        {
            await StartRolesAsync(proxy.Url, cancellationToken).ConfigureAwait(false);
            var mined = 0;
            var run = await roles.OutageAsync("rpc", async (accepted, created) =>
            {
                proxy.Cut();
                await progress.WriteLineAsync($"chain endpoint of the provider and the verifiers cut for {down.TotalSeconds:0} s with jobs {accepted} and {created} in flight; a block a second meanwhile").ConfigureAwait(false);
                var clock = Stopwatch.StartNew();
                while (clock.Elapsed < down)
                {
                    await network.Chain.RequestAsync<string>("evm_mine").WaitAsync(cancellationToken).ConfigureAwait(false);
                    mined++;
                    await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
                }

                proxy.Restore();
                await progress.WriteLineAsync($"relay back after {clock.Elapsed.TotalSeconds:0} s ({mined} blocks mined, {proxy.Refused} connections refused)").ConfigureAwait(false);
            }, EndWithin, cancellationToken).ConfigureAwait(false);

            return new RpcOutageResult(
                Math.Round(down.TotalSeconds), mined, proxy.Refused, run.Chain.Jobs, run.Chain.NotSettled, run.Chain.Duplicates, run.Chain.Conserved, run.Parties,
                run.PartiesThatLost, run.WaitExitCode, run.Wait);
        }
        finally
        {
            // The later scenarios use the chain directly, as before this one.
            await StartRolesAsync(null, cancellationToken).ConfigureAwait(false);
            await proxy.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task StartRolesAsync(Uri? rpc, CancellationToken cancellationToken)
    {
        await roles.StartAsync("provider", cancellationToken, rpc: rpc).ConfigureAwait(false);
        foreach (var verifier in CampaignRoles.Verifiers)
        {
            await roles.StartAsync(verifier, cancellationToken, rpc: rpc).ConfigureAwait(false);
        }
    }
}

/// <summary>The chain endpoint outage's result.</summary>
/// <param name="DownSeconds">How long the relay was cut.</param>
/// <param name="BlocksMined">Blocks the chain made meanwhile.</param>
/// <param name="ConnectionsRefused">Connections the nodes tried while it was cut (each reset at once): proof they were cut off.</param>
/// <param name="Jobs">Each job's events on the chain.</param>
/// <param name="NotSettled">Jobs that did not end settled exactly once.</param>
/// <param name="Duplicates">Accepts, results, endings or verdicts beyond one.</param>
/// <param name="Conserved">Whether the supply and the market's books balance; null while a job is in flight.</param>
/// <param name="Parties">The provider's and the verifiers' tokens before and after.</param>
/// <param name="PartiesThatLost">Honest parties that own less after.</param>
/// <param name="WaitExitCode">client wait's exit code.</param>
/// <param name="Wait">What client wait printed, shortened.</param>
public sealed record RpcOutageResult(
    double DownSeconds, int BlocksMined, int ConnectionsRefused, IReadOnlyList<KillJob> Jobs, int NotSettled, int Duplicates, bool? Conserved,
    IReadOnlyList<PartyWealth> Parties, int PartiesThatLost, int WaitExitCode, string Wait);
