namespace Exchange.Inference.Verification;

/// <summary>The verdict on one task: it passes when every output passes.</summary>
/// <param name="Pass">Whether every output satisfies the card's policy.</param>
/// <param name="Outputs">The verdict per output, in the card's order.</param>
public sealed record VerificationResult(bool Pass, IReadOnlyList<OutputComparison> Outputs);
