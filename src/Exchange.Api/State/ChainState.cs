using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using Exchange.Chain.Court;
using Exchange.Core.Jobs;
using Exchange.Storage;

namespace Exchange.Api.State;

/// <summary>
/// Reads the chain state the indexer keeps in SQLite (tables of docs/chain.md). Nothing here is
/// the API's own opinion: every row is a projection of the contracts' events.
/// </summary>
public sealed class ChainState(SqliteConnectionFactory connections)
{
    // Status numbers come from JobStatus (the contract's numbering), never typed into the SQL.
    private static readonly string AuditCase = string.Create(CultureInfo.InvariantCulture, $"""
        CASE
          WHEN j.status = {(int)JobStatus.Slashed} THEN 'failed'
          WHEN j.status = {(int)JobStatus.Disputed} THEN 'disputed'
          WHEN j.verdict_pass = 1 AND j.status = {(int)JobStatus.Auditing} THEN 'pass-appealable'
          WHEN j.verdict_pass = 1 THEN 'passed'
          WHEN j.verdict_pass = 0 AND j.status = {(int)JobStatus.Settled} THEN 'overturned'
          WHEN j.status = {(int)JobStatus.Auditing} THEN 'pending'
          WHEN j.settlement = 'unverified' THEN 'unverified'
          WHEN j.audited = 0 THEN 'not-drawn'
          ELSE 'none'
        END
        """);

    private static readonly string JobColumns = $"""
        j.job_id AS Id, j.status AS Status, {AuditCase} AS Audit, j.client AS Client, j.provider AS Provider, j.model_id AS ModelId,
        j.task_count AS TaskCount, j.unit_price AS UnitPrice, j.settlement AS Settlement,
        max(j.dispute_rounds - 1, 0) + (SELECT count(*) FROM disputes d WHERE d.job_id = j.job_id AND d.passing_verifier IS NOT NULL) AS Appeals
        """;

    // Gas of each listed job: its transactions' gas, a transaction touching several jobs (a batch) split evenly between them.
    private const string GasSql = """
        SELECT e.job_id AS JobId, CAST(SUM(t.gas * 1.0 / t.jobs) AS INTEGER) AS Gas, MAX(e.block_time) AS UpdatedAt
        FROM (SELECT job_id, tx_hash, MAX(block_time) AS block_time FROM chain_events WHERE job_id IN @ids GROUP BY job_id, tx_hash) e
        JOIN (SELECT tx_hash, MAX(gas_used) AS gas, COUNT(DISTINCT job_id) AS jobs FROM chain_events
              WHERE job_id IS NOT NULL AND tx_hash IN (SELECT tx_hash FROM chain_events WHERE job_id IN @ids) GROUP BY tx_hash) t
          ON t.tx_hash = e.tx_hash
        GROUP BY e.job_id
        """;

    /// <summary>A page of jobs, newest first, filtered by status, client and provider.</summary>
    public async Task<JobPage> JobsAsync(JobStatus? status, string? client, string? provider, int page, int pageSize, CancellationToken ct)
    {
        const string Where = "WHERE (@status IS NULL OR j.status = @status) AND (@client IS NULL OR j.client = @client) AND (@provider IS NULL OR j.provider = @provider)";
        var filter = new { status = (int?)status, client, provider, limit = pageSize, offset = (page - 1) * pageSize };
        await using var connection = await connections.OpenAsync(ct);
        var total = await connection.ExecuteScalarAsync<long>(new CommandDefinition($"SELECT count(*) FROM jobs j {Where}", filter, cancellationToken: ct));
        var rows = (await connection.QueryAsync<JobRow>(new CommandDefinition(
            $"SELECT {JobColumns} FROM jobs j {Where} ORDER BY j.job_id DESC LIMIT @limit OFFSET @offset", filter, cancellationToken: ct))).ToList();
        var gas = await GasAsync(connection, rows.Select(r => r.Id).ToArray(), ct);
        return new JobPage(rows.Select(r => r.Summary(gas.GetValueOrDefault(r.Id))).ToList(), page, pageSize, total);
    }

