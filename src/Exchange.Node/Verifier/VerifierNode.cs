using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using Exchange.Api.Client;
using Exchange.Chain.Bindings;
using Exchange.Chain.Deployment;
using Exchange.Chain.Indexing;
using Exchange.Chain.Transactions;
using Exchange.Core.Hashing;
using Exchange.Core.Jobs;
using Exchange.Node.Chain;
using Exchange.Node.Hosting;
using Exchange.Node.Models;
using Exchange.Node.Privacy;
using Exchange.Node.Provider;
using Exchange.Node.Queues;
using Microsoft.Extensions.Logging;
using Nethereum.Contracts;
using Nethereum.RPC.Eth.DTOs;

namespace Exchange.Node.Verifier;

/// <summary>
/// The verifier's work, one step at a time: follow submitted jobs and ask the court, once a job's
/// seed exists, whether its draw names this verifier; judge those audits and the ones assigned to
/// it later (recorded, lapsed, client-requested and redrawn audits) and post the verdicts directly
/// (a verdict fixes the job's draw); sit on the committees it is drawn into: judge the job, keep a
/// salt and the vote, commit, reveal; and keep the disputes it follows moving (committee draws,
/// round closes, its appeals as challenger, resolution). Judging and every salt are recorded
/// before a transaction, and a transaction's hash before its receipt, so a restart neither
/// judges twice, nor sends a second verdict or vote, nor loses a salt.
/// </summary>
public sealed class VerifierNode
{
    private const string CursorName = "verifier";

    /// <summary>How often the draws read but not yet fixed are read again when no event asked for it.</summary>
    public static readonly TimeSpan PendingDrawsReread = TimeSpan.FromSeconds(30);

    private readonly MarketClient _market;
    private readonly VerifierWorkStore _work;
    private readonly ChainLogPoller _events;
    private readonly VerifierEvents _intake;
    private readonly Auditor _auditor;
    private readonly NodeOptions _node;
    private readonly VerifierOptions _options;
    private readonly ILogger _logger;
    private readonly ChainClock _clock;
    private readonly TimeProvider _time;
    private DateTimeOffset _pendingDrawsRead = DateTimeOffset.MinValue;
    // Shared: the judging of several audits draws back-offs from it at once.
    private readonly Random _jitter = Random.Shared;

    // Audits are judged here, each on its own, so that the round (and the verdicts, commits and
    // reveals it sends) never waits for one.
    private readonly JobSlots _slots;

    // The X25519 key that drawn tasks' keys of encrypted jobs are sealed to (docs/privacy.md).
    private readonly NSec.Cryptography.Key _encryptionKey;
    private MarketParameters? _parameters;
    private CourtParameters? _court;

    /// <summary>Creates a verifier over its parts; see <see cref="NodeFactory"/> for the usual wiring.</summary>
    public VerifierNode(MarketClient market, ExchangeApiClient api, NodeDatabase database, ModelCatalog models, NodeOptions node, VerifierOptions options, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(market);
        ArgumentNullException.ThrowIfNull(node);
        _market = market;
        _node = node;
        _options = options;
        _logger = logger;
        _time = time;
        _work = new VerifierWorkStore(database, time);
        _clock = new ChainClock(market, TimeSpan.FromSeconds(node.IdleBlockSeconds), logger);
        _slots = new JobSlots(node.MaxConcurrentAudits, logger, Rounds);
        _events = MarketEventPoller.Create(market, database, CursorName, node, logger);
        _intake = new VerifierEvents(market, _work, EndAsync, logger);
        _encryptionKey = ProviderEncryptionKey.LoadOrCreate(node.DataDirectory);
        _auditor = new Auditor(api, models, market.Address, new RevealedKeys(api, _encryptionKey, market.Address, TimeSpan.FromSeconds(options.KeyRevealWaitSeconds), time)) { Mode = options.Mode };
    }

    /// <summary>The verifier's address.</summary>
    public string Address => _market.Address;

    /// <summary>Asks the node's loop for a round at once: an audit's judging ended.</summary>
    public RoundSignal Rounds { get; } = new();

