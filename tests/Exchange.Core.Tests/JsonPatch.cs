using System.Text.Json.Nodes;

namespace Exchange.Core.Tests;

/// <summary>Sets or removes one field of a JSON text by a path like <c>inputs[0].shape[1]</c>, for bad-input tests.</summary>
internal static class JsonPatch
{
    public static string Apply(string json, string path, string? valueJson)
    {
        var root = JsonNode.Parse(json)!;
        var parts = path.Replace("[", ".[", StringComparison.Ordinal).Split('.', StringSplitOptions.RemoveEmptyEntries);
        var node = root;
        foreach (var part in parts[..^1])
        {
            node = part.StartsWith('[') ? node[int.Parse(part[1..^1])]! : node[part]!;
        }

        var last = parts[^1];
        var value = valueJson is null ? null : JsonNode.Parse(valueJson);
        if (last.StartsWith('['))
        {
            var array = node.AsArray();
            var index = int.Parse(last[1..^1]);
            if (valueJson is null)
            {
                array.RemoveAt(index);
            }
            else
            {
                array[index] = value;
            }
        }
        else if (valueJson is null)
        {
            node.AsObject().Remove(last);
        }
        else
        {
            node[last] = value;
        }

        return root.ToJsonString();
    }
}
