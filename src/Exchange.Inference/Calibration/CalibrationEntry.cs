using Exchange.Inference.Verification;

namespace Exchange.Inference.Calibration;

/// <summary>One honest variant or cheat: its worst metrics over every task and output, and whether the card's policy passes it.</summary>
/// <param name="Name">What was run, e.g. <c>cpu-1-thread</c> or <c>perturbed-1%</c>.</param>
/// <param name="Metrics">The worst value of each metric over the calibration tasks.</param>
/// <param name="Pass">Whether every task passed the card's policy.</param>
public sealed record CalibrationEntry(string Name, TensorMetrics Metrics, bool Pass);
