using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Text.Json;
using Exchange.Chain.Wallets;

namespace Exchange.Local.Reliability;

/// <summary>
/// Eight clients at once, each its own <c>client submit --wait --out</c> process with 250 distinct
/// inputs (25 with <c>--quick</c>), against the one provider and the three verifiers: every job
/// must settle exactly once, every client must get every output, each proved against its job's
/// signed result root as <c>client submit</c> downloads it, and the supply must balance. The
/// clients are dev accounts 6-13, given tokens by the deployer first; the provider is given enough
/// to keep every client's jobs collateralised at once (the market refuses a job its provider cannot
/// back, and the campaign's provider otherwise keeps four jobs' worth).
/// </summary>
internal sealed class ConcurrentClientsScenario(CampaignNetwork network, CampaignRoles roles, string folder, TextWriter progress)
{
    /// <summary>The scenario's name in <c>--only</c> and the report.</summary>
    public const string Name = "concurrent-clients";

    /// <summary>Clients submitting at once.</summary>
    public const int Clients = 8;

    /// <summary>The first client's dev account; the others follow.</summary>
    public const int FirstClient = 6;

    private static readonly TimeSpan EndWithin = TimeSpan.FromMinutes(20);

    // The campaign's collateralMultiplierBps (30,000) at its unit price of 1 token: collateral per task.
    private const int CollateralPerToken = 3;

    /// <summary>Runs the clients side by side and judges their jobs and outputs.</summary>
    public async Task<ClientsResult> RunAsync(bool quick, CancellationToken cancellationToken)
    {
        var tasks = quick ? 25 : 250;
        var op = network.Operator;
        Directory.CreateDirectory(folder);

        // Tokens for the clients (each pays for its tasks with fees from its wallet by permit) and
        // collateral for every job in flight: the provider restarts keeping that much locked.
        foreach (var client in Enumerable.Range(FirstClient, Clients))
        {
            await op.RunCheckedAsync(["token", "transfer", "--dev-account", "0", "--to", DevAccounts.Address(client), "--amount", "1000"], cancellationToken).ConfigureAwait(false);
        }

        // Collateral comes out of the provider's free stake: it stakes that much more than the campaign's 1,000.
        var collateralJobs = ((Clients * tasks) + CampaignRoles.MaxTasks - 1) / CampaignRoles.MaxTasks + Clients;
        var collateral = collateralJobs * CampaignRoles.MaxTasks * CollateralPerToken;
        await op.RunCheckedAsync(["token", "transfer", "--dev-account", "0", "--to", DevAccounts.Address(1), "--amount", collateral.ToString(CultureInfo.InvariantCulture)], cancellationToken).ConfigureAwait(false);
        await roles.StartAsync("provider", cancellationToken, providerStake: 1_000 + collateral, collateralJobs: collateralJobs).ConfigureAwait(false);

        // Values from 10,000 up: apart from the other scenarios' inputs, so that no two tasks anywhere are alike.
        var inputs = Enumerable.Range(FirstClient, Clients).ToDictionary(c => c, c => CampaignRoles.Inputs($"client{c}", tasks, folder, 10_000 + (c * 1_000)));
        await progress.WriteLineAsync($"{Clients} clients submit {tasks} tasks each at once").ConfigureAwait(false);
        var clock = Stopwatch.StartNew();
        var runs = await Task.WhenAll(Enumerable.Range(FirstClient, Clients).Select(c => SubmitAsync(c, inputs[c], cancellationToken))).ConfigureAwait(false);
        var seconds = clock.Elapsed.TotalSeconds;
        await progress.WriteLineAsync($"clients done in {seconds:0} s: exit codes {string.Join(' ', runs.Select(r => r.ExitCode))}").ConfigureAwait(false);

        var jobs = runs.SelectMany(r => r.JobIds).Select(j => BigInteger.Parse(j, CultureInfo.InvariantCulture)).ToList();
        var chain = await roles.JudgeAsync(jobs, cancellationToken).ConfigureAwait(false);
        var written = runs.Sum(r => r.Files);
        return new ClientsResult(
            Clients, tasks, Math.Round(seconds, 1), Math.Round(Clients * tasks / Math.Max(seconds, 1e-3), 2), jobs.Count,
            chain.NotSettled, chain.Duplicates, chain.Conserved, written, (Clients * tasks) - written, runs);
    }

