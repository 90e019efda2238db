using System.Diagnostics;
using Exchange.Core.Tensors;
using Exchange.Inference.Calibration;
using Exchange.Inference.Engine;
using Exchange.Inference.Models;
using Exchange.Inference.Runtime;

namespace Exchange.Inference.Benchmarks;

/// <summary>
/// Measures the engine against bare ONNX Runtime in one run, on one session and the same inputs:
/// bare is a plain loop of pre-stacked batch calls at its best batch size; the engine gets every
/// task at once through its queue. After a pass that picks bare's best batch size, the two take
/// turns (swapping who goes first) for several rounds and each side's time is summed, so that load
/// from other processes falls on both alike.
/// </summary>
public static class InferenceBenchmark
{
    private const int Rounds = 10;
    private const int DistinctInputs = 8;

    /// <summary>Runs the benchmark for <paramref name="tasks"/> tasks per measurement.</summary>
    public static async Task<BenchResult> RunAsync(ModelRegistry registry, ModelEntry entry, int tasks, InferenceEngineOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentOutOfRangeException.ThrowIfLessThan(tasks, 1);
        await using var engine = new InferenceEngine(registry, options);
        var info = await engine.LoadAsync(entry.Card, cancellationToken).ConfigureAwait(false);
        var model = await engine.OnnxModelAsync(entry.Card, cancellationToken).ConfigureAwait(false);
        var distinct = ModelCalibrator.Inputs(registry, entry.Card, new CalibrationOptions(Math.Min(tasks, DistinctInputs)));
        var inputs = Enumerable.Range(0, tasks).Select(i => distinct[i % distinct.Count]).ToArray();
        var payloads = inputs.Select(task => task.Select(t => t.Data).ToArray()).ToArray();

        // Warm-up, and the batch size at which the bare loop is fastest.
        await EngineAsync(engine, entry, inputs, cancellationToken).ConfigureAwait(false);
        var best = BatchSizes(model, info.MaxBatchSize, tasks)
            .Select(size => (Size: size, Time: Bare(model, payloads, size)))
            .MinBy(m => m.Time).Size;

        TimeSpan bare = TimeSpan.Zero, through = TimeSpan.Zero;
        for (var round = 0; round < Rounds; round++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (round % 2 == 0)
            {
                bare += Bare(model, payloads, best);
                through += await EngineAsync(engine, entry, inputs, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                through += await EngineAsync(engine, entry, inputs, cancellationToken).ConfigureAwait(false);
                bare += Bare(model, payloads, best);
            }
        }

        var bareRate = Rounds * tasks / bare.TotalSeconds;
        var engineRate = Rounds * tasks / through.TotalSeconds;
        return new BenchResult(info.Device.Name, tasks, Math.Round(bareRate, 2), Math.Round(engineRate, 2), Math.Round(engineRate / bareRate, 3));
    }

    private static int[] BatchSizes(OnnxModel model, int maxBatch, int tasks)
    {
        if (model.Mode != BatchMode.Stacked)
        {
            return [1];
        }

        var sizes = new List<int>();
        for (var size = 1; size <= Math.Min(maxBatch, tasks); size *= 2)
        {
            sizes.Add(size);
        }

        return [.. sizes];
    }

    /// <summary>Time of a plain loop of batch calls over every task, inputs stacked beforehand.</summary>
    private static TimeSpan Bare(OnnxModel model, ReadOnlyMemory<byte>[][] payloads, int size)
    {
        var batches = payloads.Chunk(size).Select(chunk => model.Stack(chunk)).ToArray();
        try
        {
            var watch = Stopwatch.StartNew();
            foreach (var batch in batches)
            {
                model.RunPrepared(batch);
            }

            return watch.Elapsed;
        }
        finally
        {
            foreach (var value in batches.SelectMany(b => b))
            {
                value.Dispose();
            }
        }
    }

    private static async Task<TimeSpan> EngineAsync(InferenceEngine engine, ModelEntry entry, Tensor[][] inputs, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(inputs.Select(task => engine.RunAsync(entry.Card, task, cancellationToken))).ConfigureAwait(false);
        return watch.Elapsed;
    }
}
