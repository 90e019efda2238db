using Exchange.Core.Models;
using Exchange.Core.Tensors;
using Exchange.Inference.Engine;

namespace Exchange.Node.Models;

/// <summary>Runs tasks of one model card on the inference engine; tasks handed over together are batched by the engine.</summary>
public sealed class ModelRunner(InferenceEngine engine, ModelCard card)
{
    /// <summary>The model's card.</summary>
    public ModelCard Card { get; } = card;

    /// <summary>Runs the tasks (each the card's inputs in order) and returns each task's outputs, in order.</summary>
    public async Task<IReadOnlyList<IReadOnlyList<Tensor>>> RunAsync(IReadOnlyList<IReadOnlyList<Tensor>> tasks, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        var running = tasks.Select(inputs => engine.RunAsync(Card, inputs, cancellationToken)).ToArray();
        var outputs = await Task.WhenAll(running).ConfigureAwait(false);
        return outputs;
    }
}
