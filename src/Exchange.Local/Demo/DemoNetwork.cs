using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using Exchange.Api;
using Exchange.Api.Client;
using Exchange.Chain.Bindings;
using Exchange.Chain.Deployment;
using Exchange.Chain.Transactions;
using Exchange.Chain.Wallets;
using Exchange.Core.Diagnostics;
using Exchange.Core.Jobs;
using Exchange.Inference.Calibration;
using Exchange.Inference.Engine;
using Exchange.Inference.Models;
using Exchange.Local.Reliability;
using Exchange.Node.Canary;
using Exchange.Node.Chain;
using Exchange.Node.Client;
using Exchange.Node.Hosting;
using Exchange.Node.Offers;
using Exchange.Node.Provider;
using Exchange.Node.Verifier;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Nethereum.Hex.HexTypes;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Signer;
using Nethereum.Web3;

namespace Exchange.Local.Demo;

/// <summary>
/// The whole network in one process tree: a chain (a local Hardhat node unless one is given), the
/// contracts deployed with windows short enough that a dispute ends in under a minute, the
/// exchange API, honest and cheating providers, verifiers (made drawable by moving the chain's
/// clock on by one epoch; a lazy or copying one if asked), a client that submits real images and
/// waits until every job has ended, and, with a canary rate, the canary service posting its share
/// of jobs with wrong outputs and appealing their passes. Returns what happened, from the chain's
/// own state.
/// </summary>
public sealed class DemoNetwork(DemoOptions options, ILoggerFactory logs)
{
    private const int Deployer = 0;
    private const uint CorruptShareBps = 2_000;
    private const uint PosMarginBps = 500;
    private static readonly BigInteger UnitPrice = MarketParameters.Tokens(1);
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(250);

    /// <summary>How long a provider process may take to start and publish its offer.</summary>
    private static readonly TimeSpan ProcessReadyWithin = TimeSpan.FromMinutes(3);
    private readonly ILogger _log = logs.CreateLogger("demo");

