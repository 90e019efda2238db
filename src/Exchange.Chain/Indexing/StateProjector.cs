using System.Globalization;
using System.Numerics;
using System.Text.Json.Nodes;
using Dapper;
using Exchange.Chain.Court;
using Exchange.Core.Jobs;
using Microsoft.Data.Sqlite;

namespace Exchange.Chain.Indexing;

/// <summary>
/// Applies events, in chain order, to the state tables of migrations 0003 and 0004. The same code serves live
/// ingestion and the replay after a reorg, so the tables are always a function of <c>chain_events</c>.
/// Where the contracts move money without an event of its own (the client's debit on
/// <c>JobCreated</c>, a bond taken into the court hold, the collateral a slash unlocks, which pool a
/// court credit comes from) the projection follows the contracts' arithmetic with the market's
/// immutable rates and the order of the events within their transaction.
/// </summary>
internal sealed class StateProjector(MarketRates rates)
{
    private const string ZeroAddress = "0x0000000000000000000000000000000000000000";
    private const string ZeroHash = "0x0000000000000000000000000000000000000000000000000000000000000000";

    /// <summary>The tables this projection owns, children first, emptied before a replay.</summary>
    public static readonly string[] Tables =
    [
        "dispute_votes", "dispute_rounds", "disputes", "audits", "jobs", "offers_cancelled", "stakes", "market_accounts", "token_balances", "market_ledger",
    ];

    public async Task ApplyAsync(SqliteConnection connection, SqliteTransaction transaction, IReadOnlyList<IndexedEvent> events, CancellationToken cancellationToken)
    {
        var db = new Db(connection, transaction, cancellationToken);
        await db.ExecAsync(
            "INSERT OR IGNORE INTO market_ledger (id, job_count, verification_pool, protocol_fees, court_hold, paused) VALUES (1, 0, '0', '0', '0', 0)").ConfigureAwait(false);
        for (var i = 0; i < events.Count; i++)
        {
            await ApplyAsync(db, events, i).ConfigureAwait(false);
        }
    }

    private Task ApplyAsync(Db db, IReadOnlyList<IndexedEvent> events, int index)
    {
        var e = events[index];
        return (e.Contract, e.Name) switch
        {
            ("ComputeToken", "Transfer") => TransferAsync(db, e),

            ("StakingVault", "Staked") => db.ExecAsync("INSERT INTO stakes (account, role, stake) VALUES (@a, @r, @s) ON CONFLICT (account) DO UPDATE SET role = @r, stake = @s",
                new { a = e.Text("account"), r = (int)e.Number("role"), s = e.Text("stake") }),
            ("StakingVault", "UnstakeRequested") => db.ExecAsync("UPDATE stakes SET unbonding = @u, release_at = @t WHERE account = @a",
                new { a = e.Text("account"), u = e.Text("unbonding"), t = (long)e.Number("releaseAt") }),
            ("StakingVault", "Unstaked") => UnstakedAsync(db, e),
            ("StakingVault", "Slashed") => SlashedAsync(db, events, index),
            ("StakingVault", "Locked") => AddStakeColumnAsync(db, e.Text("account"), "locked", e.Number("amount")),
            ("StakingVault", "Unlocked") => AddStakeColumnAsync(db, e.Text("account"), "locked", -e.Number("amount")),
            ("StakingVault", "AuditPassed") => db.ExecAsync("UPDATE stakes SET audits_passed = audits_passed + 1 WHERE account = @a", new { a = e.Text("account") }),
            ("StakingVault", "EncryptionKeySet") => db.ExecAsync("INSERT INTO stakes (account, encryption_key) VALUES (@a, @k) ON CONFLICT (account) DO UPDATE SET encryption_key = @k",
                new { a = e.Text("account"), k = e.Text("key") }),
            ("StakingVault", "DrawWeightChanged") => db.ExecAsync(
                "INSERT INTO stakes (account, draw_weight, weight_epoch) VALUES (@a, @w, @e) ON CONFLICT (account) DO UPDATE SET draw_weight = @w, weight_epoch = @e",
                new { a = e.Text("account"), w = e.Text("weight"), e = (long)e.Number("effectiveEpoch") }),

            ("JobMarket", "Deposited") => AddMarketAsync(db, "balance", e.Text("account"), e.Number("amount")),
            ("JobMarket", "Withdrawn") => AddMarketAsync(db, "balance", e.Text("account"), -e.Number("amount")),
            ("JobMarket", "ProtocolFeesClaimed") => ProtocolFeesClaimedAsync(db, e),
            ("JobMarket", "OfferCancelled") => OfferCancelledAsync(db, e),
            ("JobMarket", "CollateralLocked") => AddMarketAsync(db, "collateral", e.Text("provider"), e.Number("amount")),
            ("JobMarket", "CollateralReleased") => AddMarketAsync(db, "collateral", e.Text("provider"), -e.Number("amount")),
            ("JobMarket", "JobCreated") => JobCreatedAsync(db, e),
            ("JobMarket", "JobAccepted") => SetStatusAsync(db, e, JobStatus.Accepted, "accepted_at = @t", new { t = (long)e.BlockTime }),
            ("JobMarket", "ResultSubmitted") => SetStatusAsync(db, e, JobStatus.Submitted,
                "result_root = @r, outputs_hash = @o, submitted_at = @at, submit_block = @sb",
                new { r = e.Text("resultRoot"), o = e.Text("outputsHash"), at = (long)e.Number("submittedAt"), sb = (long)e.Number("submitBlock") }),
            ("JobMarket", "DrawRecorded") => SetStatusAsync(db, e, e.Flag("audited") ? JobStatus.Auditing : JobStatus.Unaudited,
                "draw_seed = @s, audited = @a", new { s = e.Text("seed"), a = e.Flag("audited") ? 1 : 0 }),
            ("JobMarket", "AuditRequested") => AuditRequestedAsync(db, e),
            ("JobMarket", "JobSettled") => JobSettledAsync(db, e),
            ("JobMarket", "JobExpired") => JobExpiredAsync(db, e),
            ("JobMarket", "Credited") => CreditedAsync(db, events, index),
            ("JobMarket", "PauseChanged") => db.ExecAsync("UPDATE market_ledger SET paused = @p WHERE id = 1", new { p = e.Flag("paused") ? 1 : 0 }),

            ("AuditCourt", "AuditOpened") => AuditOpenedAsync(db, e),
            ("AuditCourt", "AuditAssigned") => AuditAssignedAsync(db, e),
            ("AuditCourt", "VerdictSubmitted") => VerdictSubmittedAsync(db, e),
            ("AuditCourt", "AuditTimedOut") => AuditTimedOutAsync(db, e),
            ("AuditCourt", "AuditAbandoned") => SetAuditPhaseAsync(db, e.JobId, AuditPhase.Done),
            ("AuditCourt", "DrawReanchored") => DrawReanchoredAsync(db, e),
            ("AuditCourt", "RoundOpened") => RoundOpenedAsync(db, e),
            ("AuditCourt", "CommitteeDrawn") => CommitteeDrawnAsync(db, e),
            ("AuditCourt", "VoteCommitted") => VoteCommittedAsync(db, e),
            ("AuditCourt", "VoteRevealed") => VoteRevealedAsync(db, e),
            ("AuditCourt", "RoundClosed") => db.ExecAsync(
                "UPDATE dispute_rounds SET closed = 1, provider_wrong = @w, appeal_deadline = @d WHERE job_id = @j AND round = @r",
                new { j = e.JobId, r = (long)e.Number("round"), w = e.Flag("providerWrong") ? 1 : 0, d = (long)e.Number("appealDeadline") }),
            ("AuditCourt", "MemberPenalised") => MemberPenalisedAsync(db, e),
            ("AuditCourt", "DisputeResolved") => DisputeResolvedAsync(db, e),
            ("AuditCourt", "PassAppealed") => PassAppealedAsync(db, e),
            ("AuditCourt", "PassFinalized") => PassFinalizedAsync(db, e),
            ("AuditCourt", "FalsePassPenalised") => FalsePassPenalisedAsync(db, e),

            // JobDeclined is followed by the JobExpired that ends the job; it, ownership, approvals,
            // MarketSet, CourtSet and EIP712DomainChanged live in the timeline only.
            _ => Task.CompletedTask,
        };
    }

