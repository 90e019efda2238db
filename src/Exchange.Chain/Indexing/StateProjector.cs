using System.Globalization;
using System.Numerics;
using Dapper;
using Exchange.Core.Jobs;
using Microsoft.Data.Sqlite;

namespace Exchange.Chain.Indexing;

/// <summary>
/// Applies events, in chain order, to the state tables of migration 0002. The same code serves live
/// ingestion and the replay after a reorg, so the tables are always a function of <c>chain_events</c>.
/// Where an event leaves an amount implicit (the client's debit on <c>JobCreated</c>, the pool's
/// reward on a slash) it follows the contract's arithmetic with the market's immutable rates.
/// </summary>
internal sealed class StateProjector(MarketRates rates)
{
    private const string ZeroAddress = "0x0000000000000000000000000000000000000000";

    /// <summary>The tables this projection owns, emptied before a replay.</summary>
    public static readonly string[] Tables = ["votes", "disputes", "jobs", "offers_cancelled", "stakes", "market_accounts", "token_balances", "market_ledger"];

    public async Task ApplyAsync(SqliteConnection connection, SqliteTransaction transaction, IReadOnlyList<IndexedEvent> events, CancellationToken cancellationToken)
    {
        var db = new Db(connection, transaction, cancellationToken);
        await db.ExecAsync("INSERT OR IGNORE INTO market_ledger (id, job_count, verification_pool, protocol_fees, paused) VALUES (1, 0, '0', '0', 0)").ConfigureAwait(false);
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
            ("StakingVault", "VerifierSetChanged") => db.ExecAsync("INSERT INTO stakes (account, verifier_active) VALUES (@a, @v) ON CONFLICT (account) DO UPDATE SET verifier_active = @v",
                new { a = e.Text("verifier"), v = e.Flag("active") ? 1 : 0 }),
            ("JobMarket", "Deposited") => AddMarketAsync(db, "balance", e.Text("account"), e.Number("amount")),
            ("JobMarket", "Withdrawn") => AddMarketAsync(db, "balance", e.Text("account"), -e.Number("amount")),
            ("JobMarket", "Credited") => AddMarketAsync(db, "balance", e.Text("account"), e.Number("amount")),
            ("JobMarket", "ProtocolFeesClaimed") => ProtocolFeesClaimedAsync(db, e),
            ("JobMarket", "OfferCancelled") => OfferCancelledAsync(db, e),
            ("JobMarket", "CollateralLocked") => AddMarketAsync(db, "collateral", e.Text("provider"), e.Number("amount")),
            ("JobMarket", "CollateralReleased") => AddMarketAsync(db, "collateral", e.Text("provider"), -e.Number("amount")),
            ("JobMarket", "JobCreated") => JobCreatedAsync(db, e),
            ("JobMarket", "ResultSubmitted") => db.ExecAsync(
                "UPDATE jobs SET status = @status, result_root = @r, outputs_hash = @o, submitted_at = @at, submit_block = @sb, updated_block = @b WHERE job_id = @j",
                new { status = (int)JobStatus.Submitted, j = e.JobId, r = e.Text("resultRoot"), o = e.Text("outputsHash"), at = (long)e.Number("submittedAt"), sb = (long)e.Number("submitBlock"), b = (long)e.BlockNumber }),
            ("JobMarket", "DrawRecorded") => db.ExecAsync("UPDATE jobs SET draw_seed = @s, audited = @a, updated_block = @b WHERE job_id = @j",
                new { j = e.JobId, s = e.Text("seed"), a = e.Flag("audited") ? 1 : 0, b = (long)e.BlockNumber }),
            ("JobMarket", "AuditRequested") => AuditRequestedAsync(db, e),
            ("JobMarket", "AuditAssigned") => db.ExecAsync("UPDATE jobs SET status = @status, verifier = @v, audit_deadline = @d, updated_block = @b WHERE job_id = @j",
                new { status = (int)JobStatus.Auditing, j = e.JobId, v = e.Text("verifier"), d = (long)e.Number("deadline"), b = (long)e.BlockNumber }),
            ("JobMarket", "VerdictSubmitted") => VerdictSubmittedAsync(db, e),
            ("JobMarket", "DisputeOpened") => DisputeOpenedAsync(db, e),
            ("JobMarket", "Voted") => VotedAsync(db, e),
            ("JobMarket", "DisputeResolved") => DisputeResolvedAsync(db, e),
            ("JobMarket", "JobSettled") => JobSettledAsync(db, e),
            ("JobMarket", "JobExpired") => JobExpiredAsync(db, e),
            ("JobMarket", "AuditTimedOut") => AddLedgerAsync(db, "verification_pool", e.Number("penalty")),
            ("JobMarket", "PauseChanged") => db.ExecAsync("UPDATE market_ledger SET paused = @p WHERE id = 1", new { p = e.Flag("paused") ? 1 : 0 }),
            // Ownership, approvals, MarketSet and EIP712DomainChanged live in the timeline only.
            _ => Task.CompletedTask,
        };
    }

    private static async Task TransferAsync(Db db, IndexedEvent e)
    {
        var value = e.Number("value");
        if (e.Text("from") != ZeroAddress)
        {
            await AddBalanceAsync(db, "token_balances", e.Text("from"), -value).ConfigureAwait(false);
        }

        if (e.Text("to") != ZeroAddress)
        {
            await AddBalanceAsync(db, "token_balances", e.Text("to"), value).ConfigureAwait(false);
        }
    }

    private static async Task UnstakedAsync(Db db, IndexedEvent e)
    {
        var stake = await db.NumberAsync("SELECT stake FROM stakes WHERE account = @a", new { a = e.Text("account") }).ConfigureAwait(false) - e.Number("amount");
        await db.ExecAsync("UPDATE stakes SET stake = @s, unbonding = '0', role = CASE WHEN @zero THEN 0 ELSE role END WHERE account = @a",
            new { a = e.Text("account"), s = Text(stake), zero = stake.IsZero }).ConfigureAwait(false);
    }

    private static async Task SlashedAsync(Db db, IReadOnlyList<IndexedEvent> events, int index)
    {
        var e = events[index];
        var account = e.Text("account");
        var row = await db.Connection.QuerySingleAsync<(string Stake, string Locked, string Unbonding)>(new CommandDefinition(
            "SELECT stake, locked, unbonding FROM stakes WHERE account = @a", new { a = account }, db.Transaction, cancellationToken: db.Token)).ConfigureAwait(false);
        // The vault unlocks the job's collateral inside the slash without an Unlocked event; the
        // market's event for that job follows in the same transaction and names the job.
        var unlocked = await UnlockedBySlashAsync(db, events, index, account).ConfigureAwait(false);
        var stake = Parse(row.Stake) - e.Number("amount");
        var locked = Parse(row.Locked) - unlocked;
        var unbonding = BigInteger.Min(Parse(row.Unbonding), stake - locked);
        await db.ExecAsync("UPDATE stakes SET stake = @s, locked = @l, unbonding = @u, slashes = slashes + 1 WHERE account = @a",
            new { a = account, s = Text(stake), l = Text(locked), u = Text(unbonding) }).ConfigureAwait(false);
    }

    private static async Task<BigInteger> UnlockedBySlashAsync(Db db, IReadOnlyList<IndexedEvent> events, int index, string account)
    {
        var next = events.Skip(index + 1).FirstOrDefault(n => n.TransactionHash == events[index].TransactionHash && n.Contract == "JobMarket");
        if (next is not { Name: "JobExpired" or "DisputeResolved" } || next.JobId is not { } jobId)
        {
            return BigInteger.Zero;
        }

        var job = await db.Connection.QuerySingleAsync<(string Provider, string Collateral)>(new CommandDefinition(
            "SELECT provider, collateral FROM jobs WHERE job_id = @j", new { j = jobId }, db.Transaction, cancellationToken: db.Token)).ConfigureAwait(false);
        return job.Provider == account ? Parse(job.Collateral) : BigInteger.Zero;
    }

    private static async Task ProtocolFeesClaimedAsync(Db db, IndexedEvent e)
    {
        await AddMarketAsync(db, "balance", e.Text("treasury"), e.Number("amount")).ConfigureAwait(false);
        await db.ExecAsync("UPDATE market_ledger SET protocol_fees = '0' WHERE id = 1").ConfigureAwait(false);
    }

    private async Task JobCreatedAsync(Db db, IndexedEvent e)
    {
        var price = e.Number("unitPrice") * e.Number("taskCount");
        var verificationFee = MarketRates.Share(price, rates.VerificationFeeBps);
        var protocolFee = MarketRates.Share(price, rates.ProtocolFeeBps);
        var collateral = MarketRates.Share(price, rates.CollateralMultiplierBps);
        const string Zero = "0x0000000000000000000000000000000000000000000000000000000000000000";
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
                zero = Zero, price = Text(price), collateral = Text(collateral), b = (long)e.BlockNumber, tx = e.TransactionHash,
            }).ConfigureAwait(false);
        await AddMarketAsync(db, "balance", e.Text("client"), -(price + verificationFee + protocolFee)).ConfigureAwait(false);
        await AddLedgerAsync(db, "verification_pool", verificationFee).ConfigureAwait(false);
        await AddLedgerAsync(db, "protocol_fees", protocolFee).ConfigureAwait(false);
        await db.ExecAsync("UPDATE market_ledger SET job_count = max(job_count, @j) WHERE id = 1", new { j = e.JobId }).ConfigureAwait(false);
        await AddMarketAsync(db, "collateral", e.Text("provider"), -collateral).ConfigureAwait(false);
    }

    private static async Task AuditRequestedAsync(Db db, IndexedEvent e)
    {
        var client = await db.Connection.QuerySingleAsync<string>(new CommandDefinition(
            "SELECT client FROM jobs WHERE job_id = @j", new { j = e.JobId }, db.Transaction, cancellationToken: db.Token)).ConfigureAwait(false);
        await AddMarketAsync(db, "balance", client, -e.Number("fee")).ConfigureAwait(false);
        await AddLedgerAsync(db, "verification_pool", e.Number("fee")).ConfigureAwait(false);
        await db.ExecAsync("UPDATE jobs SET client_requested_audit = 1, updated_block = @b WHERE job_id = @j", new { j = e.JobId, b = (long)e.BlockNumber }).ConfigureAwait(false);
    }

    private static async Task VerdictSubmittedAsync(Db db, IndexedEvent e)
    {
        var pass = e.Flag("pass");
        await db.ExecAsync("UPDATE jobs SET verdict_pass = @p, evidence_hash = @h, updated_block = @b WHERE job_id = @j",
            new { j = e.JobId, p = pass ? 1 : 0, h = e.Text("evidenceHash"), b = (long)e.BlockNumber }).ConfigureAwait(false);
        if (pass)
        {
            await AddMarketAsync(db, "balance", e.Text("verifier"), e.Number("reward")).ConfigureAwait(false);
            await AddLedgerAsync(db, "verification_pool", -e.Number("reward")).ConfigureAwait(false);
        }
    }

    private static async Task DisputeOpenedAsync(Db db, IndexedEvent e)
    {
        await db.ExecAsync("UPDATE jobs SET status = @status, updated_block = @b WHERE job_id = @j", new { status = (int)JobStatus.Disputed, j = e.JobId, b = (long)e.BlockNumber }).ConfigureAwait(false);
        await db.ExecAsync("INSERT INTO disputes (job_id, challenger, bond, deadline, committee) VALUES (@j, @c, @bond, @d, @committee)",
            new { j = e.JobId, c = e.Text("challenger"), bond = e.Text("bond"), d = (long)e.Number("deadline"), committee = e.Args["committee"]!.ToJsonString() }).ConfigureAwait(false);
        await AddMarketAsync(db, "balance", e.Text("challenger"), -e.Number("bond")).ConfigureAwait(false);
    }

    private static async Task VotedAsync(Db db, IndexedEvent e)
    {
        var wrong = e.Flag("providerWrong");
        await db.ExecAsync("INSERT INTO votes (job_id, member, provider_wrong, block_number) VALUES (@j, @m, @w, @b)",
            new { j = e.JobId, m = e.Text("member"), w = wrong ? 1 : 0, b = (long)e.BlockNumber }).ConfigureAwait(false);
        await db.ExecAsync(wrong
            ? "UPDATE disputes SET votes_provider_wrong = votes_provider_wrong + 1 WHERE job_id = @j"
            : "UPDATE disputes SET votes_provider_right = votes_provider_right + 1 WHERE job_id = @j", new { j = e.JobId }).ConfigureAwait(false);
    }

    private async Task DisputeResolvedAsync(Db db, IndexedEvent e)
    {
        var wrong = e.Flag("providerWrong");
        await db.ExecAsync("UPDATE disputes SET resolved = 1, provider_wrong = @w, slashed = @s WHERE job_id = @j",
            new { j = e.JobId, w = wrong ? 1 : 0, s = e.Text("slashed") }).ConfigureAwait(false);
        if (!wrong)
        {
            return;
        }

        var job = await JobMoneyAsync(db, e.JobId).ConfigureAwait(false);
        await db.ExecAsync("UPDATE jobs SET status = @status, slashed = @s, updated_block = @b WHERE job_id = @j",
            new { status = (int)JobStatus.Slashed, j = e.JobId, s = e.Text("slashed"), b = (long)e.BlockNumber }).ConfigureAwait(false);
        var pool = await db.NumberAsync("SELECT verification_pool FROM market_ledger WHERE id = 1").ConfigureAwait(false);
        await AddLedgerAsync(db, "verification_pool", -BigInteger.Min(MarketRates.Share(job.Price, rates.AuditRewardBps), pool)).ConfigureAwait(false);
        await db.ExecAsync("UPDATE stakes SET audits_failed = audits_failed + 1 WHERE account = @a", new { a = job.Provider }).ConfigureAwait(false);
    }

    private static async Task JobSettledAsync(Db db, IndexedEvent e)
    {
        var job = await JobMoneyAsync(db, e.JobId).ConfigureAwait(false);
        await db.ExecAsync("UPDATE jobs SET status = @status, payout = @p, updated_block = @b WHERE job_id = @j",
            new { status = (int)JobStatus.Settled, j = e.JobId, p = e.Text("payout"), b = (long)e.BlockNumber }).ConfigureAwait(false);
        await AddMarketAsync(db, "balance", job.Provider, e.Number("payout")).ConfigureAwait(false);
        await AddMarketAsync(db, "collateral", job.Provider, job.Collateral).ConfigureAwait(false);
        await db.ExecAsync("UPDATE market_accounts SET jobs_settled = jobs_settled + 1 WHERE account = @a", new { a = job.Provider }).ConfigureAwait(false);
    }

    private static async Task JobExpiredAsync(Db db, IndexedEvent e)
    {
        var job = await JobMoneyAsync(db, e.JobId).ConfigureAwait(false);
        await db.ExecAsync("UPDATE jobs SET status = @status, refund = @r, slashed = @s, updated_block = @b WHERE job_id = @j",
            new { status = (int)JobStatus.Expired, j = e.JobId, r = e.Text("refund"), s = e.Text("slashed"), b = (long)e.BlockNumber }).ConfigureAwait(false);
        await AddMarketAsync(db, "balance", job.Client, e.Number("refund")).ConfigureAwait(false);
    }

    private static async Task<(string Client, string Provider, BigInteger Price, BigInteger Collateral)> JobMoneyAsync(Db db, long? jobId)
    {
        var row = await db.Connection.QuerySingleAsync<(string Client, string Provider, string Price, string Collateral)>(new CommandDefinition(
            "SELECT client, provider, price, collateral FROM jobs WHERE job_id = @j", new { j = jobId }, db.Transaction, cancellationToken: db.Token)).ConfigureAwait(false);
        return (row.Client, row.Provider, Parse(row.Price), Parse(row.Collateral));
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

    private static async Task AddMarketAsync(Db db, string column, string account, BigInteger delta)
    {
        var current = await db.NumberAsync($"SELECT {column} FROM market_accounts WHERE account = @a", new { a = account }).ConfigureAwait(false);
        await db.ExecAsync($"INSERT INTO market_accounts (account, {column}) VALUES (@a, @v) ON CONFLICT (account) DO UPDATE SET {column} = @v",
            new { a = account, v = Text(current + delta) }).ConfigureAwait(false);
    }

    private static async Task AddBalanceAsync(Db db, string table, string account, BigInteger delta)
    {
        var current = await db.NumberAsync($"SELECT balance FROM {table} WHERE account = @a", new { a = account }).ConfigureAwait(false);
        await db.ExecAsync($"INSERT INTO {table} (account, balance) VALUES (@a, @v) ON CONFLICT (account) DO UPDATE SET balance = @v",
            new { a = account, v = Text(current + delta) }).ConfigureAwait(false);
    }

    private static async Task AddStakeColumnAsync(Db db, string account, string column, BigInteger delta)
    {
        var current = await db.NumberAsync($"SELECT {column} FROM stakes WHERE account = @a", new { a = account }).ConfigureAwait(false);
        await db.ExecAsync($"INSERT INTO stakes (account, {column}) VALUES (@a, @v) ON CONFLICT (account) DO UPDATE SET {column} = @v",
            new { a = account, v = Text(current + delta) }).ConfigureAwait(false);
    }

    private static async Task AddLedgerAsync(Db db, string column, BigInteger delta)
    {
        var current = await db.NumberAsync($"SELECT {column} FROM market_ledger WHERE id = 1").ConfigureAwait(false);
        await db.ExecAsync($"UPDATE market_ledger SET {column} = @v WHERE id = 1", new { v = Text(current + delta) }).ConfigureAwait(false);
    }

    private static BigInteger Parse(string text) => BigInteger.Parse(text, CultureInfo.InvariantCulture);

    private static string Text(BigInteger value) => value.ToString(CultureInfo.InvariantCulture);

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