    /// <summary>
    /// Runs the demo to the end and returns the summary. A temporary data folder (no
    /// <see cref="DemoOptions.DataDirectory"/>) is deleted at the end: a run's blobs take hundreds of megabytes.
    /// </summary>
    public async Task<DemoSummary> RunAsync(CancellationToken cancellationToken)
    {
        if (options.Problem() is { } problem)
        {
            throw new InvalidOperationException(problem);
        }

        var data = options.DataDirectory ?? Path.Combine(Path.GetTempPath(), "exchange-demo-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(data);
        try
        {
            return await RunInAsync(data, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (options.DataDirectory is null)
            {
                try
                {
                    Directory.Delete(data, recursive: true);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    _log.StepFailed("deleting the demo's data folder", 1, e.Message);
                }
            }
        }
    }

    private async Task<DemoSummary> RunInAsync(string data, CancellationToken cancellationToken)
    {
        EthECKey.SignRecoverable = true;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Timeout);
        var ct = timeout.Token;
        var clock = Stopwatch.StartNew();

        var roles = Roles();
        var funded = roles.Where(r => r.Kind != RoleKind.Treasury)
            .ToDictionary(r => r.Account, r => r.Kind switch
            {
                RoleKind.Client => MarketParameters.Tokens(100_000),
                // Its stake, and as much again for gas, bonds and fees.
                RoleKind.Provider => BigInteger.Max(MarketParameters.Tokens(20_000), 2 * ProviderStake(ProviderOptionsFor(r))),
                _ => MarketParameters.Tokens(20_000),
            });
        var canaryClient = roles.SingleOrDefault(r => r.Kind == RoleKind.CanaryClient);
        var canaryProvider = roles.SingleOrDefault(r => r.Kind == RoleKind.CanaryProvider);
        await using var network = await LocalNetwork.StartAsync(options.Rpc, DeploymentOptions(), funded, data, options.RoleProcesses ? ExchangeProgram.Current() : null, ct).ConfigureAwait(false);
        var deployer = network.Deployer;
        var deployment = network.Deployment;
        var deployments = network.DeploymentPath;
        var rpc = network.RpcUrl;
        var ws = options.PollOnly ? null : network.WsUrl;
        var apiUrl = network.ApiUrl;
        _log.DemoChain(rpc, data);
        _log.DemoDeployed(deployment.JobMarket, deployment.StakingVault, deployment.ComputeToken);
        var parameters = DeploymentOptions().Market;
        foreach (var silent in roles.Where(r => r.Kind == RoleKind.Silent))
        {
            // The silent provider's offer must be backed by free collateral, or the market refuses its jobs.
            var market = network.Market(silent.Key);
            await market.EnsureStakeAsync(StakeRole.Provider, MarketParameters.Tokens(10_000), ct).ConfigureAwait(false);
            await market.EnsureCollateralAsync(4 * parameters.Collateral(MarketParameters.Price(UnitPrice, (uint)ProviderOptionsFor(silent).MaxTasks)), ct).ConfigureAwait(false);

            // Like any provider it registers an encryption key, so the client's encrypted jobs can go to it.
            using var encryptionKey = ProviderEncryptionKey.LoadOrCreate(Path.Combine(data, silent.Name));
            await market.EnsureEncryptionKeyAsync(ProviderEncryptionKey.PublicKeyBytes(encryptionKey), ct).ConfigureAwait(false);
        }

        var before = await HoldingsAsync(deployer, roles, ct).ConfigureAwait(false);
        _log.DemoApi(apiUrl);

        await using var engine = new InferenceEngine(new ModelRegistry(new ModelStore(Path.Combine(data, "models"))), new InferenceEngineOptions { Device = options.Device });
        var apiClient = network.Api();
        using var stopNodes = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var running = new List<Task>();
        using var providerProcesses = new RoleProcesses();
        using var verifierProcesses = new RoleProcesses();
        foreach (var role in roles.Where(r => r.Kind == RoleKind.Provider))
        {
            if (options.ProviderProcesses || options.RoleProcesses)
            {
                providerProcesses.Add(await StartProviderProcessAsync(role, rpc, ws, apiUrl, deployments, Path.Combine(data, role.Name), ct).ConfigureAwait(false));
                continue;
            }

            var node = NodeOptionsFor(rpc, ws, apiUrl, deployments, Path.Combine(data, role.Name));
            var market = network.Market(role.Key);
            var provider = await NodeFactory.CreateProviderAsync(market, node, ProviderOptionsFor(role), role.Key, engine, apiClient, TimeProvider.System, logs.CreateLogger(role.Name), ct).ConfigureAwait(false);
            await provider.StartAsync(ct).ConfigureAwait(false);
            running.Add(Loop(provider.RunOnceAsync, role.Name, stopNodes.Token, provider.Rounds, NodeSubscription.For(node, provider.WakeFilters)));
        }

        // Verifiers deposit at start, as they stake, the bond of a challenge of the largest job the
        // offers allow (as many as the options take), so that a challenge is one transaction rather
        // than a deposit and a verdict.
        var court = DeploymentOptions().Court;
        var largestJob = roles.Where(r => r.Kind == RoleKind.Provider).Max(r => ProviderOptionsFor(r).MaxTasks);
        var bondReserve = (int)BigInteger.Min(1_000, BigInteger.Divide(court.ChallengerBond(parameters.Collateral(MarketParameters.Price(UnitPrice, (uint)largestJob))) + court.MinChallengerBond - 1, court.MinChallengerBond));
        foreach (var role in roles.Where(r => r.Kind == RoleKind.Verifier))
        {
            if (options.RoleProcesses)
            {
                // Honest ones only (DemoOptions.Problem): a verifier process is what an operator runs.
                verifierProcesses.Add(await StartVerifierProcessAsync(role, bondReserve, rpc, ws, apiUrl, deployments, Path.Combine(data, role.Name), ct).ConfigureAwait(false));
                continue;
            }

            var node = NodeOptionsFor(rpc, ws, apiUrl, deployments, Path.Combine(data, role.Name));
            var market = network.Market(role.Key);
            var verifierOptions = role.Mode == VerifierMode.Honest
                ? new VerifierOptions { BondReserve = bondReserve }
                : new VerifierOptions { BondReserve = bondReserve, Mode = role.Mode, Stake = MarketParameters.Tokens(options.DishonestVerifierStake).ToString(CultureInfo.InvariantCulture) };
            var verifier = await NodeFactory.CreateVerifierAsync(market, node, verifierOptions, role.Key, engine, apiClient, TimeProvider.System, logs.CreateLogger(role.Name), ct).ConfigureAwait(false);
            await verifier.StartAsync(ct).ConfigureAwait(false);
            running.Add(Loop(verifier.RunOnceAsync, role.Name, stopNodes.Token, verifier.Rounds, NodeSubscription.For(node, verifier.WakeFilters)));
        }

        // Stake counts in draws from the epoch after it was added: move the clock on by one epoch so
        // that the verifiers can be drawn for the first job.
        await network.AdvanceEpochAsync(ct).ConfigureAwait(false);

        try
        {
            var client = roles.Single(r => r.Kind == RoleKind.Client);
            var clientMarket = network.Market(client.Key);
            var clientApi = apiClient.SignedBy(client.Key);
            var card = engine.Registry.Resolve(options.Model).Card;
            var session = new ClientSession(clientMarket, clientApi, card, client.Key, TimeProvider.System) { Public = options.Public, WsUrl = ws, Logger = logs.CreateLogger(client.Name) };
            var silent = roles.Where(r => r.Kind == RoleKind.Silent).Select(r => SilentOffer(r, card.ModelId, clientMarket)).ToList();
            var offers = await OffersAsync(clientApi, card.ModelId, clientMarket, roles.Where(r => r.Kind == RoleKind.Provider).Select(r => r.Address).ToHashSet(StringComparer.OrdinalIgnoreCase), ct).ConfigureAwait(false);
            offers = [.. offers, .. silent];

            if (options.WarmUpTasks > 0)
            {
                var warmUp = ClientTask.Synthetic(card, engine.Registry, options.WarmUpTasks, options.Seed + 1);
                var warmUpJobs = await session.CreateAsync(
                    await session.PrepareAsync(warmUp, offers, warmUp.Count, null, ct).ConfigureAwait(false), TimeSpan.FromSeconds(options.JobDeadlineSeconds), 8, null, ct).ConfigureAwait(false);
                await session.WaitAsync(warmUpJobs, null, Poll, ct).ConfigureAwait(false);
            }

            // The user's pictures or sentences exist before the client starts; the client's work begins with them.
            var sources = ClientTask.SyntheticSources(card, options.Tasks, options.Seed);
            var providerCpuAtOpen = providerProcesses.Select(p => p.CpuTime).ToArray();
            var verifierCpuAtOpen = verifierProcesses.Select(p => p.CpuTime).ToArray();
            var apiCpuAtOpen = network.ApiProcess?.CpuTime ?? TimeSpan.Zero;
            StageMeter.Active?.Open();
            var tasks = ClientTask.FromSynthetic(sources, card, engine.Registry);
            var (startBlock, _) = await clientMarket.LatestBlockAsync(ct).ConfigureAwait(false);
            // Jobs sized as `client submit` sizes them, for a latency of half the deadline.
            var size = await session.SizeJobsAsync(tasks.Count, offers, TimeSpan.FromSeconds(options.JobDeadlineSeconds / 2.0), options.TasksPerJob, ct).ConfigureAwait(false);
            _log.DemoJobSize(size);
            var phases = Stopwatch.StartNew();
            var prepared = await session.PrepareAsync(tasks, offers, size.TasksPerJob, null, ct).ConfigureAwait(false);
            var uploadedAt = phases.Elapsed;
            var created = await session.CreateAsync(prepared, TimeSpan.FromSeconds(options.JobDeadlineSeconds), 8, null, ct).ConfigureAwait(false);
            var createdAt = phases.Elapsed;
            _log.DemoJobs(created.Count, options.Tasks);
            var canary = canaryClient is null ? null : await StartCanaryAsync(canaryClient, canaryProvider!, created.Count, size.TasksPerJob, rpc, apiUrl, deployments, data, engine, apiClient, ct).ConfigureAwait(false);
            if (canary is not null)
            {
                running.Add(Loop(canary.RunOnceAsync, "canary", stopNodes.Token));
            }

            var computeClock = Stopwatch.StartNew();
            double? computeSeconds = null;
            var statuses = await session.WaitAsync(created, new Progress<ClientProgress>(p =>
            {
                if (computeSeconds is null && p.Computed == p.Total)
                {
                    computeSeconds = computeClock.Elapsed.TotalSeconds;
                }
            }), Poll, ct).ConfigureAwait(false);
            var endedAt = phases.Elapsed;
            StageMeter.Active?.Close();
            var providerCpu = providerProcesses.Select((p, i) => p.CpuTime - providerCpuAtOpen[i]).ToArray();
            var verifierCpu = verifierProcesses.Select((p, i) => p.CpuTime - verifierCpuAtOpen[i]).ToArray();
            var apiCpu = (network.ApiProcess?.CpuTime ?? TimeSpan.Zero) - apiCpuAtOpen;
            computeSeconds ??= computeClock.Elapsed.TotalSeconds;
            while (canary is { Finished: false })
            {
                // The canaries and their appeals end after the client's jobs; the nodes keep them moving.
                try
                {
                    await Task.Delay(Poll, ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    var open = (await canary.Store.ListAsync(CancellationToken.None).ConfigureAwait(false)).Where(j => j.State != "done");
                    throw new TimeoutException(
                        $"the demo's canaries did not end within {options.Timeout}: still open " + string.Join(", ", open.Select(j => $"job {j.JobId} ({j.State})")));
                }
            }

            var (endBlock, _) = await clientMarket.LatestBlockAsync(ct).ConfigureAwait(false);

            await stopNodes.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(running).ConfigureAwait(false);
            var providerUsage = providerProcesses.Select((p, i) => new RoleProcessUsage(p.Name, providerCpu[i], p.PeakResidentBytes)).ToList();
            var verifierUsage = verifierProcesses.Select((p, i) => new RoleProcessUsage(p.Name, verifierCpu[i], p.PeakResidentBytes)).ToList();
            var apiUsage = network.ApiProcess is { } apiProcess ? new RoleProcessUsage(apiProcess.Name, apiCpu, apiProcess.PeakResidentBytes) : null;

            await deployer.SendMarketAsync(new ClaimProtocolFeesFunction(), ct).ConfigureAwait(false);
            var after = await HoldingsAsync(deployer, roles, ct).ConfigureAwait(false);
            var cheater = roles.FirstOrDefault(r => r.Cheats);
            var cheaterSlashes = cheater is null ? 0 : (int)(await deployer.VaultAccountAsync(cheater.Address, ct).ConfigureAwait(false)).Slashes;
            var gas = await GasUsedAsync(network.Web3, startBlock + 1, endBlock, ct).ConfigureAwait(false);
            var audits = await AuditOutcomesAsync(deployer, roles, ct).ConfigureAwait(false);
            var canaryReport = canary is null ? null : await canary.ReportAsync(ct).ConfigureAwait(false);
            if (canaryReport is not null)
            {
                // The demo's readers know the verifiers by their role names.
                canaryReport = canaryReport with
                {
                    CaughtVerifiers = [.. canaryReport.CaughtVerifiers.Select(a => roles.FirstOrDefault(r => string.Equals(r.Address, a, StringComparison.OrdinalIgnoreCase))?.Name ?? a)],
                };
            }

            return new DemoSummary(
                options.Tasks,
                new DemoJobCounts(
                    statuses.Values.Count(s => s == JobStatus.Settled), statuses.Values.Count(s => s == JobStatus.Slashed),
                    statuses.Values.Count(s => s == JobStatus.Expired), statuses.Values.Count(s => !ClientSession.IsFinal(s))),
                cheaterSlashes,
                roles.ToDictionary(r => r.Name, r => new DemoBalance(Tokens(before[r.Address]), Tokens(after[r.Address]))),
                await ConservedAsync(deployer, roles, ct).ConfigureAwait(false),
                Math.Round(options.Tasks / Math.Max(computeSeconds.Value, 1e-3), 2),
                Math.Round((double)gas / options.Tasks, 0))
            {
                Dashboard = apiUrl,
                JobSize = size,
                Audits = audits,
                Seconds = Math.Round(clock.Elapsed.TotalSeconds, 1),
                Phases = DemoPhases.From(uploadedAt, createdAt, createdAt + TimeSpan.FromSeconds(computeSeconds.Value), endedAt),
                ProviderProcesses = providerUsage,
                VerifierProcesses = verifierUsage,
                ApiProcess = apiUsage,
                Canaries = canaryReport?.Posted ?? 0,
                LazyCaught = canaryReport?.LazyCaught ?? 0,
                Canary = canaryReport,
                Uncaught = [.. roles.Where(r => r.Mode != VerifierMode.Honest && canaryReport?.CaughtVerifiers.Contains(r.Name) != true).Select(r => r.Name)],
            };
        }
        finally
        {
            await stopNodes.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(running.Select(t => t.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default))).ConfigureAwait(false);
        }
    }

    private DeploymentOptions DeploymentOptions()
    {
        var court = new CourtParameters
        {
            AuditWindow = options.AuditWindowSeconds,
            CommitWindow = options.VoteWindowSeconds,
            RevealWindow = options.VoteWindowSeconds,
            AppealWindow = options.CourtWindowSeconds,
            PassAppealWindow = options.PassAppealWindowSeconds,
            CommitteeSize = 3,
            MaxAppeals = 2,
            ChallengerBondBps = 1_000,
            MinChallengerBond = MarketParameters.Tokens(1),
            VerifierTimeoutPenalty = MarketParameters.Tokens(1),
            IncoherencePenalty = MarketParameters.Tokens(1),
            SlashClientBps = 5_000,
            SlashCommitteeBps = 3_000,
        };
        return new()
        {
            MinProviderStake = MarketParameters.Tokens(100),
            MinVerifierStake = MarketParameters.Tokens(100),
            EpochLength = options.EpochSeconds,
            // The court refuses an unbonding delay shorter than its longest dispute.
            UnbondingDelay = court.LongestDispute(options.EpochSeconds),
            Market = new MarketParameters
            {
                AuditRateBps = options.AuditRateBps,
                AuditedTasksPerJob = options.AuditedTasksPerJob,
                CollateralMultiplierBps = CollateralMultiplierBps(options.AuditRateBps),
                CorruptShareBps = CorruptShareBps,
                PosMarginBps = PosMarginBps,
                ChallengeWindow = options.ChallengeWindowSeconds,
                // 11 % covers an audit reward of 10 % with the pool's 5 % margin even when every job is audited.
                VerificationFeeBps = 1_100,
                ProtocolFeeBps = 100,
                AuditRewardBps = 1_000,
                PoolMarginBps = 500,
                ClientAuditFeeBps = 2_000,
                ExpiryPenaltyBps = 1_000,
            },
            Court = court,
        };
    }

    /// <summary>
    /// The least whole multiple, at least 3x, for which cheating does not pay at this audit rate:
    /// <c>a·(1 − s)·(1 + m) &gt; 1 + margin</c> (3x holds down to an audit rate of about 33 %).
    /// </summary>
    private static uint CollateralMultiplierBps(uint auditRateBps)
    {
        const ulong Bps = MarketParameters.Bps;
        var multiplier = 30_000UL;
        while ((ulong)auditRateBps * (Bps - CorruptShareBps) * (Bps + multiplier) <= Bps * Bps * (Bps + PosMarginBps))
        {
            multiplier += Bps;
        }

        return (uint)multiplier;
    }

    private List<Role> Roles()
    {
        var roles = new List<Role> { new("treasury", RoleKind.Treasury, Deployer, false) };
        var next = 1;
        for (var p = 1; p <= options.Providers; p++)
        {
            var cheats = options.CheatRate > 0 && p == options.Providers;
            roles.Add(new Role(cheats ? "cheater" : $"provider{p}", RoleKind.Provider, next++, cheats));
        }

        if (options.SilentProvider)
        {
            roles.Add(new Role("silent", RoleKind.Silent, next++, false));
        }

        for (var v = 1; v <= options.Verifiers; v++)
        {
            roles.Add(new Role($"verifier{v}", RoleKind.Verifier, next++, false));
        }

        if (options.LazyVerifier)
        {
            roles.Add(new Role("lazy", RoleKind.Verifier, next++, false, VerifierMode.Lazy));
        }

        if (options.CopyingVerifier)
        {
            roles.Add(new Role("copying", RoleKind.Verifier, next++, false, VerifierMode.Copying));
        }

        if (options.CanaryRate > 0)
        {
            roles.Add(new Role("canary-client", RoleKind.CanaryClient, next++, false));
            roles.Add(new Role("canary-provider", RoleKind.CanaryProvider, next++, false));
        }

        roles.Add(new Role("client", RoleKind.Client, next, false));
        return roles;
    }

    /// <summary>
    /// Starts the canary service with its share of jobs: as many canaries as keep them within
    /// <see cref="DemoOptions.CanaryRate"/> of all jobs beside the client's <paramref name="clientJobs"/>,
    /// of the client's size (<paramref name="tasksPerJob"/>) and deadline, on the demo's model and price.
    /// </summary>
    private async Task<CanaryNode> StartCanaryAsync(
        Role client, Role provider, int clientJobs, int tasksPerJob, Uri rpc, Uri api, string deployments, string data, InferenceEngine engine, ExchangeApiClient apiClient, CancellationToken ct)
    {
        var canaryOptions = new CanaryOptions
        {
            Rate = options.CanaryRate,
            MaxCanaries = Math.Max(1, (int)Math.Floor(options.CanaryRate * clientJobs / (1 - options.CanaryRate))),
            Tasks = tasksPerJob,
            DeadlineSeconds = options.JobDeadlineSeconds,
            Seed = options.Seed,
        };
        var canary = await NodeFactory.CreateCanaryAsync(
            NodeOptionsFor(rpc, null, api, deployments, Path.Combine(data, "canary")), canaryOptions, ProviderOptionsFor(provider), new CanaryKeys(client.Key, provider.Key),
            engine, apiClient, TimeProvider.System, logs.CreateLogger("canary"), ct).ConfigureAwait(false);
        await canary.StartAsync(ct).ConfigureAwait(false);
        return canary;
    }

    private SignedOffer SilentOffer(Role role, Core.Hashing.Bytes32 modelId, MarketClient market)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var offer = new Core.Eip712.Offer(role.Address, modelId, UnitPrice,
            (uint)ProviderOptionsFor(role).MaxTasks, (uint)ProviderOptionsFor(role).MinTurnaroundSeconds, (ulong)(now + 3600), Core.Eip712.Region.Encode("local"), (ulong)now);
        return SignedOffer.Sign(offer, market.Domain, role.Key.GetPrivateKeyAsBytes());
    }