    // ------------------------------------------------------------------ token and vault

    private static async Task TransferAsync(Db db, IndexedEvent e)
    {
        var value = e.Number("value");
        if (e.Text("from") != ZeroAddress)
        {
            await AddBalanceAsync(db, e.Text("from"), -value).ConfigureAwait(false);
        }

        if (e.Text("to") != ZeroAddress)
        {
            await AddBalanceAsync(db, e.Text("to"), value).ConfigureAwait(false);
        }
    }

    private static async Task UnstakedAsync(Db db, IndexedEvent e)
    {
        var stake = await db.NumberAsync("SELECT stake FROM stakes WHERE account = @a", new { a = e.Text("account") }).ConfigureAwait(false) - e.Number("amount");
        await db.ExecAsync("UPDATE stakes SET stake = @s, unbonding = '0', role = CASE WHEN @zero THEN 0 ELSE role END WHERE account = @a",
            new { a = e.Text("account"), s = Text(stake), zero = stake.IsZero }).ConfigureAwait(false);
    }

    /// <summary>
    /// The vault's slash releases locked collateral without an event of its own: the market or court
    /// event that follows in the same transaction names the job, and how much it released follows
    /// from it (an accepted job's expiry: the fees and the expiry penalty; a lost dispute: the whole
    /// collateral, counted as a failed audit; a verifier's penalty: nothing).
    /// </summary>
    private async Task SlashedAsync(Db db, IReadOnlyList<IndexedEvent> events, int index)
    {
        var e = events[index];
        var account = e.Text("account");
        var row = await db.Connection.QuerySingleAsync<(string Stake, string Locked, string Unbonding, long Role)>(new CommandDefinition(
            "SELECT stake, locked, unbonding, role FROM stakes WHERE account = @a", new { a = account }, db.Transaction, cancellationToken: db.Token)).ConfigureAwait(false);
        var cause = events.Skip(index + 1).FirstOrDefault(n => n.TransactionHash == e.TransactionHash && n.Contract is "JobMarket" or "AuditCourt");
        var unlocked = BigInteger.Zero;
        var auditFailed = false;
        if (cause is { Name: "JobExpired" or "DisputeResolved", JobId: { } jobId })
        {
            var job = await JobMoneyAsync(db, jobId).ConfigureAwait(false);
            if (job.Provider == account)
            {
                auditFailed = cause.Name == "DisputeResolved";
                unlocked = auditFailed ? job.Collateral : ExpiryOwed(job.Price, job.Collateral);
            }
        }

        var stake = Parse(row.Stake) - e.Number("amount");
        var locked = Parse(row.Locked) - unlocked;
        var unbonding = BigInteger.Min(Parse(row.Unbonding), stake - locked);
        await db.ExecAsync(
            """
            UPDATE stakes SET stake = @s, locked = @l, unbonding = @u, slashes = slashes + 1, audits_failed = audits_failed + @failed,
                              slashed_at = CASE WHEN role = @verifier THEN @t ELSE slashed_at END
            WHERE account = @a
            """,
            new { a = account, s = Text(stake), l = Text(locked), u = Text(unbonding), failed = auditFailed ? 1 : 0, verifier = (int)StakeRole.Verifier, t = (long)e.BlockTime })
            .ConfigureAwait(false);
    }

