using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Exchange.Api.Infrastructure;

/// <summary>Parses the fixed-length hex values of requests (addresses, hashes) into the lowercase form the API stores.</summary>
internal static class HexText
{
    public static bool TryParseAddress(string? text, [NotNullWhen(true)] out string? normalized) => TryParse(text, 20, out normalized);

    public static bool TryParseHash(string? text, [NotNullWhen(true)] out string? normalized) => TryParse(text, 32, out normalized);

    private static bool TryParse(string? text, int bytes, [NotNullWhen(true)] out string? normalized)
    {
        normalized = null;
        if (text is null || text.Length != 2 + 2 * bytes || !text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        foreach (var c in text.AsSpan(2))
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }
        normalized = "0x" + text[2..].ToLower(CultureInfo.InvariantCulture);
        return true;
    }
}