    /// <summary>
    /// The logs that wake the verifier's loop (<see cref="NodeSubscription"/>): an audit assigned to
    /// it, and any committee drawn (its members are not indexed), whose windows are short.
    /// </summary>
    public IReadOnlyList<LogFilter> WakeFilters =>
    [
        new([_market.Deployment.AuditCourt], [[LogFilter.EventTopic<AuditAssignedEventDTO>()], null, [LogFilter.AddressTopic(Address)]]),
        new([_market.Deployment.AuditCourt], [[LogFilter.EventTopic<CommitteeDrawnEventDTO>()]]),
    ];

    /// <summary>The work queue.</summary>
    public VerifierWorkStore Work => _work;

    /// <summary>Stakes, keeps the least challenger bonds in the market balance, and reconciles transactions a previous run broadcast.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _parameters = await _market.ParamsAsync(cancellationToken).ConfigureAwait(false);
        _court = await _market.CourtParamsAsync(cancellationToken).ConfigureAwait(false);
        await _market.EnsureStakeAsync(StakeRole.Verifier, BigInteger.Parse(_options.Stake, CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
        await _market.EnsureEncryptionKeyAsync(ProviderEncryptionKey.PublicKeyBytes(_encryptionKey), cancellationToken).ConfigureAwait(false);
        await _market.EnsureMarketBalanceAsync(_court.MinChallengerBond * _options.BondReserve, cancellationToken).ConfigureAwait(false);
        await ReconcileAsync(cancellationToken).ConfigureAwait(false);
        _logger.VerifierReady(Address);
    }

    /// <summary>
    /// One round: unfinished transactions, events, draws, audits, votes, disputes. Audits are
    /// judged on <see cref="JobSlots"/>: a later round sends the verdicts they recorded.
    /// </summary>
    public async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        await ReconcileAsync(cancellationToken).ConfigureAwait(false);
        var polled = await _events.SyncOnceAsync(_intake, cancellationToken).ConfigureAwait(false);
        await RereadPendingDrawsAsync(cancellationToken).ConfigureAwait(false);
        await ReadDrawsAsync(polled.Head, cancellationToken).ConfigureAwait(false);
        await JudgeAuditsAsync(cancellationToken).ConfigureAwait(false);
        await SendVerdictsAsync(cancellationToken).ConfigureAwait(false);
        await JudgeVotesAsync(cancellationToken).ConfigureAwait(false);
        await CommitVotesAsync(cancellationToken).ConfigureAwait(false);
        await RevealVotesAsync(cancellationToken).ConfigureAwait(false);
        await KeepDisputesAsync(cancellationToken).ConfigureAwait(false);
    }

    // ------------------------------------------------------------------ events and draws

