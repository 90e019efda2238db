using System.Buffers.Binary;

namespace Exchange.Core.Hashing;

/// <summary>
/// A 32-byte value: a keccak256 digest, a Merkle node, a Solidity <c>bytes32</c>. Compared by value;
/// its text form is <c>0x</c> and 64 lowercase hex digits.
/// </summary>
public readonly record struct Bytes32
{
    private readonly ulong _w0;
    private readonly ulong _w1;
    private readonly ulong _w2;
    private readonly ulong _w3;

    private Bytes32(ReadOnlySpan<byte> bytes)
    {
        _w0 = BinaryPrimitives.ReadUInt64BigEndian(bytes);
        _w1 = BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]);
        _w2 = BinaryPrimitives.ReadUInt64BigEndian(bytes[16..]);
        _w3 = BinaryPrimitives.ReadUInt64BigEndian(bytes[24..]);
    }

    /// <summary>The all-zero value (what the contract stores for "not yet set").</summary>
    public static Bytes32 Zero => default;

    /// <summary>Whether every byte is zero.</summary>
    public bool IsZero => (_w0 | _w1 | _w2 | _w3) == 0;

    /// <summary>Wraps exactly 32 bytes.</summary>
    /// <param name="bytes">The bytes, most significant first.</param>
    /// <returns>The value.</returns>
    /// <exception cref="ArgumentException">The span is not 32 bytes long.</exception>
    public static Bytes32 FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != CoreLimits.WordLength)
        {
            throw new ArgumentException($"a bytes32 needs exactly 32 bytes, got {bytes.Length}", nameof(bytes));
        }

        return new Bytes32(bytes);
    }

    /// <summary>Parses <c>0x</c> followed by 64 hex digits.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The value.</returns>
    /// <exception cref="FormatException">The text is not 0x and 64 hex digits.</exception>
    public static Bytes32 Parse(string? text) => new(Hex.Parse(text, CoreLimits.WordLength));

    /// <summary>Parses <c>0x</c> followed by 64 hex digits without throwing.</summary>
    /// <param name="text">The text.</param>
    /// <param name="value">The value when the text is well formed, otherwise zero.</param>
    /// <returns>Whether the text was well formed.</returns>
    public static bool TryParse(string? text, out Bytes32 value)
    {
        try
        {
            value = Parse(text);
            return true;
        }
        catch (FormatException)
        {
            value = default;
            return false;
        }
    }

    /// <summary>Writes the 32 bytes, most significant first.</summary>
    /// <param name="destination">At least 32 bytes.</param>
    public void CopyTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, _w0);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _w1);
        BinaryPrimitives.WriteUInt64BigEndian(destination[16..], _w2);
        BinaryPrimitives.WriteUInt64BigEndian(destination[24..], _w3);
    }

    /// <summary>The 32 bytes as a new array.</summary>
    /// <returns>A fresh array.</returns>
    public byte[] ToArray()
    {
        var bytes = new byte[CoreLimits.WordLength];
        CopyTo(bytes);
        return bytes;
    }

    /// <summary>Orders values as unsigned 256-bit big-endian integers (the order of Solidity's <c>a &lt; b</c> on bytes32).</summary>
    /// <param name="other">The value to compare with.</param>
    /// <returns>Negative, zero or positive.</returns>
    public int CompareTo(Bytes32 other)
    {
        var c = _w0.CompareTo(other._w0);
        if (c != 0)
        {
            return c;
        }

        c = _w1.CompareTo(other._w1);
        if (c != 0)
        {
            return c;
        }

        c = _w2.CompareTo(other._w2);
        return c != 0 ? c : _w3.CompareTo(other._w3);
    }

    /// <summary>The value as <c>0x</c> and 64 lowercase hex digits.</summary>
    /// <returns>The hex text.</returns>
    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[CoreLimits.WordLength];
        CopyTo(bytes);
        return Hex.Format(bytes);
    }
}
