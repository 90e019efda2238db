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
/// task at once through its queue. Rounds alternate the two so that load from other processes
/// hits both alike; each side reports its best round.
/// </summary>
public static class InferenceBenchmark
{
    private const int Rounds = 3;
    private const int DistinctInputs = 8;

    /// <summary>Runs the benchmark for <paramref name="tasks"/> tasks per measurement.</summary>
    public static async Task<BenchResult> RunAsync(ModelRegistry registry, ModelEntry entry, int tasks, InferenceEngineOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentOutOfRangeException.ThrowIfLessThan(tasks, 1);
        await using var engine = new InferenceEngine(registry, options);
        var info = await engine.LoadAsync(entry.Card, cancellationToken).ConfigureAwait(false);
        var model = await engine.OnnxModelAsync(entry.Card, cancellationToken).ConfigureAwait(false);
        var distinct = ModelCalibrator.Inputs(entry.Card, new CalibrationOptions(Math.Min(tasks, DistinctInputs)));
        var inputs = Enumerable.Range(0, tasks).Select(i => distinct[i % distinct.Count]).ToArray();
        var payloads = inputs.Select(task => task.Select(t => t.Data).ToArray()).ToArray();

        var sizes = BatchSizes(model, info.MaxBatchSize, tasks);
        double bestBare = 0, bestEngine = 0;
        var bestSize = sizes[0];
        foreach (var size in sizes)
        {
            Bare(model, payloads, size);
        }

        await EngineAsync(engine, entry, inputs, cancellationToken).ConfigureAwait(false);
        for (var round = 0; round < Rounds; round++)
        {
            foreach (var size in round == 0 ? sizes : [bestSize])
            {
                cancellationToken.ThrowIfCancellationRequested();
                var rate = Bare(model, payloads, size);
                if (rate > bestBare)
                {
                    (bestBare, bestSize) = (rate, size);
                }
            }

            bestEngine = Math.Max(bestEngine, await EngineAsync(engine, entry, inputs, cancellationToken).ConfigureAwait(false));
        }

        return new BenchResult(info.Device.Name, tasks, Math.Round(bestBare, 2), Math.Round(bestEngine, 2), Math.Round(bestEngine / bestBare, 3));
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

    /// <summary>Tasks per second of a plain loop of batch calls, inputs stacked beforehand.</summary>
    private static double Bare(OnnxModel model, ReadOnlyMemory<byte>[][] payloads, int size)
    {
        var batches = payloads.Chunk(size).Select(chunk => model.Stack(chunk)).ToArray();
        try
        {
            var watch = Stopwatch.StartNew();
            foreach (var batch in batches)
            {
                model.RunPrepared(batch);
            }

            return payloads.Length / watch.Elapsed.TotalSeconds;
        }
        finally
        {
            foreach (var value in batches.SelectMany(b => b))
            {
                value.Dispose();
            }
        }
    }

    private static async Task<double> EngineAsync(InferenceEngine engine, ModelEntry entry, Tensor[][] inputs, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(inputs.Select(task => engine.RunAsync(entry.Card, task, cancellationToken))).ConfigureAwait(false);
        return inputs.Length / watch.Elapsed.TotalSeconds;
    }
}