    // ------------------------------------------------------------------ market

    private static async Task ProtocolFeesClaimedAsync(Db db, IndexedEvent e)
    {
        await AddMarketAsync(db, "balance", e.Text("treasury"), e.Number("amount")).ConfigureAwait(false);
        await db.ExecAsync("UPDATE market_ledger SET protocol_fees = '0' WHERE id = 1").ConfigureAwait(false);
    }

    private static async Task OfferCancelledAsync(Db db, IndexedEvent e)
    {
        var nonce = (long)e.Number("nonce");
        await db.ExecAsync("INSERT OR IGNORE INTO offers_cancelled (digest, provider, nonce, block_number, tx_hash) VALUES (@d, @p, @n, @b, @t)",
            new { d = e.Text("digest"), p = e.Text("provider"), n = nonce, b = (long)e.BlockNumber, t = e.TransactionHash }).ConfigureAwait(false);
        await db.ExecAsync(
            "INSERT INTO market_accounts (account, offer_nonce_floor) VALUES (@p, @f) ON CONFLICT (account) DO UPDATE SET offer_nonce_floor = max(offer_nonce_floor, @f)",
            new { p = e.Text("provider"), f = nonce + 1 }).ConfigureAwait(false);
    }

    private async Task JobCreatedAsync(Db db, IndexedEvent e)
    {
        var price = e.Number("unitPrice") * e.Number("taskCount");
        var verificationFee = MarketRates.Share(price, rates.VerificationFeeBps);
        var protocolFee = MarketRates.Share(price, rates.ProtocolFeeBps);
        var collateral = MarketRates.Share(price, rates.CollateralMultiplierBps);
        await db.ExecAsync(
            """
            INSERT INTO jobs (job_id, status, client, provider, model_id, unit_price, task_count, deadline, tasks_root, manifest_hash,
                              result_root, outputs_hash, submitted_at, submit_block, price, collateral, created_block, created_tx, updated_block)
            VALUES (@j, @status, @client, @provider, @model, @unit, @count, @deadline, @tasks, @manifest, @zero, @zero, 0, 0, @price, @collateral, @b, @tx, @b)
            """,
            new
            {
                j = e.JobId, status = (int)JobStatus.Created, client = e.Text("client"), provider = e.Text("provider"), model = e.Text("modelId"), unit = e.Text("unitPrice"),
                count = (long)e.Number("taskCount"), deadline = (long)e.Number("deadline"), tasks = e.Text("tasksRoot"), manifest = e.Text("manifestHash"),
                zero = ZeroHash, price = Text(price), collateral = Text(collateral), b = (long)e.BlockNumber, tx = e.TransactionHash,
            }).ConfigureAwait(false);
        await AddMarketAsync(db, "balance", e.Text("client"), -(price + verificationFee + protocolFee)).ConfigureAwait(false);
        await AddLedgerAsync(db, "verification_pool", verificationFee).ConfigureAwait(false);
        await AddLedgerAsync(db, "protocol_fees", protocolFee).ConfigureAwait(false);
        await db.ExecAsync("UPDATE market_ledger SET job_count = max(job_count, @j) WHERE id = 1", new { j = e.JobId }).ConfigureAwait(false);
        await AddMarketAsync(db, "collateral", e.Text("provider"), -collateral).ConfigureAwait(false);
    }

    private static async Task AuditRequestedAsync(Db db, IndexedEvent e)
    {
        var job = await JobMoneyAsync(db, e.JobId).ConfigureAwait(false);
        await AddMarketAsync(db, "balance", job.Client, -e.Number("fee")).ConfigureAwait(false);
        await AddLedgerAsync(db, "verification_pool", e.Number("fee")).ConfigureAwait(false);
        await SetStatusAsync(db, e, JobStatus.Auditing, "audit_fee = @f", new { f = e.Text("fee") }).ConfigureAwait(false);
    }

