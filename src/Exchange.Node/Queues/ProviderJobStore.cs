using System.Globalization;
using System.Numerics;
using Dapper;
using Exchange.Core.Hashing;
using Exchange.Core.Jobs;
using Exchange.Node.Chain;

namespace Exchange.Node.Queues;

/// <summary>
/// The provider's work queue (<c>provider_jobs</c>): each job moves new → checked → accepting →
/// accepted → computed → submitting → submitted → done, or ends declined (never accepted) or
/// failed (accepted but not computable).
/// </summary>
public sealed class ProviderJobStore(NodeDatabase database, TimeProvider time)
{
    /// <summary>State of a job seen on chain and not checked yet.</summary>
    public const string New = "new";

    /// <summary>State of a job whose manifest and inputs were fetched and are valid.</summary>
    public const string Checked = "checked";

    /// <summary>State of a job whose <c>acceptJobs</c> transaction was broadcast.</summary>
    public const string Accepting = "accepting";

    /// <summary>State of a job accepted on chain.</summary>
    public const string Accepted = "accepted";

    /// <summary>State of a job whose outputs are uploaded and whose result is signed.</summary>
    public const string Computed = "computed";

    /// <summary>State of a job whose result transaction was broadcast.</summary>
    public const string Submitting = "submitting";

    /// <summary>State of a job whose result is on chain.</summary>
    public const string Submitted = "submitted";

    /// <summary>State of a job that ended (settled, slashed or expired).</summary>
    public const string Done = "done";

    /// <summary>State of a job the provider never accepted (its data is missing or invalid, or it came too late): it expires without penalty.</summary>
    public const string Declined = "declined";

    /// <summary>State of an accepted job that cannot be computed.</summary>
    public const string Failed = "failed";

    private const string Columns = """
        job_id AS JobId, record AS Record, state AS State, result_root AS ResultRoot, outputs_hash AS OutputsHash,
        signature AS Signature, submit_tx AS SubmitTx, attempts AS Attempts, accept_tx AS AcceptTx, falsified AS Falsified, audited AS Audited
        """;

    /// <summary>Adds a job seen on chain; a job already known is left as it is.</summary>
    /// <returns>True when the job was new to the queue.</returns>
    public async Task<bool> AddAsync(BigInteger jobId, Job record, CancellationToken cancellationToken)
    {
        await using var connection = await database.Connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync(new CommandDefinition(
            "INSERT OR IGNORE INTO provider_jobs (job_id, record, state, updated_at) VALUES (@id, @record, 'new', @now)",
            new { id = Id(jobId), record = JobRecords.ToJson(record), now = Now() }, cancellationToken: cancellationToken)).ConfigureAwait(false) == 1;
    }