    /// <summary>One job with everything the index knows about it, or null.</summary>
    public async Task<JobDetail?> JobAsync(long id, CancellationToken ct)
    {
        await using var connection = await connections.OpenAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<JobDetailRow>(new CommandDefinition(
            $"""
            SELECT {JobColumns}, j.deadline AS Deadline, j.tasks_root AS TasksRoot, j.manifest_hash AS ManifestHash, j.result_root AS ResultRoot,
                   j.outputs_hash AS OutputsHash, j.submitted_at AS SubmittedAt, j.submit_block AS SubmitBlock, j.price AS Price,
                   j.collateral AS Collateral, j.accepted_at AS AcceptedAt, j.draw_seed AS DrawSeed, j.audit_origin AS AuditOrigin, j.audit_fee AS AuditFee,
                   j.verifier AS Verifier, j.audit_deadline AS AuditDeadline, j.audit_timeouts AS AuditTimeouts, j.verdict_pass AS VerdictPass,
                   j.evidence_hash AS EvidenceHash, j.audit_reward AS AuditReward, j.pass_deadline AS PassDeadline, j.payout AS Payout,
                   j.refund AS Refund, j.slashed AS Slashed
            FROM jobs j WHERE j.job_id = @id
            """, new { id }, cancellationToken: ct));
        if (row is null)
        {
            return null;
        }
        var gas = (await GasAsync(connection, [id], ct)).GetValueOrDefault(id);
        var timeline = (await connection.QueryAsync<EventRow>(new CommandDefinition(
            """
            SELECT name AS Name, block_number AS BlockNumber, block_time AS BlockTime, tx_hash AS TxHash, tx_from AS TxFrom, gas_used AS GasUsed, args AS Args
            FROM chain_events WHERE job_id = @id ORDER BY block_number, log_index
            """, new { id }, cancellationToken: ct))).Select(e => e.Entry()).ToList();
        return row.Detail(gas, timeline, await DisputeAsync(connection, id, ct));
    }

    private static async Task<DisputeView?> DisputeAsync(Microsoft.Data.Sqlite.SqliteConnection connection, long id, CancellationToken ct)
    {
        var dispute = await connection.QuerySingleOrDefaultAsync<DisputeRow>(new CommandDefinition(
            """
            SELECT challenger AS Challenger, evidence_hash AS EvidenceHash, passing_verifier AS PassingVerifier, held AS Held, resolved AS Resolved,
                   provider_wrong AS ProviderWrong, slashed AS Slashed, false_pass_penalty AS FalsePassPenalty
            FROM disputes WHERE job_id = @id
            """, new { id }, cancellationToken: ct));
        if (dispute is null)
        {
            return null;
        }
        var votes = (await connection.QueryAsync<VoteRow>(new CommandDefinition(
            "SELECT round AS Round, member AS Member, committed AS Committed, revealed AS Revealed, penalty AS Penalty FROM dispute_votes WHERE job_id = @id",
            new { id }, cancellationToken: ct))).ToLookup(v => v.Round);
        var rounds = (await connection.QueryAsync<RoundRow>(new CommandDefinition(
            """
            SELECT round AS Round, funder AS Funder, funded_wrong AS FundedWrong, bond AS Bond, size AS Size, drawn AS Drawn, members AS Members,
                   commit_deadline AS CommitDeadline, reveal_deadline AS RevealDeadline, revealed AS Revealed, votes_wrong AS VotesWrong,
                   closed AS Closed, provider_wrong AS ProviderWrong, appeal_deadline AS AppealDeadline
            FROM dispute_rounds WHERE job_id = @id ORDER BY round
            """, new { id }, cancellationToken: ct))).Select(r => r.View(votes[r.Round])).ToList();
        return dispute.View(rounds);
    }

    /// <summary>Providers, largest stake first; or one provider when <paramref name="address"/> is given.</summary>
    public async Task<IReadOnlyList<ProviderView>> ProvidersAsync(string? address, CancellationToken ct)
    {
        await using var connection = await connections.OpenAsync(ct);
        var rows = (await connection.QueryAsync<StakeRow>(new CommandDefinition(
            $"""
            SELECT {StakeColumns}, COALESCE(m.collateral, '0') AS FreeCollateral, COALESCE(m.jobs_settled, 0) AS JobsSettled,
                   s.audits_passed AS AuditsPassed, s.audits_failed AS AuditsFailed
            FROM stakes s LEFT JOIN market_accounts m ON m.account = s.account
            WHERE s.role = @role AND (@address IS NULL OR s.account = @address)
            ORDER BY {StakeOrder}
            """, new { role = (int)StakeRole.Provider, address }, cancellationToken: ct))).ToList();
        var inFlight = await InFlightAsync(connection, rows, ct);
        return rows.Select(r => r.Provider(inFlight.GetValueOrDefault(r.Account))).ToList();
    }

