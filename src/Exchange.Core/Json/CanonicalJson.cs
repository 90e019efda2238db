using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Exchange.Core.Json;

/// <summary>
/// Canonical JSON bytes, the preimage of every hash over JSON here (model ids, manifest hashes).
/// The rules are RFC 8785 (JCS): UTF-8, no whitespace, object keys sorted by their UTF-16 code
/// units, arrays in order, strings escaping only <c>"</c>, <c>\</c> and control characters, and
/// numbers as ECMAScript prints them (integers as integers, others in shortest round-trip form), so
/// <c>JSON.stringify</c> over sorted keys gives the same bytes. Integers beyond ±(2^53 − 1) and
/// duplicate keys are rejected, because they would not survive a round trip through other parsers.
/// </summary>
public static class CanonicalJson
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static readonly JsonDocumentOptions ParseOptions = new()
    {
        MaxDepth = CoreLimits.MaxJsonDepth,
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
    };

    /// <summary>Parses JSON text and returns its canonical bytes.</summary>
    /// <param name="utf8Json">UTF-8 JSON text.</param>
    /// <returns>The canonical UTF-8 bytes.</returns>
    /// <exception cref="FormatException">The text is not JSON, has a duplicate key, a number out of range, or nests too deep.</exception>
    public static byte[] Canonicalize(ReadOnlySpan<byte> utf8Json)
    {
        using var document = ParseDocument(utf8Json);
        return Serialize(document.RootElement);
    }

    /// <summary>The canonical bytes of a JSON value.</summary>
    /// <param name="element">The value.</param>
    /// <returns>The canonical UTF-8 bytes.</returns>
    /// <exception cref="FormatException">The value has a duplicate key, a number out of range or a lone surrogate.</exception>
    public static byte[] Serialize(JsonElement element)
    {
        var text = new StringBuilder();
        try
        {
            Write(text, element, "$");
            return StrictUtf8.GetBytes(text.ToString());
        }
        catch (EncoderFallbackException e)
        {
            throw new FormatException("JSON text has a lone UTF-16 surrogate", e);
        }
        catch (InvalidOperationException e)
        {
            // JsonElement reports invalid UTF-8 and unpaired \u escapes only when a string is read.
            throw new FormatException($"JSON text has invalid UTF-8 or a lone UTF-16 surrogate: {e.Message}", e);
        }
    }

    /// <summary>The canonical bytes of a JSON node tree (how records here build their canonical form).</summary>
    /// <param name="node">The tree.</param>
    /// <returns>The canonical UTF-8 bytes.</returns>
    /// <exception cref="FormatException">The tree has a number out of range or a lone surrogate.</exception>
    public static byte[] Serialize(JsonNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return Canonicalize(Encoding.UTF8.GetBytes(node.ToJsonString()));
    }

    /// <summary>
    /// Parses UTF-8 JSON with this library's limits (depth, no comments, no trailing commas) and
    /// checks that it has a canonical form (no duplicate keys, numbers in range, valid text), so
    /// readers of the document meet no surprises later.
    /// </summary>
    /// <param name="utf8Json">UTF-8 JSON text.</param>
    /// <returns>The document; dispose it.</returns>
    /// <exception cref="FormatException">The text is not JSON within those limits or has no canonical form.</exception>
    public static JsonDocument Parse(ReadOnlySpan<byte> utf8Json)
    {
        var document = ParseDocument(utf8Json);
        try
        {
            Serialize(document.RootElement);
            return document;
        }
        catch
        {
            document.Dispose();
            throw;
        }
    }

    private static JsonDocument ParseDocument(ReadOnlySpan<byte> utf8Json)
    {
        try
        {
            return JsonDocument.Parse(utf8Json.ToArray(), ParseOptions);
        }
        catch (JsonException e)
        {
            throw new FormatException($"not valid JSON: {e.Message}", e);
        }
    }

    /// <summary>Formats a double as ECMAScript's <c>Number.prototype.toString</c> does (RFC 8785 §3.2.2.3).</summary>
    /// <param name="value">A finite number.</param>
    /// <returns>The shortest text that reads back as the same double.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The value is NaN or infinite.</exception>
    public static string FormatNumber(double value)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "JSON has no NaN or infinity");
        }

        if (value == 0)
        {
            return "0";
        }

        var (digits, n) = ShortestDigits(Math.Abs(value));
        var k = digits.Length;
        var sign = value < 0 ? "-" : string.Empty;
        var body = n switch
        {
            _ when k <= n && n <= 21 => digits + new string('0', n - k),
            > 0 and <= 21 => string.Concat(digits.AsSpan(0, n), ".", digits.AsSpan(n)),
            > -6 and <= 0 => "0." + new string('0', -n) + digits,
            _ => Exponential(digits, n - 1),
        };
        return sign + body;
    }

    private static string Exponential(string digits, int exponent)
    {
        var mantissa = digits.Length == 1 ? digits : string.Concat(digits.AsSpan(0, 1), ".", digits.AsSpan(1));
        var sign = exponent < 0 ? "-" : "+";
        return string.Create(CultureInfo.InvariantCulture, $"{mantissa}e{sign}{Math.Abs(exponent)}");
    }

    // The digits s and exponent n of ECMAScript's rule: value = 0.s × 10^n with s as short as round-tripping allows.
    private static (string Digits, int N) ShortestDigits(double positive)
    {
        var text = positive.ToString("R", CultureInfo.InvariantCulture);
        var e = text.IndexOf('E', StringComparison.Ordinal);
        var mantissa = e < 0 ? text : text[..e];
        var exponent = e < 0 ? 0 : int.Parse(text.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        var digits = mantissa.Replace(".", string.Empty, StringComparison.Ordinal);
        var n = (dot < 0 ? mantissa.Length : dot) + exponent;
        var trimmed = digits.TrimStart('0');
        n -= digits.Length - trimmed.Length;
        return (trimmed.TrimEnd('0'), n);
    }

    private static void Write(StringBuilder text, JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                WriteObject(text, element, path);
                break;
            case JsonValueKind.Array:
                text.Append('[');
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (index > 0)
                    {
                        text.Append(',');
                    }

                    Write(text, item, $"{path}[{index}]");
                    index++;
                }

                text.Append(']');
                break;
            case JsonValueKind.String:
                WriteString(text, element.GetString()!);
                break;
            case JsonValueKind.Number:
                text.Append(NumberText(element, path));
                break;
            case JsonValueKind.True:
                text.Append("true");
                break;
            case JsonValueKind.False:
                text.Append("false");
                break;
            case JsonValueKind.Null:
                text.Append("null");
                break;
            default:
                throw new FormatException($"{path}: unexpected JSON value kind {element.ValueKind}");
        }
    }

    private static void WriteObject(StringBuilder text, JsonElement element, string path)
    {
        var properties = element.EnumerateObject().ToList();
        properties.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        text.Append('{');
        for (var i = 0; i < properties.Count; i++)
        {
            if (i > 0)
            {
                if (string.Equals(properties[i - 1].Name, properties[i].Name, StringComparison.Ordinal))
                {
                    throw new FormatException($"{path}: duplicate key \"{properties[i].Name}\"");
                }

                text.Append(',');
            }

            WriteString(text, properties[i].Name);
            text.Append(':');
            Write(text, properties[i].Value, $"{path}.{properties[i].Name}");
        }

        text.Append('}');
    }

    private static string NumberText(JsonElement element, string path)
    {
        var raw = element.GetRawText();
        var isIntegerLiteral = raw.AsSpan().IndexOfAny('.', 'e', 'E') < 0;
        if (isIntegerLiteral && !(long.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer)
                && IsSafe(integer)))
        {
            throw new FormatException($"{path}: integer {raw} is beyond ±(2^53 − 1), which JSON numbers do not carry exactly");
        }

        var value = double.Parse(raw, NumberStyles.Float, CultureInfo.InvariantCulture);
        return double.IsFinite(value)
            ? FormatNumber(value)
            : throw new FormatException($"{path}: number {raw} is out of range");
    }

    // Math.Abs would overflow on long.MinValue, which a JSON text may well carry.
    internal static bool IsSafe(long integer) => integer is >= -CoreLimits.MaxSafeJsonInteger and <= CoreLimits.MaxSafeJsonInteger;

    private static void WriteString(StringBuilder text, string value)
    {
        text.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"':
                    text.Append("\\\"");
                    break;
                case '\\':
                    text.Append("\\\\");
                    break;
                case '\b':
                    text.Append("\\b");
                    break;
                case '\f':
                    text.Append("\\f");
                    break;
                case '\n':
                    text.Append("\\n");
                    break;
                case '\r':
                    text.Append("\\r");
                    break;
                case '\t':
                    text.Append("\\t");
                    break;
                case < ' ':
                    text.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
                    break;
                default:
                    text.Append(c);
                    break;
            }
        }

        text.Append('"');
    }
}
