using Exchange.Inference.Devices;
using Exchange.Inference.Onnx;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Exchange.Inference.Runtime;

/// <summary>
/// One ONNX Runtime session with the shapes of one task, able to run a batch of tasks. A graph whose
/// batch dimension is fixed at 1 is rewritten to a dynamic one at load when a probe shows the
/// rewritten graph computes every row as a batch of one would; otherwise batches run as concurrent calls.
/// </summary>
internal sealed class OnnxModel : IDisposable
{
    /// <summary>Rows of a probe batch may differ from single runs by kernel reordering only.</summary>
    private const double ProbeTolerance = 1e-4;

    private readonly RunOptions _runOptions = new();
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;

    private OnnxModel(InferenceSession session, ResolvedDevice device, OrtTensorSpec[] inputs, OrtTensorSpec[] outputs, BatchMode mode)
    {
        Session = session;
        Device = device;
        Inputs = inputs;
        Outputs = outputs;
        Mode = mode;
        _inputNames = inputs.Select(i => i.Name).ToArray();
        _outputNames = outputs.Select(o => o.Name).ToArray();
    }

    public InferenceSession Session { get; }

    public ResolvedDevice Device { get; }

    public OrtTensorSpec[] Inputs { get; }

    public OrtTensorSpec[] Outputs { get; }

    public BatchMode Mode { get; }

    /// <summary>Loads model bytes, making a fixed batch dimension dynamic where the graph allows.</summary>
    public static OnnxModel Load(byte[] model, SessionSettings settings)
    {
        var (session, device) = SessionFactory.Create(model, settings);
        var inputs = Specs(session.InputNames, session.InputMetadata);
        var outputs = Specs(session.OutputNames, session.OutputMetadata);
        var mode = BatchMode.Concurrent;
        if (inputs.All(i => i.HasUnitBatch) && outputs.All(o => o.HasUnitBatch))
        {
            if (LeadingDimsDynamic(session))
            {
                mode = BatchMode.Stacked;
            }
            else if (TryLoadBatched(model, settings, device, inputs, outputs) is { } batched)
            {
                session.Dispose();
                return batched;
            }
        }

        return new OnnxModel(session, device, inputs, outputs, mode);
    }

    private static OnnxModel? TryLoadBatched(byte[] model, SessionSettings settings, ResolvedDevice device, OrtTensorSpec[] inputs, OrtTensorSpec[] outputs)
    {
        var rewritten = OnnxModelEditor.MakeBatchDynamic(model, inputs.Select(i => i.Name).ToHashSet(), outputs.Select(o => o.Name).ToHashSet());
        if (rewritten is null)
        {
            return null;
        }

        OnnxModel? candidate = null;
        try
        {
            var pinned = settings with { Device = device.Kind == DeviceKind.Cuda ? new DeviceSpec(DeviceKind.Cuda, device.DeviceId) : DeviceSpec.Cpu };
            candidate = new OnnxModel(SessionFactory.Create(rewritten, pinned).Session, device, inputs, outputs, BatchMode.Stacked);
            if (candidate.ProbeBatching())
            {
                return candidate;
            }
        }
        catch (OnnxRuntimeException)
        {
            // The rewritten graph is rejected or fails on a batch of two: it cannot batch.
        }

        candidate?.Dispose();
        return null;
    }

    /// <summary>Runs the tasks (each one byte payload per input) and returns each task's output payloads, in order.</summary>
    public byte[][][] Run(IReadOnlyList<ReadOnlyMemory<byte>[]> tasks)
    {
        if (tasks.Count == 0)
        {
            return [];
        }

        if (Mode == BatchMode.Stacked || tasks.Count == 1)
        {
            return RunStacked(tasks);
        }

        var results = new byte[tasks.Count][][];
        Parallel.For(0, tasks.Count, i => results[i] = RunStacked([tasks[i]])[0]);
        return results;
    }

    /// <summary>Runs prepared batch inputs as they are; used by benchmarks that measure bare ONNX Runtime.</summary>
    public void RunPrepared(IReadOnlyCollection<OrtValue> inputs)
    {
        using var outputs = Session.Run(_runOptions, _inputNames, inputs, _outputNames);
    }