    /// <summary>
    /// Starts a provider as an operator would, <c>exchange provider run</c> with the options the
    /// in-process provider gets (the model on its default device), and waits until it has published
    /// its offer. Its model store and other defaults live under its own folder.
    /// </summary>
    private Task<RoleProcess> StartProviderProcessAsync(Role role, Uri rpc, Uri? ws, Uri api, string deployments, string folder, CancellationToken ct)
    {
        var provider = ProviderOptionsFor(role);
        string[] arguments =
        [
            "provider", "run", "--dev-account", Number(role.Account), "--model", provider.Model, "--unit-price", TokenUnits.Format(UnitPrice),
            "--max-tasks", Number(provider.MaxTasks), "--min-turnaround", Number(provider.MinTurnaroundSeconds), "--region", provider.Region,
            "--stake", TokenUnits.Format(BigInteger.Parse(provider.Stake, CultureInfo.InvariantCulture)), "--collateral-jobs", Number(provider.CollateralJobs),
            "--batch-size", Number(provider.BatchSize), "--deployment", deployments, "--data", folder,
        ];
        return new Operator(ExchangeProgram.Current(), Path.Combine(folder, "home"), rpc, api).StartAsync(role.Name, arguments, "offers", ProcessReadyWithin, ct, NodeEnvironment(ws));
    }

