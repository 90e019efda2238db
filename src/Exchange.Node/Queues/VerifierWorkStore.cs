using System.Globalization;
using System.Numerics;
using Dapper;
using Exchange.Core.Hashing;
using Exchange.Core.Jobs;
using Exchange.Node.Chain;

namespace Exchange.Node.Queues;

/// <summary>
/// The verifier's tables: <c>known_jobs</c> (every job's record, so a later result completes it),
/// <c>verifier_work</c> (audits: new → judged → sending → done), <c>verifier_votes</c> (committee
/// votes: new → judged → committing → committed → revealing → revealed → done, the salt kept
/// from judged on) and <c>verifier_disputes</c> (disputes it follows for keeper duties).
/// </summary>
public sealed class VerifierWorkStore(NodeDatabase database, TimeProvider time)
{
    /// <summary>Kind of an audit drawn to this verifier.</summary>
    public const string Audit = "audit";

    /// <summary>Remembers a created job's record.</summary>
    public Task RememberCreatedAsync(BigInteger jobId, Job record, CancellationToken cancellationToken) =>
        ExecuteAsync(
            "INSERT OR IGNORE INTO known_jobs (job_id, record, state, updated_at) VALUES (@id, @record, 'created', @now)",
            new { id = Id(jobId), record = JobRecords.ToJson(record), now = Now() }, cancellationToken);

    /// <summary>Completes a known job's record with its result; returns the record, or null for a job never seen created.</summary>
    public async Task<Job?> RememberSubmittedAsync(BigInteger jobId, Exchange.Chain.Bindings.ResultSubmittedEventDTO submitted, CancellationToken cancellationToken)
    {
        var known = await FindKnownAsync(jobId, cancellationToken).ConfigureAwait(false);
        if (known is null)
        {
            return null;
        }

        var record = JobRecords.WithResult(known, submitted);
        await ExecuteAsync(
            "UPDATE known_jobs SET record = @record, state = 'submitted', updated_at = @now WHERE job_id = @id AND state = 'created'",
            new { id = Id(jobId), record = JobRecords.ToJson(record), now = Now() }, cancellationToken).ConfigureAwait(false);
        return record;
    }

    /// <summary>A known job's record.</summary>
    public async Task<Job?> FindKnownAsync(BigInteger jobId, CancellationToken cancellationToken)
    {
        await using var connection = await database.Connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        var json = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT record FROM known_jobs WHERE job_id = @id", new { id = Id(jobId) }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return json is null ? null : JobRecords.FromJson(json);
    }

    /// <summary>The known jobs not yet closed, with their records.</summary>
    public async Task<IReadOnlyList<(BigInteger JobId, Job Record)>> OpenKnownAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.Connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<(string Id, string Record)>(new CommandDefinition(
            "SELECT job_id, record FROM known_jobs WHERE state <> 'closed' ORDER BY CAST(job_id AS INTEGER)",
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(r => (BigInteger.Parse(r.Id, CultureInfo.InvariantCulture), JobRecords.FromJson(r.Record)))];
    }

