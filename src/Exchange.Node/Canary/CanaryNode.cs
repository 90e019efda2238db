using System.Globalization;
using System.Numerics;
using Exchange.Api.Client;
using Exchange.Chain.Bindings;
using Exchange.Chain.Court;
using Exchange.Chain.Deployment;
using Exchange.Chain.Indexing;
using Exchange.Chain.Transactions;
using Exchange.Core.Jobs;
using Exchange.Inference.Models;
using Exchange.Node.Chain;
using Exchange.Node.Client;
using Exchange.Node.Hosting;
using Exchange.Node.Offers;
using Exchange.Node.Provider;
using Exchange.Node.Queues;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Nethereum.Contracts;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Signer;

namespace Exchange.Node.Canary;

/// <summary>
/// The canary service: a client and a provider that look like any other pair, whose jobs carry
/// deliberately wrong outputs (another task's real outputs on a share of the tasks, the
/// provider's <see cref="CheatMode.Reuse"/>, applied to this client's jobs only), posted with the
/// model, size and price of ordinary jobs at most at the configured share of the market's jobs.
/// A verifier that does the work fails a canary (and the canary's own provider is slashed, as any
/// cheater would be); one that passes it without re-running is caught: every pass whose audited
/// tasks hold a wrong task is appealed within the pass appeal window, and a ruling of "provider
/// right" is appealed again. The provider is the ordinary <see cref="ProviderNode"/> (it accepts,
/// computes, submits and keeps its disputes moving like any provider); other clients' jobs it
/// computes honestly. Progress is kept in the node database, so a restart resumes.
/// </summary>
public sealed class CanaryNode : IChainEventConsumer
{
    private const string CursorName = "canary";

    // Recent ordinary jobs whose sizes a canary copies.
    private const int SizesRemembered = 32;

    private readonly MarketClient _client;
    private readonly ProviderNode _provider;
    private readonly ClientSession _session;
    private readonly ModelRegistry _registry;
    private readonly CanaryStore _store;
    private readonly ChainLogPoller _events;
    private readonly CanaryOptions _options;
    private readonly int _maxTasks;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Random _random;
    private MarketParameters? _parameters;
    private CourtParameters? _court;
    private DateTimeOffset _lastPosted = DateTimeOffset.MinValue;

    /// <summary>Creates the canary over its parts; see <see cref="NodeFactory.CreateCanaryAsync"/> for the usual wiring.</summary>
    /// <param name="client">The canary client's chain handle.</param>
    /// <param name="clientApi">The exchange APIs, uploading as the client.</param>
    /// <param name="clientKey">The client's key (deposits with a permit).</param>
    /// <param name="provider">The canary's provider, cheating this client's jobs only.</param>
    /// <param name="maxTasks">The provider's largest job, in tasks.</param>
    /// <param name="registry">The model registry (for the canaries' synthetic inputs).</param>
    /// <param name="database">The canary's database.</param>
    /// <param name="node">Chain polling options.</param>
    /// <param name="options">Rate, sizes and wrong share.</param>
    /// <param name="time">Clock.</param>
    /// <param name="logger">Log.</param>
    public CanaryNode(
        MarketClient client, ExchangeApiClient clientApi, EthECKey clientKey, ProviderNode provider, int maxTasks, ModelRegistry registry,
        NodeDatabase database, NodeOptions node, CanaryOptions options, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(options);
        _client = client;
        _provider = provider;
        _registry = registry;
        _options = options;
        _maxTasks = maxTasks;
        _time = time;
        _logger = logger;
        _random = new Random(options.Seed);
        _session = new ClientSession(client, clientApi, provider.Model.Card, clientKey, time);
        _store = new CanaryStore(database, time);
        _events = MarketEventPoller.Create(client, database, CursorName, node, logger);
    }

    /// <summary>The canary client's address.</summary>
    public string ClientAddress => _client.Address;

    /// <summary>The canary provider's address.</summary>
    public string ProviderAddress => _provider.Address;

    /// <summary>The canary's records.</summary>
    public CanaryStore Store => _store;

    /// <summary>True once <see cref="CanaryOptions.MaxCanaries"/> canaries were posted and every one has ended.</summary>
    public bool Finished { get; private set; }

