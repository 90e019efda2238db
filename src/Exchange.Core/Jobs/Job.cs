using System.Numerics;
using Exchange.Core.Abi;
using Exchange.Core.Hashing;

namespace Exchange.Core.Jobs;

/// <summary>
/// The job record of docs/protocol.md, field for field as the Solidity struct <c>JobMarket.Job</c>.
/// The market stores only a commitment to it and every call after <c>createJob</c> passes it back;
/// it is rebuilt off-chain from the <c>JobCreated</c> and <c>ResultSubmitted</c> events.
/// </summary>
/// <param name="Client">The paying client.</param>
/// <param name="Provider">The provider whose offer the job uses.</param>
/// <param name="ModelId">The model card's id.</param>
/// <param name="UnitPrice">Price per task.</param>
/// <param name="TaskCount">Number of tasks.</param>
/// <param name="Deadline">UNIX seconds by which the result is due.</param>
/// <param name="TasksRoot">Merkle root over the task leaves.</param>
/// <param name="ManifestHash">keccak256 of the manifest blob.</param>
/// <param name="ResultRoot">Merkle root over the result leaves; zero until submitted.</param>
/// <param name="OutputsHash">keccak256 of the output manifest blob; zero until submitted.</param>
/// <param name="SubmittedAt">UNIX seconds of the submission; zero until submitted.</param>
/// <param name="SubmitBlock">Block number of the submission; zero until submitted.</param>
public sealed record Job(
    string Client,
    string Provider,
    Bytes32 ModelId,
    BigInteger UnitPrice,
    uint TaskCount,
    ulong Deadline,
    Bytes32 TasksRoot,
    Bytes32 ManifestHash,
    Bytes32 ResultRoot,
    Bytes32 OutputsHash,
    ulong SubmittedAt,
    ulong SubmitBlock)
{
    /// <summary>Whether a result has been submitted (the result fields are set).</summary>
    public bool IsSubmitted => SubmitBlock != 0;

    /// <summary><c>abi.encode(job)</c>: twelve 32-byte words in field order.</summary>
    /// <returns>The encoding.</returns>
    /// <exception cref="FormatException">An address is malformed.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The unit price is not a uint256.</exception>
    public byte[] AbiEncode() => Words().ToArray();

    /// <summary><c>keccak256(abi.encode(job))</c>, the hash the contract's job commitment is derived from.</summary>
    /// <returns>The hash.</returns>
    public Bytes32 Hash() => Words().Keccak();

    /// <summary>
    /// The commitment the market stores for this record: <see cref="Hash"/> with its last byte zero
    /// (that byte of the storage slot holds the status). Equals <c>JobMarket.jobCommitment(job)</c>.
    /// </summary>
    /// <returns>The commitment.</returns>
    public Bytes32 Commitment()
    {
        var bytes = Hash().ToArray();
        bytes[^1] = 0;
        return Bytes32.FromBytes(bytes);
    }

    /// <summary>The job's money at given fee rates.</summary>
    /// <param name="schedule">The market's fee rates.</param>
    /// <returns>Price, fees and collateral.</returns>
    public JobFees Fees(FeeSchedule schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        return schedule.For(UnitPrice, TaskCount);
    }

    private AbiWords Words() => new AbiWords()
        .Address(Client)
        .Address(Provider)
        .Word(ModelId)
        .UInt256(UnitPrice)
        .UInt256(TaskCount)
        .UInt256(Deadline)
        .Word(TasksRoot)
        .Word(ManifestHash)
        .Word(ResultRoot)
        .Word(OutputsHash)
        .UInt256(SubmittedAt)
        .UInt256(SubmitBlock);
}
