using System.Diagnostics;
using System.Globalization;
using Exchange.Chain.Deployment;
using Exchange.Chain.Wallets;
using Exchange.Local.Hardhat;
using Nethereum.Web3;

namespace Exchange.Local.Reliability;

/// <summary>
/// The reliability campaign: a real <c>npx hardhat node</c>, and the roles as separate
/// <c>exchange</c> processes started the way <c>docs/network.md</c> starts them (deploy, token
/// transfers, <c>api run</c>, <c>client …</c>), then each scenario in turn. See docs/reliability.md.
/// </summary>
public static class ReliabilityCampaign
{
    /// <summary>The API's blob limit during the campaign: small, so that an oversized upload costs little to send.</summary>
    public const long MaxBlobBytes = 1024 * 1024;

    /// <summary>Fewest bad inputs a run must try.</summary>
    public const int MinBadInputs = 40;

    /// <summary>Fewest generated cases the fuzz suites must run.</summary>
    public const long MinFuzzCases = 10_000;

    /// <summary>Runs the scenarios the options name and reports.</summary>
    /// <exception cref="InvalidOperationException">The options are invalid, or the network could not be set up.</exception>
    public static async Task<ReliabilityReport> RunAsync(ReliabilityOptions options, TextWriter progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(progress);
        if (options.Problem() is { } problem)
        {
            throw new InvalidOperationException(problem);
        }

        var clock = Stopwatch.StartNew();
        var data = options.DataDirectory ?? Path.Combine(Path.GetTempPath(), "exchange-reliability-" + Guid.NewGuid().ToString("N")[..8]);
        var problems = new List<string>();
        IReadOnlyList<BadInputResult>? badInputs = null;
        FuzzResult? fuzz = null;
        KillResult? kills = null;
        OutageResult? outage = null;
        RpcOutageResult? rpcOutage = null;
        ReorgResult? reorg = null;
        ClientsResult? clients = null;
        var ran = new List<string>();
        try
        {
            if (ReliabilityOptions.Scenarios.Where(s => s != FuzzScenario.Name).Any(options.Runs))
            {
                await using var network = await CampaignNetwork.StartAsync(options.Program, Path.Combine(data, "network"), progress, cancellationToken).ConfigureAwait(false);
                if (options.Runs(BadInputsScenario.Name))
                {
                    await progress.WriteLineAsync($"== {BadInputsScenario.Name}").ConfigureAwait(false);
                    badInputs = await new BadInputsScenario(network.Operator, network.Web3, network.Deployment, network.ApiData, Path.Combine(data, "bad-inputs"))
                        .RunAsync(network.Api, cancellationToken).ConfigureAwait(false);
                    ran.Add(BadInputsScenario.Name);
                    if (badInputs.Count < MinBadInputs)
                    {
                        problems.Add($"only {badInputs.Count} bad inputs tried, fewer than {MinBadInputs}");
                    }

                    problems.AddRange(badInputs.Where(b => b.Outcome != "refused").Select(b => $"bad input {b.Surface}/{b.Name} {b.Outcome}: {b.Changed ?? b.Answer}"));
                }

                if (new[] { KillScenario.Name, ApiOutageScenario.Name, RpcOutageScenario.Name, ReorgScenario.Name, ConcurrentClientsScenario.Name }.Any(options.Runs))
                {
                    using var roles = new CampaignRoles(network, Path.Combine(data, "roles"), progress);
                    await roles.StartAllAsync(cancellationToken).ConfigureAwait(false);
                    if (options.Runs(KillScenario.Name))
                    {
                        await progress.WriteLineAsync($"== {KillScenario.Name}").ConfigureAwait(false);
                        kills = await new KillScenario(network, roles).RunAsync(cancellationToken).ConfigureAwait(false);
                        ran.Add(KillScenario.Name);
                        if (kills.NotSettled > 0 || kills.Duplicates > 0 || kills.Conserved == false)
                        {
                            problems.Add($"kill -9: {kills.NotSettled} jobs not settled, {kills.Duplicates} duplicates, supply {Books(kills.Conserved)}; client wait exited {kills.WaitExitCode}: {kills.Wait}");
                        }
                    }

                    if (options.Runs(ApiOutageScenario.Name))
                    {
                        await progress.WriteLineAsync($"== {ApiOutageScenario.Name}").ConfigureAwait(false);
                        outage = await new ApiOutageScenario(network, roles, progress).RunAsync(options.Quick, cancellationToken).ConfigureAwait(false);
                        ran.Add(ApiOutageScenario.Name);
                        if (outage.NotSettled > 0 || outage.Duplicates > 0 || outage.Conserved == false || outage.PartiesThatLost > 0)
                        {
                            problems.Add($"api outage: {outage.NotSettled} jobs not settled, {outage.Duplicates} duplicates, {outage.PartiesThatLost} honest parties lost, supply {Books(outage.Conserved)}; client wait exited {outage.WaitExitCode}: {outage.Wait}");
                        }
                    }

                    if (options.Runs(RpcOutageScenario.Name))
                    {
                        await progress.WriteLineAsync($"== {RpcOutageScenario.Name}").ConfigureAwait(false);
                        rpcOutage = await new RpcOutageScenario(network, roles, progress).RunAsync(options.Quick, cancellationToken).ConfigureAwait(false);
                        ran.Add(RpcOutageScenario.Name);
                        if (rpcOutage.NotSettled > 0 || rpcOutage.Duplicates > 0 || rpcOutage.Conserved == false || rpcOutage.PartiesThatLost > 0 || rpcOutage.ConnectionsRefused == 0)
                        {
                            problems.Add($"rpc outage: {rpcOutage.NotSettled} jobs not settled, {rpcOutage.Duplicates} duplicates, {rpcOutage.PartiesThatLost} honest parties lost, supply {Books(rpcOutage.Conserved)}, "
                                + $"{rpcOutage.ConnectionsRefused} connections refused while cut (none: the nodes were never cut off); client wait exited {rpcOutage.WaitExitCode}: {rpcOutage.Wait}");
                        }
                    }

                    if (options.Runs(ReorgScenario.Name))
                    {
                        await progress.WriteLineAsync($"== {ReorgScenario.Name}").ConfigureAwait(false);
                        reorg = await new ReorgScenario(network, roles, progress).RunAsync(cancellationToken).ConfigureAwait(false);
                        ran.Add(ReorgScenario.Name);
                        if (reorg.NotSettled > 0 || reorg.Duplicates > 0 || reorg.Conserved == false || !reorg.ApiConverged)
                        {
                            problems.Add($"reorg of depth {reorg.Depth}: {reorg.NotSettled} jobs after it not settled, {reorg.Duplicates} duplicates, supply {Books(reorg.Conserved)}, "
                                + $"API {(reorg.ApiConverged ? "converged" : "did NOT converge")} (API: {reorg.Api}; chain: {reorg.Chain}); client wait exited {reorg.WaitExitCode}: {reorg.Wait}");
                        }
                    }

                    if (options.Runs(ConcurrentClientsScenario.Name))
                    {
                        await progress.WriteLineAsync($"== {ConcurrentClientsScenario.Name}").ConfigureAwait(false);
                        clients = await new ConcurrentClientsScenario(network, roles, Path.Combine(data, "clients"), progress).RunAsync(options.Quick, cancellationToken).ConfigureAwait(false);
                        ran.Add(ConcurrentClientsScenario.Name);
                        if (clients.NotSettled > 0 || clients.Duplicates > 0 || clients.Conserved != true || clients.OutputsMissing > 0 || clients.Runs.Any(r => r.ExitCode != 0))
                        {
                            problems.Add($"{clients.Clients} concurrent clients: {clients.NotSettled} of {clients.Jobs} jobs not settled, {clients.Duplicates} duplicates, {clients.OutputsMissing} outputs missing, "
                                + $"supply {Books(clients.Conserved)}; " + string.Join("; ", clients.Runs.Where(r => r.ExitCode != 0).Select(r => $"client {r.Account} exited {r.ExitCode}: {r.Error}")));
                        }
                    }
                }
            }

            if (options.Runs(FuzzScenario.Name))
            {
                await progress.WriteLineAsync($"== {FuzzScenario.Name}").ConfigureAwait(false);
                fuzz = await FuzzScenario.RunAsync(HardhatNode.FindRepositoryRoot(), Path.Combine(data, "fuzz"), cancellationToken).ConfigureAwait(false);
                ran.Add(FuzzScenario.Name);
                problems.AddRange(fuzz.Suites.Where(s => s.ExitCode != 0).Select(s => $"fuzz suite {s.Project} failed: {s.Summary}"));
                if (fuzz.Cases < MinFuzzCases)
                {
                    problems.Add($"only {fuzz.Cases} fuzz cases ran, fewer than {MinFuzzCases}");
                }
            }
        }
        finally
        {
            if (options.DataDirectory is null)
            {
                TryDelete(data);
            }
        }

        var notRun = ReliabilityOptions.Scenarios.Where(s => !ran.Contains(s)).ToDictionary(s => s, _ => "not asked for (--only)");
        var lostJobs = (kills?.NotSettled ?? 0) + (outage?.NotSettled ?? 0) + (rpcOutage?.NotSettled ?? 0) + (reorg?.NotSettled ?? 0) + (clients?.NotSettled ?? 0);
        var lostTasks = ((lostJobs - (clients?.NotSettled ?? 0)) * CampaignRoles.Tasks) + (clients?.OutputsMissing ?? 0);
        var unbalanced = kills is { Conserved: false } || outage is { Conserved: false } || rpcOutage is { Conserved: false } || reorg is { Conserved: false } || clients is { Conserved: false }
            || outage?.PartiesThatLost > 0 || rpcOutage?.PartiesThatLost > 0;
        var crashes = badInputs?.Count(b => b.Outcome == "crashed") ?? 0;
        return new ReliabilityReport(
            problems.Count == 0, options.Quick, ran, notRun, Math.Round(clock.Elapsed.TotalSeconds, 1),
            new Lost(lostJobs, lostTasks, unbalanced ? "unbalanced" : "0"),
            (kills?.Duplicates ?? 0) + (outage?.Duplicates ?? 0) + (rpcOutage?.Duplicates ?? 0) + (reorg?.Duplicates ?? 0) + (clients?.Duplicates ?? 0), crashes,
            badInputs?.Count ?? 0, badInputs?.Count(b => b.Outcome == "accepted") ?? 0, badInputs?.Count(b => b.Outcome == "unclear") ?? 0,
            fuzz?.Cases, problems, badInputs, kills, outage, rpcOutage, reorg, clients, fuzz);
    }