    /// <summary>Starts its provider (stake, collateral, offer) and keeps the two accounts' starting holdings.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _provider.StartAsync(cancellationToken).ConfigureAwait(false);
        _parameters = await _client.ParamsAsync(cancellationToken).ConfigureAwait(false);
        _court = await _client.CourtParamsAsync(cancellationToken).ConfigureAwait(false);
        foreach (var account in Accounts)
        {
            await _store.SetBaselineAsync(
                account, await _client.HoldingsAsync(account, cancellationToken).ConfigureAwait(false), await EtherAsync(account, cancellationToken).ConfigureAwait(false),
                cancellationToken).ConfigureAwait(false);
        }

        _logger.CanaryReady(ClientAddress, ProviderAddress, _options.Rate, _options.WrongShare);
    }

    /// <summary>One round: events, appeals of passes and of wrong rulings, the provider's work, a new canary when one is due.</summary>
    public async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        // Appeals first: a pass appeal window is short in chain seconds, which run ahead of the
        // wall clock on a busy chain, and the provider's round (computing jobs) can take long.
        await _events.SyncOnceAsync(this, cancellationToken).ConfigureAwait(false);
        await AppealPassesAsync(cancellationToken).ConfigureAwait(false);
        await KeepAppealsAsync(cancellationToken).ConfigureAwait(false);
        await _provider.RunOnceAsync(cancellationToken).ConfigureAwait(false);
        await ExpireOverdueAsync(cancellationToken).ConfigureAwait(false);
        await PostAsync(cancellationToken).ConfigureAwait(false);
        var jobs = await _store.ListAsync(cancellationToken).ConfigureAwait(false);
        Finished = _options.MaxCanaries > 0 && jobs.Count >= _options.MaxCanaries && jobs.All(j => j.State == "done");
    }

    /// <summary>What the canaries did and cost so far.</summary>
    public async Task<CanaryReport> ReportAsync(CancellationToken cancellationToken)
    {
        var jobs = await _store.ListAsync(cancellationToken).ConfigureAwait(false);
        var spent = jobs.Aggregate(BigInteger.Zero, (sum, j) => sum + j.Cost + j.Bonds + (j.Slashed ?? 0));
        var change = BigInteger.Zero;
        var gas = BigInteger.Zero;
        foreach (var account in Accounts)
        {
            var (holdings, ether) = await _store.BaselineAsync(account, cancellationToken).ConfigureAwait(false);
            change += await _client.HoldingsAsync(account, cancellationToken).ConfigureAwait(false) - holdings;
            gas += ether - await EtherAsync(account, cancellationToken).ConfigureAwait(false);
        }

        var caught = jobs.Where(j => j.Outcome == CanaryOutcome.Caught).ToList();
        return new CanaryReport(
            jobs.Count,
            jobs.Count(j => j.State != "done"),
            jobs.Count(j => j.Outcome == CanaryOutcome.Unaudited),
            jobs.Count(j => j.Outcome == CanaryOutcome.Failed),
            jobs.Count(j => j.Bonds > 0),
            caught.Count,
            [.. caught.Select(j => j.Verifier!).Distinct(StringComparer.OrdinalIgnoreCase)],
            jobs.Count(j => j.Outcome == CanaryOutcome.PassStood),
            jobs.Count(j => j.Outcome == CanaryOutcome.AppealLost),
            jobs.Count(j => j.Outcome == CanaryOutcome.Expired),
            TokenUnits.ToDecimal(caught.Aggregate(BigInteger.Zero, (sum, j) => sum + (j.Penalty ?? 0))),
            TokenUnits.ToDecimal(spent),
            TokenUnits.ToDecimal(spent + change),
            TokenUnits.ToDecimal(gas));
    }

    private string[] Accounts => [_client.Address, _provider.Address];

    // ------------------------------------------------------------------ events

    // The canary's records are idempotent (inserts of known jobs and bonds are ignored, states only
    // move forward), so it takes events outside the cursor's transaction and a reorg undoes nothing:
    // the new branch's events are read again from the fork.
    bool IChainEventConsumer.WritesInCursorTransaction => false;

    Task IChainEventConsumer.RollBackAsync(ulong fork, SqliteTransaction? transaction, CancellationToken cancellationToken) => Task.CompletedTask;

    async Task IChainEventConsumer.ApplyAsync(IReadOnlyList<ChainEvent> events, SqliteTransaction? transaction, CancellationToken cancellationToken)
    {
        foreach (var e in events)
        {
            if (e.Event is JobCreatedEventDTO created)
            {
                var record = JobRecords.FromCreated(created);
                if (IsMe(created.Client))
                {
                    // Recorded when posted; this covers a restart between createJobs and that record.
                    await _store.AddAsync(created.JobId, record, Wrong(created.JobId, record), Cost(record), cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await _store.AddMarketJobAsync(created.JobId, record.ModelId, record.TaskCount, cancellationToken).ConfigureAwait(false);
                }
            }
            else if (JobIdOf(e) is { } jobId && await _store.FindAsync(jobId, cancellationToken).ConfigureAwait(false) is { } canary)
            {
                await HandleCanaryEventAsync(e, canary, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task HandleCanaryEventAsync(ChainEvent e, CanaryJob canary, CancellationToken cancellationToken)
    {
        var jobId = canary.JobId;
        switch (e.Event)
        {
            case ResultSubmittedEventDTO submitted:
                await _store.MarkSubmittedAsync(jobId, JobRecords.WithResult(canary.Record, submitted), cancellationToken).ConfigureAwait(false);
                break;
            case VerdictSubmittedEventDTO verdict:
                await _store.MarkVerdictAsync(jobId, verdict.Verifier, verdict.Pass, cancellationToken).ConfigureAwait(false);
                break;
            case RoundOpenedEventDTO opened when IsMe(opened.Funder):
                await _store.AddBondAsync(jobId, (int)opened.Round, opened.Bond, cancellationToken).ConfigureAwait(false);
                break;
            case FalsePassPenalisedEventDTO penalised:
                await _store.SetPenaltyAsync(jobId, penalised.Amount, cancellationToken).ConfigureAwait(false);
                _logger.LazyCaught(penalised.Verifier, jobId, TokenUnits.Format(penalised.Amount));
                break;
            case DisputeResolvedEventDTO resolved:
                if (resolved.ProviderWrong)
                {
                    await _store.SetSlashedAsync(jobId, resolved.Slashed, cancellationToken).ConfigureAwait(false);
                }

                var appealed = canary.Bonds > 0;
                await EndAsync(jobId, resolved.ProviderWrong ? (appealed ? CanaryOutcome.Caught : CanaryOutcome.Failed) : CanaryOutcome.AppealLost, cancellationToken).ConfigureAwait(false);
                break;
            case JobSettledEventDTO:
                // A dispute ruled "provider right" settles the job after DisputeResolved: that ending stays.
                await EndAsync(jobId, canary.Verifier is null ? CanaryOutcome.Unaudited : CanaryOutcome.PassStood, cancellationToken).ConfigureAwait(false);
                break;
            case JobExpiredEventDTO:
                await EndAsync(jobId, CanaryOutcome.Expired, cancellationToken).ConfigureAwait(false);
                break;
        }
    }

    private async Task EndAsync(BigInteger jobId, string outcome, CancellationToken cancellationToken)
    {
        if (await _store.FindAsync(jobId, cancellationToken).ConfigureAwait(false) is { State: not "done" })
        {
            await _store.EndAsync(jobId, outcome, cancellationToken).ConfigureAwait(false);
            _logger.CanaryEnded(jobId, outcome);
            var report = await ReportAsync(cancellationToken).ConfigureAwait(false);
            _logger.CanarySummary(report.Posted, report.Open, report.PassesAppealed, report.LazyCaught, report.Spent, report.Recovered);
        }
    }

    private static BigInteger? JobIdOf(ChainEvent e) => e.Event switch
    {
        ResultSubmittedEventDTO x => x.JobId,
        VerdictSubmittedEventDTO x => x.JobId,
        RoundOpenedEventDTO x => x.JobId,
        FalsePassPenalisedEventDTO x => x.JobId,
        DisputeResolvedEventDTO x => x.JobId,
        JobSettledEventDTO x => x.JobId,
        JobExpiredEventDTO x => x.JobId,
        _ => null,
    };

    // ------------------------------------------------------------------ appeals

    /// <summary>
    /// Appeals each pass of a canary while its appeal window is open, when the audit's task sample
    /// holds a wrong task (a committee re-running only right tasks would rule for the provider, and
    /// the bond would be lost); a pass whose sample missed every wrong task is left to stand.
    /// </summary>
    private async Task AppealPassesAsync(CancellationToken cancellationToken)
    {
        var passed = await _store.ListAsync("passed", cancellationToken).ConfigureAwait(false);
        if (passed.Count == 0)
        {
            return;
        }

        var (_, _, now) = await _client.ChainNowAsync(cancellationToken).ConfigureAwait(false);
        foreach (var canary in passed)
        {
            var audit = await _client.AuditOfAsync(canary.JobId, cancellationToken).ConfigureAwait(false);
            if ((AuditPhase)audit.Phase != AuditPhase.Passed || now > audit.Deadline)
            {
                // Appealed already (its RoundOpened is on the way), or too late: the events tell the rest.
                continue;
            }

            var tasks = await _client.AuditTasksAsync(canary.JobId, canary.Record.TaskCount, cancellationToken).ConfigureAwait(false);
            var wrongTask = tasks.FirstOrDefault(t => canary.Wrong.Contains((int)t), uint.MaxValue);
            if (wrongTask == uint.MaxValue)
            {
                _logger.CanarySampleMissed(canary.JobId, audit.Verifier, tasks);
                await _store.MoveAsync(canary.JobId, "passed", "unappealed", cancellationToken).ConfigureAwait(false);
                continue;
            }

            _logger.CanaryAppealing(canary.JobId, audit.Verifier, wrongTask);
            await _client.EnsureMarketBalanceAsync(_court!.ChallengerBond(_parameters!.Collateral(MarketParameters.Price(canary.Record.UnitPrice, canary.Record.TaskCount))), cancellationToken).ConfigureAwait(false);
            await SendAsync(canary.JobId, "appealPass", ct => _client.AppealPassAsync(canary.JobId, canary.Record, ct), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Appeals a ruling of "provider right" on an appealed canary while appeals are left: the canary knows its outputs are wrong.</summary>
    private async Task KeepAppealsAsync(CancellationToken cancellationToken)
    {
        var appealed = await _store.ListAsync("appealed", cancellationToken).ConfigureAwait(false);
        if (appealed.Count == 0)
        {
            return;
        }

        var (_, _, now) = await _client.ChainNowAsync(cancellationToken).ConfigureAwait(false);
        foreach (var canary in appealed)
        {
            if (await _client.StatusAsync(canary.JobId, cancellationToken).ConfigureAwait(false) != JobStatus.Disputed)
            {
                continue;
            }

            var dispute = await _client.DisputeOfAsync(canary.JobId, cancellationToken).ConfigureAwait(false);
            var r = dispute.Rounds - 1;
            var round = await _client.RoundOfAsync(canary.JobId, r, cancellationToken).ConfigureAwait(false);
            if (round.Closed && !round.ProviderWrong && r < _court!.MaxAppeals && now < round.AppealDeadline)
            {
                var first = r == 0 ? round : await _client.RoundOfAsync(canary.JobId, 0, cancellationToken).ConfigureAwait(false);
                await _client.EnsureMarketBalanceAsync(CourtParameters.AppealBond(first.Bond, r + 1), cancellationToken).ConfigureAwait(false);
                await SendAsync(canary.JobId, $"appeal of round {r}", ct => _client.AppealAsync(canary.JobId, canary.Record, ct), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task SendAsync(BigInteger jobId, string action, Func<CancellationToken, Task<TransactionReceipt>> send, CancellationToken cancellationToken)
    {
        try
        {
            // The receipt's RoundOpened is read with the other events: one way to record the bond.
            await send(cancellationToken).ConfigureAwait(false);
        }
        catch (ContractRevertException e)
        {
            _logger.CanaryAppealRefused(jobId, action, e.Message);
        }
    }

    /// <summary>
    /// Expires the canaries still without a result after their deadline (their provider fell
    /// behind, or the chain's clock ran ahead of it): nobody else ends a job its client holds, and
    /// a canary left open would never let the service report it done. The job's
    /// <c>JobExpired</c>, read with the other events, ends the canary as expired.
    /// </summary>
    private async Task ExpireOverdueAsync(CancellationToken cancellationToken)
    {
        var posted = await _store.ListAsync("posted", cancellationToken).ConfigureAwait(false);
        if (posted.Count == 0)
        {
            return;
        }

        var open = new List<(BigInteger JobId, Job Record)>();
        foreach (var canary in posted)
        {
            // A result may be on chain before its event is read: only a job still waiting for one can expire.
            if (await _client.StatusAsync(canary.JobId, cancellationToken).ConfigureAwait(false) is JobStatus.Created or JobStatus.Accepted)
            {
                open.Add((canary.JobId, canary.Record));
            }
        }

        try
        {
            foreach (var jobId in await _session.ExpireOverdueAsync(open, cancellationToken).ConfigureAwait(false))
            {
                _logger.CanaryExpiring(jobId);
            }
        }
        catch (ContractRevertException e)
        {
            // A result landed between the status read and the expiry: the next round reads it.
            _logger.CanaryExpiryRefused(e.Message);
        }
    }

    // ------------------------------------------------------------------ posting

    /// <summary>Posts one canary when one more keeps canaries within <see cref="CanaryOptions.Rate"/> of the market's jobs.</summary>
    private async Task PostAsync(CancellationToken cancellationToken)
    {
        var posted = (await _store.ListAsync(cancellationToken).ConfigureAwait(false)).Count;
        var others = await _store.CountMarketJobsAsync(cancellationToken).ConfigureAwait(false);
        if ((_options.MaxCanaries > 0 && posted >= _options.MaxCanaries)
            || posted + 1 > _options.Rate * (posted + 1 + others)
            || _time.GetUtcNow() - _lastPosted < TimeSpan.FromSeconds(_options.MinIntervalSeconds)
            || _provider.Offer is not { } offer)
        {
            return;
        }

        var size = await SizeAsync(cancellationToken).ConfigureAwait(false);
        var tasks = ClientTask.Synthetic(_session.Card, _registry, size, unchecked(_options.Seed + (posted * 7_919)));
        var prepared = await _session.PrepareAsync(tasks, [offer], size, null, cancellationToken).ConfigureAwait(false);
        var created = await _session.CreateAsync(prepared, TimeSpan.FromSeconds(_options.DeadlineSeconds), 1, null, cancellationToken).ConfigureAwait(false);
        _lastPosted = _time.GetUtcNow();
        foreach (var job in created)
        {
            var wrong = Wrong(job.JobId, job.Record);
            await _store.AddAsync(job.JobId, job.Record, wrong, Cost(job.Record), cancellationToken).ConfigureAwait(false);
            _logger.CanaryPosted(job.JobId, job.Record.TaskCount, wrong);
        }
    }

    /// <summary>The size of a recent ordinary job of the model (that the provider takes), or the configured size when none was seen.</summary>
    private async Task<int> SizeAsync(CancellationToken cancellationToken)
    {
        var sizes = (await _store.RecentSizesAsync(_session.Card.ModelId, SizesRemembered, cancellationToken).ConfigureAwait(false))
            .Where(s => s <= _maxTasks).ToList();
        return sizes.Count > 0 ? (int)sizes[_random.Next(sizes.Count)] : Math.Min(_options.Tasks, _maxTasks);
    }

    /// <summary>The tasks of a canary its provider gives wrong outputs: the cheat's own deterministic choice.</summary>
    private IReadOnlySet<int> Wrong(BigInteger jobId, Job record) => _provider.Cheater.TasksToFalsify(jobId, record.Client, (int)record.TaskCount);

    /// <summary>What creating the job debited the client: price, verification fee and protocol fee.</summary>
    private BigInteger Cost(Job record) =>
        new FeeSchedule(_parameters!.VerificationFeeBps, _parameters.ProtocolFeeBps, _parameters.CollateralMultiplierBps)
            .For(record.UnitPrice, record.TaskCount).ClientCost;

    private async Task<BigInteger> EtherAsync(string account, CancellationToken cancellationToken) =>
        (await _client.Web3.Eth.GetBalance.SendRequestAsync(account).WaitAsync(cancellationToken).ConfigureAwait(false)).Value;

    private bool IsMe(string? address) => string.Equals(address, _client.Address, StringComparison.OrdinalIgnoreCase);
}
