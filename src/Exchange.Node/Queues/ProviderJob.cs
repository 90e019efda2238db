using System.Numerics;
using Exchange.Core.Hashing;
using Exchange.Core.Jobs;

namespace Exchange.Node.Queues;

/// <summary>The provider's work item for one job.</summary>
/// <param name="JobId">The job's id.</param>
/// <param name="Record">The job record (result fields set once the result is on chain).</param>
/// <param name="State">Where the job stands: new, checked, accepting, accepted, computed, submitting, submitted, done, declined, failed.</param>
/// <param name="ResultRoot">The signed result root, once computed.</param>
/// <param name="OutputsHash">The output manifest's hash, once computed.</param>
/// <param name="Signature">The provider's EIP-712 signature of the result, once computed.</param>
/// <param name="SubmitTx">Hash of the transaction that carries the result, once broadcast.</param>
/// <param name="Attempts">How many times checking, accepting, computing or submitting failed.</param>
public sealed record ProviderJob(
    BigInteger JobId, Job Record, string State, Bytes32? ResultRoot, Bytes32? OutputsHash, byte[]? Signature, string? SubmitTx, int Attempts)
{
    /// <summary>Hash of the <c>acceptJobs</c> transaction that carries the acceptance, once broadcast.</summary>
    public string? AcceptTx { get; init; }

    /// <summary>Tasks the cheat mode falsified (0 for honest work): the provider appeals only rulings against honest work.</summary>
    public int Falsified { get; init; }

    /// <summary>The audit draw once read: true when it selected the job, null while unknown.</summary>
    public bool? Audited { get; init; }
}