    /// <summary>One client's <c>client submit --wait --out</c>; its jobs, and the output files it wrote.</summary>
    private async Task<ClientRun> SubmitAsync(int account, string[] inputs, CancellationToken cancellationToken)
    {
        var output = Path.Combine(folder, $"out{account}");
        var clock = Stopwatch.StartNew();
        CommandResult result;
        try
        {
            result = await network.Operator.RunAsync(
                ["client", "submit", "--dev-account", account.ToString(CultureInfo.InvariantCulture), "--model", CampaignRoles.ModelName, "--input", .. inputs, "--wait", "--out", output, "--json"],
                cancellationToken, timeout: EndWithin).ConfigureAwait(false);
        }
        catch (TimeoutException e)
        {
            result = new CommandResult(124, "", e.Message);
        }

        List<string> jobIds = [];
        var reported = 0;
        if (result.ExitCode == 0 || result.Stdout.TrimStart().StartsWith('{'))
        {
            using var summary = JsonDocument.Parse(result.Stdout);
            jobIds = [.. summary.RootElement.GetProperty("jobIds").EnumerateArray().Select(j => j.GetString()!)];
            reported = summary.RootElement.GetProperty("outputsWritten").GetInt32();
        }

        // The files are what the client has: an output counts once it is on disk.
        var files = Directory.Exists(output) ? Directory.GetFiles(output, "*.npy").Length : 0;
        return new ClientRun(
            DevAccounts.Address(account), result.ExitCode, Math.Round(clock.Elapsed.TotalSeconds, 1), jobIds, reported, files,
            result.ExitCode == 0 ? "" : CampaignRoles.Shorten(result.Stderr.Length > 0 ? result.Stderr : result.Stdout));
    }
}

/// <summary>The concurrent clients' result.</summary>
/// <param name="Clients">Clients that submitted at once.</param>
/// <param name="TasksPerClient">Tasks each submitted.</param>
/// <param name="Seconds">Wall time from the first submission to the last client's end.</param>
/// <param name="TasksPerSecond">All clients' tasks over <paramref name="Seconds"/>.</param>
/// <param name="Jobs">Jobs the clients created.</param>
/// <param name="NotSettled">Jobs that did not end settled exactly once.</param>
/// <param name="Duplicates">Accepts, results, endings or verdicts beyond one.</param>
/// <param name="Conserved">Whether the supply and the market's books balance; null while a job is in flight.</param>
/// <param name="OutputsFetched">Output files the clients wrote, each proved against its result root on the way.</param>
/// <param name="OutputsMissing">Tasks whose output no client wrote.</param>
/// <param name="Runs">Each client's run.</param>
public sealed record ClientsResult(
    int Clients, int TasksPerClient, double Seconds, double TasksPerSecond, int Jobs, int NotSettled, int Duplicates, bool? Conserved,
    int OutputsFetched, int OutputsMissing, IReadOnlyList<ClientRun> Runs);

/// <summary>One client's <c>client submit --wait --out</c>.</summary>
/// <param name="Account">The client's address.</param>
/// <param name="ExitCode">Its exit code (124: it ran past the scenario's limit).</param>
/// <param name="Seconds">Its wall time.</param>
/// <param name="JobIds">The jobs it created.</param>
/// <param name="OutputsWritten">Outputs it reported written.</param>
/// <param name="Files">Output files found in its folder.</param>
/// <param name="Error">What it printed when it failed, shortened.</param>
public sealed record ClientRun(string Account, int ExitCode, double Seconds, IReadOnlyList<string> JobIds, int OutputsWritten, int Files, string Error);
