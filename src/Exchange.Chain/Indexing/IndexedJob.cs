using Exchange.Core.Jobs;

namespace Exchange.Chain.Indexing;

/// <summary>A job as the indexer knows it: its status and the full record the contract wants passed back.</summary>
/// <param name="JobId">The job's id.</param>
/// <param name="Status">Its status after the last indexed event.</param>
/// <param name="Record">The job record (client, provider, model, price, tasks, roots, submission).</param>
/// <param name="Verifier">The currently drawn verifier, when an audit was drawn.</param>
/// <param name="AuditDeadline">The drawn verifier's deadline (UNIX seconds), when an audit was drawn.</param>
public sealed record IndexedJob(long JobId, JobStatus Status, Job Record, string? Verifier, ulong? AuditDeadline);
