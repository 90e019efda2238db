using System.Text;
using Exchange.Core.Hashing;

namespace Exchange.Core.Eip712;

/// <summary>
/// An offer's region as the chain holds it: the UTF-8 text, at most 32 bytes, right-padded with
/// zero bytes into a <c>bytes32</c> (<c>"eu-west"</c> → <c>0x65752d77657374000…</c>).
/// </summary>
public static class Region
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Encodes a region name.</summary>
    /// <param name="name">The name; may be empty (no region).</param>
    /// <returns>The bytes32.</returns>
    /// <exception cref="ArgumentException">The name is longer than 32 UTF-8 bytes, contains a NUL character or a lone surrogate.</exception>
    public static Bytes32 Encode(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("a region name cannot contain NUL characters (they are its padding)", nameof(name));
        }

        byte[] utf8;
        try
        {
            utf8 = StrictUtf8.GetBytes(name);
        }
        catch (EncoderFallbackException e)
        {
            throw new ArgumentException("a region name must be valid Unicode text", nameof(name), e);
        }

        if (utf8.Length > CoreLimits.WordLength)
        {
            throw new ArgumentException($"region \"{name}\" is {utf8.Length} UTF-8 bytes; at most {CoreLimits.WordLength} fit a bytes32", nameof(name));
        }

        var word = new byte[CoreLimits.WordLength];
        utf8.CopyTo(word, 0);
        return Bytes32.FromBytes(word);
    }

    /// <summary>Decodes a region bytes32 back to its name.</summary>
    /// <param name="region">The bytes32.</param>
    /// <returns>The name.</returns>
    /// <exception cref="FormatException">The bytes are not UTF-8 followed only by zero padding.</exception>
    public static string Decode(Bytes32 region)
    {
        var word = region.ToArray();
        var length = word.AsSpan().IndexOf((byte)0);
        if (length < 0)
        {
            length = word.Length;
        }

        if (word.AsSpan(length).IndexOfAnyExcept((byte)0) >= 0)
        {
            throw new FormatException($"region {region} has non-zero bytes after its zero padding starts");
        }

        try
        {
            return StrictUtf8.GetString(word, 0, length);
        }
        catch (DecoderFallbackException e)
        {
            throw new FormatException($"region {region} is not UTF-8 text", e);
        }
    }
}