    /// <summary>
    /// Starts an honest verifier as an operator would, <c>exchange verifier run</c> with the bond
    /// reserve and poll interval the in-process verifier gets, and waits until it is ready.
    /// </summary>
    private static Task<RoleProcess> StartVerifierProcessAsync(Role role, int bondReserve, Uri rpc, Uri? ws, Uri api, string deployments, string folder, CancellationToken ct)
    {
        string[] arguments =
        [
            "verifier", "run", "--dev-account", Number(role.Account), "--bond-reserve", Number(bondReserve), "--deployment", deployments, "--data", folder,
        ];
        return new Operator(ExchangeProgram.Current(), Path.Combine(folder, "home"), rpc, api).StartAsync(role.Name, arguments, "ready", ProcessReadyWithin, ct, NodeEnvironment(ws));
    }

    /// <summary>The node options a role process gets from its environment: the demo's poll interval, and the chain's WebSocket endpoint unless the run only polls.</summary>
    private static Dictionary<string, string> NodeEnvironment(Uri? ws)
    {
        var environment = new Dictionary<string, string> { [$"{NodeOptions.Section}__{nameof(NodeOptions.PollIntervalMs)}"] = Number((int)Poll.TotalMilliseconds) };
        if (ws is not null)
        {
            environment[$"{NodeOptions.Section}__{nameof(NodeOptions.WsUrl)}"] = ws.ToString();
        }

        return environment;
    }

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    private ProviderOptions ProviderOptionsFor(Role role)
    {
        var maxTasks = options.TasksPerJob is { } perJob ? Math.Max(perJob, 64) : DemoOptions.AutoMaxTasks;
        var provider = new ProviderOptions
        {
            Model = options.Model,
            UnitPrice = UnitPrice.ToString(CultureInfo.InvariantCulture),
            MaxTasks = maxTasks,
            // Half the demo's deadline, so the client's jobs clear the offer's turnaround with room to spare.
            MinTurnaroundSeconds = options.JobDeadlineSeconds / 2,
            Region = "local",
            // The client creates all its jobs at once, and the market refuses a job that its provider's
            // free collateral cannot back: every provider keeps enough for all of them, four at least.
            CollateralJobs = Math.Max(4, (options.Tasks + maxTasks - 1) / maxTasks),
            Cheat = role.Cheats ? options.Cheat : CheatMode.None,
            CheatRate = role.Cheats ? options.CheatRate : 0,
            CheatSeed = options.Seed,
        };
        provider.Stake = ProviderStake(provider).ToString(CultureInfo.InvariantCulture);
        return provider;
    }

