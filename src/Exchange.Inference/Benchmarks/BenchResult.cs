namespace Exchange.Inference.Benchmarks;

/// <summary>The result of <c>exchange bench inference</c>.</summary>
/// <param name="Device">Where the model ran: <c>cpu</c> or <c>cuda:N</c>.</param>
/// <param name="Tasks">Tasks per round; each side runs them in several alternating rounds.</param>
/// <param name="BareTasksPerSec">A plain loop of ONNX Runtime calls on the same session and inputs, at its best batch size.</param>
/// <param name="EngineTasksPerSec">The same tasks submitted at once through the engine's queue and batching.</param>
/// <param name="Ratio">Engine ÷ bare.</param>
public sealed record BenchResult(string Device, int Tasks, double BareTasksPerSec, double EngineTasksPerSec, double Ratio);
