using System.Text.Json;

namespace Exchange.Inference.Text;

/// <summary>
/// Reads the texts of an input file, one per line: a <c>.jsonl</c> file holds a JSON string or an
/// object with a <c>"text"</c> string on each line; any other file is plain UTF-8 text, each line
/// one text. Blank lines are skipped but counted, so a text keeps its line number.
/// </summary>
public static class TextFiles
{
    /// <summary>The extension of JSON-lines files.</summary>
    public const string JsonLines = ".jsonl";

    /// <summary>The texts of <paramref name="path"/> with their line numbers (from 1), in file order.</summary>
    /// <exception cref="InvalidDataException">A <c>.jsonl</c> line is neither a JSON string nor an object with a <c>"text"</c> string, or the file holds no text.</exception>
    public static IReadOnlyList<TextLine> Read(string path)
    {
        var json = path.EndsWith(JsonLines, StringComparison.OrdinalIgnoreCase);
        var lines = File.ReadAllLines(path);
        var texts = new List<TextLine>();
        for (var i = 0; i < lines.Length; i++)
        {
            if (string.IsNullOrWhiteSpace(lines[i]))
            {
                continue;
            }

            texts.Add(new TextLine(i + 1, json ? FromJson(lines[i], path, i + 1) : lines[i]));
        }

        return texts.Count > 0 ? texts : throw new InvalidDataException($"{path} holds no text: one text per line expected");
    }

    /// <summary>How many lines <paramref name="path"/> has, for zero-padded line numbers in output names.</summary>
    public static int LineCount(string path) => File.ReadLines(path).Count();

    private static string FromJson(string line, string path, int number)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.String)
            {
                return root.GetString()!;
            }

            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String)
            {
                return text.GetString()!;
            }
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} line {number} is not JSON: {e.Message}", e);
        }

        throw new InvalidDataException($"{path} line {number} is neither a JSON string nor an object with a \"text\" string");
    }
}