    /// <summary>A provider's stake: 10,000 tokens, or its collateral reserve and one job more when that is larger.</summary>
    private BigInteger ProviderStake(ProviderOptions provider) =>
        BigInteger.Max(
            MarketParameters.Tokens(10_000),
            (provider.CollateralJobs + 1) * DeploymentOptions().Market.Collateral(MarketParameters.Price(UnitPrice, (uint)provider.MaxTasks)));

    private static NodeOptions NodeOptionsFor(Uri rpc, Uri? ws, Uri api, string deployments, string data) => new()
    {
        RpcUrl = rpc,
        WsUrl = ws,
        ApiUrls = [api],
        DataDirectory = data,
        Deployment = deployments,
        PollIntervalMs = (int)Poll.TotalMilliseconds,
    };

    /// <summary>Waits until every provider's offer is in the API's book, and returns them cheapest first (the canary's own offer is not the client's to take).</summary>
    private static async Task<IReadOnlyList<SignedOffer>> OffersAsync(ExchangeApiClient api, Core.Hashing.Bytes32 modelId, MarketClient market, HashSet<string> providers, CancellationToken ct)
    {
        while (true)
        {
            var offers = await OfferDirectory.ListAsync(api, modelId, null, null, market.Domain, ct).ConfigureAwait(false);
            var perProvider = offers.Where(o => providers.Contains(o.Offer.Provider))
                .GroupBy(o => o.Offer.Provider, StringComparer.OrdinalIgnoreCase).Select(g => g.First()).ToList();
            if (perProvider.Count >= providers.Count)
            {
                return perProvider;
            }

            await Task.Delay(Poll, ct).ConfigureAwait(false);
        }
    }

