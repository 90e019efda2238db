using System.Numerics;
using Exchange.Core.Hashing;
using Exchange.Core.Jobs;

namespace Exchange.Node.Queues;

/// <summary>A verifier's audit of a job drawn to it.</summary>
/// <param name="JobId">The job's id.</param>
/// <param name="Kind"><c>audit</c>.</param>
/// <param name="Record">The job record as submitted.</param>
/// <param name="State">new, judged, sending, done or failed.</param>
/// <param name="Pass">The verdict once judged: whether the provider's outputs are right.</param>
/// <param name="EvidenceHash">The evidence blob once judged.</param>
/// <param name="TxHash">The verdict transaction once broadcast.</param>
/// <param name="Attempts">Failed attempts so far.</param>
public sealed record VerifierWork(BigInteger JobId, string Kind, Job Record, string State, bool? Pass, Bytes32? EvidenceHash, string? TxHash, int Attempts)
{
    /// <summary>The seed that drew this verifier: the audited task indices follow from it (<c>AuditCourt.taskIndicesOf</c>).</summary>
    public Bytes32? Seed { get; init; }
}

/// <summary>A verifier's vote in one committee round of a job's dispute.</summary>
/// <param name="JobId">The job's id.</param>
/// <param name="Round">The round.</param>
/// <param name="Record">The job record as submitted.</param>
/// <param name="State">new, judged, committing, committed, revealing, revealed, done or failed.</param>
/// <param name="ProviderWrong">The vote once judged.</param>
/// <param name="Salt">The salt that seals the vote, once judged (kept before the commitment is sent).</param>
/// <param name="CommitTx">The <c>commitVote</c> transaction once broadcast.</param>
/// <param name="RevealTx">The <c>revealVote</c> transaction once broadcast.</param>
/// <param name="Attempts">Failed attempts so far.</param>
public sealed record VerifierVote(
    BigInteger JobId, int Round, Job Record, string State, bool? ProviderWrong, Bytes32? Salt, string? CommitTx, string? RevealTx, int Attempts);

/// <summary>A dispute the verifier follows, as its challenger or as a committee member.</summary>
/// <param name="JobId">The job's id.</param>
/// <param name="Record">The job record as submitted.</param>
/// <param name="Challenger">Whether this verifier's fail verdict opened it.</param>
public sealed record VerifierDispute(BigInteger JobId, Job Record, bool Challenger);
