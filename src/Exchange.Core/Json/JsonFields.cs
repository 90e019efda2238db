using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using Exchange.Core.Hashing;

namespace Exchange.Core.Json;

/// <summary>
/// Reads typed fields out of parsed JSON for the strict parsers of this library (model cards,
/// manifests): every problem is reported through one factory with the path of the field, e.g.
/// <c>inputs[1].shape[2]</c>, and unknown fields are errors.
/// </summary>
internal sealed class JsonFields(Func<string, string, Exception> error)
{
    public Exception Error(string path, string problem) => error(path, problem);

    public void RequireObject(JsonElement element, string path, params ReadOnlySpan<string> allowedKeys)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw error(path, $"must be an object, found {Kind(element)}");
        }

        var allowed = allowedKeys.ToArray();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            if (!seen.Add(property.Name))
            {
                throw error(Join(path, property.Name), "appears twice");
            }

            if (System.Array.IndexOf(allowed, property.Name) < 0)
            {
                throw error(Join(path, property.Name), $"unknown field; expected {string.Join(", ", allowed)}");
            }
        }
    }

    public JsonElement Required(JsonElement obj, string path, string key) =>
        obj.TryGetProperty(key, out var value) ? value : throw error(Join(path, key), "is required");

    public static JsonElement? Optional(JsonElement obj, string key) =>
        obj.TryGetProperty(key, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    public string String(JsonElement value, string path)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            throw error(path, $"must be a string, found {Kind(value)}");
        }

        var text = value.GetString()!;
        return text.Length > 0 ? text : throw error(path, "must not be empty");
    }

    public bool Bool(JsonElement value, string path) => value.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw error(path, $"must be true or false, found {Kind(value)}"),
    };

    public long Integer(JsonElement value, string path)
    {
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var integer) || !CanonicalJson.IsSafe(integer))
        {
            throw error(path, $"must be an integer within ±(2^53 − 1), found {Describe(value)}");
        }

        return integer;
    }

    public double Number(JsonElement value, string path)
    {
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var number) || !double.IsFinite(number))
        {
            throw error(path, $"must be a finite number, found {Describe(value)}");
        }

        return number;
    }

    public Bytes32 Hash(JsonElement value, string path)
    {
        var text = String(value, path);
        try
        {
            return Bytes32.Parse(text);
        }
        catch (FormatException e)
        {
            throw error(path, e.Message);
        }
    }

    public ImmutableArray<T> Array<T>(JsonElement value, string path, Func<JsonElement, string, T> item, bool allowEmpty = false) =>
        Array(value, path, (element, itemPath, _) => item(element, itemPath), allowEmpty);

    public ImmutableArray<T> Array<T>(JsonElement value, string path, Func<JsonElement, string, int, T> item, bool allowEmpty = false)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw error(path, $"must be an array, found {Kind(value)}");
        }

        var items = ImmutableArray.CreateBuilder<T>(value.GetArrayLength());
        var index = 0;
        foreach (var element in value.EnumerateArray())
        {
            items.Add(item(element, string.Create(CultureInfo.InvariantCulture, $"{path}[{index}]"), index));
            index++;
        }

        return items.Count > 0 || allowEmpty ? items.MoveToImmutable() : throw error(path, "must not be empty");
    }

    public static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

    private static string Kind(JsonElement value) => value.ValueKind.ToString().ToLowerInvariant();

    private static string Describe(JsonElement value)
    {
        var raw = value.GetRawText();
        return raw.Length <= CoreLimits.MaxQuotedInputLength ? raw : string.Concat(raw.AsSpan(0, CoreLimits.MaxQuotedInputLength), "…");
    }
}