    /// <summary>Verifiers, largest stake first, with their audits, committee votes, passes proven wrong and earnings.</summary>
    public async Task<IReadOnlyList<VerifierView>> VerifiersAsync(CancellationToken ct)
    {
        await using var connection = await connections.OpenAsync(ct);
        var rows = (await connection.QueryAsync<StakeRow>(new CommandDefinition(
            $"""
            SELECT {StakeColumns}, s.draw_weight AS DrawWeight, s.weight_epoch AS WeightEpoch, s.verdicts AS Verdicts, s.passes AS Passes,
                   s.passes_overturned AS PassesOverturned, s.timeouts AS Timeouts, s.votes AS Votes, s.penalties AS Penalties, s.penalised AS Penalised
            FROM stakes s LEFT JOIN market_accounts m ON m.account = s.account
            WHERE s.role = @role
            ORDER BY {StakeOrder}
            """, new { role = (int)StakeRole.Verifier }, cancellationToken: ct))).ToList();
        var inFlight = await InFlightAsync(connection, rows, ct);
        return rows.Select(r => r.Verifier(inFlight.GetValueOrDefault(r.Account))).ToList();
    }

    private const string StakeColumns =
        "s.account AS Account, s.stake AS Stake, s.locked AS Locked, s.unbonding AS Unbonding, s.slashes AS Slashes, COALESCE(m.earned, '0') AS Earnings";

    // Stakes are decimal text: the longer is the larger.
    private const string StakeOrder = "length(s.stake) DESC, s.stake DESC, s.account";

    /// <summary>Jobs not yet ended per account: as provider, as the verifier owing an audit, as a member of an open committee.</summary>
    private static async Task<Dictionary<string, long>> InFlightAsync(Microsoft.Data.Sqlite.SqliteConnection connection, IEnumerable<StakeRow> rows, CancellationToken ct) =>
        (await connection.QueryAsync<(string, long)>(new CommandDefinition(
            """
            SELECT a, count(DISTINCT job_id) FROM (
              SELECT provider AS a, job_id FROM jobs WHERE status BETWEEN @created AND @disputed
              UNION ALL SELECT verifier AS a, job_id FROM jobs WHERE status = @auditing AND verifier IS NOT NULL
              UNION ALL SELECT v.member AS a, v.job_id FROM dispute_votes v JOIN jobs j ON j.job_id = v.job_id WHERE j.status = @disputed)
            WHERE a IN @accounts GROUP BY a
            """,
            new { accounts = rows.Select(r => r.Account).ToArray(), created = (int)JobStatus.Created, auditing = (int)JobStatus.Auditing, disputed = (int)JobStatus.Disputed },
            cancellationToken: ct))).ToDictionary(r => r.Item1, r => r.Item2);

