using System.Globalization;
using System.Numerics;
using Dapper;
using Exchange.Core.Hashing;
using Exchange.Core.Jobs;
using Exchange.Node.Chain;
using Exchange.Node.Queues;

namespace Exchange.Node.Canary;

/// <summary>
/// The canary's tables: <c>canary_jobs</c> (its jobs: posted → submitted → passed → appealed or
/// unappealed → done), <c>canary_market_jobs</c> (everyone else's jobs it saw: the base of its
/// rate and the sizes it copies) and <c>canary_baseline</c> (its accounts' holdings at the first start).
/// Every write is idempotent: events read twice after a restart change nothing.
/// </summary>
public sealed class CanaryStore(NodeDatabase database, TimeProvider time)
{
    /// <summary>Records a canary job; one already recorded is left as it is.</summary>
    public Task AddAsync(BigInteger jobId, Job record, IReadOnlySet<int> wrong, BigInteger cost, CancellationToken cancellationToken) =>
        ExecuteAsync(
            "INSERT OR IGNORE INTO canary_jobs (job_id, record, wrong, cost, state, updated_at) VALUES (@id, @record, @wrong, @cost, 'posted', @now)",
            new { id = Id(jobId), record = JobRecords.ToJson(record), wrong = string.Join(',', wrong.Order()), cost = cost.ToString(CultureInfo.InvariantCulture), now = Now() },
            cancellationToken);

    /// <summary>A canary job, or null for a job that is not one.</summary>
    public async Task<CanaryJob?> FindAsync(BigInteger jobId, CancellationToken cancellationToken)
    {
        await using var connection = await database.Connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            Select + " WHERE job_id = @id", new { id = Id(jobId) }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return row?.ToJob();
    }

