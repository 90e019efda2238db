using Exchange.Core.Hashing;
using Exchange.Inference.Engine;

namespace Exchange.Node.Models;

/// <summary>The models a node can run: the inference engine's registry, one runner per model id.</summary>
public sealed class ModelCatalog(InferenceEngine engine)
{
    /// <summary>The engine.</summary>
    public InferenceEngine Engine { get; } = engine;

    /// <summary>A runner for model <paramref name="modelId"/>, or null when the registry does not know it.</summary>
    public ModelRunner? Find(Bytes32 modelId) =>
        Engine.Registry.Find(modelId) is { } entry ? new ModelRunner(Engine, entry.Card) : null;

    /// <summary>A runner for the model with this name or id.</summary>
    /// <exception cref="Exchange.Inference.Models.UnknownModelException">No such model.</exception>
    public ModelRunner Resolve(string nameOrId) => new(Engine, Engine.Registry.Resolve(nameOrId).Card);
}
