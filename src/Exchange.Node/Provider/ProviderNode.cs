using System.Globalization;
using System.Numerics;
using Exchange.Api.Client;
using Exchange.Chain.Bindings;
using Exchange.Chain.Court;
using Exchange.Chain.Deployment;
using Exchange.Chain.Indexing;
using Exchange.Chain.Transactions;
using Exchange.Core.Jobs;
using Exchange.Node.Chain;
using Exchange.Node.Hosting;
using Exchange.Node.Models;
using Exchange.Node.Offers;
using Exchange.Node.Privacy;
using Exchange.Node.Queues;
using Microsoft.Extensions.Logging;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Signer;

namespace Exchange.Node.Provider;

/// <summary>
/// The provider's work, one step at a time: keep collateral locked and an offer published; for
/// each job addressed to it, check the manifest and inputs, accept, compute, submit signed results
/// in batches; then see each job through its audit draw to the end (docs/protocol.md): settle what
/// the draw left unaudited, fix a draw nobody fixed before its seed lapses, and keep its audited
/// and disputed jobs moving (redraws, timeouts, committees, appeals of wrong rulings against honest
/// work, resolution). Every step reads and writes the work queue first, and a transaction's hash is
/// written as soon as it is broadcast, so a restart resumes where the last run stopped: a job is
/// accepted, computed and submitted once.
/// </summary>
public sealed class ProviderNode
{
    /// <summary>
    /// Blocks after submission from which the provider fixes a draw nobody fixed yet: half the seed
    /// horizon of 256 blocks, so a draw never lapses for a live provider (a lapsed draw audits the
    /// job for certain, at the provider's cost), while on most chains the challenge window ends first.
    /// </summary>
    public const ulong RecordDrawAfterBlocks = 128;

    private const string CursorName = "provider";

    /// <summary>The outcome of a job whose result did not reach the chain before its deadline.</summary>
    private const string MissedDeadline = "missed-deadline";

    /// <summary>The market's refusal of a result after the job's deadline.</summary>
    private const string DeadlinePassedError = "JobMarketDeadlinePassed";

    /// <summary>Clients remembered at most in <see cref="_clientsWithBadData"/>; beyond, none is added until a restart.</summary>
    private const int ClientsWithBadDataRemembered = 65_536;

    private readonly MarketClient _market;
    private readonly ExchangeApiClient _api;
    private readonly ProviderJobStore _jobs;
    private readonly ChainLogPoller _events;
    private readonly ProviderEvents _intake;
    private readonly JobComputer _computer;
    private readonly NodeOptions _node;
    private readonly ProviderOptions _options;
    private readonly EthECKey _key;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ChainClock _clock;
    // Shared: the steps of several jobs draw back-offs from it at once.
    private readonly Random _jitter = Random.Shared;

    // Checks and computations run here, each job on its own, so that the round never waits for one.
    private readonly JobSlots _slots;
    private readonly CheckedInputs _checkedInputs;

    // The X25519 key that opens encrypted jobs and seals task keys to verifiers; held for the
    // node's life (NSec keeps it in guarded memory).
    private readonly NSec.Cryptography.Key _encryptionKey;
    private readonly KeyRevealer _revealer;

    // Clients a job of which was declined for invalid or missing data: their later jobs are
    // computed only once checked, so that a client cannot have the provider compute, for the price
    // of a job's creation, job after job it then declines (docs/nodes.md). In memory, bounded.
    private readonly HashSet<string> _clientsWithBadData = new(StringComparer.OrdinalIgnoreCase);

    // Whether the selected draw of a submitted job names a verifier (whose verdict the job waits
    // for). Kept in memory: a restart asks the court again.
    private readonly Dictionary<BigInteger, bool> _verifierDrawn = [];
    private MarketParameters? _parameters;
    private CourtParameters? _court;
    private bool _offerPublished;
    private int _offerFailures;
    private DateTimeOffset _offerRetryAt;
    private bool _collateralShortLogged;
    private DateTimeOffset _lastWithdrawal;

    /// <summary>Creates a provider over its parts; see <see cref="NodeFactory"/> for the usual wiring.</summary>
    public ProviderNode(
        MarketClient market, ExchangeApiClient api, NodeDatabase database, ModelRunner model, ModelRunner? otherModel,
        ModelCatalog models, NodeOptions node, ProviderOptions options, EthECKey key, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(market);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(options);
        _market = market;
        _api = api;
        _node = node;
        _options = options;
        _key = key;
        _time = time;
        _logger = logger;
        Model = model;
        _jobs = new ProviderJobStore(database, time);
        _events = MarketEventPoller.Create(market, database, CursorName, node, logger);
        _intake = new ProviderEvents(market, _jobs, logger);
        Cheater = new Cheater(options.Cheat, options.CheatRate, options.CheatSeed, options.CheatClients);
        _encryptionKey = ProviderEncryptionKey.LoadOrCreate(node.DataDirectory);
        _slots = new JobSlots(node.MaxConcurrentJobs, logger, Rounds);
        _checkedInputs = new CheckedInputs(options.InputCacheMegabytes * (1L << 20), time);
        _computer = new JobComputer(api, models, key, market.Domain, Cheater, otherModel, options.BatchSize, _checkedInputs, _encryptionKey);
        _revealer = new KeyRevealer(market, api, _encryptionKey, Cheater, logger);
        _lastWithdrawal = time.GetUtcNow();
        _clock = new ChainClock(market, TimeSpan.FromSeconds(node.IdleBlockSeconds), logger);
    }

    /// <summary>The provider's address.</summary>
    public string Address => _market.Address;

    /// <summary>The model offered.</summary>
    public ModelRunner Model { get; }

