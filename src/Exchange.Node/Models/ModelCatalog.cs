using Exchange.Core.Hashing;
using Exchange.Core.Models;
using Exchange.Inference.Engine;
using Exchange.Inference.Onnx;

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

    /// <summary>
    /// The cheaper stand-in of <paramref name="model"/> for <c>--cheat other-model</c> (see
    /// <see cref="CheaperModels.Derive"/>): derived from the real model's ONNX file, added to the model
    /// store under <c>&lt;name&gt;-cheat-&lt;edit&gt;</c> with the real card's inputs, outputs and policy,
    /// so the engine runs it like any other model.
    /// </summary>
    /// <exception cref="InvalidDataException">The model's file is not an ONNX graph the cheat can edit.</exception>
    public ModelRunner CheaperStandIn(ModelRunner model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var real = model.Card;
        var (edit, onnx) = CheaperModels.Derive(Engine.Registry.ReadModelFile(real));
        var name = $"{real.Name}-cheat-{edit}";
        var card = real with
        {
            Name = name,
            Description = $"{real.Name} with {edit}: a dishonest provider's stand-in (demo and tests only)",
            Model = new ModelFile(name + ".onnx", Keccak.Hash(onnx)),
        };
        return new ModelRunner(Engine, Engine.Registry.Add(onnx, card).Card);
    }
}
