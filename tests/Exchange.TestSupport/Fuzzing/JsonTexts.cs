using System.Globalization;
using System.Text;
using CsCheck;

namespace Exchange.TestSupport.Fuzzing;

/// <summary>
/// JSON documents built from a format's own field names and values on the edges of what JSON
/// carries (integers beyond 2^53, 1e309, lone surrogates, empty and huge strings, deep nesting), so
/// that generated documents reach the field checks of a strict parser instead of its tokenizer only.
/// </summary>
public static class JsonTexts
{
    private static readonly string[] EdgeNumbers =
    [
        "0", "-0", "1", "-1", "2", "1.5", "-1.5", "0.5", "1e3", "1E-7", "1e309", "-1e309", "1e-400", "9007199254740991",
        "9007199254740992", "-9007199254740993", "9223372036854775807", "18446744073709551616", "4294967295", "4294967296",
        "123456789012345678901234567890", "3.0", "224", "512", "0.9999",
    ];

    private static readonly string[] EdgeStrings =
    [
        "", "a", "input", "output", "x", "../x", "a/b", ".", "..", "float32", "float16", "int64", "uint8", "bool", "exact", "tolerance",
        "image", "text", "none", "rgb", "x25519-xsalsa20-poly1305", "0x", "0x00", "0x" + new string('a', 64), "0x" + new string('A', 64),
        "0x" + new string('0', 64), "0x" + new string('f', 63), "0x" + new string('g', 64), "0x" + new string('1', 40), "0x" + new string('1', 130),
        "0x" + new string('2', 160), "0", "00", "1", "115792089237316195423570985008687907853269984665640564039457584007913129639936",
        "\\ud800", "\\udc00x", "\\u0000", "é", "\\\"", new string('z', 300), "emoji 😀",
    ];

    /// <summary>JSON text (UTF-8) whose objects use <paramref name="keys"/> (and now and then another) up to <paramref name="depth"/> levels deep.</summary>
    public static Gen<byte[]> Documents(IReadOnlyList<string> keys, int depth = 4)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return Value(keys, depth).Select(text => Encoding.UTF8.GetBytes(text));
    }

    /// <summary>A JSON value as text.</summary>
    public static Gen<string> Value(IReadOnlyList<string> keys, int depth)
    {
        var scalar = Weighted(
            (4, Gen.OneOf(EdgeNumbers)),
            (2, Gen.Long.Select(n => n.ToString(CultureInfo.InvariantCulture))),
            (2, Gen.Double.Select(d => double.IsFinite(d) ? d.ToString("R", CultureInfo.InvariantCulture) : "1e999")),
            (5, Gen.OneOf(EdgeStrings).Select(s => $"\"{s}\"")),
            (2, Gen.String[0, 12].Select(Quote)),
            (2, Gen.OneOf("true", "false", "null")));
        if (depth == 0)
        {
            return scalar;
        }

        var inner = Value(keys, depth - 1);
        var key = Weighted((9, Gen.OneOf([.. keys])), (1, Gen.OneOf(EdgeStrings)));
        var member = Gen.Select(key, inner, (k, v) => $"\"{k}\":{v}");
        return Weighted(
            (3, scalar),
            (4, member.Array[0, 6].Select(members => "{" + string.Join(",", members) + "}")),
            (3, inner.Array[0, 5].Select(items => "[" + string.Join(",", items) + "]")));
    }

    private static Gen<string> Weighted(params (int Weight, Gen<string> Gen)[] choices) =>
        Gen.Frequency([.. choices.Select(c => (c.Weight, (IGen<string>)c.Gen))]);

    private static string Quote(string s)
    {
        var text = new StringBuilder("\"");
        foreach (var c in s)
        {
            text.Append(c is '"' or '\\' || c < ' ' || char.IsSurrogate(c)
                ? string.Create(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}")
                : c.ToString());
        }

        return text.Append('"').ToString();
    }
}