    /// <summary>
    /// Pays the provider and frees the collateral. What the payout falls short of the price (a lapsed
    /// draw's audit reward) went to the court hold. How the job settled follows from what came before:
    /// straight from the draw, after a pass or a ruling for the provider, or without any verifier.
    /// </summary>
    private static async Task JobSettledAsync(Db db, IndexedEvent e)
    {
        var job = await JobMoneyAsync(db, e.JobId).ConfigureAwait(false);
        var payout = e.Number("payout");
        var unaudited = job.Status is JobStatus.Submitted or JobStatus.Unaudited;
        await SetStatusAsync(db, e, JobStatus.Settled,
            """
            payout = @p, audited = CASE WHEN @unaudited THEN 0 ELSE audited END,
            settlement = CASE WHEN @unaudited THEN 'unaudited' WHEN verdict_pass = 1 OR provider_wrong = 0 THEN 'audited' ELSE 'unverified' END
            """,
            new { p = Text(payout), unaudited }).ConfigureAwait(false);
        await AddMarketAsync(db, "balance", job.Provider, payout).ConfigureAwait(false);
        await AddMarketAsync(db, "earned", job.Provider, payout).ConfigureAwait(false);
        await AddMarketAsync(db, "collateral", job.Provider, job.Collateral).ConfigureAwait(false);
        await db.ExecAsync("UPDATE market_accounts SET jobs_settled = jobs_settled + 1 WHERE account = @a", new { a = job.Provider }).ConfigureAwait(false);
        await AddLedgerAsync(db, "court_hold", job.Price - payout).ConfigureAwait(false);
    }

    /// <summary>
    /// An unaccepted job refunds the client its price and fees, the fees from the pools as far as they
    /// still hold them, and frees the whole collateral; an accepted one pays the fees and the expiry
    /// penalty out of the collateral (the vault's slash, just before) and frees the rest.
    /// </summary>
    private async Task JobExpiredAsync(Db db, IndexedEvent e)
    {
        var job = await JobMoneyAsync(db, e.JobId).ConfigureAwait(false);
        if (job.Status == JobStatus.Created)
        {
            var pool = await db.NumberAsync("SELECT verification_pool FROM market_ledger WHERE id = 1").ConfigureAwait(false);
            var fees = await db.NumberAsync("SELECT protocol_fees FROM market_ledger WHERE id = 1").ConfigureAwait(false);
            await AddLedgerAsync(db, "verification_pool", -BigInteger.Min(MarketRates.Share(job.Price, rates.VerificationFeeBps), pool)).ConfigureAwait(false);
            await AddLedgerAsync(db, "protocol_fees", -BigInteger.Min(MarketRates.Share(job.Price, rates.ProtocolFeeBps), fees)).ConfigureAwait(false);
            await AddMarketAsync(db, "collateral", job.Provider, job.Collateral).ConfigureAwait(false);
        }
        else
        {
            await AddMarketAsync(db, "collateral", job.Provider, job.Collateral - ExpiryOwed(job.Price, job.Collateral)).ConfigureAwait(false);
        }

        await SetStatusAsync(db, e, JobStatus.Expired, "refund = @r, slashed = @s", new { r = e.Text("refund"), s = e.Text("slashed") }).ConfigureAwait(false);
        await AddMarketAsync(db, "balance", job.Client, e.Number("refund")).ConfigureAwait(false);
    }

    /// <summary>
    /// A court credit comes from the verification pool in two places, told apart by their position
    /// in the transaction: a passing verifier's reward is credited just before its PassFinalized,
    /// and a challenger proven right is credited second after DisputeResolved (after the client),
    /// from the pool unless the provider let the draw lapse. Every other credit comes from the court
    /// hold: a lapsed draw's pass reward (after its PassFinalized, withheld from the payout) from
    /// the hold at large, and, within a dispute, the rest from what the court holds for that job.
    /// </summary>
    private static async Task CreditedAsync(Db db, IReadOnlyList<IndexedEvent> events, int index)
    {
        var e = events[index];
        var amount = e.Number("amount");
        await AddMarketAsync(db, "balance", e.Text("account"), amount).ConfigureAwait(false);
        await AddMarketAsync(db, "earned", e.Text("account"), amount).ConfigureAwait(false);
        var challengerReward = IsChallengerReward(events, index);
        if (challengerReward)
        {
            await db.ExecAsync("UPDATE jobs SET audit_reward = @r WHERE job_id = @j", new { j = e.JobId, r = Text(amount) }).ConfigureAwait(false);
        }

        if (await CreditedFromPoolAsync(db, events, index, challengerReward).ConfigureAwait(false))
        {
            await AddLedgerAsync(db, "verification_pool", -amount).ConfigureAwait(false);
            return;
        }

        await AddLedgerAsync(db, "court_hold", -amount).ConfigureAwait(false);
        if (!IsLapsedPassReward(events, index))
        {
            await AddHeldAsync(db, e.JobId, -amount).ConfigureAwait(false);
        }
    }

    private static async Task<bool> CreditedFromPoolAsync(Db db, IReadOnlyList<IndexedEvent> events, int index, bool challengerReward)
    {
        var e = events[index];
        if (InTransaction(events, index, 1) is { Contract: "AuditCourt", Name: "PassFinalized" } finalized && finalized.JobId == e.JobId)
        {
            return true;
        }

        if (challengerReward)
        {
            var origin = await db.Connection.ExecuteScalarAsync<long?>(new CommandDefinition(
                "SELECT origin FROM audits WHERE job_id = @j", new { j = e.JobId }, db.Transaction, cancellationToken: db.Token)).ConfigureAwait(false);
            return origin != (long)AuditOrigin.Lapsed;
        }

        return false;
    }

    /// <summary>The audit reward of a challenger proven right (the failing verifier or a pass's appellant): credited second after DisputeResolved, after the client.</summary>
    private static bool IsChallengerReward(IReadOnlyList<IndexedEvent> events, int index) =>
        InTransaction(events, index, -2) is { Contract: "AuditCourt", Name: "DisputeResolved" } resolved && resolved.JobId == events[index].JobId && resolved.Flag("providerWrong");

