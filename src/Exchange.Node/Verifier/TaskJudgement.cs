using Exchange.Core.Hashing;

namespace Exchange.Node.Verifier;

/// <summary>A verifier's finding on one drawn task.</summary>
/// <param name="Index">The task's index in the job.</param>
/// <param name="InputHash">The task's committed input hash.</param>
/// <param name="OutputHash">The provider's committed output hash, or null when the outputs could not be had.</param>
/// <param name="TaskProof">Merkle proof of the task leaf in <c>tasksRoot</c>.</param>
/// <param name="ResultProof">Merkle proof of the result leaf in <c>resultRoot</c>, when the output manifest was available.</param>
/// <param name="Pass">Whether the provider's outputs agree with the verifier's under the card's policy.</param>
/// <param name="Detail">Why it failed, or the measured distance when it passed.</param>
public sealed record TaskJudgement(
    int Index, Bytes32 InputHash, Bytes32? OutputHash, IReadOnlyList<Bytes32> TaskProof, IReadOnlyList<Bytes32>? ResultProof, bool Pass, string Detail);
