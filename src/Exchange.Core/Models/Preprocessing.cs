using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Exchange.Core.Json;

namespace Exchange.Core.Models;

/// <summary>
/// How raw inputs become the model's input tensors: an open JSON object with at least a
/// <c>kind</c> string, e.g. <c>{"kind":"none"}</c> or <c>{"kind":"image","width":224,…}</c>.
/// The inference engine defines the kinds; the core only keeps the object canonical, because it is
/// part of the model id. Compared by its canonical bytes.
/// </summary>
public sealed class Preprocessing : IEquatable<Preprocessing>
{
    /// <summary>The field every preprocessing object must have.</summary>
    public const string KindField = "kind";

    private readonly byte[] _canonical;

    private Preprocessing(byte[] canonical, string kind)
    {
        _canonical = canonical;
        Kind = kind;
    }

    /// <summary>No preprocessing: inputs are tensors already (<c>{"kind":"none"}</c>).</summary>
    public static Preprocessing None { get; } = Parse("""{"kind":"none"}""");

    /// <summary>The value of the <c>kind</c> field.</summary>
    public string Kind { get; }

    /// <summary>The canonical JSON bytes of the object.</summary>
    public ReadOnlyMemory<byte> CanonicalJson => _canonical;

    /// <summary>Parses a preprocessing object.</summary>
    /// <param name="json">JSON text of an object with a non-empty <c>kind</c> string.</param>
    /// <returns>The preprocessing.</returns>
    /// <exception cref="FormatException">The text is not such an object.</exception>
    public static Preprocessing Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        using var document = Json.CanonicalJson.Parse(Encoding.UTF8.GetBytes(json));
        return From(document.RootElement);
    }

    /// <summary>Builds a preprocessing object from a JSON tree.</summary>
    /// <param name="node">An object with a non-empty <c>kind</c> string.</param>
    /// <returns>The preprocessing.</returns>
    /// <exception cref="FormatException">The tree is not such an object.</exception>
    public static Preprocessing From(JsonNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return Parse(node.ToJsonString());
    }

    /// <summary>Builds a preprocessing object from parsed JSON.</summary>
    /// <param name="element">An object with a non-empty <c>kind</c> string.</param>
    /// <returns>The preprocessing.</returns>
    /// <exception cref="FormatException">The value is not such an object.</exception>
    public static Preprocessing From(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"must be an object with a \"{KindField}\" string, found {element.ValueKind.ToString().ToLowerInvariant()}");
        }

        if (!element.TryGetProperty(KindField, out var kind) || kind.ValueKind != JsonValueKind.String || kind.GetString() is not { Length: > 0 } kindText)
        {
            throw new FormatException($"must have a non-empty \"{KindField}\" string");
        }

        return new Preprocessing(Json.CanonicalJson.Serialize(element), kindText);
    }

    /// <summary>The object as a fresh, mutable JSON tree.</summary>
    /// <returns>A new tree; changing it does not change this value.</returns>
    public JsonObject ToJsonObject() => JsonNode.Parse(_canonical)!.AsObject();

    /// <summary>The object as parsed JSON, for reading fields.</summary>
    /// <returns>A value independent of any document.</returns>
    public JsonElement ToJsonElement()
    {
        using var document = JsonDocument.Parse(_canonical);
        return document.RootElement.Clone();
    }

    /// <inheritdoc/>
    public bool Equals(Preprocessing? other) => other is not null && _canonical.AsSpan().SequenceEqual(other._canonical);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as Preprocessing);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(_canonical);
        return hash.ToHashCode();
    }

    /// <summary>The canonical JSON text.</summary>
    /// <returns>For example <c>{"kind":"none"}</c>.</returns>
    public override string ToString() => Encoding.UTF8.GetString(_canonical);
}
