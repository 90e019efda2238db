using System.Globalization;
using System.Numerics;

namespace Exchange.Node.Chain;

/// <summary>Token amounts as people write them (<c>12.5</c> tokens) and as the chain holds them (smallest units, 18 decimals).</summary>
public static class TokenUnits
{
    /// <summary>Decimals of the ComputeToken.</summary>
    public const int Decimals = 18;

    private static readonly BigInteger One = BigInteger.Pow(10, Decimals);

    /// <summary>Parses a non-negative decimal token amount with at most 18 decimals.</summary>
    /// <exception cref="FormatException">The text is not such an amount.</exception>
    public static BigInteger Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Trim().Split('.');
        if (parts.Length > 2 || parts[0].Length == 0 || !parts.All(p => p.All(char.IsAsciiDigit)) || (parts.Length == 2 && (parts[1].Length == 0 || parts[1].Length > Decimals)))
        {
            throw new FormatException($"'{text}' is not a token amount: digits, optionally a point and at most {Decimals} decimals");
        }

        var whole = BigInteger.Parse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture) * One;
        return parts.Length == 1 ? whole : whole + BigInteger.Parse(parts[1].PadRight(Decimals, '0'), NumberStyles.None, CultureInfo.InvariantCulture);
    }

    /// <summary>Formats smallest units as a decimal token amount without trailing zeros.</summary>
    public static string Format(BigInteger amount)
    {
        var sign = amount < 0 ? "-" : "";
        var value = BigInteger.Abs(amount);
        var whole = BigInteger.DivRem(value, One, out var fraction);
        var decimals = fraction.IsZero ? "" : "." + fraction.ToString(CultureInfo.InvariantCulture).PadLeft(Decimals, '0').TrimEnd('0');
        return sign + whole.ToString(CultureInfo.InvariantCulture) + decimals;
    }

    /// <summary>Smallest units as a decimal number of tokens, for reports (exact up to 7.9 × 10^10 tokens).</summary>
    public static decimal ToDecimal(BigInteger amount) => (decimal)amount / 1_000_000_000_000_000_000m;
}
