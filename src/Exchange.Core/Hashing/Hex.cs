namespace Exchange.Core.Hashing;

/// <summary>
/// Hexadecimal text as the chain writes it: <c>0x</c> followed by lowercase digits.
/// Parsing also accepts uppercase digits (checksummed addresses) but always requires the prefix.
/// </summary>
public static class Hex
{
    private const string Prefix = "0x";

    /// <summary>Formats bytes as <c>0x</c> followed by two lowercase hex digits per byte.</summary>
    /// <param name="bytes">The bytes to format.</param>
    /// <returns>The hex text; <c>"0x"</c> for no bytes.</returns>
    public static string Format(ReadOnlySpan<byte> bytes) =>
        Prefix + Convert.ToHexStringLower(bytes);

    /// <summary>Parses <c>0x</c>-prefixed hex text of any even length.</summary>
    /// <param name="text">The text to parse.</param>
    /// <returns>The bytes it encodes.</returns>
    /// <exception cref="FormatException">The text is null, lacks the prefix, has an odd number of digits or a non-hex character.</exception>
    public static byte[] Parse(string? text)
    {
        var digits = Digits(text);
        if (digits.Length % 2 != 0)
        {
            throw new FormatException($"hex text has an odd number of digits ({digits.Length}): \"{Shorten(text!)}\"");
        }

        return Decode(text!, digits);
    }

    /// <summary>Parses <c>0x</c>-prefixed hex text that must encode exactly <paramref name="byteLength"/> bytes.</summary>
    /// <param name="text">The text to parse.</param>
    /// <param name="byteLength">The required number of bytes.</param>
    /// <returns>The bytes it encodes.</returns>
    /// <exception cref="FormatException">The text is malformed or encodes a different number of bytes.</exception>
    public static byte[] Parse(string? text, int byteLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(byteLength);
        var digits = Digits(text);
        if (digits.Length != byteLength * 2)
        {
            throw new FormatException(
                $"hex text must have {byteLength * 2} digits ({byteLength} bytes) after 0x, found {digits.Length}: \"{Shorten(text!)}\"");
        }

        return Decode(text!, digits);
    }

    private static ReadOnlySpan<char> Digits(string? text)
    {
        if (text is null)
        {
            throw new FormatException("hex text is missing");
        }

        if (!text.StartsWith(Prefix, StringComparison.Ordinal))
        {
            throw new FormatException($"hex text must start with 0x: \"{Shorten(text)}\"");
        }

        return text.AsSpan(Prefix.Length);
    }

    private static byte[] Decode(string text, ReadOnlySpan<char> digits)
    {
        for (var i = 0; i < digits.Length; i++)
        {
            if (!char.IsAsciiHexDigit(digits[i]))
            {
                throw new FormatException(
                    $"hex text has a non-hex character '{digits[i]}' at position {i + Prefix.Length}: \"{Shorten(text)}\"");
            }
        }

        return Convert.FromHexString(digits);
    }

    private static string Shorten(string text) =>
        text.Length <= CoreLimits.MaxQuotedInputLength ? text : string.Concat(text.AsSpan(0, CoreLimits.MaxQuotedInputLength), "…");
}