    /// <summary>The cheat mode (honest unless configured).</summary>
    public Cheater Cheater { get; }

    /// <summary>Asks the node's loop for a round at once: a check or computation ended, or jobs were accepted.</summary>
    public RoundSignal Rounds { get; } = new();

    /// <summary>
    /// The logs that wake the provider's loop (<see cref="NodeSubscription"/>): a job created for it.
    /// Only logs that name it: an audit's key reveal waits for the next poll rather than every
    /// provider waking on every audit of the network (the assignment does not name the provider).
    /// </summary>
    public IReadOnlyList<LogFilter> WakeFilters =>
    [
        new([_market.Deployment.JobMarket], [[LogFilter.EventTopic<JobCreatedEventDTO>()], null, null, [LogFilter.AddressTopic(Address)]]),
    ];

    /// <summary>The work queue.</summary>
    public ProviderJobStore Jobs => _jobs;

    /// <summary>The offer currently published, once <see cref="StartAsync"/> ran.</summary>
    public SignedOffer? Offer { get; private set; }

    /// <summary>
    /// Stakes up to the configured stake, registers its X25519 key (see <see cref="ProviderEncryptionKey"/>),
    /// locks its collateral reserve, signs and publishes the offer, and reconciles transactions a
    /// previous run broadcast.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _parameters = await _market.ParamsAsync(cancellationToken).ConfigureAwait(false);
        _court = await _market.CourtParamsAsync(cancellationToken).ConfigureAwait(false);
        await _market.EnsureStakeAsync(StakeRole.Provider, BigInteger.Parse(_options.Stake, CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
        await _market.EnsureEncryptionKeyAsync(ProviderEncryptionKey.PublicKeyBytes(_encryptionKey), cancellationToken).ConfigureAwait(false);

        await KeepCollateralAsync(cancellationToken).ConfigureAwait(false);
        await TryRefreshOfferAsync(cancellationToken).ConfigureAwait(false);
        await ReconcileAsync(cancellationToken).ConfigureAwait(false);
        _logger.ProviderReady(Address, Model.Card.Name, _options.UnitPrice, Cheater.Mode, Cheater.Rate);
    }

    /// <summary>
    /// One round of work: unfinished transactions, collateral, offer, events, checking, accepting,
    /// computing, submitting, following submitted jobs, withdrawing. Checks and computations are
    /// started here and run on (<see cref="JobSlots"/>): a later round accepts or submits what they
    /// left in the work queue.
    /// </summary>
    public async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        await ReconcileAsync(cancellationToken).ConfigureAwait(false);
        await KeepCollateralAsync(cancellationToken).ConfigureAwait(false);
        await TryRefreshOfferAsync(cancellationToken).ConfigureAwait(false);
        await _events.SyncOnceAsync(_intake, cancellationToken).ConfigureAwait(false);
        // Accepted jobs take free slots before new ones: their collateral is at stake.
        await ComputeAsync(cancellationToken).ConfigureAwait(false);
        await CheckAsync(cancellationToken).ConfigureAwait(false);
        await AcceptAsync(cancellationToken).ConfigureAwait(false);
        await SubmitAsync(cancellationToken).ConfigureAwait(false);
        // Keys first: a committee member has only its commit window to judge, and the keeper calls may wait for receipts.
        await RevealKeysAsync(cancellationToken).ConfigureAwait(false);
        await FollowSubmittedAsync(cancellationToken).ConfigureAwait(false);
        await WithdrawAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reveals the audited tasks' keys of encrypted jobs to the verifiers and committee members drawn for them (docs/privacy.md).</summary>
    private async Task RevealKeysAsync(CancellationToken cancellationToken)
    {
        var submitted = await _jobs.ListAsync(ProviderJobStore.Submitted, 64, cancellationToken).ConfigureAwait(false);
        if (submitted.Count > 0)
        {
            var (number, _) = await _clock.ReadAsync(cancellationToken).ConfigureAwait(false);
            await _revealer.RevealAsync([.. submitted.Select(j => (j.JobId, j.Record))], number, cancellationToken).ConfigureAwait(false);
        }
    }

    // ------------------------------------------------------------------ collateral and offer

    /// <summary>The free collateral the provider keeps: <see cref="ProviderOptions.CollateralJobs"/> jobs of the offer's largest size.</summary>
    private BigInteger CollateralTarget() =>
        _parameters!.Collateral(MarketParameters.Price(BigInteger.Parse(_options.UnitPrice, CultureInfo.InvariantCulture), (uint)_options.MaxTasks)) * _options.CollateralJobs;

    /// <summary>Locks collateral up to the reserve when less than half of it is free (each job takes its own from it).</summary>
    private async Task KeepCollateralAsync(CancellationToken cancellationToken)
    {
        var target = CollateralTarget();
        var free = (await _market.MarketAccountAsync(Address, cancellationToken).ConfigureAwait(false)).Collateral;
        if (free * 2 >= target)
        {
            return;
        }

        var locked = await _market.EnsureCollateralAsync(target, cancellationToken).ConfigureAwait(false);
        if (locked > 0)
        {
            _logger.CollateralLocked(locked, _options.CollateralJobs);
            _collateralShortLogged = false;
        }
        else if (!_collateralShortLogged)
        {
            _logger.CollateralShort(free, target);
            _collateralShortLogged = true;
        }
    }

    /// <summary>
    /// <see cref="RefreshOfferAsync"/>, where an API that is away or does not see the collateral yet
    /// only delays the offer: the jobs already on chain go on, and every round publishes until one takes it.
    /// </summary>
    private async Task TryRefreshOfferAsync(CancellationToken cancellationToken)
    {
        if (_time.GetUtcNow() < _offerRetryAt)
        {
            return;
        }

        try
        {
            await RefreshOfferAsync(cancellationToken).ConfigureAwait(false);
            _offerFailures = 0;
        }
        catch (Exception e) when (e is ExchangeApiException or HttpRequestException)
        {
            // Backed off like a job's step, so that an API away does not cost every round its wait.
            _offerFailures++;
            _offerRetryAt = _time.GetUtcNow() + RetryBackoff.Delay(_offerFailures, 0, ulong.MaxValue, _jitter);
            _logger.StepFailed("offer", _offerFailures, e.Message);
        }
    }

    /// <summary>Signs a new offer when the current one has a quarter of its lifetime left, and publishes it until an API took it.</summary>
    private async Task RefreshOfferAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        if (Offer is null || (long)Offer.Offer.Expiry - now <= _options.OfferLifetimeSeconds / 4)
        {
            var offer = new Exchange.Core.Eip712.Offer(
                Address, Model.Card.ModelId, BigInteger.Parse(_options.UnitPrice, CultureInfo.InvariantCulture),
                (uint)_options.MaxTasks, (uint)_options.MinTurnaroundSeconds, (ulong)(now + _options.OfferLifetimeSeconds), Exchange.Core.Eip712.Region.Encode(_options.Region), (ulong)now);
            Offer = SignedOffer.Sign(offer, _market.Domain, _key.GetPrivateKeyAsBytes());
            _offerPublished = false;
        }

        if (!_offerPublished)
        {
            // An API refuses an offer its view of the chain does not back yet: the next round tries again.
            await OfferDirectory.PublishAsync(_api, Offer, cancellationToken).ConfigureAwait(false);
            _offerPublished = true;
        }
    }

