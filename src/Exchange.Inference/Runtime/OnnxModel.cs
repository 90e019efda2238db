using System.Collections.Concurrent;
using System.Runtime.InteropServices;
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

    /// <summary>A batch's inputs above this many bytes are copied into place by several threads.</summary>
    private const long ParallelCopyBytes = 4 << 20;

    /// <summary>Stacking buffers kept for reuse per input: enough for the batches that overlap.</summary>
    private const int KeptBuffers = 4;

    private readonly RunOptions _runOptions = new();
    private readonly ConcurrentBag<byte[]>[] _buffers;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;

    private OnnxModel(byte[] bytes, InferenceSession session, ResolvedDevice device, OrtTensorSpec[] inputs, OrtTensorSpec[] outputs, BatchMode mode)
    {
        LoadedBytes = bytes;
        Session = session;
        Device = device;
        Inputs = inputs;
        Outputs = outputs;
        Mode = mode;
        _inputNames = inputs.Select(i => i.Name).ToArray();
        _buffers = inputs.Select(_ => new ConcurrentBag<byte[]>()).ToArray();
        _outputNames = outputs.Select(o => o.Name).ToArray();
    }

    /// <summary>The model bytes the session runs: the original, or the rewrite with a dynamic batch dimension.</summary>
    public byte[] LoadedBytes { get; }

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

        return new OnnxModel(model, session, device, inputs, outputs, mode);
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
            candidate = new OnnxModel(rewritten, SessionFactory.Create(rewritten, pinned).Session, device, inputs, outputs, BatchMode.Stacked);
            if (candidate.ProbeBatching())
            {
                return candidate;
            }
        }
        catch (Exception e) when (e is OnnxRuntimeException or InvalidOperationException)
        {
            // The rewritten graph is rejected, fails on a batch of two, or does not give one output row per task: it cannot batch.
        }

        candidate?.Dispose();
        return null;
    }

    /// <summary>
    /// Runs the tasks (each one byte payload per input) and returns each task's output payloads, in
    /// order. A task may hold several rows along the batch dimension when the graph batches; its
    /// outputs then hold as many rows.
    /// </summary>
    public byte[][][] Run(IReadOnlyList<ReadOnlyMemory<byte>[]> tasks)
    {
        if (tasks.Count == 0)
        {
            return [];
        }

        var rows = RowsOf(tasks);
        if (Mode == BatchMode.Stacked || tasks.Count == 1)
        {
            return RunStacked(tasks, rows);
        }

        var results = new byte[tasks.Count][][];
        Parallel.For(0, tasks.Count, i => results[i] = RunStacked([tasks[i]], [rows[i]])[0]);
        return results;
    }

    /// <summary>Runs prepared batch inputs as they are; used by benchmarks that measure bare ONNX Runtime.</summary>
    public void RunPrepared(IReadOnlyCollection<OrtValue> inputs)
    {
        using var outputs = Session.Run(_runOptions, _inputNames, inputs, _outputNames);
    }

    /// <summary>Stacks the tasks into one native tensor per input, in memory of their own (the caller disposes them).</summary>
    public OrtValue[] Stack(IReadOnlyList<ReadOnlyMemory<byte>[]> tasks)
    {
        var rows = RowsOf(tasks);
        var values = new OrtValue[Inputs.Length];
        try
        {
            for (var i = 0; i < Inputs.Length; i++)
            {
                values[i] = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, Inputs[i].ElementType, ShapeOf(Inputs[i], rows.Sum()));
                CopyInto(tasks, i, values[i].GetTensorMutableRawData());
            }

            return values;
        }
        catch
        {
            DisposeAll(values);
            throw;
        }
    }

    public void Dispose()
    {
        Session.Dispose();
        _runOptions.Dispose();
    }

    /// <summary>How many batch rows each task holds; every input of a task must agree.</summary>
    private int[] RowsOf(IReadOnlyList<ReadOnlyMemory<byte>[]> tasks)
    {
        var rows = new int[tasks.Count];
        for (var t = 0; t < tasks.Count; t++)
        {
            if (tasks[t].Length != Inputs.Length)
            {
                throw new ArgumentException($"Task {t} has {tasks[t].Length} inputs; the model takes {Inputs.Length}.", nameof(tasks));
            }

            for (var i = 0; i < Inputs.Length; i++)
            {
                var spec = Inputs[i];
                var length = tasks[t][i].Length;
                var count = length / spec.ByteLength;
                var rowsAllowed = Mode == BatchMode.Stacked && spec.HasUnitBatch;
                if (count < 1 || count * spec.ByteLength != length || (count > 1 && !rowsAllowed) || (i > 0 && count != rows[t]))
                {
                    throw new ArgumentException($"Input '{spec.Name}' of task {t} has {length} bytes; its shape and type need {spec.ByteLength}{(rowsAllowed ? " per row" : "")}.", nameof(tasks));
                }

                rows[t] = (int)count;
            }
        }

        return rows;
    }

    /// <summary>
    /// The tasks' inputs side by side, in pinned buffers kept from earlier batches: a fresh native
    /// allocation per batch costs the kernel a page fault per 4 KiB, as much as the copy itself
    /// for a batch of images, and on a GPU the host's copy is what the device waits for.
    /// </summary>
    private byte[][][] RunStacked(IReadOnlyList<ReadOnlyMemory<byte>[]> tasks, int[] rows)
    {
        var total = rows.Sum();
        var buffers = new byte[Inputs.Length][];
        var values = new OrtValue[Inputs.Length];
        try
        {
            for (var i = 0; i < Inputs.Length; i++)
            {
                var shape = ShapeOf(Inputs[i], total);
                var bytes = checked((int)(shape.Aggregate(1L, (a, d) => a * d) * OrtTensorSpec.ElementSize(Inputs[i].ElementType)));
                buffers[i] = Rent(i, bytes);
                Gather(tasks, i, buffers[i]);
                // The pinned heap never moves an array, so its address stays valid for the run.
                values[i] = OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, Inputs[i].ElementType, shape, Marshal.UnsafeAddrOfPinnedArrayElement(buffers[i], 0), bytes);
            }

            if (Device.Kind == DeviceKind.Cuda)
            {
                return RunBound(values, rows);
            }

            using var outputs = Session.Run(_runOptions, _inputNames, values, _outputNames);
            return Split(outputs, rows);
        }
        finally
        {
            DisposeAll(values);
            for (var i = 0; i < Inputs.Length; i++)
            {
                if (buffers[i] is { } buffer && _buffers[i].Count < KeptBuffers)
                {
                    _buffers[i].Add(buffer);
                }
            }
        }
    }

    /// <summary>A kept buffer of at least this many bytes, or a new one (allocated on the pinned heap, never moved).</summary>
    private byte[] Rent(int input, int bytes)
    {
        var kept = _buffers[input];
        for (var tries = kept.Count; tries > 0 && kept.TryTake(out var buffer); tries--)
        {
            if (buffer.Length >= bytes)
            {
                return buffer;
            }
        }

        return GC.AllocateUninitializedArray<byte>(bytes, pinned: true);
    }

    /// <summary>Copies input <paramref name="input"/> of every task into <paramref name="target"/>, one after another.</summary>
    private static void CopyInto(IReadOnlyList<ReadOnlyMemory<byte>[]> tasks, int input, Span<byte> target)
    {
        var offset = 0;
        foreach (var task in tasks)
        {
            task[input].Span.CopyTo(target[offset..]);
            offset += task[input].Length;
        }
    }

    /// <summary>As <see cref="CopyInto"/>, with the tasks copied by several threads once a batch is large (a batch of 64 images is 38 MB).</summary>
    private static void Gather(IReadOnlyList<ReadOnlyMemory<byte>[]> tasks, int input, byte[] target)
    {
        var offsets = new int[tasks.Count + 1];
        for (var t = 0; t < tasks.Count; t++)
        {
            offsets[t + 1] = offsets[t] + tasks[t][input].Length;
        }

        if (offsets[^1] <= ParallelCopyBytes || tasks.Count == 1)
        {
            CopyInto(tasks, input, target);
            return;
        }

        Parallel.For(0, tasks.Count, t => tasks[t][input].Span.CopyTo(target.AsSpan(offsets[t])));
    }

    private static long[] ShapeOf(OrtTensorSpec spec, int rows) => spec.HasUnitBatch ? spec.BatchShape(rows) : spec.Shape;

    private static void DisposeAll(OrtValue?[] values)
    {
        foreach (var value in values)
        {
            value?.Dispose();
        }
    }

    /// <summary>On CUDA, binding lets ONNX Runtime copy inputs in and outputs out once, without intermediate managed copies.</summary>
    private byte[][][] RunBound(OrtValue[] inputs, int[] rows)
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
        return Split(outputs, rows);
    }

    private byte[][][] Split(IReadOnlyList<OrtValue> outputs, int[] rows)
    {
        var total = rows.Sum();
        var results = new byte[rows.Length][][];
        for (var t = 0; t < rows.Length; t++)
        {
            results[t] = new byte[Outputs.Length][];
        }

        for (var o = 0; o < Outputs.Length; o++)
        {
            var data = outputs[o].GetTensorMutableRawData();
            var rowBytes = data.Length / total;
            if (rowBytes * total != data.Length || rowBytes != Outputs[o].ByteLength)
            {
                throw new InvalidOperationException($"Output '{Outputs[o].Name}' has {data.Length} bytes for {total} rows; expected {Outputs[o].ByteLength} per row.");
            }

            var offset = 0;
            for (var t = 0; t < rows.Length; t++)
            {
                var length = rows[t] * rowBytes;
                // Uninitialised: each byte is written at once, and a large output would otherwise be zeroed first.
                var copy = GC.AllocateUninitializedArray<byte>(length);
                data.Slice(offset, length).CopyTo(copy);
                results[t][o] = copy;
                offset += length;
            }
        }

        return results;
    }

    private bool ProbeBatching()
    {
        var random = new Random(20261127);
        var tasks = Enumerable.Range(0, 2).Select(_ => Inputs.Select(spec => ProbeInput(spec, random)).ToArray()).ToArray();
        var batched = RunStacked(tasks, [1, 1]);
        for (var t = 0; t < tasks.Length; t++)
        {
            var single = RunStacked([tasks[t]], [1])[0];
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
