using Exchange.Core.Tensors;

namespace Exchange.Inference.Text;

/// <summary>
/// Texts with their embeddings, searched by cosine similarity to a query embedding: the smallest
/// useful semantic search, for the worked example in docs/workloads.md.
/// </summary>
public sealed class SemanticIndex
{
    private readonly List<(TextLine Text, float[] Embedding)> _entries = [];

    /// <summary>How many texts the index holds.</summary>
    public int Count => _entries.Count;

    /// <summary>Adds a text and its embedding (one row of floats, any length the query shares).</summary>
    /// <exception cref="ArgumentException">The embedding is not one float32 row, or not as long as those added before.</exception>
    public void Add(TextLine text, Tensor embedding)
    {
        ArgumentNullException.ThrowIfNull(text);
        var values = Row(embedding);
        if (_entries.Count > 0 && _entries[0].Embedding.Length != values.Length)
        {
            throw new ArgumentException($"embedding of line {text.Number} has {values.Length} values, the others {_entries[0].Embedding.Length}", nameof(embedding));
        }

        _entries.Add((text, values));
    }

    /// <summary>The <paramref name="top"/> texts closest to <paramref name="query"/>, best first (ties in input order).</summary>
    public IReadOnlyList<SearchHit> Search(Tensor query, int top)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
        var q = Row(query);
        return _entries
            .Select((entry, i) => (Index: i, Hit: new SearchHit(entry.Text, Cosine(q, entry.Embedding))))
            .OrderByDescending(x => x.Hit.Score)
            .ThenBy(x => x.Index)
            .Take(top)
            .Select(x => x.Hit)
            .ToList();
    }

    /// <summary>The cosine similarity of two vectors of the same length (0 when either is zero).</summary>
    public static double Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length)
        {
            throw new ArgumentException($"vectors of {a.Length} and {b.Length} values", nameof(b));
        }

        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            na += (double)a[i] * a[i];
            nb += (double)b[i] * b[i];
        }

        return na > 0 && nb > 0 ? dot / Math.Sqrt(na * nb) : 0;
    }

    private static float[] Row(Tensor embedding)
    {
        ArgumentNullException.ThrowIfNull(embedding);
        return embedding.DType == TensorDType.Float32 && embedding.Shape.Length is 1 or 2 && (embedding.Shape.Length == 1 || embedding.Shape[0] == 1)
            ? embedding.AsFloat32().ToArray()
            : throw new ArgumentException($"an embedding is one float32 row, not {embedding}", nameof(embedding));
    }
}