    /// <summary>
    /// Forgets all the verifier holds of a job whose creation a reorg dropped (its record, audits,
    /// votes and dispute): they were for a job the chain no longer holds, and a job of the new branch
    /// may now carry its id.
    /// </summary>
    public async Task ForgetJobAsync(BigInteger jobId, CancellationToken cancellationToken)
    {
        await using var connection = await database.Connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = connection.BeginTransaction();
        await connection.ExecuteAsync(new CommandDefinition(
            """
            DELETE FROM known_jobs WHERE job_id = @id;
            DELETE FROM verifier_work WHERE job_id = @id;
            DELETE FROM verifier_votes WHERE job_id = @id;
            DELETE FROM verifier_disputes WHERE job_id = @id;
            """,
            new { id = Id(jobId) }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Submitted jobs whose audit draw this verifier has not read yet.</summary>
    public async Task<IReadOnlyList<(BigInteger JobId, Job Record)>> AwaitingDrawAsync(int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.Connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<(string Id, string Record)>(new CommandDefinition(
            "SELECT job_id, record FROM known_jobs WHERE state = 'submitted' ORDER BY CAST(job_id AS INTEGER) LIMIT @limit",
            new { limit }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(r => (BigInteger.Parse(r.Id, CultureInfo.InvariantCulture), JobRecords.FromJson(r.Record)))];
    }

    /// <summary>
    /// Marks the draw of a submitted job as fixed (its auditor assigned, or the job left unaudited):
    /// it is never read again. A closed job stays closed.
    /// </summary>
    public Task MarkDrawFixedAsync(BigInteger jobId, CancellationToken cancellationToken) =>
        ExecuteAsync(
            "UPDATE known_jobs SET state = 'fixed', updated_at = @now WHERE job_id = @id AND state IN ('submitted', 'drawn')",
            new { id = Id(jobId), now = Now() }, cancellationToken);

    /// <summary>
    /// Puts every draw read but not yet fixed back to be read again: the verifier a pending draw
    /// names can change until it is fixed (a verifier penalised in the draw's epoch, or one whose
    /// stake fell below the minimum, is passed over). Returns how many.
    /// </summary>
    public async Task<int> RereadPendingDrawsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.Connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE known_jobs SET state = 'submitted', updated_at = @now WHERE state = 'drawn'",
            new { now = Now() }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>Marks a known job's draw as read, or the job as closed.</summary>
    public Task SetKnownStateAsync(BigInteger jobId, string state, CancellationToken cancellationToken) =>
        ExecuteAsync("UPDATE known_jobs SET state = @state, updated_at = @now WHERE job_id = @id", new { id = Id(jobId), state, now = Now() }, cancellationToken);

    /// <summary>Adds an audit drawn to this verifier with the seed that drew it; one already queued is left as it is.</summary>
    /// <returns>True when the audit was new.</returns>
    public async Task<bool> AddAuditAsync(BigInteger jobId, Job record, Bytes32 seed, CancellationToken cancellationToken)
    {
        await using var connection = await database.Connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync(new CommandDefinition(
            "INSERT OR IGNORE INTO verifier_work (job_id, kind, record, state, seed, updated_at) VALUES (@id, 'audit', @record, 'new', @seed, @now)",
            new { id = Id(jobId), record = JobRecords.ToJson(record), seed = seed.ToString(), now = Now() }, cancellationToken: cancellationToken)).ConfigureAwait(false) == 1;
    }

    /// <summary>The work items in <paramref name="state"/>, oldest job first.</summary>
    public Task<IReadOnlyList<VerifierWork>> ListWorkAsync(string state, int limit, CancellationToken cancellationToken) =>
        QueryWorkAsync(state, limit, due: false, cancellationToken);

    /// <summary>The work items in <paramref name="state"/> not waiting out a back-off (<see cref="RecordRetryAsync"/>), oldest job first.</summary>
    public Task<IReadOnlyList<VerifierWork>> ListDueWorkAsync(string state, int limit, CancellationToken cancellationToken) =>
        QueryWorkAsync(state, limit, due: true, cancellationToken);

    private async Task<IReadOnlyList<VerifierWork>> QueryWorkAsync(string state, int limit, bool due, CancellationToken cancellationToken)
    {
        await using var connection = await database.Connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(
            $"""
            SELECT job_id AS JobId, kind AS Kind, record AS Record, state AS State, pass AS Pass, evidence_hash AS EvidenceHash,
                   tx_hash AS TxHash, attempts AS Attempts, seed AS Seed
            FROM verifier_work WHERE state = @state {(due ? DueOnly : "")} ORDER BY CAST(job_id AS INTEGER), kind LIMIT @limit
            """,
            new { state, limit, now = Now() }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(r => r.ToWork())];
    }

    /// <summary>
    /// Whether the item's row is still as a listing read it: same state, no retry recorded since. A
    /// round lists its due audits before it starts their slots, and an audit's earlier slot may end
    /// in between (judged, failed, or put back for a back-off); read again in its slot, the row says
    /// whether the audit is still due, so that it is never judged twice nor before its back-off.
    /// </summary>
    public async Task<bool> IsStillAsListedAsync(VerifierWork item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        await using var connection = await database.Connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT count(*) FROM verifier_work WHERE job_id = @id AND kind = @kind AND state = @state AND attempts = @attempts",
            new { id = Id(item.JobId), kind = item.Kind, state = item.State, attempts = item.Attempts }, cancellationToken: cancellationToken)).ConfigureAwait(false) == 1;
    }

    /// <summary>Counts audits and votes per state, e.g. <c>audit/done</c>, <c>vote/revealed</c>.</summary>
    public async Task<IReadOnlyDictionary<string, int>> CountsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.Connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<(string Kind, string State, long Count)>(new CommandDefinition(
            """
            SELECT kind, state, count(*) FROM verifier_work GROUP BY kind, state
            UNION ALL SELECT 'vote', state, count(*) FROM verifier_votes GROUP BY state
            """, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.ToDictionary(r => $"{r.Kind}/{r.State}", r => (int)r.Count);
    }

    /// <summary>Records the verdict and its uploaded evidence.</summary>
    public Task MarkJudgedAsync(BigInteger jobId, string kind, bool pass, Bytes32 evidenceHash, CancellationToken cancellationToken) =>
        ExecuteAsync(
            "UPDATE verifier_work SET state = 'judged', pass = @pass, evidence_hash = @evidence, last_error = NULL, next_attempt_at = NULL, updated_at = @now WHERE job_id = @id AND kind = @kind AND state = 'new'",
            new { id = Id(jobId), kind, pass = pass ? 1 : 0, evidence = evidenceHash.ToString(), now = Now() }, cancellationToken);

    /// <summary>Records the broadcast verdict or vote transaction before waiting for it.</summary>
    public Task MarkSendingAsync(BigInteger jobId, string kind, string txHash, CancellationToken cancellationToken) =>
        ExecuteAsync(
            "UPDATE verifier_work SET state = 'sending', tx_hash = @tx, updated_at = @now WHERE job_id = @id AND kind = @kind AND state IN ('judged', 'sending')",
            new { id = Id(jobId), kind, tx = txHash, now = Now() }, cancellationToken);

    /// <summary>Puts an item whose transaction never made it back to judged.</summary>
    public Task MarkUnsentAsync(BigInteger jobId, string kind, string reason, CancellationToken cancellationToken) =>
        ExecuteAsync(
            "UPDATE verifier_work SET state = 'judged', tx_hash = NULL, attempts = attempts + 1, last_error = @reason, updated_at = @now WHERE job_id = @id AND kind = @kind AND state = 'sending'",
            new { id = Id(jobId), kind, reason, now = Now() }, cancellationToken);

    /// <summary>Closes an item: its transaction is on chain, or the item became moot.</summary>
    public Task MarkDoneAsync(BigInteger jobId, string kind, string outcome, CancellationToken cancellationToken) =>
        ExecuteAsync(
            "UPDATE verifier_work SET state = 'done', outcome = @outcome, updated_at = @now WHERE job_id = @id AND kind = @kind AND state <> 'done'",
            new { id = Id(jobId), kind, outcome, now = Now() }, cancellationToken);

    /// <summary>Counts a transient failure to judge and keeps the item out of <see cref="ListDueWorkAsync"/> for <paramref name="wait"/> (kept in the row: a restart honours it).</summary>
    public Task RecordRetryAsync(BigInteger jobId, string kind, string error, TimeSpan wait, CancellationToken cancellationToken) =>
        ExecuteAsync(
            "UPDATE verifier_work SET attempts = attempts + 1, last_error = @error, next_attempt_at = @next, updated_at = @now WHERE job_id = @id AND kind = @kind",
            new { id = Id(jobId), kind, error, next = Later(wait), now = Now() }, cancellationToken);

    /// <summary>Gives a new item up: it cannot be judged (its data is provably bad).</summary>
    public Task MarkFailedAsync(BigInteger jobId, string kind, string error, CancellationToken cancellationToken) =>
        ExecuteAsync(
            "UPDATE verifier_work SET state = 'failed', last_error = @error, updated_at = @now WHERE job_id = @id AND kind = @kind AND state = 'new'",
            new { id = Id(jobId), kind, error, now = Now() }, cancellationToken);

    // ------------------------------------------------------------------ committee votes

    /// <summary>Adds the vote of a committee round this verifier was drawn into; one already queued is left as it is.</summary>
    /// <returns>True when the vote was new.</returns>
    public async Task<bool> AddVoteAsync(BigInteger jobId, int round, Job record, CancellationToken cancellationToken)
    {
        await using var connection = await database.Connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync(new CommandDefinition(
            "INSERT OR IGNORE INTO verifier_votes (job_id, round, record, state, updated_at) VALUES (@id, @round, @record, 'new', @now)",
            new { id = Id(jobId), round, record = JobRecords.ToJson(record), now = Now() }, cancellationToken: cancellationToken)).ConfigureAwait(false) == 1;
    }

    /// <summary>The votes in <paramref name="state"/>, oldest job and round first.</summary>
    public Task<IReadOnlyList<VerifierVote>> ListVotesAsync(string state, int limit, CancellationToken cancellationToken) =>
        QueryVotesAsync(state, limit, due: false, cancellationToken);

    /// <summary>The votes in <paramref name="state"/> not waiting out a back-off (<see cref="RecordVoteRetryAsync"/>), oldest job and round first.</summary>
    public Task<IReadOnlyList<VerifierVote>> ListDueVotesAsync(string state, int limit, CancellationToken cancellationToken) =>
        QueryVotesAsync(state, limit, due: true, cancellationToken);

    private async Task<IReadOnlyList<VerifierVote>> QueryVotesAsync(string state, int limit, bool due, CancellationToken cancellationToken)
    {
        await using var connection = await database.Connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<VoteRow>(new CommandDefinition(
            $"SELECT {VoteColumns} FROM verifier_votes WHERE state = @state {(due ? DueOnly : "")} ORDER BY CAST(job_id AS INTEGER), round LIMIT @limit",
            new { state, limit, now = Now() }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(r => r.ToVote())];
    }

    /// <summary>One vote, or null.</summary>
    public async Task<VerifierVote?> FindVoteAsync(BigInteger jobId, int round, CancellationToken cancellationToken)
    {
        await using var connection = await database.Connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<VoteRow>(new CommandDefinition(
            $"SELECT {VoteColumns} FROM verifier_votes WHERE job_id = @id AND round = @round",
            new { id = Id(jobId), round }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return row?.ToVote();
    }

    /// <summary>How this verifier judged the job in an earlier round, if it did (a later round re-uses it instead of re-running the tasks).</summary>
    public async Task<bool?> JudgedProviderWrongAsync(BigInteger jobId, CancellationToken cancellationToken)
    {
        await using var connection = await database.Connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        var value = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT provider_wrong FROM verifier_votes WHERE job_id = @id AND provider_wrong IS NOT NULL ORDER BY round LIMIT 1",
            new { id = Id(jobId) }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return value is null ? null : value != 0;
    }

    /// <summary>Records the vote and the salt that will seal it, before anything is sent.</summary>
    public Task MarkVoteJudgedAsync(BigInteger jobId, int round, bool providerWrong, Bytes32 salt, CancellationToken cancellationToken) =>
        ExecuteAsync(
            "UPDATE verifier_votes SET state = 'judged', provider_wrong = @wrong, salt = @salt, last_error = NULL, next_attempt_at = NULL, updated_at = @now WHERE job_id = @id AND round = @round AND state = 'new'",
            new { id = Id(jobId), round, wrong = providerWrong ? 1 : 0, salt = salt.ToString(), now = Now() }, cancellationToken);

    /// <summary>Records the broadcast <c>commitVote</c> before waiting for it.</summary>
    public Task MarkCommittingAsync(BigInteger jobId, int round, string txHash, CancellationToken cancellationToken) =>
        ExecuteAsync(
            "UPDATE verifier_votes SET state = 'committing', commit_tx = @tx, updated_at = @now WHERE job_id = @id AND round = @round AND state IN ('judged', 'committing')",
            new { id = Id(jobId), round, tx = txHash, now = Now() }, cancellationToken);

    /// <summary>Records that the commitment is on chain.</summary>
    public Task MarkCommittedAsync(BigInteger jobId, int round, CancellationToken cancellationToken) =>
        ExecuteAsync(
            "UPDATE verifier_votes SET state = 'committed', updated_at = @now WHERE job_id = @id AND round = @round AND state IN ('judged', 'committing')",
            new { id = Id(jobId), round, now = Now() }, cancellationToken);

    /// <summary>Records the broadcast <c>revealVote</c> before waiting for it.</summary>
    public Task MarkRevealingAsync(BigInteger jobId, int round, string txHash, CancellationToken cancellationToken) =>
        ExecuteAsync(
            "UPDATE verifier_votes SET state = 'revealing', reveal_tx = @tx, updated_at = @now WHERE job_id = @id AND round = @round AND state IN ('committed', 'revealing')",
            new { id = Id(jobId), round, tx = txHash, now = Now() }, cancellationToken);

    /// <summary>Records that the vote is revealed on chain.</summary>
    public Task MarkRevealedAsync(BigInteger jobId, int round, CancellationToken cancellationToken) =>
        ExecuteAsync(
            "UPDATE verifier_votes SET state = 'revealed', updated_at = @now WHERE job_id = @id AND round = @round AND state IN ('committed', 'revealing')",
            new { id = Id(jobId), round, now = Now() }, cancellationToken);

    /// <summary>Puts a vote whose transaction never made it back one step (judged or committed), so that it is sent again; the salt stays.</summary>
    public Task MarkVoteUnsentAsync(BigInteger jobId, int round, string reason, CancellationToken cancellationToken) =>
        ExecuteAsync(
            """
            UPDATE verifier_votes SET attempts = attempts + 1, last_error = @reason, updated_at = @now,
                state = CASE state WHEN 'committing' THEN 'judged' WHEN 'revealing' THEN 'committed' ELSE state END,
                commit_tx = CASE state WHEN 'committing' THEN NULL ELSE commit_tx END,
                reveal_tx = CASE state WHEN 'revealing' THEN NULL ELSE reveal_tx END
            WHERE job_id = @id AND round = @round
            """,
            new { id = Id(jobId), round, reason, now = Now() }, cancellationToken);

    /// <summary>Closes a vote: the round is over for this member.</summary>
    public Task MarkVoteDoneAsync(BigInteger jobId, int round, string outcome, CancellationToken cancellationToken) =>
        ExecuteAsync(
            "UPDATE verifier_votes SET state = 'done', outcome = @outcome, updated_at = @now WHERE job_id = @id AND round = @round AND state <> 'done'",
            new { id = Id(jobId), round, outcome, now = Now() }, cancellationToken);

    /// <summary>Closes every open vote of a job (its dispute ended).</summary>
    public Task CloseVotesAsync(BigInteger jobId, string outcome, CancellationToken cancellationToken) =>
        ExecuteAsync(
            "UPDATE verifier_votes SET state = 'done', outcome = COALESCE(outcome, @outcome), updated_at = @now WHERE job_id = @id AND state NOT IN ('done', 'failed')",
            new { id = Id(jobId), outcome, now = Now() }, cancellationToken);

    /// <summary>Counts a transient failure to judge a vote and keeps it out of <see cref="ListDueVotesAsync"/> for <paramref name="wait"/>.</summary>
    public Task RecordVoteRetryAsync(BigInteger jobId, int round, string error, TimeSpan wait, CancellationToken cancellationToken) =>
        ExecuteAsync(
            "UPDATE verifier_votes SET attempts = attempts + 1, last_error = @error, next_attempt_at = @next, updated_at = @now WHERE job_id = @id AND round = @round",
            new { id = Id(jobId), round, error, next = Later(wait), now = Now() }, cancellationToken);

    /// <summary>Gives a new vote up: the job cannot be judged (its data is provably bad).</summary>
    public Task MarkVoteFailedAsync(BigInteger jobId, int round, string error, CancellationToken cancellationToken) =>
        ExecuteAsync(
            "UPDATE verifier_votes SET state = 'failed', last_error = @error, updated_at = @now WHERE job_id = @id AND round = @round AND state = 'new'",
            new { id = Id(jobId), round, error, now = Now() }, cancellationToken);

    // ------------------------------------------------------------------ disputes followed

    /// <summary>Follows a dispute; <paramref name="challenger"/> when this verifier's fail verdict opened it.</summary>
    public Task FollowDisputeAsync(BigInteger jobId, Job record, bool challenger, CancellationToken cancellationToken) =>
        ExecuteAsync(
            """
            INSERT INTO verifier_disputes (job_id, record, challenger, state, updated_at) VALUES (@id, @record, @challenger, 'open', @now)
            ON CONFLICT (job_id) DO UPDATE SET challenger = max(challenger, excluded.challenger), updated_at = excluded.updated_at
            """,
            new { id = Id(jobId), record = JobRecords.ToJson(record), challenger = challenger ? 1 : 0, now = Now() }, cancellationToken);

    /// <summary>The open disputes followed, oldest job first.</summary>
    public async Task<IReadOnlyList<VerifierDispute>> OpenDisputesAsync(int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.Connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<(string Id, string Record, long Challenger)>(new CommandDefinition(
            "SELECT job_id, record, challenger FROM verifier_disputes WHERE state = 'open' ORDER BY CAST(job_id AS INTEGER) LIMIT @limit",
            new { limit }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(r => new VerifierDispute(BigInteger.Parse(r.Id, CultureInfo.InvariantCulture), JobRecords.FromJson(r.Record), r.Challenger != 0))];
    }

    /// <summary>Stops following a dispute (it ended).</summary>
    public Task CloseDisputeAsync(BigInteger jobId, CancellationToken cancellationToken) =>
        ExecuteAsync("UPDATE verifier_disputes SET state = 'closed', updated_at = @now WHERE job_id = @id", new { id = Id(jobId), now = Now() }, cancellationToken);

    private const string VoteColumns = """
        job_id AS JobId, round AS Round, record AS Record, state AS State, provider_wrong AS ProviderWrong, salt AS Salt,
        commit_tx AS CommitTx, reveal_tx AS RevealTx, attempts AS Attempts
        """;

    private async Task ExecuteAsync(string sql, object parameters, CancellationToken cancellationToken)
    {
        await using var connection = await database.Connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    // Rows waiting out a back-off are not due: next_attempt_at compares as text (ProviderJobStore.Format).
    private const string DueOnly = "AND (next_attempt_at IS NULL OR next_attempt_at <= @now)";

    private string Now() => ProviderJobStore.Format(time.GetUtcNow());

    private string Later(TimeSpan wait) => ProviderJobStore.Format(time.GetUtcNow() + wait);

    private static string Id(BigInteger jobId) => ProviderJobStore.Id(jobId);

    private sealed record Row(string JobId, string Kind, string Record, string State, long? Pass, string? EvidenceHash, string? TxHash, long Attempts, string? Seed)
    {
        public VerifierWork ToWork() => new(
            BigInteger.Parse(JobId, CultureInfo.InvariantCulture), Kind, JobRecords.FromJson(Record), State,
            Pass is null ? null : Pass != 0, EvidenceHash is null ? null : Bytes32.Parse(EvidenceHash), TxHash, (int)Attempts)
        {
            Seed = Seed is null ? null : Bytes32.Parse(Seed),
        };
    }

    private sealed record VoteRow(
        string JobId, long Round, string Record, string State, long? ProviderWrong, string? Salt, string? CommitTx, string? RevealTx, long Attempts)
    {
        public VerifierVote ToVote() => new(
            BigInteger.Parse(JobId, CultureInfo.InvariantCulture), (int)Round, JobRecords.FromJson(Record), State,
            ProviderWrong is null ? null : ProviderWrong != 0, Salt is null ? null : Bytes32.Parse(Salt), CommitTx, RevealTx, (int)Attempts);
    }
}
