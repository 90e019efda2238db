using System.Numerics;
using Exchange.Core.Hashing;
using Exchange.Core.Jobs;

namespace Exchange.Node.Queues;

/// <summary>A verifier's work item: an audit drawn to it, or a dispute vote.</summary>
/// <param name="JobId">The job's id.</param>
/// <param name="Kind"><c>audit</c> or <c>vote</c>.</param>
/// <param name="Record">The job record as submitted.</param>
/// <param name="State">new, judged, sending, done or failed.</param>
/// <param name="Pass">The verdict once judged: whether the provider's outputs are right.</param>
/// <param name="EvidenceHash">The evidence blob once judged.</param>
/// <param name="TxHash">The verdict or vote transaction once broadcast.</param>
/// <param name="Attempts">Failed attempts so far.</param>
public sealed record VerifierWork(BigInteger JobId, string Kind, Job Record, string State, bool? Pass, Bytes32? EvidenceHash, string? TxHash, int Attempts);