    /// <summary>Every canary job, oldest first.</summary>
    public async Task<IReadOnlyList<CanaryJob>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.Connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(
            Select + " ORDER BY CAST(job_id AS INTEGER)", cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(r => r.ToJob())];
    }

    /// <summary>The canary jobs in <paramref name="state"/>, oldest first.</summary>
    public async Task<IReadOnlyList<CanaryJob>> ListAsync(string state, CancellationToken cancellationToken)
    {
        await using var connection = await database.Connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(
            Select + " WHERE state = @state ORDER BY CAST(job_id AS INTEGER)", new { state }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(r => r.ToJob())];
    }

    /// <summary>Completes a canary's record with its result.</summary>
    public Task MarkSubmittedAsync(BigInteger jobId, Job record, CancellationToken cancellationToken) =>
        ExecuteAsync(
            "UPDATE canary_jobs SET record = @record, state = 'submitted', updated_at = @now WHERE job_id = @id AND state = 'posted'",
            new { id = Id(jobId), record = JobRecords.ToJson(record), now = Now() }, cancellationToken);

    /// <summary>Records the verdict's verifier; a pass moves the canary to <c>passed</c>.</summary>
    public Task MarkVerdictAsync(BigInteger jobId, string verifier, bool pass, CancellationToken cancellationToken) =>
        ExecuteAsync(
            """
            UPDATE canary_jobs SET verifier = @verifier, state = CASE WHEN @pass = 1 AND state IN ('posted', 'submitted') THEN 'passed' ELSE state END,
                updated_at = @now
            WHERE job_id = @id AND state <> 'done'
            """,
            new { id = Id(jobId), verifier, pass = pass ? 1 : 0, now = Now() }, cancellationToken);

    /// <summary>Moves a canary from one state to another (nothing when it is no longer in <paramref name="from"/>).</summary>
    public Task MoveAsync(BigInteger jobId, string from, string to, CancellationToken cancellationToken) =>
        ExecuteAsync(
            "UPDATE canary_jobs SET state = @to, updated_at = @now WHERE job_id = @id AND state = @from",
            new { id = Id(jobId), from, to, now = Now() }, cancellationToken);

    /// <summary>Records a pass appeal or a later appeal by the canary, adding its bond once per round.</summary>
    public async Task AddBondAsync(BigInteger jobId, int round, BigInteger bond, CancellationToken cancellationToken)
    {
        await using var connection = await database.Connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var inserted = await connection.ExecuteAsync(new CommandDefinition(
            "INSERT OR IGNORE INTO canary_bonds (job_id, round, bond) VALUES (@id, @round, @bond)",
            new { id = Id(jobId), round, bond = bond.ToString(CultureInfo.InvariantCulture) }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (inserted == 1)
        {
            var current = await connection.ExecuteScalarAsync<string>(new CommandDefinition(
                "SELECT bonds FROM canary_jobs WHERE job_id = @id", new { id = Id(jobId) }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE canary_jobs SET bonds = @bonds, state = CASE WHEN state IN ('posted', 'submitted', 'passed', 'unappealed') THEN 'appealed' ELSE state END, updated_at = @now WHERE job_id = @id",
                new { id = Id(jobId), bonds = (BigInteger.Parse(current ?? "0", CultureInfo.InvariantCulture) + bond).ToString(CultureInfo.InvariantCulture), now = Now() },
                transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Records what the passing verifier lost.</summary>
    public Task SetPenaltyAsync(BigInteger jobId, BigInteger penalty, CancellationToken cancellationToken) =>
        ExecuteAsync(
            "UPDATE canary_jobs SET penalty = @penalty, updated_at = @now WHERE job_id = @id",
            new { id = Id(jobId), penalty = penalty.ToString(CultureInfo.InvariantCulture), now = Now() }, cancellationToken);

    /// <summary>Records the canary provider's collateral slashed when the canary was ruled wrong.</summary>
    public Task SetSlashedAsync(BigInteger jobId, BigInteger slashed, CancellationToken cancellationToken) =>
        ExecuteAsync(
            "UPDATE canary_jobs SET slashed = @slashed, updated_at = @now WHERE job_id = @id",
            new { id = Id(jobId), slashed = slashed.ToString(CultureInfo.InvariantCulture), now = Now() }, cancellationToken);

    /// <summary>Closes a canary with its outcome; the first ending recorded stays.</summary>
    public Task EndAsync(BigInteger jobId, string outcome, CancellationToken cancellationToken) =>
        ExecuteAsync(
            "UPDATE canary_jobs SET state = 'done', outcome = @outcome, updated_at = @now WHERE job_id = @id AND state <> 'done'",
            new { id = Id(jobId), outcome, now = Now() }, cancellationToken);

    /// <summary>Remembers another client's job.</summary>
    public Task AddMarketJobAsync(BigInteger jobId, Bytes32 modelId, uint taskCount, CancellationToken cancellationToken) =>
        ExecuteAsync(
            "INSERT OR IGNORE INTO canary_market_jobs (job_id, model_id, task_count) VALUES (@id, @model, @tasks)",
            new { id = Id(jobId), model = modelId.ToString(), tasks = (long)taskCount }, cancellationToken);

    /// <summary>How many jobs of other clients were seen.</summary>
    public async Task<int> CountMarketJobsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.Connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteScalarAsync<int>(new CommandDefinition("SELECT count(*) FROM canary_market_jobs", cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>The sizes of the last <paramref name="limit"/> jobs of <paramref name="modelId"/> that other clients posted.</summary>
    public async Task<IReadOnlyList<uint>> RecentSizesAsync(Bytes32 modelId, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.Connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        var sizes = await connection.QueryAsync<long>(new CommandDefinition(
            "SELECT task_count FROM canary_market_jobs WHERE model_id = @model ORDER BY CAST(job_id AS INTEGER) DESC LIMIT @limit",
            new { model = modelId.ToString(), limit }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. sizes.Select(s => (uint)s)];
    }

    /// <summary>Keeps an account's starting holdings and native balance; the first ones recorded stay.</summary>
    public Task SetBaselineAsync(string account, BigInteger holdings, BigInteger ether, CancellationToken cancellationToken) =>
        ExecuteAsync(
            "INSERT OR IGNORE INTO canary_baseline (account, holdings, ether) VALUES (@account, @holdings, @ether)",
            new { account, holdings = holdings.ToString(CultureInfo.InvariantCulture), ether = ether.ToString(CultureInfo.InvariantCulture) }, cancellationToken);

    /// <summary>An account's starting holdings and native balance.</summary>
    public async Task<(BigInteger Holdings, BigInteger Ether)> BaselineAsync(string account, CancellationToken cancellationToken)
    {
        await using var connection = await database.Connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleAsync<(string Holdings, string Ether)>(new CommandDefinition(
            "SELECT holdings, ether FROM canary_baseline WHERE account = @account", new { account }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return (BigInteger.Parse(row.Holdings, CultureInfo.InvariantCulture), BigInteger.Parse(row.Ether, CultureInfo.InvariantCulture));
    }

    private const string Select =
        "SELECT job_id AS JobId, record AS Record, wrong AS Wrong, cost AS Cost, state AS State, verifier AS Verifier, bonds AS Bonds, penalty AS Penalty, slashed AS Slashed, outcome AS Outcome FROM canary_jobs";

    private async Task ExecuteAsync(string sql, object parameters, CancellationToken cancellationToken)
    {
        await using var connection = await database.Connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    private string Now() => time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);

    private static string Id(BigInteger jobId) => ProviderJobStore.Id(jobId);

    private sealed record Row(string JobId, string Record, string Wrong, string Cost, string State, string? Verifier, string Bonds, string? Penalty, string? Slashed, string? Outcome)
    {
        public CanaryJob ToJob() => new(
            BigInteger.Parse(JobId, CultureInfo.InvariantCulture), JobRecords.FromJson(Record),
            Wrong.Length == 0 ? new HashSet<int>() : Wrong.Split(',').Select(w => int.Parse(w, CultureInfo.InvariantCulture)).ToHashSet(),
            BigInteger.Parse(Cost, CultureInfo.InvariantCulture), State, Verifier, BigInteger.Parse(Bonds, CultureInfo.InvariantCulture),
            Amount(Penalty), Amount(Slashed), Outcome);

        private static BigInteger? Amount(string? text) => text is null ? null : BigInteger.Parse(text, CultureInfo.InvariantCulture);
    }
}
