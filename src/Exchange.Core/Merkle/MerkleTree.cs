using Exchange.Core.Diagnostics;
using Exchange.Core.Hashing;

namespace Exchange.Core.Merkle;

/// <summary>
/// A Merkle tree whose proofs OpenZeppelin's <c>MerkleProof.verify</c> accepts: each internal node
/// is keccak256 of its two children in ascending order, leaves stay in the order given, and an odd
/// node at the end of a level is carried up unchanged (docs/protocol.md). A tree of one leaf has that
/// leaf as its root and an empty proof.
/// </summary>
public sealed class MerkleTree
{
    private readonly Bytes32[][] _levels;

    private MerkleTree(Bytes32[][] levels) => _levels = levels;

    /// <summary>The root.</summary>
    public Bytes32 Root => _levels[^1][0];

    /// <summary>The number of leaves.</summary>
    public int LeafCount => _levels[0].Length;

    /// <summary>The leaves, in order.</summary>
    public IReadOnlyList<Bytes32> Leaves => _levels[0];

    /// <summary>Builds the tree over leaves that are already hashed (see <see cref="MerkleLeaves"/>).</summary>
    /// <param name="leaves">At least one leaf, in task order.</param>
    /// <returns>The tree.</returns>
    /// <exception cref="ArgumentException">There are no leaves.</exception>
    public static MerkleTree Build(IEnumerable<Bytes32> leaves)
    {
        ArgumentNullException.ThrowIfNull(leaves);
        using var _ = StageMeter.Measure(Stage.Hashing);
        var level = leaves.ToArray();
        if (level.Length == 0)
        {
            throw new ArgumentException("a Merkle tree needs at least one leaf", nameof(leaves));
        }

        var levels = new List<Bytes32[]> { level };
        while (level.Length > 1)
        {
            var parent = new Bytes32[(level.Length + 1) / 2];
            for (var i = 0; i < parent.Length; i++)
            {
                var left = 2 * i;
                parent[i] = left + 1 < level.Length ? HashPair(level[left], level[left + 1]) : level[left];
            }

            levels.Add(parent);
            level = parent;
        }

        return new MerkleTree([.. levels]);
    }

    /// <summary>The proof of the leaf at <paramref name="index"/>: the siblings from the leaf up.</summary>
    /// <param name="index">The leaf's position.</param>
    /// <returns>The sibling hashes; empty for a one-leaf tree.</returns>
    /// <exception cref="ArgumentOutOfRangeException">There is no such leaf.</exception>
    public IReadOnlyList<Bytes32> Proof(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, LeafCount);
        var proof = new List<Bytes32>();
        for (var level = 0; level < _levels.Length - 1; level++)
        {
            var sibling = index ^ 1;
            if (sibling < _levels[level].Length)
            {
                proof.Add(_levels[level][sibling]);
            }

            index >>= 1;
        }

        return proof;
    }

    /// <summary>Whether <paramref name="proof"/> proves <paramref name="leaf"/> in <paramref name="root"/>, as OpenZeppelin's <c>MerkleProof.verify</c>.</summary>
    /// <param name="proof">The sibling hashes from the leaf up.</param>
    /// <param name="root">The root.</param>
    /// <param name="leaf">The leaf hash.</param>
    /// <returns>Whether the proof leads to the root.</returns>
    public static bool Verify(IEnumerable<Bytes32> proof, Bytes32 root, Bytes32 leaf) => ProcessProof(proof, leaf) == root;

    /// <summary>The root a proof leads to from a leaf, as OpenZeppelin's <c>MerkleProof.processProof</c>.</summary>
    /// <param name="proof">The sibling hashes from the leaf up.</param>
    /// <param name="leaf">The leaf hash.</param>
    /// <returns>The computed root.</returns>
    public static Bytes32 ProcessProof(IEnumerable<Bytes32> proof, Bytes32 leaf)
    {
        ArgumentNullException.ThrowIfNull(proof);
        var computed = leaf;
        foreach (var sibling in proof)
        {
            computed = HashPair(computed, sibling);
        }

        return computed;
    }

    /// <summary>keccak256 of the two values in ascending order (OpenZeppelin's <c>Hashes.commutativeKeccak256</c>).</summary>
    /// <param name="a">One child.</param>
    /// <param name="b">The other.</param>
    /// <returns>The parent.</returns>
    public static Bytes32 HashPair(Bytes32 a, Bytes32 b) => a.CompareTo(b) < 0 ? Keccak.Hash(a, b) : Keccak.Hash(b, a);
}