    /// <summary>The reward of a pass on a lapsed draw: credited to the passing verifier after its PassFinalized, from what the settlement withheld.</summary>
    private static bool IsLapsedPassReward(IReadOnlyList<IndexedEvent> events, int index)
    {
        var e = events[index];
        for (var i = index - 1; i >= 0 && events[i].TransactionHash == e.TransactionHash; i--)
        {
            if (events[i] is { Contract: "AuditCourt", Name: "PassFinalized" } finalized && finalized.JobId == e.JobId)
            {
                return finalized.Text("verifier") == e.Text("account");
            }
        }

        return false;
    }

    // ------------------------------------------------------------------ court: audits

    /// <summary>
    /// An audit waits for a seed ticket (ticket set) or is assigned in the same transaction (no
    /// ticket: an AuditAssigned follows, or a second AuditOpened with a ticket when nobody could be
    /// drawn from the job's own seed).
    /// </summary>
    private static async Task AuditOpenedAsync(Db db, IndexedEvent e)
    {
        var origin = (int)e.Number("origin");
        var ticket = (long)e.Number("ticket");
        await db.ExecAsync("UPDATE jobs SET audit_origin = @o, updated_block = @b WHERE job_id = @j", new { j = e.JobId, o = origin, b = (long)e.BlockNumber }).ConfigureAwait(false);
        await db.ExecAsync("INSERT INTO audits (job_id, origin) VALUES (@j, @o) ON CONFLICT (job_id) DO UPDATE SET origin = @o", new { j = e.JobId, o = origin }).ConfigureAwait(false);
        if (ticket != 0)
        {
            await db.ExecAsync("UPDATE audits SET phase = @p, ticket = @t, epoch = @e WHERE job_id = @j",
                new { j = e.JobId, p = (int)AuditPhase.AwaitingDraw, t = ticket, e = (long)e.Number("epoch") }).ConfigureAwait(false);
        }
    }

    private static async Task AuditAssignedAsync(Db db, IndexedEvent e)
    {
        var verifier = e.Text("verifier");
        var deadline = (long)e.Number("deadline");
        await db.ExecAsync("UPDATE audits SET phase = @p, verifier = @v, deadline = @d, seed = @s WHERE job_id = @j",
            new { j = e.JobId, p = (int)AuditPhase.Assigned, v = verifier, d = deadline, s = e.Text("seed") }).ConfigureAwait(false);
        await db.ExecAsync("UPDATE jobs SET verifier = @v, audit_deadline = @d, updated_block = @b WHERE job_id = @j",
            new { j = e.JobId, v = verifier, d = deadline, b = (long)e.BlockNumber }).ConfigureAwait(false);
    }

    /// <summary>
    /// Pass holds the audit in phase Passed until its appeal window ends (the reward waits for
    /// PassFinalized or the ruling on an appeal); fail opens the dispute: the job moves to Disputed
    /// (the court's status hook has no event) and RoundOpened follows.
    /// </summary>
    private async Task VerdictSubmittedAsync(Db db, IndexedEvent e)
    {
        var pass = e.Flag("pass");
        // The verdict's own reward is zero: a pass is paid with PassFinalized, a fail by the ruling.
        await db.ExecAsync("UPDATE jobs SET verdict_pass = @p, evidence_hash = @h, updated_block = @b WHERE job_id = @j",
            new { j = e.JobId, p = pass ? 1 : 0, h = e.Text("evidenceHash"), b = (long)e.BlockNumber }).ConfigureAwait(false);
        await db.ExecAsync("UPDATE stakes SET verdicts = verdicts + 1, passes = passes + @p WHERE account = @a", new { a = e.Text("verifier"), p = pass ? 1 : 0 }).ConfigureAwait(false);
        if (pass)
        {
            var deadline = (long)(e.BlockTime + rates.PassAppealWindow);
            await db.ExecAsync("UPDATE audits SET phase = @p, deadline = @d WHERE job_id = @j", new { j = e.JobId, p = (int)AuditPhase.Passed, d = deadline }).ConfigureAwait(false);
            await db.ExecAsync("UPDATE jobs SET pass_deadline = @d WHERE job_id = @j", new { j = e.JobId, d = deadline }).ConfigureAwait(false);
            return;
        }

        await SetAuditPhaseAsync(db, e.JobId, AuditPhase.Disputed).ConfigureAwait(false);
        await SetStatusAsync(db, e, JobStatus.Disputed).ConfigureAwait(false);
        await db.ExecAsync("INSERT INTO disputes (job_id, challenger, evidence_hash) VALUES (@j, @c, @h)",
            new { j = e.JobId, c = e.Text("verifier"), h = e.Text("evidenceHash") }).ConfigureAwait(false);
    }

    /// <summary>
    /// An appealed pass opens a dispute as a fail verdict does, funded by the appellant (RoundOpened
    /// follows); the dispute remembers the passing verifier and the job moves to Disputed.
    /// </summary>
    private static async Task PassAppealedAsync(Db db, IndexedEvent e)
    {
        await SetAuditPhaseAsync(db, e.JobId, AuditPhase.Disputed).ConfigureAwait(false);
        await SetStatusAsync(db, e, JobStatus.Disputed).ConfigureAwait(false);
        await db.ExecAsync("INSERT INTO disputes (job_id, challenger, evidence_hash, passing_verifier) VALUES (@j, @c, @h, @v)",
            new { j = e.JobId, c = e.Text("appellant"), h = ZeroHash, v = e.Text("verifier") }).ConfigureAwait(false);
    }

