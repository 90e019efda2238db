namespace Exchange.Inference.Calibration;

/// <summary>The outputs one honest variant or cheat produced for every calibration task.</summary>
/// <param name="Name">What the variant is, e.g. <c>cpu-1-thread</c> or <c>perturbed-1%</c>.</param>
/// <param name="Outputs">Per task, per output, the tensor bytes.</param>
internal sealed record CalibrationVariant(string Name, byte[][][] Outputs);
