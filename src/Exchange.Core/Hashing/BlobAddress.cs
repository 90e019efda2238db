using System.Security.Cryptography;
using Exchange.Core.Diagnostics;

namespace Exchange.Core.Hashing;

/// <summary>
/// The address of a blob's bytes (inputs, outputs, manifests, evidence, key reveals): SHA-256, as
/// IPFS (CIDv1, raw codec, sha2-256) and OCI registries address content, so a blob's address is also
/// its IPFS CID (<see cref="ToCid"/>). SHA-256 rather than keccak256 because every blob is hashed by
/// its uploader, the API and each reader, and the platform's SHA-256 runs about ten times faster than
/// managed keccak256. The chain never hashes a blob: it sees addresses only as 32-byte words, and
/// everything it hashes over words (Merkle leaves, EIP-712 digests, model ids) stays keccak256.
/// </summary>
public static class BlobAddress
{
    /// <summary>The multibase prefix of lowercase base32 (RFC 4648, no padding).</summary>
    private const char Base32Prefix = 'b';

    private const string Base32Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    /// <summary>CID version 1, codec raw (0x55), multihash sha2-256 (0x12) of 32 bytes (0x20).</summary>
    private static ReadOnlySpan<byte> CidPrefix => [0x01, 0x55, 0x12, 0x20];

    private static readonly int CidBytes = CidPrefix.Length + CoreLimits.WordLength;

    /// <summary>The length of a CID's text: the multibase prefix and 36 bytes in base32.</summary>
    private static readonly int CidLength = 1 + ((CidBytes * 8) + 4) / 5;

    /// <summary>The address of <paramref name="bytes"/>.</summary>
    /// <param name="bytes">The blob's exact bytes.</param>
    /// <returns>sha256(bytes).</returns>
    public static Bytes32 Of(ReadOnlySpan<byte> bytes)
    {
        using var _ = StageMeter.Measure(Stage.Hashing);
        Span<byte> digest = stackalloc byte[CoreLimits.WordLength];
        SHA256.HashData(bytes, digest);
        return Bytes32.FromBytes(digest);
    }

    /// <summary>
    /// A hasher for a blob that arrives in pieces (a streamed upload): append every piece, then
    /// <see cref="Finish"/> gives the same address <see cref="Of"/> gives for the whole.
    /// </summary>
    /// <returns>A new hasher; the caller disposes it.</returns>
    public static IncrementalHash NewHasher() => IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    /// <summary>The address of everything appended to <paramref name="hasher"/>, which starts over.</summary>
    /// <param name="hasher">A hasher from <see cref="NewHasher"/>.</param>
    /// <returns>The blob's address.</returns>
    public static Bytes32 Finish(IncrementalHash hasher)
    {
        ArgumentNullException.ThrowIfNull(hasher);
        Span<byte> digest = stackalloc byte[CoreLimits.WordLength];
        hasher.GetHashAndReset(digest);
        return Bytes32.FromBytes(digest);
    }

    /// <summary>The IPFS CIDv1 (raw, sha2-256) naming the same bytes as <paramref name="address"/>, in base32 ("bafkrei…").</summary>
    /// <param name="address">A blob address.</param>
    /// <returns>The CID's text.</returns>
    public static string ToCid(this Bytes32 address)
    {
        var cid = new byte[CidBytes];
        CidPrefix.CopyTo(cid);
        address.CopyTo(cid.AsSpan(CidPrefix.Length));
        return string.Create(CidLength, cid, static (text, bytes) =>
        {
            text[0] = Base32Prefix;
            int buffer = 0, bits = 0, at = 1;
            foreach (var b in bytes)
            {
                buffer = (buffer << 8) | b;
                bits += 8;
                while (bits >= 5)
                {
                    bits -= 5;
                    text[at++] = Base32Alphabet[(buffer >> bits) & 31];
                }

                buffer &= (1 << bits) - 1;
            }

            if (bits > 0)
            {
                text[at] = Base32Alphabet[(buffer << (5 - bits)) & 31];
            }
        });
    }

    /// <summary>Reads a CIDv1 (raw, sha2-256, base32) back into the address it names.</summary>
    /// <param name="text">The CID's text.</param>
    /// <param name="address">The address when the text is such a CID, otherwise zero.</param>
    /// <returns>Whether the text is a CIDv1 raw sha2-256 in lowercase base32.</returns>
    public static bool TryParseCid(string? text, out Bytes32 address)
    {
        address = default;
        if (text is null || text.Length != CidLength || text[0] != Base32Prefix)
        {
            return false;
        }

        Span<byte> cid = stackalloc byte[CidBytes];
        int buffer = 0, bits = 0, at = 0;
        foreach (var c in text.AsSpan(1))
        {
            var value = Base32Alphabet.IndexOf(c, StringComparison.Ordinal);
            if (value < 0)
            {
                return false;
            }

            buffer = (buffer << 5) | value;
            bits += 5;
            if (bits >= 8)
            {
                bits -= 8;
                cid[at++] = (byte)(buffer >> bits);
                buffer &= (1 << bits) - 1;
            }
        }

        // The last character's unused low bits must be zero, so each CID has one spelling only.
        if (buffer != 0 || !cid[..CidPrefix.Length].SequenceEqual(CidPrefix))
        {
            return false;
        }

        address = Bytes32.FromBytes(cid[CidPrefix.Length..]);
        return true;
    }
}