    /// <summary>
    /// Forgets a job, whatever its state, once a reorg has dropped its creation: every transaction
    /// the provider sent for it was for a job the chain no longer holds, and a job of the new branch
    /// may now carry its id.
    /// </summary>
    public async Task<bool> ForgetAsync(BigInteger jobId, CancellationToken cancellationToken)
    {
        await using var connection = await database.Connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM provider_jobs WHERE job_id = @id",
            new { id = Id(jobId) }, cancellationToken: cancellationToken)).ConfigureAwait(false) == 1;
    }

    /// <summary>The jobs in <paramref name="state"/>, oldest first.</summary>
    public Task<IReadOnlyList<ProviderJob>> ListAsync(string state, int limit, CancellationToken cancellationToken) =>
        QueryAsync($"SELECT {Columns} FROM provider_jobs WHERE state = @state ORDER BY CAST(job_id AS INTEGER) LIMIT @limit", new { state, limit }, cancellationToken);

    /// <summary>The jobs in <paramref name="state"/> not waiting out a back-off (<see cref="RecordRetryAsync"/>), oldest first.</summary>
    public Task<IReadOnlyList<ProviderJob>> ListDueAsync(string state, int limit, CancellationToken cancellationToken) =>
        QueryAsync(
            $"""
            SELECT {Columns} FROM provider_jobs WHERE state = @state AND (next_attempt_at IS NULL OR next_attempt_at <= @now)
            ORDER BY CAST(job_id AS INTEGER) LIMIT @limit
            """,
            new { state, limit, now = Now() }, cancellationToken);

    private async Task<IReadOnlyList<ProviderJob>> QueryAsync(string sql, object parameters, CancellationToken cancellationToken)
    {
        await using var connection = await database.Connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(r => r.ToJob())];
    }

    /// <summary>One job, or null when the provider never saw it.</summary>
    public async Task<ProviderJob?> FindAsync(BigInteger jobId, CancellationToken cancellationToken)
    {
        await using var connection = await database.Connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM provider_jobs WHERE job_id = @id",
            new { id = Id(jobId) }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return row?.ToJob();
    }

    /// <summary>Counts jobs per state.</summary>
    public async Task<IReadOnlyDictionary<string, int>> CountsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.Connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<(string State, long Count)>(new CommandDefinition(
            "SELECT state, count(*) FROM provider_jobs GROUP BY state", cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.ToDictionary(r => r.State, r => (int)r.Count);
    }

    /// <summary>Records that a new job's manifest and inputs are there and valid: it may be accepted.</summary>
    public Task MarkCheckedAsync(BigInteger jobId, CancellationToken cancellationToken) =>
        UpdateAsync(
            "UPDATE provider_jobs SET state = 'checked', last_error = NULL, next_attempt_at = NULL, updated_at = @now WHERE job_id = @id AND state = 'new'",
            new { id = Id(jobId), now = Now() }, cancellationToken);

    /// <summary>Records the hash of the <c>acceptJobs</c> transaction that carries these jobs, before waiting for it.</summary>
    public Task MarkAcceptingAsync(IReadOnlyList<BigInteger> jobIds, string txHash, CancellationToken cancellationToken) =>
        UpdateManyAsync(jobIds,
            "UPDATE provider_jobs SET state = 'accepting', accept_tx = @tx, updated_at = @now WHERE job_id = @id AND state IN ('checked', 'accepting')",
            id => new { id, tx = txHash, now = Now() }, cancellationToken);

    /// <summary>Records that the job is accepted on chain: it is computed next, or submitted next when its result was computed during its check.</summary>
    public Task MarkAcceptedAsync(BigInteger jobId, CancellationToken cancellationToken) =>
        UpdateAsync(
            """
            UPDATE provider_jobs SET state = CASE WHEN result_root IS NULL THEN 'accepted' ELSE 'computed' END,
                last_error = NULL, next_attempt_at = NULL, updated_at = @now
            WHERE job_id = @id AND state IN ('new', 'checked', 'accepting')
            """,
            new { id = Id(jobId), now = Now() }, cancellationToken);

    /// <summary>Puts a job whose acceptance never made it on chain back to checked, so that it is accepted again.</summary>
    public Task MarkAcceptUnsentAsync(BigInteger jobId, string reason, CancellationToken cancellationToken) =>
        UpdateAsync(
            "UPDATE provider_jobs SET state = 'checked', accept_tx = NULL, last_error = @reason, next_attempt_at = NULL, updated_at = @now WHERE job_id = @id AND state = 'accepting'",
            new { id = Id(jobId), reason, now = Now() }, cancellationToken);

    /// <summary>Gives up a job the provider never accepted (it expires without penalty).</summary>
    public Task MarkDeclinedAsync(BigInteger jobId, string reason, CancellationToken cancellationToken) =>
        UpdateAsync(
            "UPDATE provider_jobs SET state = 'declined', last_error = @reason, updated_at = @now WHERE job_id = @id AND state IN ('new', 'checked', 'accepting')",
            new { id = Id(jobId), reason, now = Now() }, cancellationToken);

    /// <summary>
    /// Records the computed, uploaded and signed result of a job: an accepted job is then computed; a
    /// job checked but not accepted yet keeps the result, and becomes computed when its acceptance is
    /// recorded (<see cref="MarkAcceptedAsync"/>), so that a restart in between does not compute it again.
    /// </summary>
    /// <returns>False when the row is in no such state (declined, or ended, meanwhile): nothing was written.</returns>
    public async Task<bool> MarkComputedAsync(BigInteger jobId, Bytes32 resultRoot, Bytes32 outputsHash, byte[] signature, int falsified, CancellationToken cancellationToken) =>
        await UpdateAsync(
            """
            UPDATE provider_jobs SET state = CASE WHEN state = 'accepted' THEN 'computed' ELSE state END,
                result_root = @root, outputs_hash = @outputs, signature = @signature, falsified = @falsified, updated_at = @now,
                last_error = CASE WHEN state = 'accepted' THEN NULL ELSE last_error END,
                next_attempt_at = CASE WHEN state = 'accepted' THEN NULL ELSE next_attempt_at END
            WHERE job_id = @id AND state IN ('checked', 'accepting', 'accepted')
            """,
            new { id = Id(jobId), root = resultRoot.ToString(), outputs = outputsHash.ToString(), signature = Convert.ToHexStringLower(signature), falsified, now = Now() },
            cancellationToken).ConfigureAwait(false) > 0;

    /// <summary>Records the hash of the transaction that carries these jobs' results, before waiting for it.</summary>
    public Task MarkSubmittingAsync(IReadOnlyList<BigInteger> jobIds, string txHash, CancellationToken cancellationToken) =>
        UpdateManyAsync(jobIds,
            "UPDATE provider_jobs SET state = 'submitting', submit_tx = @tx, updated_at = @now WHERE job_id = @id AND state IN ('computed', 'submitting')",
            id => new { id, tx = txHash, now = Now() }, cancellationToken);

    /// <summary>Puts a job whose result transaction never made it back to computed, so that it is sent again.</summary>
    public Task MarkUnsentAsync(BigInteger jobId, string reason, CancellationToken cancellationToken) =>
        UpdateAsync(
            "UPDATE provider_jobs SET state = 'computed', submit_tx = NULL, last_error = @reason, next_attempt_at = NULL, updated_at = @now WHERE job_id = @id AND state = 'submitting'",
            new { id = Id(jobId), reason, now = Now() }, cancellationToken);

    /// <summary>Records that the job's result is on chain, with the record as the chain now commits to it.</summary>
    public Task MarkSubmittedAsync(BigInteger jobId, Job record, CancellationToken cancellationToken) =>
        UpdateAsync(
            """
            UPDATE provider_jobs SET state = 'submitted', record = @record, updated_at = @now
            WHERE job_id = @id AND state IN ('new', 'checked', 'accepting', 'accepted', 'computed', 'submitting', 'declined', 'failed')
            """,
            new { id = Id(jobId), record = JobRecords.ToJson(record), now = Now() }, cancellationToken);

    /// <summary>Records the job's audit draw: whether it selected the job.</summary>
    public Task SetAuditedAsync(BigInteger jobId, bool audited, CancellationToken cancellationToken) =>
        UpdateAsync(
            "UPDATE provider_jobs SET audited = @audited, updated_at = @now WHERE job_id = @id",
            new { id = Id(jobId), audited = audited ? 1 : 0, now = Now() }, cancellationToken);

    /// <summary>Records that the job ended and how.</summary>
    public Task MarkDoneAsync(BigInteger jobId, string outcome, CancellationToken cancellationToken) =>
        UpdateAsync(
            "UPDATE provider_jobs SET state = 'done', outcome = @outcome, updated_at = @now WHERE job_id = @id AND state <> 'done'",
            new { id = Id(jobId), outcome, now = Now() }, cancellationToken);

    /// <summary>
    /// Counts a transient failure of the job's current step and keeps it out of <see cref="ListDueAsync"/>
    /// for <paramref name="wait"/> (kept in the row: a restart honours it). The state stays: only the
    /// job's deadline gives it up.
    /// </summary>
    public Task RecordRetryAsync(BigInteger jobId, string error, TimeSpan wait, CancellationToken cancellationToken) =>
        UpdateAsync(
            "UPDATE provider_jobs SET attempts = attempts + 1, last_error = @error, next_attempt_at = @next, updated_at = @now WHERE job_id = @id",
            new { id = Id(jobId), error, next = Format(time.GetUtcNow() + wait), now = Now() }, cancellationToken);

    /// <summary>Gives an accepted job up at once (its inputs are provably bad: retrying cannot help).</summary>
    public Task MarkFailedAsync(BigInteger jobId, string error, CancellationToken cancellationToken) =>
        UpdateAsync(
            "UPDATE provider_jobs SET state = 'failed', last_error = @error, updated_at = @now WHERE job_id = @id AND state = 'accepted'",
            new { id = Id(jobId), error, now = Now() }, cancellationToken);

    /// <returns>The rows changed.</returns>
    private async Task<int> UpdateAsync(string sql, object parameters, CancellationToken cancellationToken)
    {
        await using var connection = await database.Connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    private async Task UpdateManyAsync(IReadOnlyList<BigInteger> jobIds, string sql, Func<string, object> parameters, CancellationToken cancellationToken)
    {
        await using var connection = await database.Connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        foreach (var jobId in jobIds)
        {
            await connection.ExecuteAsync(new CommandDefinition(sql, parameters(Id(jobId)), transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private string Now() => Format(time.GetUtcNow());

    // One fixed-width UTC form, so that times compare as text in SQL.
    internal static string Format(DateTimeOffset at) => at.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    internal static string Id(BigInteger jobId) => jobId.ToString(CultureInfo.InvariantCulture);

    private sealed record Row(
        string JobId, string Record, string State, string? ResultRoot, string? OutputsHash, string? Signature, string? SubmitTx, long Attempts,
        string? AcceptTx, long Falsified, long? Audited)
    {
        public ProviderJob ToJob() => new(
            BigInteger.Parse(JobId, CultureInfo.InvariantCulture), JobRecords.FromJson(Record), State,
            ResultRoot is null ? null : Bytes32.Parse(ResultRoot), OutputsHash is null ? null : Bytes32.Parse(OutputsHash),
            Signature is null ? null : Convert.FromHexString(Signature), SubmitTx, (int)Attempts)
        {
            AcceptTx = AcceptTx,
            Falsified = (int)Falsified,
            Audited = Audited is null ? null : Audited != 0,
        };
    }
}