    private static string Books(bool? conserved) => conserved switch
    {
        true => "conserved",
        false => "NOT conserved",
        null => "not judged (a job still in flight holds escrow)",
    };

    private static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // A temporary folder left behind is harmless.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

/// <summary>
/// The network the scenarios run against: a Hardhat node, the contracts deployed and the client
/// funded by <c>exchange</c> commands, and <c>exchange api run</c> as a process of its own.
/// </summary>
internal sealed class CampaignNetwork : IAsyncDisposable
{
    private static readonly TimeSpan ApiReadyWithin = TimeSpan.FromMinutes(3);

    /// <summary>The guide's short windows (docs/network.md), so that jobs settle within a minute.</summary>
    private const string Parameters = """
        {
          "epochLength": 30,
          "unbondingDelay": 3600,
          "minVerifierStake": "100000000000000000000",
          "market": { "auditRateBps": 10000, "auditedTasksPerJob": 8, "collateralMultiplierBps": 30000, "challengeWindow": 5,
                      "verificationFeeBps": 1100, "auditRewardBps": 1000, "clientAuditFeeBps": 2000 },
          "court": { "auditWindow": 120, "commitWindow": 10, "revealWindow": 10, "appealWindow": 10, "passAppealWindow": 10,
                     "committeeSize": 3, "minChallengerBond": "1000000000000000000", "verifierTimeoutPenalty": "1000000000000000000",
                     "incoherencePenalty": "1000000000000000000" }
        }
        """;

