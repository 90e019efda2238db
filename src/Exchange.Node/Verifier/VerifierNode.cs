using System.Numerics;
using Exchange.Chain.Bindings;
using Exchange.Chain.Deployment;
using Exchange.Chain.Transactions;
using Exchange.Core.Jobs;
using Exchange.Node.Api;
using Exchange.Node.Chain;
using Exchange.Node.Hosting;
using Exchange.Node.Models;
using Exchange.Node.Provider;
using Exchange.Node.Queues;
using Microsoft.Extensions.Logging;
using Nethereum.Contracts;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.RPC.Eth.DTOs;

namespace Exchange.Node.Verifier;

/// <summary>
/// The verifier's work, one step at a time (design §3 step 3): follow submitted jobs and read
/// their audit draws; judge the audits drawn to it and the disputes whose committee it sits on;
/// post verdicts and votes; resolve disputes once decided. Judging is recorded before the
/// transaction and the transaction's hash before its receipt, so a restart neither judges twice
/// nor sends a second verdict.
/// </summary>
public sealed class VerifierNode
{
    private const string CursorName = "verifier";

    private readonly MarketClient _market;
    private readonly VerifierWorkStore _work;
    private readonly MarketEventReader _events;
    private readonly Auditor _auditor;
    private readonly NodeOptions _node;
    private readonly VerifierOptions _options;
    private readonly ILogger _logger;
    private MarketParameters? _parameters;

    /// <summary>Creates a verifier over its parts; see <see cref="NodeFactory"/> for the usual wiring.</summary>
    public VerifierNode(MarketClient market, ExchangeApiClient api, NodeDatabase database, ModelCatalog models, NodeOptions node, VerifierOptions options, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(market);
        ArgumentNullException.ThrowIfNull(node);
        _market = market;
        _node = node;
        _options = options;
        _logger = logger;
        _work = new VerifierWorkStore(database, time);
        _events = new MarketEventReader(market.Web3, market.Deployment.JobMarket, new CursorStore(database, time), CursorName, market.Deployment.StartBlock, (ulong)node.MaxLogRange);
        _auditor = new Auditor(api, models, market.Address);
    }

    /// <summary>The verifier's address.</summary>
    public string Address => _market.Address;

    /// <summary>The work queue.</summary>
    public VerifierWorkStore Work => _work;

