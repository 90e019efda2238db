using Exchange.Inference.Verification;

namespace Exchange.Inference.Calibration;

/// <summary>How far the card's bounds sit from the honest runs and from the cheats.</summary>
/// <param name="Policy">The card's policy: <c>exact</c>, or the tolerance bounds.</param>
/// <param name="HonestWorst">Per metric, the worst honest value.</param>
/// <param name="ClosestCheat">Per metric, the cheat value closest to honest.</param>
/// <param name="HonestFactor">Per metric, bound ÷ worst honest value (1 − cosine for cosine): how many times the honest noise fits under the bound; null where honest runs were exact.</param>
/// <param name="CheatFactor">Per metric, closest cheat ÷ bound (1 − cosine for cosine): how far beyond the bound the nearest cheat lies.</param>
/// <param name="InsideNoise">
/// Changes measured for the record that no tolerance accepting GPUs can reject, and that save a
/// provider no compute (fp16 rounding of honest outputs); neither honest runs nor cheats.
/// </param>
public sealed record CalibrationMargin(
    IReadOnlyDictionary<string, object?> Policy,
    TensorMetrics HonestWorst,
    TensorMetrics ClosestCheat,
    IReadOnlyDictionary<string, double?> HonestFactor,
    IReadOnlyDictionary<string, double?> CheatFactor,
    IReadOnlyList<CalibrationEntry> InsideNoise);
