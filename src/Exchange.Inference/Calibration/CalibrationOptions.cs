namespace Exchange.Inference.Calibration;

/// <summary>How a calibration runs.</summary>
/// <param name="Tasks">Calibration inputs (images or random tensors); 8 by default, so the batch variant fills one batch.</param>
/// <param name="Seed">Seed of the inputs and of the output cheats.</param>
/// <param name="IncludeCuda">Whether to add a CUDA honest variant when a GPU can be used.</param>
public sealed record CalibrationOptions(int Tasks = 8, int Seed = 20261127, bool IncludeCuda = true);