    /// <summary>Counts, rates and the per-minute throughput, measured in chain time (the latest indexed block's time is "now").</summary>
    public async Task<NetworkStats> StatsAsync(CancellationToken ct)
    {
        await using var connection = await connections.OpenAsync(ct);
        var byStatus = (await connection.QueryAsync<(long Status, long Count)>(new CommandDefinition(
            "SELECT status, count(*) FROM jobs GROUP BY status", cancellationToken: ct))).ToDictionary(r => ((JobStatus)r.Status).ToString(), r => r.Count);
        var latest = await connection.QuerySingleAsync<(long? Block, long? Time)>(new CommandDefinition(
            "SELECT MAX(block_number), MAX(block_time) FROM chain_events", cancellationToken: ct));
        var now = latest.Time ?? 0;
        var settled = (await connection.QueryAsync<(long Time, long Tasks)>(new CommandDefinition(
            "SELECT e.block_time, j.task_count FROM chain_events e JOIN jobs j ON j.job_id = e.job_id WHERE e.name = 'JobSettled' AND e.block_time > @since",
            new { since = now - 3600 }, cancellationToken: ct))).ToList();
        var totals = await connection.QuerySingleAsync<(long Tasks, long Jobs)>(new CommandDefinition(
            "SELECT COALESCE(SUM(task_count), 0), count(*) FROM jobs WHERE status = @settled", new { settled = (int)JobStatus.Settled }, cancellationToken: ct));
        var settledIds = (await connection.QueryAsync<long>(new CommandDefinition("SELECT job_id FROM jobs WHERE status = @settled", new { settled = (int)JobStatus.Settled }, cancellationToken: ct))).ToArray();
        var gas = await GasAsync(connection, settledIds, ct);
        var counts = await connection.QuerySingleAsync<CountsRow>(new CommandDefinition(
            """
            SELECT (SELECT count(*) FROM chain_events WHERE contract = 'StakingVault' AND name = 'Slashed') AS Slashes,
                   (SELECT count(*) FROM stakes WHERE role = @provider) AS Providers,
                   (SELECT count(*) FROM stakes WHERE draw_weight <> '0') AS Verifiers,
                   (SELECT count(*) FROM jobs WHERE audit_origin IS NOT NULL) AS Audits,
                   (SELECT COALESCE(SUM(verdicts), 0) FROM stakes) AS Verdicts,
                   (SELECT count(*) FROM disputes) AS Disputes,
                   (SELECT count(*) FROM disputes WHERE passing_verifier IS NOT NULL) AS PassAppeals,
                   (SELECT COALESCE(SUM(passes_overturned), 0) FROM stakes) AS PassesOverturned,
                   (SELECT COALESCE(SUM(votes), 0) FROM stakes) AS Votes,
                   (SELECT COALESCE(SUM(timeouts + penalties), 0) FROM stakes) AS Penalties,
                   (SELECT verification_pool FROM market_ledger WHERE id = 1) AS VerificationPool,
                   (SELECT court_hold FROM market_ledger WHERE id = 1) AS CourtHold
            """, new { provider = (int)StakeRole.Provider }, cancellationToken: ct));

        double Rate(long window) => settled.Where(s => s.Time > now - window).Sum(s => s.Tasks) / (double)window;
        var firstMinute = now / 60 * 60 - 59 * 60;
        var perMinute = settled.GroupBy(s => s.Time / 60 * 60).ToDictionary(g => g.Key, g => g.Sum(s => s.Tasks));
        var throughput = Enumerable.Range(0, 60).Select(i => firstMinute + i * 60L)
            .Select(m => new MinutePoint(m, perMinute.GetValueOrDefault(m))).ToList();
        var gasSum = gas.Values.Sum(g => g.Gas);
        return new NetworkStats(
            byStatus.Values.Sum(), byStatus, totals.Tasks, new Rates(Rate(60), Rate(600), Rate(3600)),
            totals.Tasks > 0 ? gasSum / (double)totals.Tasks : null, counts.Slashes, counts.Providers, counts.Verifiers, counts.Audits, counts.Verdicts,
            counts.Disputes, counts.PassAppeals, counts.PassesOverturned, counts.Votes, counts.Penalties, counts.VerificationPool ?? "0", counts.CourtHold ?? "0", latest.Block, latest.Block is null ? [] : throughput);
    }

    /// <summary>Indexed events after <paramref name="cursor"/> (a rowid of chain_events), oldest first.</summary>
    public async Task<(IReadOnlyList<ChainChange> Changes, long Cursor)> ChangesAfterAsync(long cursor, CancellationToken ct)
    {
        await using var connection = await connections.OpenAsync(ct);
        var rows = (await connection.QueryAsync<ChangeRow>(new CommandDefinition(
            """
            SELECT e.rowid AS RowId, e.name AS Name, e.job_id AS JobId, j.status AS Status, e.account AS Account, e.block_number AS BlockNumber, e.tx_hash AS TxHash
            FROM chain_events e LEFT JOIN jobs j ON j.job_id = e.job_id
            WHERE e.rowid > @cursor ORDER BY e.rowid LIMIT 1000
            """, new { cursor }, cancellationToken: ct))).ToList();
        var changes = rows.Select(r => new ChainChange(r.Name, r.JobId, r.Status is { } s ? ((JobStatus)s).ToString() : null, r.Account, r.BlockNumber, r.TxHash)).ToList();
        return (changes, rows.Count > 0 ? rows[^1].RowId : cursor);
    }