    // ------------------------------------------------------------------ check, accept, compute, submit

    /// <summary>
    /// Fetches and checks each new job's manifest and inputs; a job whose data is missing (an API
    /// answered that it has no such blob) or invalid is declined (never accepted: no penalty). Any
    /// other failure is retried with back-off until the job's deadline draws near.
    /// </summary>
    private async Task CheckAsync(CancellationToken cancellationToken)
    {
        if (_slots.Free == 0)
        {
            return;
        }

        // Twice the slots: the jobs whose check is in flight are listed too, and skipped.
        var fresh = await _jobs.ListDueAsync(ProviderJobStore.New, 2 * _node.MaxConcurrentJobs, cancellationToken).ConfigureAwait(false);
        if (fresh.Count == 0)
        {
            return;
        }

        var (_, now) = await _clock.ReadAsync(cancellationToken).ConfigureAwait(false);
        foreach (var job in fresh)
        {
            if (_slots.IsRunning(SlotOf(job)))
            {
                continue;
            }

            if (job.Record.Deadline <= now)
            {
                await DeclineAsync(job, "its deadline passed before it was checked", cancellationToken).ConfigureAwait(false);
            }
            else if (!_slots.TryStart(SlotOf(job), () => CheckJobAsync(job, cancellationToken)))
            {
                return;
            }
        }
    }

