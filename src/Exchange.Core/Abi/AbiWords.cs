using System.Numerics;
using Exchange.Core.Hashing;

namespace Exchange.Core.Abi;

/// <summary>
/// Solidity's <c>abi.encode</c> for static types (uintN, address, bytes32): one 32-byte big-endian
/// word per value. Every encoding the contracts hash (Merkle leaves, EIP-712 structs, the job
/// record) uses only static types, so this is all the ABI the core needs.
/// </summary>
public sealed class AbiWords
{
    private static readonly BigInteger Uint256Limit = BigInteger.One << 256;

    private readonly List<byte[]> _words = [];

    /// <summary>Appends a <c>uintN</c> value (N ≤ 256).</summary>
    /// <param name="value">A value in [0, 2^256).</param>
    /// <returns>This encoder.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative or does not fit 256 bits.</exception>
    public AbiWords UInt256(BigInteger value)
    {
        if (value.Sign < 0 || value >= Uint256Limit)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "a uint256 must be in [0, 2^256)");
        }

        var word = new byte[CoreLimits.WordLength];
        value.TryWriteBytes(word.AsSpan(CoreLimits.WordLength - value.GetByteCount(isUnsigned: true)), out _, isUnsigned: true, isBigEndian: true);
        _words.Add(word);
        return this;
    }

    /// <summary>Appends a <c>bytes32</c> value.</summary>
    /// <param name="value">The value.</param>
    /// <returns>This encoder.</returns>
    public AbiWords Word(Bytes32 value)
    {
        _words.Add(value.ToArray());
        return this;
    }

    /// <summary>Appends an <c>address</c>, left-padded with zeros.</summary>
    /// <param name="address"><c>0x</c> and 40 hex digits (any case; the checksum is not checked).</param>
    /// <returns>This encoder.</returns>
    /// <exception cref="FormatException">The text is not an address.</exception>
    public AbiWords Address(string address)
    {
        var bytes = ParseAddress(address);
        var word = new byte[CoreLimits.WordLength];
        bytes.CopyTo(word, CoreLimits.WordLength - CoreLimits.AddressLength);
        _words.Add(word);
        return this;
    }

    /// <summary>The encoded words, concatenated.</summary>
    /// <returns>32 bytes per appended value.</returns>
    public byte[] ToArray()
    {
        var bytes = new byte[_words.Count * CoreLimits.WordLength];
        for (var i = 0; i < _words.Count; i++)
        {
            _words[i].CopyTo(bytes, i * CoreLimits.WordLength);
        }

        return bytes;
    }

    /// <summary>keccak256 of the encoded words.</summary>
    /// <returns>keccak256(abi.encode(…)).</returns>
    public Bytes32 Keccak() => Hashing.Keccak.Hash(ToArray());

    /// <summary>Parses an address: <c>0x</c> and 40 hex digits, any case.</summary>
    /// <param name="address">The text.</param>
    /// <returns>The 20 bytes.</returns>
    /// <exception cref="FormatException">The text is not an address.</exception>
    public static byte[] ParseAddress(string? address)
    {
        try
        {
            return Hex.Parse(address, CoreLimits.AddressLength);
        }
        catch (FormatException e)
        {
            throw new FormatException($"not an address: {e.Message}", e);
        }
    }
}
