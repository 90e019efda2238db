namespace Exchange.Inference.Calibration;

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