    private readonly HardhatNode _chain;
    private readonly IReadOnlyList<string> _apiArguments;
    private RoleProcess _api;

    private CampaignNetwork(HardhatNode chain, RoleProcess api, IReadOnlyList<string> apiArguments, Operator op, Web3 web3, ChainDeployment deployment, string apiData)
    {
        _chain = chain;
        _api = api;
        _apiArguments = apiArguments;
        Operator = op;
        Web3 = web3;
        Deployment = deployment;
        ApiData = apiData;
        Api = new HttpClient { BaseAddress = op.Api, Timeout = TimeSpan.FromSeconds(60) };
    }

    public Operator Operator { get; }

    /// <summary>The Hardhat node, for its own methods (<c>evm_snapshot</c>, <c>evm_revert</c>, <c>evm_mine</c>).</summary>
    public HardhatNode Chain => _chain;

    public Web3 Web3 { get; }

    public ChainDeployment Deployment { get; }

    /// <summary>The API's data folder (its blobs, its database).</summary>
    public string ApiData { get; }

    /// <summary>A plain HTTP client for the API, as any caller on the network has.</summary>
    public HttpClient Api { get; }

    public static async Task<CampaignNetwork> StartAsync(ExchangeProgram program, string folder, TextWriter progress, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        var chain = await HardhatNode.StartAsync(cancellationToken).ConfigureAwait(false);
        RoleProcess? api = null;
        try
        {
            var apiUrl = new Uri($"http://127.0.0.1:{HardhatNode.FreePort().ToString(CultureInfo.InvariantCulture)}/");
            var dataHome = Path.Combine(folder, "share");
            var op = new Operator(program, dataHome, chain.RpcUrl, apiUrl);
            var parameters = Path.Combine(folder, "local-params.json");
            await File.WriteAllTextAsync(parameters, Parameters, cancellationToken).ConfigureAwait(false);
            await progress.WriteLineAsync($"chain at {chain.RpcUrl}; exchange deploy").ConfigureAwait(false);
            await op.RunCheckedAsync(["deploy", "--dev-account", "0", "--params", parameters], cancellationToken).ConfigureAwait(false);
            var web3 = new Web3(chain.RpcUrl.ToString());
            var chainId = await web3.Eth.ChainId.SendRequestAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            var deployment = DeploymentFile.Read(Path.Combine(dataHome, "exchange", "deployments", chainId.Value.ToString(CultureInfo.InvariantCulture) + ".json"), chainId.Value);
            var client = BadInputsScenario.Client.ToString(CultureInfo.InvariantCulture);
            foreach (var account in Funded)
            {
                await op.RunCheckedAsync(["token", "transfer", "--dev-account", "0", "--to", DevAccounts.Address(account), "--amount", "5000"], cancellationToken).ConfigureAwait(false);
            }

            await op.RunCheckedAsync(["client", "deposit", "--dev-account", client, "100"], cancellationToken).ConfigureAwait(false);
            var apiData = Path.Combine(folder, "api");
            await progress.WriteLineAsync($"exchange api run on {apiUrl}").ConfigureAwait(false);
            string[] apiArguments = ["api", "run", "--urls", apiUrl.ToString().TrimEnd('/'), "--data", apiData];
            api = await StartApiAsync(op, apiArguments, cancellationToken).ConfigureAwait(false);
            return new CampaignNetwork(chain, api, apiArguments, op, web3, deployment, apiData);
        }
        catch
        {
            api?.Dispose();
            chain.Dispose();
            throw;
        }
    }

