namespace Exchange.Inference.Verification;

/// <summary>The verdict on one output tensor.</summary>
/// <param name="Name">The output's name in the card.</param>
/// <param name="Pass">Whether it satisfies the card's policy.</param>
/// <param name="Metrics">How far it is from the reference (null when types or shapes differ, or under the exact policy).</param>
/// <param name="Reason">Why it failed; null when it passed.</param>
public sealed record OutputComparison(string Name, bool Pass, TensorMetrics? Metrics, string? Reason);
