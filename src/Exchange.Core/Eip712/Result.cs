using System.Numerics;
using System.Text;
using Exchange.Core.Abi;
using Exchange.Core.Hashing;

namespace Exchange.Core.Eip712;

/// <summary>
/// A provider's signed result, EIP-712 type
/// <c>Result(uint256 jobId,bytes32 tasksRoot,bytes32 resultRoot,bytes32 outputsHash)</c>; anyone may relay it.
/// </summary>
/// <param name="JobId">The job.</param>
/// <param name="TasksRoot">The job's task root.</param>
/// <param name="ResultRoot">The Merkle root over the result leaves.</param>
/// <param name="OutputsHash">keccak256 of the output manifest blob.</param>
public sealed record Result(BigInteger JobId, Bytes32 TasksRoot, Bytes32 ResultRoot, Bytes32 OutputsHash)
{
    /// <summary>The EIP-712 type of a result.</summary>
    public const string TypeString = "Result(uint256 jobId,bytes32 tasksRoot,bytes32 resultRoot,bytes32 outputsHash)";

    /// <summary>keccak256 of <see cref="TypeString"/>.</summary>
    public static Bytes32 TypeHash { get; } = Keccak.Hash(Encoding.UTF8.GetBytes(TypeString));

    /// <summary>hashStruct(result) = keccak256(abi.encode(TypeHash, fields…)).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The job id is not a uint256.</exception>
    public Bytes32 StructHash => new AbiWords()
        .Word(TypeHash)
        .UInt256(JobId)
        .Word(TasksRoot)
        .Word(ResultRoot)
        .Word(OutputsHash)
        .Keccak();

    /// <summary>The digest the provider signs in a domain.</summary>
    /// <param name="domain">The domain (the JobMarket on its chain).</param>
    /// <returns>The EIP-712 digest.</returns>
    public Bytes32 Digest(Eip712Domain domain)
    {
        ArgumentNullException.ThrowIfNull(domain);
        return domain.Digest(StructHash);
    }
}