    private async Task EndAsync(BigInteger jobId, string outcome, CancellationToken cancellationToken)
    {
        await _work.SetKnownStateAsync(jobId, "closed", cancellationToken).ConfigureAwait(false);
        await _work.CloseDisputeAsync(jobId, cancellationToken).ConfigureAwait(false);
        await _work.CloseVotesAsync(jobId, outcome, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Puts the draws read but not yet fixed back to be read again after a verifier was penalised
    /// (the court's events), and every <see cref="PendingDrawsReread"/> in any case (a stake that
    /// fell below the minimum shows only in the vault): a draw passes over such a verifier, so it may
    /// now name this one, whose verdict is what fixes it. Without the re-read the job would wait for
    /// its provider to record the draw, many blocks later.
    /// </summary>
    private async Task RereadPendingDrawsAsync(CancellationToken cancellationToken)
    {
        if (!_intake.PendingDrawsChanged && _time.GetUtcNow() - _pendingDrawsRead < PendingDrawsReread)
        {
            return;
        }

        _intake.PendingDrawsChanged = false;
        _pendingDrawsRead = _time.GetUtcNow();
        await _work.RereadPendingDrawsAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Asks the court, for every submitted job whose seed exists (block submitBlock + 2), which
    /// verifier its draw names; the audits naming this verifier are queued with their seed.
    /// </summary>
    private async Task ReadDrawsAsync(ulong latestBlock, CancellationToken cancellationToken)
    {
        var awaiting = await _work.AwaitingDrawAsync(256, cancellationToken).ConfigureAwait(false);
        if (awaiting.Count > 0)
        {
            (latestBlock, _) = await _clock.ReadAsync(cancellationToken).ConfigureAwait(false);
        }

        foreach (var (jobId, record) in awaiting)
        {
            if (latestBlock < record.SubmitBlock + 2)
            {
                await _clock.EnsureBlockAsync(record.SubmitBlock + 2, cancellationToken).ConfigureAwait(false);
                continue;
            }

            try
            {
                var pending = await _market.PendingAuditorAsync(jobId, record, cancellationToken).ConfigureAwait(false);
                if (IsMe(pending.Verifier) && await _work.AddAuditAsync(jobId, record, Bytes32.FromBytes(pending.Seed), cancellationToken).ConfigureAwait(false))
                {
                    _logger.WorkDrawn(jobId, VerifierWorkStore.Audit);
                }
            }
            catch (Exception e) when (RevertDecoder.ExtractRevertData(e) is not null)
            {
                // The job moved on (settled, or its draw fixed and assigned): the events tell the rest.
                _logger.NoDraw(jobId, e.Message);
            }

            await _work.SetKnownStateAsync(jobId, "drawn", cancellationToken).ConfigureAwait(false);
        }
    }

    // ------------------------------------------------------------------ audits

    private async Task JudgeAuditsAsync(CancellationToken cancellationToken)
    {
        if (_slots.Free == 0)
        {
            return;
        }

        // Twice the slots: the audits being judged are listed too, and skipped.
        foreach (var item in await _work.ListDueWorkAsync("new", 2 * _node.MaxConcurrentAudits, cancellationToken).ConfigureAwait(false))
        {
            var slot = $"{item.Kind} {item.JobId}";
            if (!_slots.IsRunning(slot) && !_slots.TryStart(slot, () => JudgeAuditAsync(item, cancellationToken)))
            {
                return;
            }
        }
    }

    /// <summary>Judges one audit in its slot and records the verdict, a failure, or a retry after a back-off.</summary>
    private async Task JudgeAuditAsync(VerifierWork item, CancellationToken cancellationToken)
    {
        try
        {
            if (!await _work.IsStillAsListedAsync(item, cancellationToken).ConfigureAwait(false))
            {
                return;
            }

            var tasks = item.Seed is { } seed
                ? await _market.TaskIndicesOfAsync(seed, item.Record.TaskCount, cancellationToken).ConfigureAwait(false)
                : await _market.AuditTasksAsync(item.JobId, item.Record.TaskCount, cancellationToken).ConfigureAwait(false);
            var verdict = await _auditor.JudgeAsync(item.JobId, item.Record, tasks, cancellationToken).ConfigureAwait(false);
            await _work.MarkJudgedAsync(item.JobId, item.Kind, verdict.Pass, verdict.EvidenceHash, cancellationToken).ConfigureAwait(false);
            LogVerdict(item.JobId, item.Kind, verdict);
        }
        catch (JobInputException e)
        {
            _logger.WorkRefused(item.JobId, item.Kind, e.Message);
            await _work.MarkFailedAsync(item.JobId, item.Kind, e.Message, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            await RetryAuditLaterAsync(item, e.Message, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// An audit that could not be judged for a passing reason (an API, the chain or the blob store
    /// away): tried again after a back-off until its audit window closes, or dropped once the job
    /// ended or the window closed.
    /// </summary>
    private async Task RetryAuditLaterAsync(VerifierWork item, string error, CancellationToken cancellationToken)
    {
        var (_, now) = await _clock.ReadAsync(cancellationToken).ConfigureAwait(false);
        var audit = await _market.AuditOfAsync(item.JobId, cancellationToken).ConfigureAwait(false);
        if (await IsOverAsync(item.JobId, cancellationToken).ConfigureAwait(false) || (audit.Deadline != 0 && now > audit.Deadline))
        {
            _logger.WorkRefused(item.JobId, item.Kind, "too late to judge: " + error);
            await _work.MarkDoneAsync(item.JobId, item.Kind, "too late: " + error, cancellationToken).ConfigureAwait(false);
            return;
        }

        // A draw nobody fixed yet has no audit window: its verdict is welcome until the job ends.
        var wait = RetryBackoff.Delay(item.Attempts + 1, now, audit.Deadline == 0 ? ulong.MaxValue : RetryBackoff.Before(audit.Deadline, _node.SubmitMarginSeconds), _jitter);
        _logger.CannotJudge(item.JobId, wait.TotalSeconds, error);
        await _work.RecordRetryAsync(item.JobId, item.Kind, error, wait, cancellationToken).ConfigureAwait(false);
    }

    private async Task<bool> IsOverAsync(BigInteger jobId, CancellationToken cancellationToken) =>
        await _market.StatusAsync(jobId, cancellationToken).ConfigureAwait(false) is JobStatus.Settled or JobStatus.Slashed or JobStatus.Expired;

    /// <summary>Posts judged verdicts; a fail first tops the market balance up to the challenger bond it posts.</summary>
    private async Task SendVerdictsAsync(CancellationToken cancellationToken)
    {
        foreach (var item in await _work.ListWorkAsync("judged", 8, cancellationToken).ConfigureAwait(false))
        {
            var pass = item.Pass!.Value;
            try
            {
                if (!pass)
                {
                    await _market.EnsureMarketBalanceAsync(ChallengerBond(item.Record), cancellationToken).ConfigureAwait(false);
                }

                var sent = await _market.SubmitCourtAsync(MarketClient.SubmitVerdict(item.JobId, item.Record, pass, item.EvidenceHash!.Value), cancellationToken).ConfigureAwait(false);
                await _work.MarkSendingAsync(item.JobId, item.Kind, sent.Hash, cancellationToken).ConfigureAwait(false);
                await _market.Sender.WaitForReceiptAsync(sent, cancellationToken).ConfigureAwait(false);
                await VerdictOnChainAsync(item, cancellationToken).ConfigureAwait(false);
                _logger.WorkSent(item.JobId, item.Kind, sent.Hash);
            }
            catch (ContractRevertException e)
            {
                // Too late (deadline passed, another verdict first, job over) or not this verifier's: nothing it can still do.
                _logger.WorkRefused(item.JobId, item.Kind, e.Message);
                await _work.MarkDoneAsync(item.JobId, item.Kind, "refused: " + e.Message, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task VerdictOnChainAsync(VerifierWork item, CancellationToken cancellationToken)
    {
        await _work.MarkDoneAsync(item.JobId, item.Kind, item.Pass!.Value ? "pass" : "fail", cancellationToken).ConfigureAwait(false);
        if (item.Pass == false)
        {
            await _work.FollowDisputeAsync(item.JobId, item.Record, challenger: true, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The bond a fail verdict posts: <c>max(minChallengerBond, collateral × challengerBondBps)</c>, collateral as the market computes it.</summary>
    private BigInteger ChallengerBond(Job job) =>
        _court!.ChallengerBond(_parameters!.Collateral(MarketParameters.Price(job.UnitPrice, job.TaskCount)));

    // ------------------------------------------------------------------ committee votes

    /// <summary>Judges the job of each committee seat (re-running the audit's drawn tasks), then keeps the vote and a fresh random salt.</summary>
    private async Task JudgeVotesAsync(CancellationToken cancellationToken)
    {
        foreach (var vote in await _work.ListDueVotesAsync("new", 4, cancellationToken).ConfigureAwait(false))
        {
            try
            {
                var providerWrong = await _work.JudgedProviderWrongAsync(vote.JobId, cancellationToken).ConfigureAwait(false);
                if (providerWrong is null)
                {
                    var tasks = await _market.AuditTasksAsync(vote.JobId, vote.Record.TaskCount, cancellationToken).ConfigureAwait(false);
                    var verdict = await _auditor.JudgeAsync(vote.JobId, vote.Record, tasks, cancellationToken).ConfigureAwait(false);
                    LogVerdict(vote.JobId, "vote", verdict);
                    providerWrong = !verdict.Pass;
                }

                await _work.MarkVoteJudgedAsync(vote.JobId, vote.Round, providerWrong.Value, Bytes32.FromBytes(RandomNumberGenerator.GetBytes(32)), cancellationToken).ConfigureAwait(false);
                _logger.VoteStep(vote.JobId, vote.Round, providerWrong.Value ? "judged: provider wrong" : "judged: provider right");
            }
            catch (JobInputException e)
            {
                _logger.VoteEnded(vote.JobId, vote.Round, e.Message);
                await _work.MarkVoteFailedAsync(vote.JobId, vote.Round, e.Message, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                await RetryVoteLaterAsync(vote, e.Message, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>A vote that could not be judged for a passing reason: tried again after a back-off until its commit window closes.</summary>
    private async Task RetryVoteLaterAsync(VerifierVote vote, string error, CancellationToken cancellationToken)
    {
        if (await OpenRoundAsync(vote, cancellationToken).ConfigureAwait(false) is not { } round)
        {
            return;
        }

        var (_, now) = await _clock.ReadAsync(cancellationToken).ConfigureAwait(false);
        if (now > round.CommitDeadline)
        {
            await EndVoteAsync(vote, "the commit window closed before the vote could be judged: " + error, cancellationToken).ConfigureAwait(false);
            return;
        }

        var wait = RetryBackoff.Delay(vote.Attempts + 1, now, RetryBackoff.Before(round.CommitDeadline, _node.SubmitMarginSeconds), _jitter);
        _logger.CannotJudge(vote.JobId, wait.TotalSeconds, error);
        await _work.RecordVoteRetryAsync(vote.JobId, vote.Round, error, wait, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends the sealed votes of open rounds before their commit deadline.</summary>
    private async Task CommitVotesAsync(CancellationToken cancellationToken)
    {
        var judged = await _work.ListVotesAsync("judged", 16, cancellationToken).ConfigureAwait(false);
        if (judged.Count == 0)
        {
            return;
        }

        var (_, now) = await _clock.ReadAsync(cancellationToken).ConfigureAwait(false);
        foreach (var vote in judged)
        {
            // commitVote seals into the dispute's open round: only while that is still this vote's round.
            if (await OpenRoundAsync(vote, cancellationToken).ConfigureAwait(false) is not { } round)
            {
                continue;
            }

            if (now > round.CommitDeadline)
            {
                await EndVoteAsync(vote, "the commit window closed before the vote was sealed", cancellationToken).ConfigureAwait(false);
                continue;
            }

            var commitment = await _market.VoteCommitmentAsync(vote.JobId, vote.Round, Address, vote.ProviderWrong!.Value, vote.Salt!.Value, cancellationToken).ConfigureAwait(false);
            try
            {
                var sent = await _market.SubmitCourtAsync(MarketClient.CommitVote(vote.JobId, commitment), cancellationToken).ConfigureAwait(false);
                await _work.MarkCommittingAsync(vote.JobId, vote.Round, sent.Hash, cancellationToken).ConfigureAwait(false);
                await _market.Sender.WaitForReceiptAsync(sent, cancellationToken).ConfigureAwait(false);
                await _work.MarkCommittedAsync(vote.JobId, vote.Round, cancellationToken).ConfigureAwait(false);
                _logger.VoteStep(vote.JobId, vote.Round, "committed");
            }
            catch (ContractRevertException e)
            {
                var onChain = await _market.VoteOfAsync(vote.JobId, vote.Round, Address, cancellationToken).ConfigureAwait(false);
                if (Bytes32.FromBytes(onChain.Commitment) == commitment)
                {
                    await _work.MarkCommittedAsync(vote.JobId, vote.Round, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await EndVoteAsync(vote, "commit refused: " + e.Message, cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>Opens committed votes once the commit window is over (or every member committed), before the reveal deadline.</summary>
    private async Task RevealVotesAsync(CancellationToken cancellationToken)
    {
        var committed = await _work.ListVotesAsync("committed", 16, cancellationToken).ConfigureAwait(false);
        if (committed.Count == 0)
        {
            return;
        }

        var (_, now) = await _clock.ReadAsync(cancellationToken).ConfigureAwait(false);
        foreach (var vote in committed)
        {
            if (await OpenRoundAsync(vote, cancellationToken).ConfigureAwait(false) is not { } round)
            {
                continue;
            }

            if (now > round.RevealDeadline)
            {
                await EndVoteAsync(vote, "the reveal window closed", cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (now <= round.CommitDeadline && round.Committed < round.Members.Count)
            {
                continue;
            }

            try
            {
                var sent = await _market.SubmitCourtAsync(MarketClient.RevealVote(vote.JobId, vote.ProviderWrong!.Value, vote.Salt!.Value), cancellationToken).ConfigureAwait(false);
                await _work.MarkRevealingAsync(vote.JobId, vote.Round, sent.Hash, cancellationToken).ConfigureAwait(false);
                await _market.Sender.WaitForReceiptAsync(sent, cancellationToken).ConfigureAwait(false);
                await _work.MarkRevealedAsync(vote.JobId, vote.Round, cancellationToken).ConfigureAwait(false);
                _logger.VoteStep(vote.JobId, vote.Round, "revealed");
            }
            catch (ContractRevertException e)
            {
                var onChain = await _market.VoteOfAsync(vote.JobId, vote.Round, Address, cancellationToken).ConfigureAwait(false);
                if (onChain.Revealed != 0)
                {
                    await _work.MarkRevealedAsync(vote.JobId, vote.Round, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    // Too early (a member's commit still in flight) is retried next round; anything else is logged the same way.
                    _logger.KeeperRefused(vote.JobId, "revealVote", e.Message);
                    await _work.MarkVoteUnsentAsync(vote.JobId, vote.Round, e.Message, cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>The vote's round when it is the dispute's open round; otherwise the vote is closed and null returned.</summary>
    private async Task<RoundStruct?> OpenRoundAsync(VerifierVote vote, CancellationToken cancellationToken)
    {
        var dispute = await _market.DisputeOfAsync(vote.JobId, cancellationToken).ConfigureAwait(false);
        var round = await _market.RoundOfAsync(vote.JobId, vote.Round, cancellationToken).ConfigureAwait(false);
        if (dispute.Rounds != vote.Round + 1 || round.Closed)
        {
            await EndVoteAsync(vote, "the round closed", cancellationToken).ConfigureAwait(false);
            return null;
        }

        return round;
    }

    private async Task EndVoteAsync(VerifierVote vote, string reason, CancellationToken cancellationToken)
    {
        _logger.VoteEnded(vote.JobId, vote.Round, reason);
        await _work.MarkVoteDoneAsync(vote.JobId, vote.Round, reason, cancellationToken).ConfigureAwait(false);
    }

    // ------------------------------------------------------------------ disputes

    /// <summary>
    /// Keeper calls of the disputes this verifier follows: draws the committee once its seed exists,
    /// closes a round after its reveals, appeals (as challenger, whose own audit failed the job) a
    /// ruling of "provider right", and resolves the dispute after the last appeal window.
    /// </summary>
    private async Task KeepDisputesAsync(CancellationToken cancellationToken)
    {
        var disputes = await _work.OpenDisputesAsync(16, cancellationToken).ConfigureAwait(false);
        if (disputes.Count == 0)
        {
            return;
        }

        var (number, now) = await _clock.ReadAsync(cancellationToken).ConfigureAwait(false);
        foreach (var followed in disputes)
        {
            var jobId = followed.JobId;
            var job = followed.Record;
            var status = await _market.StatusAsync(jobId, cancellationToken).ConfigureAwait(false);
            if (status != JobStatus.Disputed)
            {
                if (status is JobStatus.Settled or JobStatus.Slashed or JobStatus.Expired)
                {
                    await EndAsync(jobId, "job ended", cancellationToken).ConfigureAwait(false);
                }

                continue;
            }

            var dispute = await _market.DisputeOfAsync(jobId, cancellationToken).ConfigureAwait(false);
            var r = dispute.Rounds - 1;
            var round = await _market.RoundOfAsync(jobId, r, cancellationToken).ConfigureAwait(false);
            if (!round.Drawn)
            {
                if (number > round.Ticket)
                {
                    await KeeperAsync(jobId, "drawCommittee", ct => _market.DrawCommitteeAsync(jobId, job, ct), cancellationToken).ConfigureAwait(false);
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
                    await KeeperAsync(jobId, "closeRound", ct => _market.CloseRoundAsync(jobId, ct), cancellationToken).ConfigureAwait(false);
                }
            }
            else if (followed.Challenger && !round.ProviderWrong && r < _court!.MaxAppeals && now < round.AppealDeadline)
            {
                var first = r == 0 ? round : await _market.RoundOfAsync(jobId, 0, cancellationToken).ConfigureAwait(false);
                await _market.EnsureMarketBalanceAsync(CourtParameters.AppealBond(first.Bond, r + 1), cancellationToken).ConfigureAwait(false);
                await KeeperAsync(jobId, $"appeal of round {r}", ct => _market.AppealAsync(jobId, job, ct), cancellationToken).ConfigureAwait(false);
            }
            else if (r >= _court!.MaxAppeals || now > round.AppealDeadline)
            {
                await KeeperAsync(jobId, "resolveDispute", ct => _market.ResolveDisputeAsync(jobId, job, ct), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Sends one keeper call; a revert (another party was first, or it is too early) is only logged.</summary>
    private async Task KeeperAsync(BigInteger jobId, string action, Func<CancellationToken, Task<TransactionReceipt>> send, CancellationToken cancellationToken)
    {
        try
        {
            await send(cancellationToken).ConfigureAwait(false);
            _logger.KeeperAction(jobId, action);
        }
        catch (ContractRevertException e)
        {
            _logger.KeeperRefused(jobId, action, e.Message);
        }
    }

    // ------------------------------------------------------------------ restarts

    /// <summary>
    /// Verdicts and votes a previous round or run broadcast: records the mined ones; puts back
    /// those the chain never got (and no longer holds) so that they are sent again, with the same
    /// salt. A transaction the node still holds is left to be mined.
    /// </summary>
    private async Task ReconcileAsync(CancellationToken cancellationToken)
    {
        foreach (var item in await _work.ListWorkAsync("sending", int.MaxValue, cancellationToken).ConfigureAwait(false))
        {
            var receipt = await _market.ReceiptAsync(item.TxHash!, cancellationToken).ConfigureAwait(false);
            if (receipt is not null && receipt.Status.Value == BigInteger.One)
            {
                await VerdictOnChainAsync(item, cancellationToken).ConfigureAwait(false);
            }
            else if (receipt is not null || !await IsPendingAsync(item.TxHash!, cancellationToken).ConfigureAwait(false))
            {
                await _work.MarkUnsentAsync(item.JobId, item.Kind, receipt is null ? "transaction lost" : "transaction reverted", cancellationToken).ConfigureAwait(false);
            }
        }

        foreach (var state in new[] { "committing", "revealing" })
        {
            foreach (var vote in await _work.ListVotesAsync(state, int.MaxValue, cancellationToken).ConfigureAwait(false))
            {
                var onChain = await _market.VoteOfAsync(vote.JobId, vote.Round, Address, cancellationToken).ConfigureAwait(false);
                if (onChain.Revealed != 0)
                {
                    await _work.MarkRevealedAsync(vote.JobId, vote.Round, cancellationToken).ConfigureAwait(false);
                }
                else if (state == "committing" && onChain.Commitment.Any(b => b != 0))
                {
                    await _work.MarkCommittedAsync(vote.JobId, vote.Round, cancellationToken).ConfigureAwait(false);
                }
                else if (!await IsPendingAsync(state == "committing" ? vote.CommitTx! : vote.RevealTx!, cancellationToken).ConfigureAwait(false))
                {
                    await _work.MarkVoteUnsentAsync(vote.JobId, vote.Round, "transaction lost or reverted", cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    private async Task<bool> IsPendingAsync(string hash, CancellationToken cancellationToken)
    {
        var transaction = await _market.Web3.Eth.Transactions.GetTransactionByHash.SendRequestAsync(hash).WaitAsync(cancellationToken).ConfigureAwait(false);
        return transaction is not null && transaction.BlockNumber?.Value is null;
    }

    private bool IsMe(string? address) => string.Equals(address, Address, StringComparison.OrdinalIgnoreCase);

    private void LogVerdict(BigInteger jobId, string kind, AuditVerdict verdict) =>
        _logger.Judged(jobId, kind, verdict.Pass ? "PASS" : "FAIL", verdict.Pass
            ? $"tasks {string.Join(",", verdict.Tasks.Select(t => t.Index))}"
            : $"task {verdict.Tasks.First(t => !t.Pass).Index}: {verdict.Tasks.First(t => !t.Pass).Detail}");
}