    /// <summary>Stops the API (with SIGKILL when <paramref name="kill"/>) and starts it again on its data.</summary>
    public async Task RestartApiAsync(bool kill, CancellationToken cancellationToken)
    {
        if (kill)
        {
            _api.Kill();
        }

        _api.Dispose();
        _api = await StartApiAsync(Operator, _apiArguments, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops the API with SIGKILL; <see cref="RestartApiAsync"/> starts it again.</summary>
    public void KillApi() => _api.Kill();

    private static Task<RoleProcess> StartApiAsync(Operator op, IReadOnlyList<string> arguments, CancellationToken cancellationToken) =>
        op.StartAsync("api", arguments, "exchange api listening on", ApiReadyWithin, cancellationToken, new Dictionary<string, string> { ["Api__MaxBlobBytes"] = MaxBlobBytesText });

    /// <summary>The accounts the deployer gives tokens: the provider (1), the verifiers (2-4), the client (5), as docs/network.md does.</summary>
    private static readonly int[] Funded = [1, 2, 3, 4, BadInputsScenario.Client];

    public ValueTask DisposeAsync()
    {
        Api.Dispose();
        _api.Dispose();
        _chain.Dispose();
        return ValueTask.CompletedTask;
    }

    private static string MaxBlobBytesText => ReliabilityCampaign.MaxBlobBytes.ToString(CultureInfo.InvariantCulture);
}
