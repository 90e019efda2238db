using System.Globalization;
using System.Numerics;
using Dapper;
using Exchange.Core.Hashing;
using Exchange.Core.Jobs;
using Exchange.Node.Chain;

namespace Exchange.Node.Queues;

/// <summary>
/// The verifier's tables: <c>known_jobs</c> (every job's record, so a later result completes it)
/// and <c>verifier_work</c> (audits and votes: new → judged → sending → done).
/// </summary>
public sealed class VerifierWorkStore(NodeDatabase database, TimeProvider time)
{
    /// <summary>Kind of an audit drawn to this verifier.</summary>
    public const string Audit = "audit";

    /// <summary>Kind of a dispute vote.</summary>
    public const string Vote = "vote";

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

    /// <summary>Submitted jobs whose audit draw this verifier has not read yet.</summary>
    public async Task<IReadOnlyList<(BigInteger JobId, Job Record)>> AwaitingDrawAsync(int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.Connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<(string Id, string Record)>(new CommandDefinition(
            "SELECT job_id, record FROM known_jobs WHERE state = 'submitted' ORDER BY CAST(job_id AS INTEGER) LIMIT @limit",
            new { limit }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(r => (BigInteger.Parse(r.Id, CultureInfo.InvariantCulture), JobRecords.FromJson(r.Record)))];
    }

    /// <summary>Marks a known job's draw as read, or the job as closed.</summary>
    public Task SetKnownStateAsync(BigInteger jobId, string state, CancellationToken cancellationToken) =>
        ExecuteAsync("UPDATE known_jobs SET state = @state, updated_at = @now WHERE job_id = @id", new { id = Id(jobId), state, now = Now() }, cancellationToken);

    /// <summary>Adds an audit or vote; one already queued is left as it is.</summary>
    /// <returns>True when the item was new.</returns>
    public async Task<bool> AddWorkAsync(BigInteger jobId, string kind, Job record, CancellationToken cancellationToken)
    {
        await using var connection = await database.Connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync(new CommandDefinition(
            "INSERT OR IGNORE INTO verifier_work (job_id, kind, record, state, updated_at) VALUES (@id, @kind, @record, 'new', @now)",
            new { id = Id(jobId), kind, record = JobRecords.ToJson(record), now = Now() }, cancellationToken: cancellationToken)).ConfigureAwait(false) == 1;
    }

    /// <summary>The work items in <paramref name="state"/>, oldest job first.</summary>
    public async Task<IReadOnlyList<VerifierWork>> ListWorkAsync(string state, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.Connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(
            """
            SELECT job_id AS JobId, kind AS Kind, record AS Record, state AS State, pass AS Pass, evidence_hash AS EvidenceHash,
                   tx_hash AS TxHash, attempts AS Attempts
            FROM verifier_work WHERE state = @state ORDER BY CAST(job_id AS INTEGER), kind LIMIT @limit
            """,
            new { state, limit }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(r => r.ToWork())];
    }

    /// <summary>Counts work items per kind and state, e.g. <c>audit/done</c>.</summary>
    public async Task<IReadOnlyDictionary<string, int>> CountsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.Connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<(string Kind, string State, long Count)>(new CommandDefinition(
            "SELECT kind, state, count(*) FROM verifier_work GROUP BY kind, state", cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.ToDictionary(r => $"{r.Kind}/{r.State}", r => (int)r.Count);
    }

    /// <summary>Records the verdict and its uploaded evidence.</summary>
    public Task MarkJudgedAsync(BigInteger jobId, string kind, bool pass, Bytes32 evidenceHash, CancellationToken cancellationToken) =>
        ExecuteAsync(
            "UPDATE verifier_work SET state = 'judged', pass = @pass, evidence_hash = @evidence, last_error = NULL, updated_at = @now WHERE job_id = @id AND kind = @kind AND state = 'new'",
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

    /// <summary>Counts a failed attempt; after <paramref name="maxAttempts"/> a new item is given up.</summary>
    public Task RecordErrorAsync(BigInteger jobId, string kind, string error, int maxAttempts, CancellationToken cancellationToken) =>
        ExecuteAsync(
            """
            UPDATE verifier_work SET attempts = attempts + 1, last_error = @error,
                state = CASE WHEN attempts + 1 >= @maxAttempts AND state = 'new' THEN 'failed' ELSE state END, updated_at = @now
            WHERE job_id = @id AND kind = @kind
            """,
            new { id = Id(jobId), kind, error, maxAttempts, now = Now() }, cancellationToken);

    private async Task ExecuteAsync(string sql, object parameters, CancellationToken cancellationToken)
    {
        await using var connection = await database.Connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    private string Now() => time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);

    private static string Id(BigInteger jobId) => ProviderJobStore.Id(jobId);

    private sealed record Row(string JobId, string Kind, string Record, string State, long? Pass, string? EvidenceHash, string? TxHash, long Attempts)
    {
        public VerifierWork ToWork() => new(
            BigInteger.Parse(JobId, CultureInfo.InvariantCulture), Kind, JobRecords.FromJson(Record), State,
            Pass is null ? null : Pass != 0, EvidenceHash is null ? null : Bytes32.Parse(EvidenceHash), TxHash, (int)Attempts);
    }
}