    /// <summary>
    /// Checks one job in its slot and records the outcome: checked, declined, or tried again after a
    /// back-off. The job is computed meanwhile (<see cref="JobComputer.CheckAndComputeAsync"/>): the
    /// next round accepts it as soon as it is checked, and its result is recorded with the row, to be
    /// submitted once the acceptance is. A computation that fails after the check is done again once
    /// the job is accepted, with that step's retries.
    /// </summary>
    private async Task CheckJobAsync(ProviderJob job, CancellationToken cancellationToken)
    {
        if (!await IsStillAsync(job, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        var passed = false;
        try
        {
            bool overlap;
            lock (_clientsWithBadData)
            {
                overlap = !_clientsWithBadData.Contains(job.Record.Client);
            }

            if (!overlap)
            {
                _logger.ComputedAfterCheck(job.JobId, job.Record.Client);
            }

            var result = await _computer.CheckAndComputeAsync(job.JobId, job.Record, async ct =>
            {
                await _jobs.MarkCheckedAsync(job.JobId, ct).ConfigureAwait(false);
                passed = true;
                _logger.JobChecked(job.JobId);
                // Accepted at once, while the computation goes on.
                Rounds.Wake();
            }, cancellationToken, overlap).ConfigureAwait(false);
            await RecordComputedAsync(job, result, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (passed && (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested))
        {
            _logger.EarlyComputationFailed(job.JobId, e.Message);
        }
        catch (Exception e) when (e is JobInputException or ExchangeApiException { Status: System.Net.HttpStatusCode.NotFound })
        {
            lock (_clientsWithBadData)
            {
                if (_clientsWithBadData.Count < ClientsWithBadDataRemembered)
                {
                    _clientsWithBadData.Add(job.Record.Client);
                }
            }

            await DeclineAsync(job, e.Message, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // An API away, or anything else this job alone trips on: tried again after a
            // back-off, and the other jobs go on meanwhile.
            var (_, now) = await _clock.ReadAsync(cancellationToken).ConfigureAwait(false);
            await RetryOrDeclineAsync(job, e.Message, now, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Records a job's result with its row (see <see cref="ProviderJobStore.MarkComputedAsync"/>) and logs it, unless the job was declined or ended meanwhile.</summary>
    private async Task RecordComputedAsync(ProviderJob job, ComputedResult result, CancellationToken cancellationToken)
    {
        if (await _jobs.MarkComputedAsync(job.JobId, result.ResultRoot, result.OutputsHash, result.Signature, result.FalsifiedTasks.Count, cancellationToken).ConfigureAwait(false))
        {
            _logger.JobComputed(job.JobId, job.Record.TaskCount, result.FalsifiedTasks.Count);
        }
    }

    /// <summary>
    /// Whether the job's row is still as a round listed it: same state, no retry recorded since. A
    /// round lists its rows before it starts their steps, and a step of the same job may end in
    /// between: the check's computation records its result and frees the slot just after the compute
    /// step listed the job as accepted, or a failed step records its back-off. Read again in the slot,
    /// where no other step of the job runs, the row says whether the step is still due, so that a job
    /// is never computed twice nor tried again before its back-off.
    /// </summary>
    private async Task<bool> IsStillAsync(ProviderJob job, CancellationToken cancellationToken) =>
        await _jobs.FindAsync(job.JobId, cancellationToken).ConfigureAwait(false) is { } now && now.State == job.State && now.Attempts == job.Attempts;

    private static string SlotOf(ProviderJob job) => job.JobId.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// A transient failure of a job not accepted yet: tried again after a back-off while there is
    /// time to accept, compute and submit it before its deadline; declined (on chain too) once there is not.
    /// </summary>
    private async Task RetryOrDeclineAsync(ProviderJob job, string error, ulong now, CancellationToken cancellationToken)
    {
        if (now >= LastUseful(job))
        {
            await DeclineAsync(job, $"still failing as its deadline nears: {error}", cancellationToken).ConfigureAwait(false);
            return;
        }

        await RetryLaterAsync(job, error, now, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Keeps the job's step for another attempt after a back-off that ends before <see cref="LastUseful"/>.</summary>
    private async Task RetryLaterAsync(ProviderJob job, string error, ulong now, CancellationToken cancellationToken)
    {
        var wait = RetryBackoff.Delay(job.Attempts + 1, now, LastUseful(job), _jitter);
        _logger.JobRetry(job.JobId, wait.TotalSeconds, job.Attempts + 1, error);
        await _jobs.RecordRetryAsync(job.JobId, error, wait, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The chain time by which a step must be tried for the job still to be submitted before its deadline.</summary>
    private ulong LastUseful(ProviderJob job) => RetryBackoff.Before(job.Record.Deadline, _node.SubmitMarginSeconds);

    /// <summary>Closes a job whose transaction can no longer succeed (its deadline passed, or it ended), once, with a log line.</summary>
    private async Task DropAsync(BigInteger jobId, string outcome, string reason, CancellationToken cancellationToken)
    {
        _logger.JobDropped(jobId, outcome, reason);
        await _jobs.MarkDoneAsync(jobId, outcome, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Declines a job it has not accepted: recorded first, then <c>declineJobs</c> frees its collateral and
    /// refunds the client at once. Past the deadline <c>expire</c> does the same for anyone, and a decline that
    /// fails only leaves the job to expire unaccepted, which penalises nobody either.
    /// </summary>
    private async Task DeclineAsync(ProviderJob job, string reason, CancellationToken cancellationToken)
    {
        _logger.JobDeclined(job.JobId, reason);
        _checkedInputs.Forget(job.JobId);
        await _jobs.MarkDeclinedAsync(job.JobId, reason, cancellationToken).ConfigureAwait(false);
        var (_, now) = await _clock.ReadAsync(cancellationToken).ConfigureAwait(false);
        if (job.Record.Deadline <= now)
        {
            return;
        }

        try
        {
            await _market.DeclineJobsAsync([(job.JobId, job.Record)], cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ContractRevertException or TransactionFailedException or HttpRequestException)
        {
            _logger.DeclineNotSent(job.JobId, e.Message);
        }
    }

    /// <summary>Accepts checked jobs, up to a batch per <c>acceptJobs</c>.</summary>
    private async Task AcceptAsync(CancellationToken cancellationToken)
    {
        var checkedJobs = await _jobs.ListDueAsync(ProviderJobStore.Checked, _options.SubmitBatchSize, cancellationToken).ConfigureAwait(false);
        if (checkedJobs.Count == 0)
        {
            return;
        }

        var (_, now) = await _clock.ReadAsync(cancellationToken).ConfigureAwait(false);
        var ready = new List<ProviderJob>();
        foreach (var job in checkedJobs)
        {
            if (job.Record.Deadline <= now)
            {
                await DeclineAsync(job, "its deadline passed before it was accepted", cancellationToken).ConfigureAwait(false);
            }
            else
            {
                ready.Add(job);
            }
        }

        if (ready.Count == 0)
        {
            return;
        }

        try
        {
            await SendAcceptAsync(ready, cancellationToken).ConfigureAwait(false);
        }
        catch (ContractRevertException) when (ready.Count > 1)
        {
            // One job of the batch cannot be accepted (accepted already, expired): accept them one by one.
            foreach (var job in ready)
            {
                try
                {
                    await SendAcceptAsync([job], cancellationToken).ConfigureAwait(false);
                }
                catch (ContractRevertException e)
                {
                    await ResolveAcceptRefusedAsync(job, e, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (ContractRevertException e)
        {
            await ResolveAcceptRefusedAsync(ready[0], e, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task SendAcceptAsync(List<ProviderJob> jobs, CancellationToken cancellationToken)
    {
        var sent = await _market.SubmitMarketAsync(MarketClient.AcceptJobs([.. jobs.Select(j => (j.JobId, j.Record))]), cancellationToken).ConfigureAwait(false);
        await _jobs.MarkAcceptingAsync([.. jobs.Select(j => j.JobId)], sent.Hash, cancellationToken).ConfigureAwait(false);
        var receipt = await _market.Sender.WaitForReceiptAsync(sent, cancellationToken).ConfigureAwait(false);
        foreach (var accepted in receipt.Decode<JobAcceptedEventDTO>())
        {
            await _jobs.MarkAcceptedAsync(accepted.JobId, cancellationToken).ConfigureAwait(false);
        }

        _logger.JobsAccepted(jobs.Count, sent.Hash);
        // The accepted jobs are computed in the next round, at once.
        Rounds.Wake();
    }

    /// <summary>The chain refused an acceptance: the job is accepted already, retried, or over.</summary>
    private async Task ResolveAcceptRefusedAsync(ProviderJob job, ContractRevertException error, CancellationToken cancellationToken)
    {
        // A mined and reverted acceptance leaves the row accepting: it is checked again first.
        await _jobs.MarkAcceptUnsentAsync(job.JobId, error.Message, cancellationToken).ConfigureAwait(false);
        var status = await _market.StatusAsync(job.JobId, cancellationToken).ConfigureAwait(false);
        var (_, now) = await _clock.ReadAsync(cancellationToken).ConfigureAwait(false);
        switch (status)
        {
            case JobStatus.Accepted:
                await _jobs.MarkAcceptedAsync(job.JobId, cancellationToken).ConfigureAwait(false);
                break;
            case JobStatus.Created when job.Record.Deadline > now:
                await RetryOrDeclineAsync(job, error.Message, now, cancellationToken).ConfigureAwait(false);
                break;
            case JobStatus.Created:
                await DeclineAsync(job, "its deadline passed before it was accepted", cancellationToken).ConfigureAwait(false);
                break;
            default:
                _checkedInputs.Forget(job.JobId);
                await _jobs.MarkDoneAsync(job.JobId, status.ToString().ToLowerInvariant(), cancellationToken).ConfigureAwait(false);
                break;
        }
    }

    private async Task ComputeAsync(CancellationToken cancellationToken)
    {
        if (_slots.Free == 0)
        {
            return;
        }

        var accepted = await _jobs.ListDueAsync(ProviderJobStore.Accepted, 2 * _node.MaxConcurrentJobs, cancellationToken).ConfigureAwait(false);
        if (accepted.Count == 0)
        {
            return;
        }

        var (_, now) = await _clock.ReadAsync(cancellationToken).ConfigureAwait(false);
        foreach (var job in accepted)
        {
            if (_slots.IsRunning(SlotOf(job)))
            {
                continue;
            }

            if (job.Record.Deadline <= now)
            {
                _logger.JobDropped(job.JobId, ProviderJobStore.Failed, "its deadline passed before it was computed");
                _checkedInputs.Forget(job.JobId);
                await _jobs.MarkFailedAsync(job.JobId, "deadline passed before the job was computed", cancellationToken).ConfigureAwait(false);
            }
            else if (!_slots.TryStart(SlotOf(job), () => ComputeJobAsync(job, cancellationToken)))
            {
                return;
            }
        }
    }

    /// <summary>Computes one job in its slot and records the outcome: computed, failed, or tried again after a back-off.</summary>
    private async Task ComputeJobAsync(ProviderJob job, CancellationToken cancellationToken)
    {
        if (!await IsStillAsync(job, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        try
        {
            var result = await _computer.ComputeAsync(job.JobId, job.Record, cancellationToken).ConfigureAwait(false);
            await RecordComputedAsync(job, result, cancellationToken).ConfigureAwait(false);
        }
        catch (JobInputException e)
        {
            _logger.JobRefused(job.JobId, e.Message);
            _checkedInputs.Forget(job.JobId);
            await _jobs.MarkFailedAsync(job.JobId, e.Message, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Data away, or a model that cannot run this job: tried again after a back-off
            // until the deadline (giving up earlier loses the collateral all the same), while
            // the other jobs go on.
            var (_, now) = await _clock.ReadAsync(cancellationToken).ConfigureAwait(false);
            await RetryLaterAsync(job, e.Message, now, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task SubmitAsync(CancellationToken cancellationToken)
    {
        var computed = await _jobs.ListDueAsync(ProviderJobStore.Computed, _options.SubmitBatchSize, cancellationToken).ConfigureAwait(false);
        if (computed.Count == 0)
        {
            return;
        }

        // A result past its deadline would only revert: the job is over for the provider.
        var (_, now) = await _clock.ReadAsync(cancellationToken).ConfigureAwait(false);
        var ready = new List<ProviderJob>();
        foreach (var job in computed)
        {
            if (job.Record.Deadline <= now)
            {
                await DropAsync(job.JobId, MissedDeadline, "its deadline passed before the result was sent", cancellationToken).ConfigureAwait(false);
            }
            else
            {
                ready.Add(job);
            }
        }

        if (ready.Count == 0)
        {
            return;
        }

        try
        {
            await SendResultsAsync(ready, cancellationToken).ConfigureAwait(false);
        }
        catch (ContractRevertException) when (ready.Count > 1)
        {
            // One job of the batch cannot be submitted (already on chain, or past its deadline): send them one by one.
            foreach (var job in ready)
            {
                try
                {
                    await SendResultsAsync([job], cancellationToken).ConfigureAwait(false);
                }
                catch (ContractRevertException e)
                {
                    await ResolveRefusedAsync(job, e, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (ContractRevertException e)
        {
            await ResolveRefusedAsync(ready[0], e, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task SendResultsAsync(List<ProviderJob> jobs, CancellationToken cancellationToken)
    {
        var function = new SubmitResultsFunction
        {
            Results = [.. jobs.Select(j => new ResultSubmissionStruct
            {
                JobId = j.JobId,
                Job = j.Record.ToStruct(),
                ResultRoot = j.ResultRoot!.Value.ToArray(),
                OutputsHash = j.OutputsHash!.Value.ToArray(),
                Signature = j.Signature!,
            })],
        };
        var sent = await _market.SubmitMarketAsync(function, cancellationToken).ConfigureAwait(false);
        await _jobs.MarkSubmittingAsync([.. jobs.Select(j => j.JobId)], sent.Hash, cancellationToken).ConfigureAwait(false);
        var receipt = await _market.Sender.WaitForReceiptAsync(sent, cancellationToken).ConfigureAwait(false);
        await RecordSubmissionsAsync(receipt, cancellationToken).ConfigureAwait(false);
        _logger.ResultsSubmitted(jobs.Count, sent.Hash, receipt.GasUsed.Value);
    }

    private async Task RecordSubmissionsAsync(TransactionReceipt receipt, CancellationToken cancellationToken)
    {
        foreach (var submitted in receipt.Decode<ResultSubmittedEventDTO>())
        {
            if (await _jobs.FindAsync(submitted.JobId, cancellationToken).ConfigureAwait(false) is { } job)
            {
                await _jobs.MarkSubmittedAsync(submitted.JobId, JobRecords.WithResult(job.Record, submitted), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// The chain refused a result: find out whether it is already there, can no longer succeed (its
    /// deadline passed, by the chain's word or its clock, or the job ended), or is worth another try.
    /// </summary>
    private async Task ResolveRefusedAsync(ProviderJob job, ContractRevertException error, CancellationToken cancellationToken)
    {
        await _jobs.MarkUnsentAsync(job.JobId, error.Message, cancellationToken).ConfigureAwait(false);
        var status = await _market.StatusAsync(job.JobId, cancellationToken).ConfigureAwait(false);
        var (_, now) = await _clock.ReadAsync(cancellationToken).ConfigureAwait(false);
        var awaitingResult = status is JobStatus.Created or JobStatus.Accepted;
        if (awaitingResult && job.Record.Deadline > now && error.Revert.Name != DeadlinePassedError)
        {
            await RetryLaterAsync(job, error.Message, now, cancellationToken).ConfigureAwait(false);
        }
        else if (awaitingResult || status == JobStatus.Expired)
        {
            await DropAsync(job.JobId, MissedDeadline, error.Message, cancellationToken).ConfigureAwait(false);
        }

        // Any other status: the result is on chain already; its ResultSubmitted event completes the record.
    }

    /// <summary>
    /// Acceptances and results a previous round or run broadcast: records the mined ones, and puts
    /// back those the chain never got (and no longer holds) so that they are sent again. A
    /// transaction the node still holds is left to be mined.
    /// </summary>
    private async Task ReconcileAsync(CancellationToken cancellationToken)
    {
        foreach (var job in await _jobs.ListAsync(ProviderJobStore.Accepting, int.MaxValue, cancellationToken).ConfigureAwait(false))
        {
            var receipt = await _market.ReceiptAsync(job.AcceptTx!, cancellationToken).ConfigureAwait(false);
            if (receipt is null && await IsPendingAsync(job.AcceptTx!, cancellationToken).ConfigureAwait(false))
            {
                continue;
            }

            var status = await _market.StatusAsync(job.JobId, cancellationToken).ConfigureAwait(false);
            if (status == JobStatus.Accepted)
            {
                await _jobs.MarkAcceptedAsync(job.JobId, cancellationToken).ConfigureAwait(false);
            }
            else if (status == JobStatus.Created)
            {
                await _jobs.MarkAcceptUnsentAsync(job.JobId, receipt is null ? "acceptance lost" : "acceptance reverted", cancellationToken).ConfigureAwait(false);
            }
        }

        foreach (var job in await _jobs.ListAsync(ProviderJobStore.Submitting, int.MaxValue, cancellationToken).ConfigureAwait(false))
        {
            var receipt = await _market.ReceiptAsync(job.SubmitTx!, cancellationToken).ConfigureAwait(false);
            if (receipt is not null && receipt.Status.Value == BigInteger.One)
            {
                await RecordSubmissionsAsync(receipt, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (receipt is null && await IsPendingAsync(job.SubmitTx!, cancellationToken).ConfigureAwait(false))
            {
                continue;
            }

            var status = await _market.StatusAsync(job.JobId, cancellationToken).ConfigureAwait(false);
            if (status is JobStatus.Created or JobStatus.Accepted)
            {
                await _jobs.MarkUnsentAsync(job.JobId, receipt is null ? "result transaction lost" : "result transaction reverted", cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task<bool> IsPendingAsync(string hash, CancellationToken cancellationToken) =>
        await _market.Web3.Eth.Transactions.GetTransactionByHash.SendRequestAsync(hash).WaitAsync(cancellationToken).ConfigureAwait(false) is not null;

    // ------------------------------------------------------------------ after submission: draw, settlement, keeper duties

    /// <summary>
    /// Sees each submitted job to its end. Once its seed exists (block submitBlock + 2) the draw is
    /// read once. A job left unaudited is settled after the challenge window (settle fixes the draw
    /// itself); a selected one waits for its drawn verifier's verdict, which fixes the draw. A draw
    /// still unfixed at block submitBlock + <see cref="RecordDrawAfterBlocks"/> is recorded, and at
    /// once when no verifier can be drawn for it (the court then settles it). Audited and disputed
    /// jobs get the keeper calls they wait for.
    /// </summary>
    private async Task FollowSubmittedAsync(CancellationToken cancellationToken)
    {
        var submitted = await _jobs.ListAsync(ProviderJobStore.Submitted, 64, cancellationToken).ConfigureAwait(false);
        if (submitted.Count == 0)
        {
            return;
        }

        var (number, now) = await _clock.ReadAsync(cancellationToken).ConfigureAwait(false);
        var toRecord = new List<ProviderJob>();
        var toSettle = new List<ProviderJob>();
        foreach (var job in submitted)
        {
            var record = job.Record;
            if (number < record.SubmitBlock + 2)
            {
                await _clock.EnsureBlockAsync(record.SubmitBlock + 2, cancellationToken).ConfigureAwait(false);
                continue;
            }

            var audited = job.Audited ?? await ReadDrawAsync(job, cancellationToken).ConfigureAwait(false);
            var windowOver = now > record.SubmittedAt + _parameters!.ChallengeWindow;
            var late = number >= record.SubmitBlock + RecordDrawAfterBlocks;
            if (audited == false && windowOver)
            {
                toSettle.Add(job);
                continue;
            }

            if (audited == false && !late)
            {
                continue;
            }

            switch (await _market.StatusAsync(job.JobId, cancellationToken).ConfigureAwait(false))
            {
                case JobStatus.Submitted:
                    if (late || !await VerifierDrawnAsync(job, cancellationToken).ConfigureAwait(false))
                    {
                        toRecord.Add(job);
                    }

                    break;
                case JobStatus.Unaudited when windowOver:
                    toSettle.Add(job);
                    break;
                case JobStatus.Auditing:
                    await KeepAuditAsync(job, number, now, cancellationToken).ConfigureAwait(false);
                    break;
                case JobStatus.Disputed:
                    await KeepDisputeAsync(job, number, now, cancellationToken).ConfigureAwait(false);
                    break;
                case JobStatus.Settled:
                    await _jobs.MarkDoneAsync(job.JobId, "settled", cancellationToken).ConfigureAwait(false);
                    break;
                case JobStatus.Slashed:
                    await _jobs.MarkDoneAsync(job.JobId, "slashed", cancellationToken).ConfigureAwait(false);
                    break;
            }
        }

        await InBatchesAsync(toRecord, RecordDrawsAsync, "recordDraw", cancellationToken).ConfigureAwait(false);
        await InBatchesAsync(toSettle, SettleBatchAsync, "settle", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads a submitted job's draw once its seed exists; for a selected job also whether a verifier is drawn to judge it.</summary>
    private async Task<bool?> ReadDrawAsync(ProviderJob job, CancellationToken cancellationToken)
    {
        try
        {
            var draw = await _market.AuditDrawAsync(job.JobId, job.Record, cancellationToken).ConfigureAwait(false);
            if (!draw.Ready)
            {
                return null;
            }

            await _jobs.SetAuditedAsync(job.JobId, draw.Audited, cancellationToken).ConfigureAwait(false);
            _logger.DrawRead(job.JobId, draw.Audited);
            return draw.Audited;
        }
        catch (Exception e) when (RevertDecoder.ExtractRevertData(e) is not null)
        {
            // The job moved on (settled, or its draw fixed): its status tells the rest.
            return null;
        }
    }

    /// <summary>
    /// Whether the selected draw of a submitted job names a verifier (who fixes the draw with its
    /// verdict). When nobody can be drawn there is no verdict to wait for: the provider records
    /// the draw, and the court settles the job once it finds no verifier either.
    /// </summary>
    private async Task<bool> VerifierDrawnAsync(ProviderJob job, CancellationToken cancellationToken)
    {
        if (!_verifierDrawn.TryGetValue(job.JobId, out var drawn))
        {
            var pending = await _market.PendingAuditorAsync(job.JobId, job.Record, cancellationToken).ConfigureAwait(false);
            drawn = _verifierDrawn[job.JobId] = !IsZero(pending.Verifier);
        }

        return drawn;
    }

    /// <summary>
    /// Keeper calls of an audit: draws its verifier once the seed exists, times a silent verifier
    /// out, and finalizes a pass once its appeal window has passed (the provider's pay waits for it).
    /// </summary>
    private async Task KeepAuditAsync(ProviderJob job, ulong number, ulong now, CancellationToken cancellationToken)
    {
        var audit = await _market.AuditOfAsync(job.JobId, cancellationToken).ConfigureAwait(false);
        switch ((AuditPhase)audit.Phase)
        {
            case AuditPhase.AwaitingDraw when number > audit.Ticket:
                await KeeperAsync(job.JobId, "assignAuditor", ct => _market.AssignAuditorAsync(job.JobId, job.Record, ct), cancellationToken).ConfigureAwait(false);
                break;
            case AuditPhase.AwaitingDraw:
                await _clock.EnsureBlockAsync(audit.Ticket + 1, cancellationToken).ConfigureAwait(false);
                break;
            case AuditPhase.Assigned when now > audit.Deadline:
                await KeeperAsync(job.JobId, "timeoutAudit", ct => _market.TimeoutAuditAsync(job.JobId, job.Record, ct), cancellationToken).ConfigureAwait(false);
                break;
            case AuditPhase.Passed when now > audit.Deadline:
                await KeeperAsync(job.JobId, "finalizePass", ct => _market.FinalizePassAsync(job.JobId, job.Record, ct), cancellationToken).ConfigureAwait(false);
                break;
        }
    }

    /// <summary>
    /// Keeper calls of a dispute: draws the committee, closes the round after its reveals, appeals a
    /// ruling of "provider wrong" against honest work (a cheater never appeals), and resolves the
    /// dispute once the last appeal window has passed.
    /// </summary>
    private async Task KeepDisputeAsync(ProviderJob job, ulong number, ulong now, CancellationToken cancellationToken)
    {
        var dispute = await _market.DisputeOfAsync(job.JobId, cancellationToken).ConfigureAwait(false);
        if (dispute.Rounds == 0)
        {
            return;
        }

        var r = dispute.Rounds - 1;
        var round = await _market.RoundOfAsync(job.JobId, r, cancellationToken).ConfigureAwait(false);
        if (!round.Drawn)
        {
            if (number > round.Ticket)
            {
                await KeeperAsync(job.JobId, "drawCommittee", ct => _market.DrawCommitteeAsync(job.JobId, job.Record, ct), cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await _clock.EnsureBlockAsync(round.Ticket + 1, cancellationToken).ConfigureAwait(false);
            }
        }
        else if (!round.Closed)
        {
            if (now > round.RevealDeadline || round.Revealed == round.Members.Count)
            {
                await KeeperAsync(job.JobId, "closeRound", ct => _market.CloseRoundAsync(job.JobId, ct), cancellationToken).ConfigureAwait(false);
            }
        }
        else if (round.ProviderWrong && job.Falsified == 0 && r < _court!.MaxAppeals && now < round.AppealDeadline)
        {
            var first = r == 0 ? round : await _market.RoundOfAsync(job.JobId, 0, cancellationToken).ConfigureAwait(false);
            await _market.EnsureMarketBalanceAsync(CourtParameters.AppealBond(first.Bond, r + 1), cancellationToken).ConfigureAwait(false);
            await KeeperAsync(job.JobId, $"appeal of round {r}", ct => _market.AppealAsync(job.JobId, job.Record, ct), cancellationToken).ConfigureAwait(false);
        }
        else if (r >= _court!.MaxAppeals || now > round.AppealDeadline)
        {
            await KeeperAsync(job.JobId, "resolveDispute", ct => _market.ResolveDisputeAsync(job.JobId, job.Record, ct), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Sends one keeper call; a revert (another party was first, or it is too early) is only logged.</summary>
    private async Task KeeperAsync(BigInteger jobId, string action, Func<CancellationToken, Task<TransactionReceipt>> send, CancellationToken cancellationToken)
    {
        try
        {
            var receipt = await send(cancellationToken).ConfigureAwait(false);
            _logger.KeeperAction(jobId, action);
            await RecordEndsAsync(receipt, cancellationToken).ConfigureAwait(false);
        }
        catch (ContractRevertException e)
        {
            _logger.KeeperRefused(jobId, action, e.Message);
        }
    }

    /// <summary>Marks the jobs a transaction ended (the court settles or slashes through the market) as done at once.</summary>
    private async Task RecordEndsAsync(TransactionReceipt receipt, CancellationToken cancellationToken)
    {
        foreach (var settled in receipt.Decode<JobSettledEventDTO>())
        {
            await _jobs.MarkDoneAsync(settled.JobId, "settled", cancellationToken).ConfigureAwait(false);
        }

        foreach (var resolved in receipt.Decode<DisputeResolvedEventDTO>().Where(r => r.ProviderWrong))
        {
            await _jobs.MarkDoneAsync(resolved.JobId, "slashed", cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Sends <paramref name="jobs"/> in one transaction; when the batch reverts, one by one.</summary>
    private async Task InBatchesAsync(
        List<ProviderJob> jobs, Func<IReadOnlyList<ProviderJob>, CancellationToken, Task> send, string action, CancellationToken cancellationToken)
    {
        foreach (var batch in jobs.Chunk(_options.SubmitBatchSize))
        {
            try
            {
                await send(batch, cancellationToken).ConfigureAwait(false);
            }
            catch (ContractRevertException) when (batch.Length > 1)
            {
                foreach (var job in batch)
                {
                    try
                    {
                        await send([job], cancellationToken).ConfigureAwait(false);
                    }
                    catch (ContractRevertException e)
                    {
                        _logger.KeeperRefused(job.JobId, action, e.Message);
                    }
                }
            }
            catch (ContractRevertException e)
            {
                _logger.KeeperRefused(batch[0].JobId, action, e.Message);
            }
        }
    }

    private async Task RecordDrawsAsync(IReadOnlyList<ProviderJob> jobs, CancellationToken cancellationToken)
    {
        var receipt = await _market.RecordDrawAsync([.. jobs.Select(j => (j.JobId, j.Record))], cancellationToken).ConfigureAwait(false);
        foreach (var drawn in receipt.Decode<DrawRecordedEventDTO>())
        {
            await _jobs.SetAuditedAsync(drawn.JobId, drawn.Audited, cancellationToken).ConfigureAwait(false);
        }

        await RecordEndsAsync(receipt, cancellationToken).ConfigureAwait(false);
        _logger.DrawsRecorded(jobs.Count, receipt.TransactionHash);
    }

    private async Task SettleBatchAsync(IReadOnlyList<ProviderJob> jobs, CancellationToken cancellationToken)
    {
        var receipt = await _market.SettleAsync([.. jobs.Select(j => (j.JobId, j.Record))], cancellationToken).ConfigureAwait(false);
        foreach (var drawn in receipt.Decode<DrawRecordedEventDTO>())
        {
            // A lapsed seed audits the job for certain: it goes to the court instead.
            await _jobs.SetAuditedAsync(drawn.JobId, drawn.Audited, cancellationToken).ConfigureAwait(false);
        }

        await RecordEndsAsync(receipt, cancellationToken).ConfigureAwait(false);
        _logger.JobsSettled(jobs.Count, receipt.TransactionHash);
    }

    private async Task WithdrawAsync(CancellationToken cancellationToken)
    {
        if (_options.WithdrawIntervalSeconds == 0 || _time.GetUtcNow() - _lastWithdrawal < TimeSpan.FromSeconds(_options.WithdrawIntervalSeconds))
        {
            return;
        }

        _lastWithdrawal = _time.GetUtcNow();
        var balance = await _market.MarketBalanceAsync(Address, cancellationToken).ConfigureAwait(false);
        if (balance > 0)
        {
            await _market.SendMarketAsync(new WithdrawFunction { Amount = balance }, cancellationToken).ConfigureAwait(false);
            _logger.Withdrew(balance);
        }
    }

    private static bool IsZero(string? address) => string.IsNullOrEmpty(address) || address.AsSpan(2).IndexOfAnyExcept('0') < 0;
}