    private async Task Loop(Func<CancellationToken, Task> round, string name, CancellationToken ct, RoundSignal? wake = null, NodeSubscription? subscription = null)
    {
        var logger = logs.CreateLogger(name);
        try
        {
            await NodeLoop.RunAsync(_ => Task.CompletedTask, round, Poll, TimeProvider.System, logger, ct, wake, subscription).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopped at the end of the run.
        }
    }

    /// <summary>Tokens + market balance + stake of every role.</summary>
    private static async Task<Dictionary<string, BigInteger>> HoldingsAsync(MarketClient market, List<Role> roles, CancellationToken ct)
    {
        var holdings = new Dictionary<string, BigInteger>(StringComparer.OrdinalIgnoreCase);
        foreach (var role in roles)
        {
            holdings[role.Address] = await market.HoldingsAsync(role.Address, ct).ConfigureAwait(false);
        }

        return holdings;
    }

    /// <summary>
    /// Total supply equals the tokens of every holder (the parties and the contracts), and the
    /// market's tokens equal what it owes: the parties' internal balances, the verification pool,
    /// the unclaimed protocol fees and the court hold (every job has ended, so no escrow is left).
    /// </summary>
    private static async Task<bool> ConservedAsync(MarketClient market, List<Role> roles, CancellationToken ct)
    {
        var supply = (await market.QueryAsync<TotalSupplyFunction, TotalSupplyOutputDTO>(market.Deployment.ComputeToken, new TotalSupplyFunction(), ct).ConfigureAwait(false)).ReturnValue0;
        var held = BigInteger.Zero;
        var contracts = new[] { market.Deployment.JobMarket, market.Deployment.StakingVault, market.Deployment.AuditCourt };
        foreach (var holder in roles.Select(r => r.Address).Concat(contracts))
        {
            held += await market.TokenBalanceAsync(holder, ct).ConfigureAwait(false);
        }

        var ledger = await market.LedgerAsync(ct).ConfigureAwait(false);
        var owed = ledger.VerificationPool + ledger.ProtocolFees + ledger.CourtHold;
        foreach (var role in roles)
        {
            owed += await market.MarketBalanceAsync(role.Address, ct).ConfigureAwait(false);
        }

        return held == supply && owed == await market.TokenBalanceAsync(market.Deployment.JobMarket, ct).ConfigureAwait(false);
    }