    /// <summary>The pass stands (unappealed, or ruled right): the audit ends and the reward is credited (its Credited is the pool's or the hold's); JobSettled follows.</summary>
    private static async Task PassFinalizedAsync(Db db, IndexedEvent e)
    {
        await SetAuditPhaseAsync(db, e.JobId, AuditPhase.Done).ConfigureAwait(false);
        await db.ExecAsync("UPDATE jobs SET audit_reward = @r, updated_block = @b WHERE job_id = @j",
            new { j = e.JobId, r = e.Text("reward"), b = (long)e.BlockNumber }).ConfigureAwait(false);
    }

    /// <summary>
    /// A pass ruled wrong: the verifier's stake went to the court hold for the job (the vault's
    /// Slashed came just before), to pay the appellant and the committee. It counts as a pass an
    /// appeal proved wrong.
    /// </summary>
    private static async Task FalsePassPenalisedAsync(Db db, IndexedEvent e)
    {
        var amount = e.Number("amount");
        await AddPenaltyAsync(db, e.Text("verifier"), "passes_overturned", amount).ConfigureAwait(false);
        await db.ExecAsync("UPDATE disputes SET false_pass_penalty = @p WHERE job_id = @j", new { j = e.JobId, p = Text(amount) }).ConfigureAwait(false);
        await AddLedgerAsync(db, "court_hold", amount).ConfigureAwait(false);
        await AddHeldAsync(db, e.JobId, amount).ConfigureAwait(false);
    }

    /// <summary>The silent verifier's penalty reaches the pool through the court hold; a first silence redraws (an AuditOpened follows), a second ends the audit.</summary>
    private static async Task AuditTimedOutAsync(Db db, IndexedEvent e)
    {
        var penalty = e.Number("penalty");
        await AddLedgerAsync(db, "verification_pool", penalty).ConfigureAwait(false);
        await AddPenaltyAsync(db, e.Text("verifier"), "timeouts", penalty).ConfigureAwait(false);
        await db.ExecAsync("UPDATE jobs SET audit_timeouts = audit_timeouts + 1, updated_block = @b WHERE job_id = @j", new { j = e.JobId, b = (long)e.BlockNumber }).ConfigureAwait(false);
        await db.ExecAsync("UPDATE audits SET phase = CASE WHEN attempt = 0 THEN phase ELSE @done END, attempt = 1 WHERE job_id = @j",
            new { j = e.JobId, done = (int)AuditPhase.Done }).ConfigureAwait(false);
    }

    /// <summary>A lapsed ticket re-anchored: the audit's while its verifier is still to be drawn, else the open round's.</summary>
    private static async Task DrawReanchoredAsync(Db db, IndexedEvent e)
    {
        var parameters = new { j = e.JobId, r = (long)e.Number("round"), t = (long)e.Number("ticket"), e = (long)e.Number("epoch"), awaiting = (int)AuditPhase.AwaitingDraw };
        var audit = await db.ExecAsync("UPDATE audits SET ticket = @t, epoch = @e WHERE job_id = @j AND phase = @awaiting", parameters).ConfigureAwait(false);
        if (audit == 0)
        {
            await db.ExecAsync("UPDATE dispute_rounds SET ticket = @t, epoch = @e WHERE job_id = @j AND round = @r", parameters).ConfigureAwait(false);
        }
    }

    // ------------------------------------------------------------------ court: disputes

    /// <summary>The funder's bond leaves its market balance for the court hold (the court's hook has no event).</summary>
    private static async Task RoundOpenedAsync(Db db, IndexedEvent e)
    {
        var round = (long)e.Number("round");
        var bond = e.Number("bond");
        await db.ExecAsync(
            """
            INSERT INTO dispute_rounds (job_id, round, funder, funded_wrong, bond, size, ticket, epoch)
            VALUES (@j, @r, @f, @w, @bond, @size, @t, @e)
            """,
            new
            {
                j = e.JobId, r = round, f = e.Text("funder"), w = e.Flag("fundedWrong") ? 1 : 0, bond = Text(bond), size = (long)e.Number("size"),
                t = (long)e.Number("ticket"), e = (long)e.Number("epoch"),
            }).ConfigureAwait(false);
        await db.ExecAsync("UPDATE disputes SET rounds = @n WHERE job_id = @j", new { j = e.JobId, n = round + 1 }).ConfigureAwait(false);
        await db.ExecAsync("UPDATE jobs SET dispute_rounds = @n, updated_block = @b WHERE job_id = @j", new { j = e.JobId, n = round + 1, b = (long)e.BlockNumber }).ConfigureAwait(false);
        await AddMarketAsync(db, "balance", e.Text("funder"), -bond).ConfigureAwait(false);
        await AddLedgerAsync(db, "court_hold", bond).ConfigureAwait(false);
        await AddHeldAsync(db, e.JobId, bond).ConfigureAwait(false);
    }

