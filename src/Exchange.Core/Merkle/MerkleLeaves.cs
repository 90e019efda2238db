using Exchange.Core.Abi;
using Exchange.Core.Hashing;

namespace Exchange.Core.Merkle;

/// <summary>
/// The leaf encodings of docs/protocol.md, equal to the contract's. Leaves are hashed twice (as
/// OpenZeppelin's <c>StandardMerkleTree</c>): a leaf's preimage is 32 bytes, an internal node's 64,
/// so no internal node can be passed off as a leaf with a shorter proof.
/// </summary>
public static class MerkleLeaves
{
    /// <summary>Task leaf i: <c>keccak256(keccak256(abi.encode(uint256 i, bytes32 inputHash_i)))</c>.</summary>
    /// <param name="index">The task index.</param>
    /// <param name="inputHash">The task's input hash.</param>
    /// <returns>The leaf.</returns>
    public static Bytes32 Task(long index, Bytes32 inputHash)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        return HashTwice(new AbiWords().UInt256(index).Word(inputHash));
    }

    /// <summary>Result leaf i: <c>keccak256(keccak256(abi.encode(uint256 i, bytes32 inputHash_i, bytes32 outputHash_i)))</c>.</summary>
    /// <param name="index">The task index.</param>
    /// <param name="inputHash">The task's input hash.</param>
    /// <param name="outputHash">The task's output hash.</param>
    /// <returns>The leaf.</returns>
    public static Bytes32 Result(long index, Bytes32 inputHash, Bytes32 outputHash)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        return HashTwice(new AbiWords().UInt256(index).Word(inputHash).Word(outputHash));
    }

    /// <summary>The task tree over input hashes in task order; its root is <c>tasksRoot</c>.</summary>
    /// <param name="inputHashes">inputHash_i for i = 0, 1, ….</param>
    /// <returns>The tree.</returns>
    public static MerkleTree TaskTree(IReadOnlyList<Bytes32> inputHashes)
    {
        ArgumentNullException.ThrowIfNull(inputHashes);
        return MerkleTree.Build(inputHashes.Select((hash, i) => Task(i, hash)));
    }

    /// <summary>The result tree over input and output hashes in task order; its root is <c>resultRoot</c>.</summary>
    /// <param name="inputHashes">inputHash_i for i = 0, 1, ….</param>
    /// <param name="outputHashes">outputHash_i, as many as input hashes.</param>
    /// <returns>The tree.</returns>
    /// <exception cref="ArgumentException">The lists differ in length.</exception>
    public static MerkleTree ResultTree(IReadOnlyList<Bytes32> inputHashes, IReadOnlyList<Bytes32> outputHashes)
    {
        ArgumentNullException.ThrowIfNull(inputHashes);
        ArgumentNullException.ThrowIfNull(outputHashes);
        if (inputHashes.Count != outputHashes.Count)
        {
            throw new ArgumentException($"{inputHashes.Count} input hashes but {outputHashes.Count} output hashes", nameof(outputHashes));
        }

        return MerkleTree.Build(inputHashes.Select((hash, i) => Result(i, hash, outputHashes[i])));
    }

    // keccak256(keccak256(abi.encode(...))): the outer hash's preimage is the 32-byte inner hash.
    private static Bytes32 HashTwice(AbiWords words)
    {
        Span<byte> inner = stackalloc byte[32];
        words.Keccak().CopyTo(inner);
        return Keccak.Hash(inner);
    }
}
