using Exchange.Inference.Verification;

namespace Exchange.Inference.Calibration;

/// <summary>One honest variant or cheat: its worst metrics over every task and output, and whether the card's policy passes it.</summary>
/// <param name="Name">What was run, e.g. <c>cpu-1-thread</c> or <c>perturbed-1%</c>.</param>
/// <param name="Metrics">The worst value of each metric over the calibration tasks.</param>
/// <param name="Pass">Whether every task passed the card's policy.</param>
public sealed record CalibrationEntry(string Name, TensorMetrics Metrics, bool Pass);

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

/// <summary>The result of <c>exchange model calibrate</c>.</summary>
/// <param name="Model">The model's name.</param>
/// <param name="Honest">The honest variants; each must pass.</param>
/// <param name="Cheats">The cheats; each must fail.</param>
/// <param name="AllHonestPass">Whether every honest variant passed.</param>
/// <param name="AllCheatsFail">Whether every cheat failed.</param>
/// <param name="Margin">Where the bounds sit between the two.</param>
public sealed record CalibrationReport(
    string Model,
    IReadOnlyList<CalibrationEntry> Honest,
    IReadOnlyList<CalibrationEntry> Cheats,
    bool AllHonestPass,
    bool AllCheatsFail,
    CalibrationMargin Margin);
