using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Numerics;
using System.Text.Json;
using Exchange.Chain.Bindings;

namespace Exchange.Local.Reliability;

/// <summary>
/// A chain reorganisation of depth ≥ 3 with a job in flight: <c>evm_snapshot</c>, a job created
/// and accepted and blocks mined on top, then <c>evm_revert</c> to the snapshot and more blocks
/// mined than were dropped, so that every node and the API's indexer saw blocks that are no longer
/// the chain. Then a new job (it takes the dropped job's id): it must settle once, and the API's
/// count of jobs and settled tasks must converge to the chain's, nothing counted twice.
/// </summary>
internal sealed class ReorgScenario(CampaignNetwork network, CampaignRoles roles, TextWriter progress)
{
    /// <summary>The scenario's name in <c>--only</c> and the report.</summary>
    public const string Name = "reorg";

    /// <summary>Blocks the reorganisation drops, at least.</summary>
    private const int Depth = 3;

    private static readonly TimeSpan EndWithin = TimeSpan.FromMinutes(6);
    private static readonly TimeSpan ConvergeWithin = TimeSpan.FromMinutes(2);

    /// <summary>Runs the reorganisation and judges the nodes and the indexer.</summary>
    public async Task<ReorgResult> RunAsync(CancellationToken cancellationToken)
    {
        var chain = network.Chain;
        var snapshot = await chain.RequestAsync<string>("evm_snapshot").WaitAsync(cancellationToken).ConfigureAwait(false);
        var from = await BlockAsync(cancellationToken).ConfigureAwait(false);
        var dropped = await roles.SubmitAsync("reorg-dropped", cancellationToken).ConfigureAwait(false);
        await roles.WaitForEventAsync<JobAcceptedEventDTO>(network.Deployment.JobMarket, e => e.JobId, dropped, cancellationToken).ConfigureAwait(false);
        while (await BlockAsync(cancellationToken).ConfigureAwait(false) < from + Depth)
        {
            await chain.RequestAsync<string>("evm_mine").WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        var top = await BlockAsync(cancellationToken).ConfigureAwait(false);
        if (!await chain.RequestAsync<bool>("evm_revert", snapshot).WaitAsync(cancellationToken).ConfigureAwait(false))
        {
            throw new InvalidOperationException($"evm_revert {snapshot} failed");
        }

        var depth = top - from;
        for (var i = 0UL; i <= depth; i++)
        {
            await chain.RequestAsync<string>("evm_mine").WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        await progress.WriteLineAsync($"reorg: blocks {from + 1}-{top} (job {dropped} created and accepted) replaced by {depth + 1} empty blocks").ConfigureAwait(false);
        var job = await roles.SubmitAsync("reorg-after", cancellationToken).ConfigureAwait(false);
        var wait = await roles.WaitAsync([job], EndWithin, cancellationToken).ConfigureAwait(false);
        var onChain = await roles.JudgeAsync([job], cancellationToken).ConfigureAwait(false);
        var (converged, api, chainView) = await ConvergeAsync(cancellationToken).ConfigureAwait(false);
        return new ReorgResult(
            (int)depth, dropped.ToString(CultureInfo.InvariantCulture), job.ToString(CultureInfo.InvariantCulture), onChain.Jobs, onChain.NotSettled, onChain.Duplicates, onChain.Conserved,
            converged, api, chainView, wait.ExitCode, CampaignRoles.Shorten(wait.ExitCode == 0 ? wait.Stdout : wait.Stderr),
            onChain.NotSettled > 0 ? CampaignRoles.Shorten(roles.Tail("provider", 4)) : null);
    }

    private async Task<ulong> BlockAsync(CancellationToken cancellationToken) =>
        (ulong)(await network.Web3.Eth.Blocks.GetBlockNumber.SendRequestAsync().WaitAsync(cancellationToken).ConfigureAwait(false)).Value;

    /// <summary>Waits until the API's stats match the chain: its job count and its settled tasks (every job has <see cref="CampaignRoles.Tasks"/>).</summary>
    private async Task<(bool Converged, string Api, string Chain)> ConvergeAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        string api;
        string chain;
        do
        {
            var ledger = await network.Web3.Eth.GetContractQueryHandler<LedgerFunction>()
                .QueryDeserializingToObjectAsync<LedgerOutputDTO>(new LedgerFunction(), network.Deployment.JobMarket).WaitAsync(cancellationToken).ConfigureAwait(false);
            var settled = await roles.SettledCountAsync(cancellationToken).ConfigureAwait(false);
            chain = $"{ledger.JobCount} jobs, {settled * CampaignRoles.Tasks} tasks settled";
            using var stats = await network.Api.GetFromJsonAsync<JsonDocument>("stats/", cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException("the API answered no stats");
            api = $"{stats.RootElement.GetProperty("jobs").GetInt64()} jobs, {stats.RootElement.GetProperty("tasksSettled").GetInt64()} tasks settled";
            if (api == chain)
            {
                return (true, api, chain);
            }

            await Task.Delay(1000, cancellationToken).ConfigureAwait(false);
        }
        while (clock.Elapsed < ConvergeWithin);
        return (false, api, chain);
    }
}

/// <summary>The reorganisation scenario's result.</summary>
/// <param name="Depth">Blocks dropped.</param>
/// <param name="DroppedJob">The job that the reorganisation removed.</param>
/// <param name="JobAfter">The job submitted after it (same id when the chain reused it).</param>
/// <param name="Jobs">The job after's events on the chain.</param>
/// <param name="NotSettled">Jobs after the reorganisation that did not settle once (the nodes did not converge).</param>
/// <param name="Duplicates">Accepts, results, endings or verdicts beyond one.</param>
/// <param name="Conserved">Whether the supply and the market's books balance; null while a job is in flight.</param>
/// <param name="ApiConverged">Whether the API's job count and settled tasks came to equal the chain's.</param>
/// <param name="Api">The API's figures.</param>
/// <param name="Chain">The chain's figures.</param>
/// <param name="WaitExitCode">client wait's exit code.</param>
/// <param name="Wait">What client wait printed, shortened.</param>
/// <param name="Provider">The provider's last lines when the job after did not settle, or null.</param>
public sealed record ReorgResult(
    int Depth, string DroppedJob, string JobAfter, IReadOnlyList<KillJob> Jobs, int NotSettled, int Duplicates, bool? Conserved,
    bool ApiConverged, string Api, string Chain, int WaitExitCode, string Wait, string? Provider);