    /// <summary>The rowid of the newest indexed event, where a new live stream starts.</summary>
    public async Task<long> LatestCursorAsync(CancellationToken ct)
    {
        await using var connection = await connections.OpenAsync(ct);
        return await connection.ExecuteScalarAsync<long?>(new CommandDefinition("SELECT MAX(rowid) FROM chain_events", cancellationToken: ct)) ?? 0;
    }

    private static async Task<Dictionary<long, (long Gas, long UpdatedAt)>> GasAsync(Microsoft.Data.Sqlite.SqliteConnection connection, long[] ids, CancellationToken ct)
    {
        if (ids.Length == 0)
        {
            return [];
        }
        return (await connection.QueryAsync<(long JobId, long Gas, long UpdatedAt)>(new CommandDefinition(GasSql, new { ids }, cancellationToken: ct)))
            .ToDictionary(r => r.JobId, r => (r.Gas, r.UpdatedAt));
    }

    // Dapper fills these by property name: the computed Audit column has no declared type, which rules out constructor mapping.
    private class JobRow
    {
        public long Id { get; init; }

        public long Status { get; init; }

        public string Audit { get; init; } = "";

        public string Client { get; init; } = "";

        public string Provider { get; init; } = "";

        public string ModelId { get; init; } = "";

        public long TaskCount { get; init; }

        public string UnitPrice { get; init; } = "";

        public string? Settlement { get; init; }

        public long Appeals { get; init; }

        public JobSummary Summary((long Gas, long UpdatedAt) gas) => new(
            Id, ((JobStatus)Status).ToString(), Audit, Settlement, Appeals, Client, Provider, ModelId, TaskCount, UnitPrice, gas.Gas,
            TaskCount > 0 && gas.Gas > 0 ? gas.Gas / (double)TaskCount : null, gas.UpdatedAt);
    }

    private sealed class JobDetailRow : JobRow
    {
        public long Deadline { get; init; }

        public string TasksRoot { get; init; } = "";

        public string ManifestHash { get; init; } = "";

        public string ResultRoot { get; init; } = "";

        public string OutputsHash { get; init; } = "";

        public long SubmittedAt { get; init; }

        public long SubmitBlock { get; init; }

        public string Price { get; init; } = "";

        public string Collateral { get; init; } = "";

        public long? AcceptedAt { get; init; }

        public string? DrawSeed { get; init; }

        public long? AuditOrigin { get; init; }

        public string? AuditFee { get; init; }

        public string? Verifier { get; init; }

        public long? AuditDeadline { get; init; }

        public long AuditTimeouts { get; init; }

        public long? VerdictPass { get; init; }

        public string? EvidenceHash { get; init; }

        public string? AuditReward { get; init; }

        public long? PassDeadline { get; init; }

        public string? Payout { get; init; }

        public string? Refund { get; init; }

        public string? Slashed { get; init; }

        public JobDetail Detail((long Gas, long UpdatedAt) gas, IReadOnlyList<TimelineEntry> timeline, DisputeView? dispute)
        {
            var summary = Summary(gas);
            return new JobDetail(
                summary.Id, summary.Status, summary.Audit, summary.Settlement, summary.Appeals, summary.Client, summary.Provider, summary.ModelId,
                summary.TaskCount, summary.UnitPrice, summary.GasUsed, summary.GasPerTask, summary.UpdatedAt, Deadline, TasksRoot, ManifestHash, ResultRoot,
                OutputsHash, SubmittedAt, SubmitBlock, Price, Collateral, AcceptedAt, DrawSeed, AuditOrigin is { } origin ? ((AuditOrigin)origin).ToString() : null,
                AuditFee, Verifier, AuditDeadline, AuditTimeouts, VerdictPass is { } pass ? pass != 0 : null, EvidenceHash, AuditReward, PassDeadline, Payout,
                Refund, Slashed, dispute, timeline);
        }
    }

    private sealed record EventRow(string Name, long BlockNumber, long BlockTime, string TxHash, string TxFrom, long GasUsed, string Args)
    {
        public TimelineEntry Entry()
        {
            var args = JsonNode.Parse(Args) as JsonObject ?? [];
            var detail = string.Join(", ", args.Where(a => a.Key != "jobId").Select(a => $"{a.Key} {Describe(a.Value)}"));
            return new TimelineEntry(Name, BlockNumber, BlockTime, TxHash, TxFrom, GasUsed, args, detail);
        }

