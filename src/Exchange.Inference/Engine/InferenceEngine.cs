using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Exchange.Core.Hashing;
using Exchange.Core.Models;
using Exchange.Core.Tensors;
using Exchange.Inference.Devices;
using Exchange.Inference.Models;
using Exchange.Inference.Runtime;

namespace Exchange.Inference.Engine;

/// <summary>
/// Runs tasks on ONNX models: one cached session per model id, a bounded batching queue in front of
/// each, inputs checked against the model card. Thread-safe; dispose it to release the sessions.
/// </summary>
public sealed class InferenceEngine : IAsyncDisposable
{
    private readonly ConcurrentDictionary<Bytes32, Lazy<Task<LoadedModel>>> _models = new();
    private readonly ConditionalWeakTable<ModelCard, StrongBox<Bytes32>> _ids = new();
    private readonly TimeProvider _time;
    private bool _disposed;

    /// <summary>Creates an engine over a registry.</summary>
    public InferenceEngine(ModelRegistry registry, InferenceEngineOptions? options = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        Registry = registry;
        Options = options ?? new InferenceEngineOptions();
        Options.Batching(DeviceKind.Cpu).Validate();
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Where model names, ids and files are resolved.</summary>
    public ModelRegistry Registry { get; }

    /// <summary>The engine's settings.</summary>
    public InferenceEngineOptions Options { get; }

    /// <summary>Runs one task on the model with this name or id.</summary>
    /// <exception cref="UnknownModelException">No such model.</exception>
    /// <exception cref="TensorInputException">The inputs are not valid for the card (<see cref="TaskInputs"/>).</exception>
    public Task<Tensor[]> RunAsync(string model, IReadOnlyList<Tensor> inputs, CancellationToken cancellationToken) =>
        RunAsync(Registry.Resolve(model).Card, inputs, cancellationToken);

    /// <summary>Runs one task on the model with this id.</summary>
    /// <exception cref="UnknownModelException">No such model.</exception>
    /// <exception cref="TensorInputException">The inputs are not valid for the card (<see cref="TaskInputs"/>).</exception>
    public Task<Tensor[]> RunAsync(Bytes32 modelId, IReadOnlyList<Tensor> inputs, CancellationToken cancellationToken) =>
        RunAsync((Registry.Find(modelId) ?? throw new UnknownModelException($"No model has the id {modelId}.")).Card, inputs, cancellationToken);

    /// <summary>
    /// Runs one task: the card's inputs, in its order, give the card's outputs. Tasks arriving
    /// together are batched. The card's ONNX file must be built in or in the registry's store.
    /// </summary>
    /// <exception cref="TensorInputException">The inputs are not valid for the card (<see cref="TaskInputs"/>).</exception>
    /// <exception cref="Devices.CudaUnavailableException">CUDA was required and cannot be used.</exception>
    public async Task<Tensor[]> RunAsync(ModelCard card, IReadOnlyList<Tensor> inputs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(card);
        ArgumentNullException.ThrowIfNull(inputs);
        CheckInputs(card, inputs);
        var model = await GetAsync(card, cancellationToken).ConfigureAwait(false);
        var payloads = new ReadOnlyMemory<byte>[inputs.Count];
        for (var i = 0; i < inputs.Count; i++)
        {
            payloads[i] = inputs[i].Data;
        }

        var outputs = await model.Queue.RunAsync(payloads, cancellationToken).ConfigureAwait(false);
        return ToTensors(card, outputs);
    }

    /// <summary>Loads a model ahead of its first task (sessions load once per model id) and tells where it runs.</summary>
    public async Task<LoadedModelInfo> LoadAsync(ModelCard card, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(card);
        var model = await GetAsync(card, cancellationToken).ConfigureAwait(false);
        return model.Info;
    }

    /// <summary>Batches and tasks run so far for a loaded model; null when it is not loaded.</summary>
    public (long Batches, long Tasks)? Counters(Bytes32 modelId) =>
        _models.TryGetValue(modelId, out var lazy) && lazy.IsValueCreated && lazy.Value.IsCompletedSuccessfully
            ? (lazy.Value.Result.Queue.Batches, lazy.Value.Result.Queue.Tasks)
            : null;

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var lazy in _models.Values)
        {
            if (lazy.IsValueCreated && lazy.Value.IsCompletedSuccessfully)
            {
                var model = lazy.Value.Result;
                await model.Queue.DisposeAsync().ConfigureAwait(false);
                model.Onnx.Dispose();
            }
        }

        _models.Clear();
    }

    internal async Task<OnnxModel> OnnxModelAsync(ModelCard card, CancellationToken cancellationToken) =>
        (await GetAsync(card, cancellationToken).ConfigureAwait(false)).Onnx;

    private async Task<LoadedModel> GetAsync(ModelCard card, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        // The id hashes the card's canonical JSON: once per card object, not once per task.
        var id = _ids.GetValue(card, c => new StrongBox<Bytes32>(c.ModelId)).Value;
        var lazy = _models.GetOrAdd(id, _ => new Lazy<Task<LoadedModel>>(() => Task.Run(() => Load(card, id), CancellationToken.None)));
        try
        {
            return await lazy.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (lazy.Value.IsFaulted)
        {
            // A failed load is not cached: the file may arrive in the store, or the device recover.
            _models.TryRemove(new KeyValuePair<Bytes32, Lazy<Task<LoadedModel>>>(id, lazy));
            throw;
        }
    }

    private LoadedModel Load(ModelCard card, Bytes32 id)
    {
        var bytes = Registry.ReadModelFile(card);
        var onnx = OnnxModel.Load(bytes, Options.Session);
        try
        {
            GraphContract.Check(card, onnx.Session);
            var batching = Options.Batching(onnx.Device.Kind);
            var queue = new BatchingQueue(onnx, batching, _time);
            return new LoadedModel(onnx, queue, new LoadedModelInfo(id, onnx.Device, onnx.Mode, batching.MaxBatchSize));
        }
        catch
        {
            onnx.Dispose();
            throw;
        }
    }

    private static void CheckInputs(ModelCard card, IReadOnlyList<Tensor> inputs)
    {
        if (TaskInputs.Problem(card, inputs) is { } problem)
        {
            throw new TensorInputException($"Model '{card.Name}': {problem}.");
        }
    }

    private static Tensor[] ToTensors(ModelCard card, byte[][] outputs)
    {
        var tensors = new Tensor[outputs.Length];
        for (var o = 0; o < outputs.Length; o++)
        {
            var spec = card.Outputs[o];
            var shape = spec.Shape.ToArray();
            if (shape.Length > 0 && shape[0] == TensorSpec.DynamicDimension)
            {
                var rowBytes = shape.Skip(1).Aggregate((long)spec.DType.Size(), (a, d) => a * d);
                shape[0] = rowBytes == 0 ? 0 : outputs[o].Length / rowBytes;
            }

            // The array is this task's own, fresh from the runtime's output: the tensor keeps it.
            tensors[o] = Tensor.FromOwnedBytes(spec.DType, [.. shape], outputs[o]);
        }

        return tensors;
    }

    private sealed record LoadedModel(OnnxModel Onnx, BatchingQueue Queue, LoadedModelInfo Info);
}