    private static async Task<BigInteger> GasUsedAsync(Web3 web3, ulong from, ulong to, CancellationToken ct)
    {
        var total = BigInteger.Zero;
        for (var number = from; number <= to; number++)
        {
            var block = await web3.Eth.Blocks.GetBlockWithTransactionsHashesByNumber.SendRequestAsync(new BlockParameter(new HexBigInteger(number))).WaitAsync(ct).ConfigureAwait(false);
            total += block.GasUsed.Value;
        }

        return total;
    }

    private static async Task<(int Passed, int Failed)> AuditOutcomesAsync(MarketClient market, List<Role> roles, CancellationToken ct)
    {
        var passed = 0;
        var failed = 0;
        foreach (var role in roles.Where(r => r.Kind == RoleKind.Provider))
        {
            var account = await market.VaultAccountAsync(role.Address, ct).ConfigureAwait(false);
            passed += (int)account.AuditsPassed;
            failed += (int)account.AuditsFailed;
        }

        return (passed, failed);
    }

    private static decimal Tokens(BigInteger amount) => TokenUnits.ToDecimal(amount);

    private enum RoleKind
    {
        Treasury,
        Provider,
        Silent,
        Verifier,
        Client,
        CanaryClient,
        CanaryProvider,
    }

    private sealed record Role(string Name, RoleKind Kind, int Account, bool Cheats, VerifierMode Mode = VerifierMode.Honest)
    {
        public EthECKey Key { get; } = DevAccounts.Key(Account);

        public string Address => Key.GetPublicAddress();
    }

    /// <summary>Role processes that are killed together when the run ends, however it ends.</summary>
    private sealed class RoleProcesses : List<RoleProcess>, IDisposable
    {
        public void Dispose() => ForEach(p => p.Dispose());
    }
}
