using System.Globalization;
using System.Numerics;
using Dapper;
using Exchange.Core.Hashing;
using Exchange.Core.Jobs;
using Microsoft.Data.Sqlite;

namespace Exchange.Chain.Indexing;

/// <summary>Reads jobs from the indexer's <c>jobs</c> table.</summary>
public static class IndexedJobs
{
    private const string Columns =
        "job_id, status, client, provider, model_id, unit_price, task_count, deadline, tasks_root, manifest_hash, result_root, outputs_hash, submitted_at, submit_block, verifier, audit_deadline";

    /// <summary>The job with id <paramref name="jobId"/>, or null when it is not indexed (yet).</summary>
    public static async Task<IndexedJob?> GetAsync(SqliteConnection connection, long jobId, CancellationToken cancellationToken = default)
    {
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM jobs WHERE job_id = @jobId", new { jobId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return row?.ToJob();
    }

    /// <summary>Jobs in one status, oldest first (for example the provider's open work: <see cref="JobStatus.Created"/>).</summary>
    public static async Task<IReadOnlyList<IndexedJob>> ListAsync(SqliteConnection connection, JobStatus status, string? provider = null, int limit = 1000, CancellationToken cancellationToken = default)
    {
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM jobs WHERE status = @status AND (@provider IS NULL OR provider = @provider) ORDER BY job_id LIMIT @limit",
            new { status = (int)status, provider = provider?.ToLowerInvariant(), limit }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => r.ToJob()).ToList();
    }

    private sealed record Row(
        long job_id, long status, string client, string provider, string model_id, string unit_price, long task_count, long deadline,
        string tasks_root, string manifest_hash, string result_root, string outputs_hash, long submitted_at, long submit_block,
        string? verifier, long? audit_deadline)
    {
        public IndexedJob ToJob() => new(
            job_id,
            (JobStatus)status,
            new Job(
                Nethereum.Util.AddressUtil.Current.ConvertToChecksumAddress(client),
                Nethereum.Util.AddressUtil.Current.ConvertToChecksumAddress(provider),
                Bytes32.Parse(model_id), BigInteger.Parse(unit_price, CultureInfo.InvariantCulture), (uint)task_count, (ulong)deadline,
                Bytes32.Parse(tasks_root), Bytes32.Parse(manifest_hash), Bytes32.Parse(result_root), Bytes32.Parse(outputs_hash),
                (ulong)submitted_at, (ulong)submit_block),
            verifier,
            audit_deadline is { } d ? (ulong)d : null);
    }
}
