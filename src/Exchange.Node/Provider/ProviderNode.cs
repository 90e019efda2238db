using System.Numerics;
using Exchange.Chain.Bindings;
using Exchange.Chain.Deployment;
using Exchange.Chain.Transactions;
using Exchange.Core.Eip712;
using Exchange.Core.Jobs;
using Exchange.Node.Api;
using Exchange.Node.Chain;
using Exchange.Node.Hosting;
using Exchange.Node.Models;
using Exchange.Node.Offers;
using Exchange.Node.Queues;
using Microsoft.Extensions.Logging;
using Nethereum.Contracts;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Signer;

namespace Exchange.Node.Provider;

/// <summary>
/// The provider's work, one step at a time (design §3 step 2, and step 4 for its own jobs): read its
/// jobs from the chain, compute them, submit signed results in batches, settle what is due. Every
/// step reads and writes the work queue first, so a restart resumes where the last run stopped:
/// a computed job is not recomputed and a broadcast result is awaited, not sent again.
/// </summary>
public sealed class ProviderNode
{
    private const string CursorName = "provider";

    private readonly MarketClient _market;
    private readonly ExchangeApiClient _api;
    private readonly ProviderJobStore _jobs;
    private readonly MarketEventReader _events;
    private readonly JobComputer _computer;
    private readonly NodeOptions _node;
    private readonly ProviderOptions _options;
    private readonly EthECKey _key;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private MarketParameters? _parameters;
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
        _events = new MarketEventReader(market.Web3, market.Deployment.JobMarket, new CursorStore(database, time), CursorName, market.Deployment.StartBlock, (ulong)node.MaxLogRange);
        Cheater = new Cheater(options.Cheat, options.CheatRate, options.CheatSeed);
        _computer = new JobComputer(api, models, key, market.Domain, Cheater, otherModel, options.BatchSize);
        _lastWithdrawal = time.GetUtcNow();
    }

    /// <summary>The provider's address.</summary>
    public string Address => _market.Address;

    /// <summary>The model offered.</summary>
    public ModelRunner Model { get; }

    /// <summary>The cheat mode (honest unless configured).</summary>
    public Cheater Cheater { get; }

    /// <summary>The work queue.</summary>
    public ProviderJobStore Jobs => _jobs;

    /// <summary>The offer currently published, once <see cref="StartAsync"/> ran.</summary>
    public SignedOffer? Offer { get; private set; }

    /// <summary>Stakes up to the configured stake, registers its X25519 key (see <see cref="ProviderEncryptionKey"/>), signs and publishes the offer, and reconciles results whose transactions a previous run broadcast.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _parameters = await _market.ParamsAsync(cancellationToken).ConfigureAwait(false);
        await _market.EnsureStakeAsync(MarketClient.ProviderRole, BigInteger.Parse(_options.Stake, System.Globalization.CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
        using (var encryptionKey = ProviderEncryptionKey.LoadOrCreate(_node.DataDirectory))
        {
            await _market.EnsureEncryptionKeyAsync(ProviderEncryptionKey.PublicKeyBytes(encryptionKey), cancellationToken).ConfigureAwait(false);
        }

        await RefreshOfferAsync(cancellationToken).ConfigureAwait(false);
        await ReconcileAsync(cancellationToken).ConfigureAwait(false);
        _logger.ProviderReady(Address, Model.Card.Name, _options.UnitPrice, Cheater.Mode, Cheater.Rate);
    }

    /// <summary>One round of work: events, computing, submitting, settling, withdrawing.</summary>
    public async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        await RefreshOfferAsync(cancellationToken).ConfigureAwait(false);
        await _events.PollAsync(HandleLogsAsync, cancellationToken).ConfigureAwait(false);
        await ComputeAsync(cancellationToken).ConfigureAwait(false);
        await SubmitAsync(cancellationToken).ConfigureAwait(false);
        await SettleAsync(cancellationToken).ConfigureAwait(false);
        await WithdrawAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task RefreshOfferAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        if (Offer is { } current && (long)current.Offer.Expiry - now > _options.OfferLifetimeSeconds / 4)
        {
            return;
        }

        var offer = new Exchange.Core.Eip712.Offer(
            Address, Model.Card.ModelId, BigInteger.Parse(_options.UnitPrice, System.Globalization.CultureInfo.InvariantCulture),
            (uint)_options.MaxTasks, (uint)_options.MinTurnaroundSeconds, (ulong)(now + _options.OfferLifetimeSeconds), Region.Encode(_options.Region), (ulong)now);
        Offer = SignedOffer.Sign(offer, _market.Domain, _key.GetPrivateKeyAsBytes());
        await OfferBook.PublishAsync(_api, Offer, cancellationToken).ConfigureAwait(false);
    }

    private async Task HandleLogsAsync(IReadOnlyList<FilterLog> logs, CancellationToken cancellationToken)
    {
        foreach (var log in logs)
        {
            if (log.As<JobCreatedEventDTO>() is { } created)
            {
                if (string.Equals(created.Provider, Address, StringComparison.OrdinalIgnoreCase)
                    && await _jobs.AddAsync(created.JobId, JobRecords.FromCreated(created), cancellationToken).ConfigureAwait(false))
                {
                    _logger.JobSeen(created.JobId, created.TaskCount, created.Client);
                }
            }
            else if (log.As<ResultSubmittedEventDTO>() is { } submitted)
            {
                if (await _jobs.FindAsync(submitted.JobId, cancellationToken).ConfigureAwait(false) is { } job)
                {
                    await _jobs.MarkSubmittedAsync(submitted.JobId, JobRecords.WithResult(job.Record, submitted), cancellationToken).ConfigureAwait(false);
                }
            }
            else if (log.As<JobSettledEventDTO>() is { } settled)
            {
                await _jobs.MarkDoneAsync(settled.JobId, "settled", cancellationToken).ConfigureAwait(false);
            }
            else if (log.As<JobExpiredEventDTO>() is { } expired)
            {
                await _jobs.MarkDoneAsync(expired.JobId, "expired", cancellationToken).ConfigureAwait(false);
            }
            else if (log.As<DisputeResolvedEventDTO>() is { ProviderWrong: true } resolved)
            {
                await _jobs.MarkDoneAsync(resolved.JobId, "slashed", cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task ComputeAsync(CancellationToken cancellationToken)
    {
        var now = (ulong)_time.GetUtcNow().ToUnixTimeSeconds();
        foreach (var job in await _jobs.ListAsync(ProviderJobStore.New, 4, cancellationToken).ConfigureAwait(false))
        {
            if (job.Record.Deadline <= now)
            {
                await _jobs.MarkFailedAsync(job.JobId, "deadline passed before the job was computed", cancellationToken).ConfigureAwait(false);
                continue;
            }

            try
            {
                var result = await _computer.ComputeAsync(job.JobId, job.Record, cancellationToken).ConfigureAwait(false);
                await _jobs.MarkComputedAsync(job.JobId, result.ResultRoot, result.OutputsHash, result.Signature, cancellationToken).ConfigureAwait(false);
                _logger.JobComputed(job.JobId, job.Record.TaskCount, result.FalsifiedTasks.Count);
            }
            catch (JobInputException e)
            {
                _logger.JobRefused(job.JobId, e.Message);
                await _jobs.MarkFailedAsync(job.JobId, e.Message, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is ExchangeApiException or BlobIntegrityException or HttpRequestException)
            {
                _logger.JobRetry(job.JobId, e.Message);
                await _jobs.RecordErrorAsync(job.JobId, e.Message, _node.MaxAttempts, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task SubmitAsync(CancellationToken cancellationToken)
    {
        var ready = await _jobs.ListAsync(ProviderJobStore.Computed, _options.SubmitBatchSize, cancellationToken).ConfigureAwait(false);
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
                await SubmitOneAsync(job, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (ContractRevertException e)
        {
            await ResolveRefusedAsync(ready[0], e, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task SubmitOneAsync(ProviderJob job, CancellationToken cancellationToken)
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

    private async Task SendResultsAsync(IReadOnlyList<ProviderJob> jobs, CancellationToken cancellationToken)
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
        var sent = await _market.Sender.SubmitAsync(
            new TransactionRequest(_market.Deployment.JobMarket, function.GetCallData().ToHex(true), BigInteger.Zero), cancellationToken).ConfigureAwait(false);
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

    /// <summary>The chain refused a result: find out whether it is already there, too late, or worth another try.</summary>
    private async Task ResolveRefusedAsync(ProviderJob job, ContractRevertException error, CancellationToken cancellationToken)
    {
        var status = await _market.StatusAsync(job.JobId, cancellationToken).ConfigureAwait(false);
        var awaitingResult = status is JobStatus.Created or JobStatus.Accepted;
        if (awaitingResult && job.Record.Deadline > (ulong)_time.GetUtcNow().ToUnixTimeSeconds())
        {
            _logger.JobRetry(job.JobId, error.Message);
            await _jobs.RecordErrorAsync(job.JobId, error.Message, _node.MaxAttempts, cancellationToken).ConfigureAwait(false);
        }
        else if (awaitingResult)
        {
            await _jobs.MarkDoneAsync(job.JobId, "missed-deadline", cancellationToken).ConfigureAwait(false);
        }

        // Any other status: the result is on chain already; its ResultSubmitted event completes the record.
    }

    /// <summary>Results a previous run broadcast: wait for their receipts, or put them back to be sent when the chain never got them.</summary>
    private async Task ReconcileAsync(CancellationToken cancellationToken)
    {
        foreach (var job in await _jobs.ListAsync(ProviderJobStore.Submitting, int.MaxValue, cancellationToken).ConfigureAwait(false))
        {
            var receipt = await _market.Web3.Eth.Transactions.GetTransactionReceipt.SendRequestAsync(job.SubmitTx).WaitAsync(cancellationToken).ConfigureAwait(false);
            if (receipt is not null && receipt.Status.Value == BigInteger.One)
            {
                await RecordSubmissionsAsync(receipt, cancellationToken).ConfigureAwait(false);
                continue;
            }

            var status = await _market.StatusAsync(job.JobId, cancellationToken).ConfigureAwait(false);
            if (status is JobStatus.Created or JobStatus.Accepted)
            {
                await _jobs.MarkUnsentAsync(job.JobId, receipt is null ? "result transaction lost" : "result transaction reverted", cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task SettleAsync(CancellationToken cancellationToken)
    {
        var window = _parameters!.ChallengeWindow;
        var (blockNumber, blockTime) = await _market.LatestBlockAsync(cancellationToken).ConfigureAwait(false);
        var due = new List<ProviderJob>();
        foreach (var job in await _jobs.ListAsync(ProviderJobStore.Submitted, 64, cancellationToken).ConfigureAwait(false))
        {
            // Nothing is due before the challenge window is over (at the next block's time, so >= now) and the draw's block is mined.
            if (job.Record.SubmittedAt + window >= blockTime || blockNumber <= job.Record.SubmitBlock + 1)
            {
                continue;
            }

            var state = await _market.GetJobAsync(job.JobId, cancellationToken).ConfigureAwait(false);
            switch ((JobStatus)state.Status)
            {
                case JobStatus.Submitted or JobStatus.Unaudited:
                    due.Add(job);
                    break;
                case JobStatus.Auditing when state.Audit.Deadline < blockTime:
                    // The drawn verifier stayed silent: the timeout redraws once, then settles.
                    await NudgeAsync(job.JobId, new TimeoutAuditFunction { JobId = job.JobId, Job = job.Record.ToStruct() }, cancellationToken).ConfigureAwait(false);
                    break;
                case JobStatus.Disputed when state.Dispute.Deadline < blockTime:
                    // The committee did not reach a majority in time: silence resolves in the provider's favour.
                    await NudgeAsync(job.JobId, new ResolveDisputeFunction { JobId = job.JobId, Job = job.Record.ToStruct() }, cancellationToken).ConfigureAwait(false);
                    break;
            }
        }

        if (due.Count == 0)
        {
            return;
        }

        try
        {
            await SettleBatchAsync(due, cancellationToken).ConfigureAwait(false);
        }
        catch (ContractRevertException) when (due.Count > 1)
        {
            foreach (var job in due)
            {
                try
                {
                    await SettleBatchAsync([job], cancellationToken).ConfigureAwait(false);
                }
                catch (ContractRevertException e)
                {
                    _logger.NotSettled(job.JobId, e.Message);
                }
            }
        }
        catch (ContractRevertException e)
        {
            _logger.NotSettled(due[0].JobId, e.Message);
        }
    }

    private async Task NudgeAsync<TFunction>(BigInteger jobId, TFunction function, CancellationToken cancellationToken)
        where TFunction : FunctionMessage, new()
    {
        try
        {
            await _market.SendMarketAsync(function, cancellationToken).ConfigureAwait(false);
        }
        catch (ContractRevertException e)
        {
            _logger.NotSettled(jobId, e.Message);
        }
    }

    private async Task SettleBatchAsync(IReadOnlyList<ProviderJob> jobs, CancellationToken cancellationToken)
    {
        var receipt = await _market.SendMarketAsync(new SettleFunction
        {
            JobIds = [.. jobs.Select(j => j.JobId)],
            Jobs = [.. jobs.Select(j => j.Record.ToStruct())],
        }, cancellationToken).ConfigureAwait(false);
        foreach (var settled in receipt.Decode<JobSettledEventDTO>())
        {
            await _jobs.MarkDoneAsync(settled.JobId, "settled", cancellationToken).ConfigureAwait(false);
        }
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
}
