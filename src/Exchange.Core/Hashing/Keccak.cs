using Nethereum.Util;

namespace Exchange.Core.Hashing;

/// <summary>
/// Keccak-256 as Ethereum uses it (the pre-standard padding, not SHA3-256). Not a stage of its own
/// for the benchmark's meter: its inputs are a few words, and a scope per call cost more than the
/// hash (a Merkle tree of 1,024 tasks is about 5,000 calls); <see cref="Merkle.MerkleTree.Build"/> is measured as hashing.
/// </summary>
public static class Keccak
{
    /// <summary>Hashes bytes.</summary>
    /// <param name="data">The bytes.</param>
    /// <returns>keccak256(data).</returns>
    public static Bytes32 Hash(ReadOnlySpan<byte> data) => Bytes32.FromBytes(new Sha3Keccack().CalculateHash(data.ToArray()));

    /// <summary>Hashes the concatenation of two 32-byte values (a Merkle node's preimage).</summary>
    /// <param name="left">First 32 bytes.</param>
    /// <param name="right">Last 32 bytes.</param>
    /// <returns>keccak256(left ‖ right).</returns>
    public static Bytes32 Hash(Bytes32 left, Bytes32 right)
    {
        Span<byte> pair = stackalloc byte[2 * CoreLimits.WordLength];
        left.CopyTo(pair);
        right.CopyTo(pair[CoreLimits.WordLength..]);
        return Hash(pair);
    }
}
