using System.Runtime.InteropServices;
using Exchange.Inference.Devices;
using Exchange.Inference.Onnx;
using Exchange.Inference.Runtime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Exchange.Inference.Calibration;

/// <summary>
/// Produces the outputs calibration compares: honest re-runs under other settings, and the cheats a
/// dishonest provider could submit instead. Honest variants and model cheats load their own session;
/// output cheats are derived from the reference outputs with a seeded random.
/// </summary>
internal sealed class VariantRunner(OnnxModel reference, IReadOnlyList<ReadOnlyMemory<byte>[]> tasks, int seed)
{
    /// <summary>Relative sizes of the random perturbations added to honest outputs.</summary>
    public static readonly double[] PerturbationSizes = [0.1, 0.03, 0.01];

    private const int CalibrationBatch = 8;

    public byte[][][] Reference { get; } = RunOneByOne(reference, tasks);

    /// <summary>The reference model re-run on CUDA device 0.</summary>
    /// <exception cref="CudaUnavailableException">No usable GPU.</exception>
    public CalibrationVariant Cuda() => Session("cuda", reference.LoadedBytes, new SessionSettings(new DeviceSpec(DeviceKind.Cuda)));

    public IEnumerable<CalibrationVariant> Honest()
    {
        var bytes = reference.LoadedBytes;
        yield return Session("cpu-1-thread", bytes, new SessionSettings(DeviceSpec.Cpu, IntraOpThreads: 1));
        yield return Session("cpu-2-threads", bytes, new SessionSettings(DeviceSpec.Cpu, IntraOpThreads: 2));
        yield return Session("cpu-optimisation-off", bytes, new SessionSettings(DeviceSpec.Cpu, OptimizeGraph: false));
        yield return Session("cpu-optimisation-basic", bytes, new SessionSettings(DeviceSpec.Cpu, BasicOptimizationsOnly: true));
        yield return new CalibrationVariant($"cpu-batch-{Math.Min(CalibrationBatch, tasks.Count)}", RunBatched(reference, tasks, CalibrationBatch));
    }

    /// <summary>
    /// The cheats that apply to this model: output cheats when every output is float32, and the
    /// cheaper-model cheats where the graph has the structure they cut (a residual block).
    /// </summary>
    public IReadOnlyList<CalibrationVariant> Cheats()
    {
        var cheats = new List<CalibrationVariant>();
        if (reference.Outputs.All(o => o.ElementType == TensorElementType.Float))
        {
            var random = new Random(seed);
            cheats.Add(new CalibrationVariant("random-outputs", MapFloats(Reference, (values, _) => RandomLike(values, random))));
            cheats.AddRange(PerturbationSizes.Select(size =>
                new CalibrationVariant($"perturbed-{size * 100:0.#}%", MapFloats(Reference, (values, _) => Perturb(values, size, random)))));
            cheats.Add(new CalibrationVariant("outputs-rounded-to-int8", MapFloats(Reference, (values, _) => RoundToInt8(values))));
        }

        cheats.Add(new CalibrationVariant("output-of-another-input", Enumerable.Range(0, Reference.Length).Select(t => Reference[(t + 1) % Reference.Length]).ToArray()));
        if (TryEdit(OnnxCheatModels.SkipLastResidualBlock) is { } truncated)
        {
            cheats.Add(Session("model-last-residual-block-skipped", truncated, new SessionSettings(DeviceSpec.Cpu)));
        }

        cheats.Add(Session("model-weights-int8", OnnxCheatModels.QuantizeWeightsToInt8(reference.LoadedBytes), new SessionSettings(DeviceSpec.Cpu)));
        return cheats;
    }

    /// <summary>The reference model run on other inputs than the tasks' (a provider that computes the wrong thing).</summary>
    public CalibrationVariant OnInputs(string name, IReadOnlyList<ReadOnlyMemory<byte>[]> inputs) => new(name, RunOneByOne(reference, inputs));

    /// <summary>fp16 rounding of float32 outputs, for the record: it sits inside the CPU/GPU noise (docs/verification.md); null for other outputs.</summary>
    public CalibrationVariant? Float16Rounding() => reference.Outputs.All(o => o.ElementType == TensorElementType.Float)
        ? new("outputs-rounded-to-fp16", MapFloats(Reference, (values, _) => values.Select(v => (float)(Half)v).ToArray()))
        : null;

    private byte[]? TryEdit(Func<byte[], byte[]> edit)
    {
        try
        {
            return edit(reference.LoadedBytes);
        }
        catch (InvalidDataException)
        {
            // The graph lacks the structure this cheat cuts.
            return null;
        }
    }

    private CalibrationVariant Session(string name, byte[] model, SessionSettings settings)
    {
        using var variant = OnnxModel.Load(model, settings);
        return new CalibrationVariant(name, RunOneByOne(variant, tasks));
    }

    private static byte[][][] RunOneByOne(OnnxModel model, IReadOnlyList<ReadOnlyMemory<byte>[]> tasks) =>
        tasks.Select(task => model.Run([task])[0]).ToArray();

    private static byte[][][] RunBatched(OnnxModel model, IReadOnlyList<ReadOnlyMemory<byte>[]> tasks, int batch) =>
        tasks.Chunk(batch).SelectMany(chunk => model.Run(chunk)).ToArray();

    private static byte[][][] MapFloats(byte[][][] outputs, Func<float[], int, float[]> map) =>
        outputs.Select((task, t) => task.Select(output => MemoryMarshal.AsBytes(map(MemoryMarshal.Cast<byte, float>(output.AsSpan()).ToArray(), t).AsSpan()).ToArray()).ToArray()).ToArray();

    private static float[] RandomLike(float[] values, Random random)
    {
        var mean = values.Average();
        var std = Math.Sqrt(values.Select(v => (v - mean) * (v - mean)).Average());
        return values.Select(_ => (float)(mean + (std * Gaussian(random)))).ToArray();
    }

    private static float[] Perturb(float[] values, double relative, Random random)
    {
        var noise = values.Select(_ => Gaussian(random)).ToArray();
        var scale = relative * Math.Sqrt(values.Sum(v => (double)v * v)) / Math.Sqrt(noise.Sum(n => n * n));
        return values.Select((v, i) => (float)(v + (scale * noise[i]))).ToArray();
    }

    private static float[] RoundToInt8(float[] values)
    {
        var min = values.Min();
        var step = (values.Max() - min) / 255f;
        return step == 0 ? values : values.Select(v => min + (MathF.Round((v - min) / step) * step)).ToArray();
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
