using Exchange.Core.Hashing;
using Exchange.Inference.Devices;
using Exchange.Inference.Runtime;

namespace Exchange.Inference.Engine;

/// <summary>What the engine made of a model when it loaded it.</summary>
/// <param name="ModelId">The card's model id.</param>
/// <param name="Device">Where it runs, and why <c>auto</c> fell back to the CPU if it did.</param>
/// <param name="BatchMode">Whether tasks are stacked into one call or run as concurrent calls.</param>
/// <param name="MaxBatchSize">The most tasks one batch holds on this device.</param>
public sealed record LoadedModelInfo(Bytes32 ModelId, ResolvedDevice Device, BatchMode BatchMode, int MaxBatchSize);
