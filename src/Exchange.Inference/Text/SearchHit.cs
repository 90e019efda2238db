namespace Exchange.Inference.Text;

/// <summary>One result of a <see cref="SemanticIndex"/> search.</summary>
/// <param name="Text">The text and its line.</param>
/// <param name="Score">Its cosine similarity to the query, in [-1, 1].</param>
public sealed record SearchHit(TextLine Text, double Score);