    /// <summary>Stakes, keeps the bond reserve in the market balance, and reconciles transactions a previous run broadcast.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _parameters = await _market.ParamsAsync(cancellationToken).ConfigureAwait(false);
        await _market.EnsureStakeAsync(MarketClient.VerifierRole, BigInteger.Parse(_options.Stake, System.Globalization.CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
        await _market.EnsureMarketBalanceAsync(_parameters.ChallengerBond * _options.BondReserve, cancellationToken).ConfigureAwait(false);
        await ReconcileAsync(cancellationToken).ConfigureAwait(false);
        _logger.VerifierReady(Address);
    }

    /// <summary>One round: events, draws, judging, sending, resolving.</summary>
    public async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        var latest = await _events.PollAsync(HandleLogsAsync, cancellationToken).ConfigureAwait(false);
        await ReadDrawsAsync(latest, cancellationToken).ConfigureAwait(false);
        await JudgeAsync(cancellationToken).ConfigureAwait(false);
        await SendAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task HandleLogsAsync(IReadOnlyList<FilterLog> logs, CancellationToken cancellationToken)
    {
        foreach (var log in logs)
        {
            if (log.As<JobCreatedEventDTO>() is { } created)
            {
                await _work.RememberCreatedAsync(created.JobId, JobRecords.FromCreated(created), cancellationToken).ConfigureAwait(false);
            }
            else if (log.As<ResultSubmittedEventDTO>() is { } submitted)
            {
                await _work.RememberSubmittedAsync(submitted.JobId, submitted, cancellationToken).ConfigureAwait(false);
            }
            else if (log.As<AuditAssignedEventDTO>() is { } assigned)
            {
                if (string.Equals(assigned.Verifier, Address, StringComparison.OrdinalIgnoreCase))
                {
                    await AddWorkAsync(assigned.JobId, VerifierWorkStore.Audit, cancellationToken).ConfigureAwait(false);
                }
            }
            else if (log.As<DisputeOpenedEventDTO>() is { } dispute)
            {
                if (dispute.Committee.Any(m => string.Equals(m, Address, StringComparison.OrdinalIgnoreCase)))
                {
                    await AddWorkAsync(dispute.JobId, VerifierWorkStore.Vote, cancellationToken).ConfigureAwait(false);
                }
            }
            else if ((log.As<JobSettledEventDTO>()?.JobId ?? log.As<JobExpiredEventDTO>()?.JobId ?? log.As<DisputeResolvedEventDTO>()?.JobId) is { } ended)
            {
                await _work.SetKnownStateAsync(ended, "closed", cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task AddWorkAsync(BigInteger jobId, string kind, CancellationToken cancellationToken)
    {
        if (await _work.FindKnownAsync(jobId, cancellationToken).ConfigureAwait(false) is { IsSubmitted: true } record
            && await _work.AddWorkAsync(jobId, kind, record, cancellationToken).ConfigureAwait(false))
        {
            _logger.WorkDrawn(jobId, kind);
        }
    }

    /// <summary>Reads the audit draw of every submitted job whose draw block exists; audits drawn to this verifier are queued.</summary>
    private async Task ReadDrawsAsync(ulong latestBlock, CancellationToken cancellationToken)
    {
        foreach (var (jobId, record) in await _work.AwaitingDrawAsync(256, cancellationToken).ConfigureAwait(false))
        {
            if (latestBlock <= record.SubmitBlock + 1)
            {
                continue;
            }

            try
            {
                var draw = await _market.AuditDrawAsync(jobId, record, cancellationToken).ConfigureAwait(false);
                if (draw.Audited && string.Equals(draw.Verifier, Address, StringComparison.OrdinalIgnoreCase))
                {
                    await _work.AddWorkAsync(jobId, VerifierWorkStore.Audit, record, cancellationToken).ConfigureAwait(false);
                    _logger.WorkDrawn(jobId, VerifierWorkStore.Audit);
                }
            }
            catch (Exception e) when (RevertDecoder.ExtractRevertData(e) is not null)
            {
                // The job moved on (settled, or its draw recorded and assigned): the events tell the rest.
                _logger.NoDraw(jobId, e.Message);
            }

            await _work.SetKnownStateAsync(jobId, "drawn", cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task JudgeAsync(CancellationToken cancellationToken)
    {
        foreach (var item in await _work.ListWorkAsync("new", 8, cancellationToken).ConfigureAwait(false))
        {
            try
            {
                var draw = await _market.AuditDrawAsync(item.JobId, item.Record, cancellationToken).ConfigureAwait(false);
                var verdict = await _auditor.JudgeAsync(item.JobId, item.Record, draw.TaskIndices, cancellationToken).ConfigureAwait(false);
                await _work.MarkJudgedAsync(item.JobId, item.Kind, verdict.Pass, verdict.EvidenceHash, cancellationToken).ConfigureAwait(false);
                _logger.Judged(item.JobId, item.Kind, verdict.Pass ? "PASS" : "FAIL", verdict.Pass
                    ? $"tasks {string.Join(",", verdict.Tasks.Select(t => t.Index))}"
                    : $"task {verdict.Tasks.First(t => !t.Pass).Index}: {verdict.Tasks.First(t => !t.Pass).Detail}");
            }
            catch (Exception e) when (e is JobInputException or ExchangeApiException or BlobIntegrityException or HttpRequestException
                || RevertDecoder.ExtractRevertData(e) is not null)
            {
                _logger.CannotJudge(item.JobId, e.Message);
                await _work.RecordErrorAsync(item.JobId, item.Kind, e.Message, _node.MaxAttempts, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task SendAsync(CancellationToken cancellationToken)
    {
        foreach (var item in await _work.ListWorkAsync("judged", 16, cancellationToken).ConfigureAwait(false))
        {
            // GetCallData needs the concrete message type, hence the two branches.
            var data = item.Kind == VerifierWorkStore.Audit
                ? new SubmitVerdictFunction { JobId = item.JobId, Job = item.Record.ToStruct(), Pass = item.Pass!.Value, EvidenceHash = item.EvidenceHash!.Value.ToArray() }.GetCallData().ToHex(true)
                : new VoteFunction { JobId = item.JobId, Job = item.Record.ToStruct(), ProviderWrong = !item.Pass!.Value }.GetCallData().ToHex(true);
            try
            {
                var sent = await _market.Sender.SubmitAsync(
                    new TransactionRequest(_market.Deployment.JobMarket, data, BigInteger.Zero), cancellationToken).ConfigureAwait(false);
                await _work.MarkSendingAsync(item.JobId, item.Kind, sent.Hash, cancellationToken).ConfigureAwait(false);
                await _market.Sender.WaitForReceiptAsync(sent, cancellationToken).ConfigureAwait(false);
                await _work.MarkDoneAsync(item.JobId, item.Kind, item.Pass!.Value ? "pass" : "fail", cancellationToken).ConfigureAwait(false);
                _logger.WorkSent(item.JobId, item.Kind, sent.Hash);
            }
            catch (ContractRevertException e)
            {
                // Too late (window closed, already voted, dispute over): nothing this verifier can still do.
                _logger.WorkRefused(item.JobId, item.Kind, e.Message);
                await _work.MarkDoneAsync(item.JobId, item.Kind, "refused: " + e.Message, cancellationToken).ConfigureAwait(false);
            }

            if (item.Kind == VerifierWorkStore.Vote)
            {
                await TryResolveAsync(item.JobId, item.Record, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task TryResolveAsync(BigInteger jobId, Job record, CancellationToken cancellationToken)
    {
        try
        {
            await _market.SendMarketAsync(new ResolveDisputeFunction { JobId = jobId, Job = record.ToStruct() }, cancellationToken).ConfigureAwait(false);
            _logger.DisputeResolved(jobId);
        }
        catch (ContractRevertException e)
        {
            _logger.DisputeOpen(jobId, e.Message);
        }
    }

    private async Task ReconcileAsync(CancellationToken cancellationToken)
    {
        foreach (var item in await _work.ListWorkAsync("sending", int.MaxValue, cancellationToken).ConfigureAwait(false))
        {
            var receipt = await _market.Web3.Eth.Transactions.GetTransactionReceipt.SendRequestAsync(item.TxHash).WaitAsync(cancellationToken).ConfigureAwait(false);
            if (receipt is not null && receipt.Status.Value == BigInteger.One)
            {
                await _work.MarkDoneAsync(item.JobId, item.Kind, item.Pass!.Value ? "pass" : "fail", cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await _work.MarkUnsentAsync(item.JobId, item.Kind, receipt is null ? "transaction lost" : "transaction reverted", cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
