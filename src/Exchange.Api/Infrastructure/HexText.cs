using System.Diagnostics.CodeAnalysis;
using Exchange.Core.Hashing;

namespace Exchange.Api.Infrastructure;

/// <summary>Reads the fixed-length hex values of requests (addresses, hashes) into the lowercase form the API stores.</summary>
internal static class HexText
{
    private const int AddressLength = 20;

    public static bool TryParseAddress(string? text, [NotNullWhen(true)] out string? normalized)
    {
        try
        {
            normalized = Hex.Format(Hex.Parse(text, AddressLength));
            return true;
        }
        catch (FormatException)
        {
            normalized = null;
            return false;
        }
    }

    public static bool TryParseHash(string? text, [NotNullWhen(true)] out string? normalized)
    {
        var valid = Bytes32.TryParse(text, out var value);
        normalized = valid ? value.ToString() : null;
        return valid;
    }
}