        private static string Describe(JsonNode? value) => value switch
        {
            JsonValue v when v.TryGetValue<string>(out var s) => s,
            null => "null",
            _ => value.ToJsonString(),
        };
    }

    private sealed record DisputeRow(
        string Challenger, string EvidenceHash, string? PassingVerifier, string Held, long Resolved, long? ProviderWrong, string? Slashed, string? FalsePassPenalty)
    {
        public DisputeView View(IReadOnlyList<RoundView> rounds) =>
            new(PassingVerifier is null ? "fail-verdict" : "pass-appeal", Challenger, EvidenceHash, PassingVerifier, Held, Resolved != 0,
                ProviderWrong is { } wrong ? wrong != 0 : null, Slashed, FalsePassPenalty, rounds);
    }

    private sealed record RoundRow(
        long Round, string Funder, long FundedWrong, string Bond, long Size, long Drawn, string Members, long CommitDeadline, long RevealDeadline,
        long Revealed, long VotesWrong, long Closed, long ProviderWrong, long AppealDeadline)
    {
        public RoundView View(IEnumerable<VoteRow> votes)
        {
            // Members in draw order, as the court drew them.
            var byMember = votes.ToDictionary(v => v.Member);
            var members = (JsonSerializer.Deserialize<string[]>(Members) ?? []).Select(m => byMember.TryGetValue(m, out var v) ? v.View() : new VoteView(m, false, null, null)).ToList();
            return new RoundView(Round, Funder, Side(FundedWrong != 0), Bond, Size, Drawn != 0, CommitDeadline, RevealDeadline, members, VotesWrong,
                Revealed - VotesWrong, Closed != 0, Closed != 0 ? Side(ProviderWrong != 0) : null, AppealDeadline);
        }
    }

    private sealed record VoteRow(long Round, string Member, long Committed, long Revealed, string? Penalty)
    {
        // AuditCourt's Vote.revealed: 0 not revealed, 1 provider wrong, 2 provider right.
        public VoteView View() => new(Member, Committed != 0, Revealed == 0 ? null : Side(Revealed == 1), Penalty);
    }

    private static string Side(bool providerWrong) => providerWrong ? "provider-wrong" : "provider-right";

    // Filled by property name: COALESCE columns have no declared type, and each role reads its own columns.
    private sealed class StakeRow
    {
        public string Account { get; init; } = "";

        public string Stake { get; init; } = "";

        public string Locked { get; init; } = "";

        public string Unbonding { get; init; } = "";

        public long Slashes { get; init; }

        public string Earnings { get; init; } = "0";

        public string FreeCollateral { get; init; } = "0";

        public long JobsSettled { get; init; }

        public long AuditsPassed { get; init; }

        public long AuditsFailed { get; init; }

        public string DrawWeight { get; init; } = "0";

        public long WeightEpoch { get; init; }

        public long Verdicts { get; init; }

        public long Passes { get; init; }

        public long PassesOverturned { get; init; }

        public long Timeouts { get; init; }

        public long Votes { get; init; }

        public long Penalties { get; init; }

        public string Penalised { get; init; } = "0";

        public ProviderView Provider(long inFlight) =>
            new(Account, Stake, Locked, FreeCollateral, Unbonding, JobsSettled, AuditsPassed, AuditsFailed, Slashes, Earnings, inFlight);

        public VerifierView Verifier(long inFlight) =>
            new(Account, Stake, Locked, Unbonding, DrawWeight != "0", DrawWeight, WeightEpoch, Verdicts, Passes, Verdicts - Passes, PassesOverturned,
                Timeouts, Votes, Penalties, Penalised, Slashes, Earnings, inFlight);
    }

    // Filled by property name: scalar subqueries have no declared type.
    private sealed class CountsRow
    {
        public long Slashes { get; init; }

        public long Providers { get; init; }

        public long Verifiers { get; init; }

        public long Audits { get; init; }

        public long Verdicts { get; init; }

        public long Disputes { get; init; }

        public long PassAppeals { get; init; }

        public long PassesOverturned { get; init; }

        public long Votes { get; init; }

        public long Penalties { get; init; }

        public string? VerificationPool { get; init; }

        public string? CourtHold { get; init; }
    }

    private sealed record ChangeRow(long RowId, string Name, long? JobId, long? Status, string? Account, long BlockNumber, string TxHash);
}