    /// <summary>Stacks the tasks into one native tensor per input.</summary>
    public OrtValue[] Stack(IReadOnlyList<ReadOnlyMemory<byte>[]> tasks)
    {
        var values = new OrtValue[Inputs.Length];
        try
        {
            for (var i = 0; i < Inputs.Length; i++)
            {
                var spec = Inputs[i];
                values[i] = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, spec.ElementType, spec.BatchShape(tasks.Count));
                var target = values[i].GetTensorMutableRawData();
                var size = (int)spec.ByteLength;
                for (var t = 0; t < tasks.Count; t++)
                {
                    var payload = tasks[t][i].Span;
                    if (payload.Length != size)
                    {
                        throw new ArgumentException($"Input '{spec.Name}' of task {t} has {payload.Length} bytes; its shape and type need {size}.", nameof(tasks));
                    }

                    payload.CopyTo(target.Slice(t * size, size));
                }
            }

            return values;
        }
        catch
        {
            foreach (var value in values)
            {
                value?.Dispose();
            }

            throw;
        }
    }

    public void Dispose()
    {
        Session.Dispose();
        _runOptions.Dispose();
    }

    private byte[][][] RunStacked(IReadOnlyList<ReadOnlyMemory<byte>[]> tasks)
    {
        var inputs = Stack(tasks);
        try
        {
            if (Device.Kind == DeviceKind.Cuda)
            {
                return RunBound(inputs, tasks.Count);
            }

            using var outputs = Session.Run(_runOptions, _inputNames, inputs, _outputNames);
            return Split(outputs, tasks.Count);
        }
        finally
        {
            foreach (var value in inputs)
            {
                value.Dispose();
            }
        }
    }

    /// <summary>On CUDA, binding lets ONNX Runtime copy inputs in and outputs out once, without intermediate managed copies.</summary>
    private byte[][][] RunBound(OrtValue[] inputs, int count)
    {
        using var binding = Session.CreateIoBinding();
        for (var i = 0; i < inputs.Length; i++)
        {
            binding.BindInput(_inputNames[i], inputs[i]);
        }

        foreach (var name in _outputNames)
        {
            binding.BindOutputToDevice(name, OrtMemoryInfo.DefaultInstance);
        }

        binding.SynchronizeBoundInputs();
        Session.RunWithBinding(_runOptions, binding);
        binding.SynchronizeBoundOutputs();
        using var outputs = binding.GetOutputValues();
        return Split(outputs, count);
    }

    private byte[][][] Split(IReadOnlyList<OrtValue> outputs, int count)
    {
        var results = new byte[count][][];
        for (var t = 0; t < count; t++)
        {
            results[t] = new byte[Outputs.Length][];
        }

        for (var o = 0; o < Outputs.Length; o++)
        {
            var data = outputs[o].GetTensorMutableRawData();
            var size = data.Length / count;
            if (size * count != data.Length || size != Outputs[o].ByteLength)
            {
                throw new InvalidOperationException($"Output '{Outputs[o].Name}' has {data.Length} bytes for {count} tasks; expected {Outputs[o].ByteLength} per task.");
            }

            for (var t = 0; t < count; t++)
            {
                results[t][o] = data.Slice(t * size, size).ToArray();
            }
        }

        return results;
    }

    private bool ProbeBatching()
    {
        var random = new Random(20261127);
        var tasks = Enumerable.Range(0, 2).Select(_ => Inputs.Select(spec => ProbeInput(spec, random)).ToArray()).ToArray();
        var batched = RunStacked(tasks);
        for (var t = 0; t < tasks.Length; t++)
        {
            var single = RunStacked([tasks[t]])[0];
            for (var o = 0; o < Outputs.Length; o++)
            {
                if (!Close(Outputs[o].ElementType, single[o], batched[t][o]))
                {
                    return false;
                }
            }
        }

        return true;
    }


    private static ReadOnlyMemory<byte> ProbeInput(OrtTensorSpec spec, Random random)
    {
        var bytes = new byte[spec.ByteLength];
        if (spec.ElementType == TensorElementType.Float)
        {
            var floats = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes.AsSpan());
            for (var i = 0; i < floats.Length; i++)
            {
                floats[i] = random.NextSingle();
            }
        }

        return bytes;
    }

    private static bool Close(TensorElementType type, byte[] expected, byte[] actual)
    {
        if (type != TensorElementType.Float)
        {
            return expected.AsSpan().SequenceEqual(actual);
        }

        var a = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(expected);
        var b = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(actual);
        double diff = 0, norm = 0;
        for (var i = 0; i < a.Length; i++)
        {
            diff += (a[i] - b[i]) * (double)(a[i] - b[i]);
            norm += a[i] * (double)a[i];
        }

        return Math.Sqrt(diff) <= ProbeTolerance * Math.Max(Math.Sqrt(norm), 1e-12);
    }

    private static bool LeadingDimsDynamic(InferenceSession session) =>
        session.InputMetadata.Values.Concat(session.OutputMetadata.Values).All(m => m.Dimensions.Length > 0 && m.Dimensions[0] < 0);

    private static OrtTensorSpec[] Specs(IReadOnlyList<string> names, IReadOnlyDictionary<string, NodeMetadata> metadata) =>
        names.Select(n => new OrtTensorSpec(n, metadata[n].ElementDataType, metadata[n].Dimensions.Select(d => d < 0 ? 1L : d).ToArray())).ToArray();
}
