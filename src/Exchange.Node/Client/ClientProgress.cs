namespace Exchange.Node.Client;

/// <summary>How far a client's batch of jobs has come, in tasks per stage (a task counts in every stage it has reached).</summary>
/// <param name="Total">Tasks in the batch.</param>
/// <param name="Uploaded">Tasks whose inputs and manifest are uploaded.</param>
/// <param name="Created">Tasks in jobs created on chain.</param>
/// <param name="Computed">Tasks whose result is on chain (or that ended without one).</param>
/// <param name="Audited">Tasks in jobs whose audit draw is fixed (unaudited, auditing, disputed) or that ended.</param>
/// <param name="Settled">Tasks in jobs that ended: settled, slashed or expired.</param>
public sealed record ClientProgress(int Total, int Uploaded, int Created, int Computed, int Audited, int Settled);