    private static async Task CommitteeDrawnAsync(Db db, IndexedEvent e)
    {
        var round = (long)e.Number("round");
        var members = e.Args["members"]?.AsArray() ?? [];
        await db.ExecAsync(
            "UPDATE dispute_rounds SET drawn = 1, members = @m, commit_deadline = @c, reveal_deadline = @v WHERE job_id = @j AND round = @r",
            new { j = e.JobId, r = round, m = members.ToJsonString(), c = (long)e.Number("commitDeadline"), v = (long)e.Number("revealDeadline") }).ConfigureAwait(false);
        foreach (var member in members)
        {
            await db.ExecAsync("INSERT INTO dispute_votes (job_id, round, member) VALUES (@j, @r, @m)",
                new { j = e.JobId, r = round, m = member!.GetValue<string>() }).ConfigureAwait(false);
        }
    }

    private static async Task VoteCommittedAsync(Db db, IndexedEvent e)
    {
        var parameters = new { j = e.JobId, r = (long)e.Number("round"), m = e.Text("member") };
        await db.ExecAsync("UPDATE dispute_rounds SET committed = committed + 1 WHERE job_id = @j AND round = @r", parameters).ConfigureAwait(false);
        await db.ExecAsync("UPDATE dispute_votes SET committed = 1 WHERE job_id = @j AND round = @r AND member = @m", parameters).ConfigureAwait(false);
    }

    private static async Task VoteRevealedAsync(Db db, IndexedEvent e)
    {
        var wrong = e.Flag("providerWrong");
        var parameters = new { j = e.JobId, r = (long)e.Number("round"), m = e.Text("member"), w = wrong ? 1 : 0, vote = wrong ? 1 : 2 };
        await db.ExecAsync("UPDATE dispute_rounds SET revealed = revealed + 1, votes_wrong = votes_wrong + @w WHERE job_id = @j AND round = @r", parameters).ConfigureAwait(false);
        await db.ExecAsync("UPDATE dispute_votes SET revealed = @vote WHERE job_id = @j AND round = @r AND member = @m", parameters).ConfigureAwait(false);
        await db.ExecAsync("UPDATE stakes SET votes = votes + 1 WHERE account = @m", parameters).ConfigureAwait(false);
    }

    /// <summary>The member's stake went to the court hold, for the job's committee pot.</summary>
    private static async Task MemberPenalisedAsync(Db db, IndexedEvent e)
    {
        var amount = e.Number("amount");
        var member = e.Text("member");
        await db.ExecAsync("UPDATE dispute_votes SET penalty = @p WHERE job_id = @j AND round = @r AND member = @m",
            new { j = e.JobId, r = (long)e.Number("round"), m = member, p = Text(amount) }).ConfigureAwait(false);
        await AddPenaltyAsync(db, member, "penalties", amount).ConfigureAwait(false);
        await AddLedgerAsync(db, "court_hold", amount).ConfigureAwait(false);
        await AddHeldAsync(db, e.JobId, amount).ConfigureAwait(false);
    }

    /// <summary>
    /// The final ruling. Provider wrong: the job is slashed, its escrowed price and the slashed
    /// collateral go to the court hold, to be credited (Credited events follow). Provider right: a
    /// JobSettled follows.
    /// </summary>
    private static async Task DisputeResolvedAsync(Db db, IndexedEvent e)
    {
        var wrong = e.Flag("providerWrong");
        await db.ExecAsync("UPDATE disputes SET resolved = 1, provider_wrong = @w, slashed = @s WHERE job_id = @j",
            new { j = e.JobId, w = wrong ? 1 : 0, s = wrong ? e.Text("slashed") : null }).ConfigureAwait(false);
        await db.ExecAsync("UPDATE jobs SET provider_wrong = @w WHERE job_id = @j", new { j = e.JobId, w = wrong ? 1 : 0 }).ConfigureAwait(false);
        await SetAuditPhaseAsync(db, e.JobId, AuditPhase.Done).ConfigureAwait(false);
        // The bonds come back, with the winners' shares, as Credited events: what each funder posted is
        // set against them, so a bond returned earns nothing and a bond lost costs what it was.
        foreach (var (funder, bond) in await db.Connection.QueryAsync<(string, string)>(new CommandDefinition(
                     "SELECT funder, bond FROM dispute_rounds WHERE job_id = @j", new { j = e.JobId }, db.Transaction, cancellationToken: db.Token)).ConfigureAwait(false))
        {
            await AddMarketAsync(db, "earned", funder, -Parse(bond)).ConfigureAwait(false);
        }

        if (!wrong)
        {
            return;
        }

        var job = await JobMoneyAsync(db, e.JobId).ConfigureAwait(false);
        var held = job.Price + e.Number("slashed");
        await SetStatusAsync(db, e, JobStatus.Slashed, "slashed = @s", new { s = e.Text("slashed") }).ConfigureAwait(false);
        await AddLedgerAsync(db, "court_hold", held).ConfigureAwait(false);
        await AddHeldAsync(db, e.JobId, held).ConfigureAwait(false);
    }

    // ------------------------------------------------------------------ helpers

    /// <summary>What an accepted job's expiry takes from its collateral: both fees and the expiry penalty.</summary>
    private BigInteger ExpiryOwed(BigInteger price, BigInteger collateral) =>
        MarketRates.Share(price, rates.VerificationFeeBps) + MarketRates.Share(price, rates.ProtocolFeeBps) + MarketRates.Share(collateral, rates.ExpiryPenaltyBps);

    /// <summary>The event <paramref name="offset"/> places from <paramref name="index"/>, if it is in the same transaction.</summary>
    private static IndexedEvent? InTransaction(IReadOnlyList<IndexedEvent> events, int index, int offset)
    {
        var other = index + offset;
        return other >= 0 && other < events.Count && events[other].TransactionHash == events[index].TransactionHash ? events[other] : null;
    }

