namespace Exchange.Inference.Text;

/// <summary>One text as the model takes it: token ids and attention mask, both padded to the card's length.</summary>
/// <param name="Ids">Token ids: <c>[CLS]</c>, the text's WordPiece ids, <c>[SEP]</c>, then <c>[PAD]</c>.</param>
/// <param name="Mask">1 for every real token (special ones included), 0 for padding.</param>
/// <param name="Length">The number of real tokens.</param>
/// <param name="Truncated">Whether the text had more tokens than fit, and its end was dropped.</param>
public sealed record TokenizedText(long[] Ids, long[] Mask, int Length, bool Truncated);