    private static Task<int> SetStatusAsync(Db db, IndexedEvent e, JobStatus status, string? set = null, object? parameters = null)
    {
        var arguments = new DynamicParameters(parameters);
        arguments.Add("j", e.JobId);
        arguments.Add("status", (int)status);
        arguments.Add("b", (long)e.BlockNumber);
        return db.ExecAsync($"UPDATE jobs SET status = @status, updated_block = @b{(set is null ? "" : ", " + set)} WHERE job_id = @j", arguments);
    }

    private static Task<int> SetAuditPhaseAsync(Db db, long? jobId, AuditPhase phase) =>
        db.ExecAsync("UPDATE audits SET phase = @p WHERE job_id = @j", new { j = jobId, p = (int)phase });

    private static async Task<JobMoney> JobMoneyAsync(Db db, long? jobId)
    {
        var row = await db.Connection.QuerySingleAsync<(long Status, string Client, string Provider, string Price, string Collateral)>(new CommandDefinition(
            "SELECT status, client, provider, price, collateral FROM jobs WHERE job_id = @j", new { j = jobId }, db.Transaction, cancellationToken: db.Token)).ConfigureAwait(false);
        return new JobMoney((JobStatus)row.Status, row.Client, row.Provider, Parse(row.Price), Parse(row.Collateral));
    }

    private static async Task AddMarketAsync(Db db, string column, string account, BigInteger delta)
    {
        var current = await db.NumberAsync($"SELECT {column} FROM market_accounts WHERE account = @a", new { a = account }).ConfigureAwait(false);
        await db.ExecAsync($"INSERT INTO market_accounts (account, {column}) VALUES (@a, @v) ON CONFLICT (account) DO UPDATE SET {column} = @v",
            new { a = account, v = Text(current + delta) }).ConfigureAwait(false);
    }

    private static async Task AddBalanceAsync(Db db, string account, BigInteger delta)
    {
        var current = await db.NumberAsync("SELECT balance FROM token_balances WHERE account = @a", new { a = account }).ConfigureAwait(false);
        await db.ExecAsync("INSERT INTO token_balances (account, balance) VALUES (@a, @v) ON CONFLICT (account) DO UPDATE SET balance = @v",
            new { a = account, v = Text(current + delta) }).ConfigureAwait(false);
    }

    private static async Task AddStakeColumnAsync(Db db, string account, string column, BigInteger delta)
    {
        var current = await db.NumberAsync($"SELECT {column} FROM stakes WHERE account = @a", new { a = account }).ConfigureAwait(false);
        await db.ExecAsync($"INSERT INTO stakes (account, {column}) VALUES (@a, @v) ON CONFLICT (account) DO UPDATE SET {column} = @v",
            new { a = account, v = Text(current + delta) }).ConfigureAwait(false);
    }

    /// <summary>Counts a timeout or a committee penalty of a verifier and the stake it cost.</summary>
    private static async Task AddPenaltyAsync(Db db, string account, string counter, BigInteger amount)
    {
        await AddStakeColumnAsync(db, account, "penalised", amount).ConfigureAwait(false);
        await db.ExecAsync($"UPDATE stakes SET {counter} = {counter} + 1 WHERE account = @a", new { a = account }).ConfigureAwait(false);
    }

    private static async Task AddLedgerAsync(Db db, string column, BigInteger delta)
    {
        var current = await db.NumberAsync($"SELECT {column} FROM market_ledger WHERE id = 1").ConfigureAwait(false);
        await db.ExecAsync($"UPDATE market_ledger SET {column} = @v WHERE id = 1", new { v = Text(current + delta) }).ConfigureAwait(false);
    }

    /// <summary>What the court holds for a job in dispute (<c>heldFor</c>); outside a dispute the court keeps no such account.</summary>
    private static async Task AddHeldAsync(Db db, long? jobId, BigInteger delta)
    {
        var current = await db.Connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT held FROM disputes WHERE job_id = @j", new { j = jobId }, db.Transaction, cancellationToken: db.Token)).ConfigureAwait(false);
        if (current is not null)
        {
            await db.ExecAsync("UPDATE disputes SET held = @v WHERE job_id = @j", new { j = jobId, v = Text(Parse(current) + delta) }).ConfigureAwait(false);
        }
    }

    private static BigInteger Parse(string text) => BigInteger.Parse(text, CultureInfo.InvariantCulture);

    private static string Text(BigInteger value) => value.ToString(CultureInfo.InvariantCulture);

    private sealed record JobMoney(JobStatus Status, string Client, string Provider, BigInteger Price, BigInteger Collateral);

    private sealed record Db(SqliteConnection Connection, SqliteTransaction Transaction, CancellationToken Token)
    {
        public Task<int> ExecAsync(string sql, object? parameters = null) =>
            Connection.ExecuteAsync(new CommandDefinition(sql, parameters, Transaction, cancellationToken: Token));

        public async Task<BigInteger> NumberAsync(string sql, object? parameters = null)
        {
            var text = await Connection.ExecuteScalarAsync<string?>(new CommandDefinition(sql, parameters, Transaction, cancellationToken: Token)).ConfigureAwait(false);
            return text is null ? BigInteger.Zero : Parse(text);
        }
    }
}
