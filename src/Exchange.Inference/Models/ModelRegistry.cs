using Exchange.Core.Hashing;
using Exchange.Core.Models;
using Exchange.Inference.Devices;
using Exchange.Inference.Runtime;
using Exchange.Inference.Text;

namespace Exchange.Inference.Models;

/// <summary>
/// Resolves a model name or id to its card and ONNX file: the built-in models first, then the local
/// <see cref="ModelStore"/>. Adding a model checks the file against the card's hash and the card
/// against the graph, so a stored card always describes a file the engine can run.
/// </summary>
public sealed class ModelRegistry
{
    /// <summary>Creates a registry over a store.</summary>
    public ModelRegistry(ModelStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        Store = store;
    }

    /// <summary>The local store behind the registry.</summary>
    public ModelStore Store { get; }

    /// <summary>The built-in models, then the store's, each id once.</summary>
    public IReadOnlyList<ModelEntry> List()
    {
        var entries = BuiltInModels.Entries.ToList();
        foreach (var card in Store.ReadCards())
        {
            var id = card.ModelId;
            if (entries.All(e => e.ModelId != id))
            {
                entries.Add(new ModelEntry(card, id, BuiltIn: false));
            }
        }

        return entries;
    }

    /// <summary>Finds a model by id (<c>0x</c> + 64 hex digits) or by name.</summary>
    /// <exception cref="UnknownModelException">No model has that id or name, or several stored versions share the name.</exception>
    public ModelEntry Resolve(string nameOrId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nameOrId);
        if (nameOrId.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            var entries = List();
            return Bytes32.TryParse(nameOrId, out var id) && entries.FirstOrDefault(e => e.ModelId == id) is { } byId
                ? byId
                : throw new UnknownModelException($"No model has the id {nameOrId}; known: {Known(entries.Select(e => e.Name))}.");
        }

        // Stored models never take a built-in name, so a built-in name needs only that model built.
        if (BuiltInModels.Find(nameOrId) is { } builtIn)
        {
            return builtIn;
        }

        var stored = Store.ReadCards();
        var named = stored.Where(c => c.Name == nameOrId).Select(c => new ModelEntry(c, c.ModelId, BuiltIn: false)).DistinctBy(e => e.ModelId).ToList();
        return named.Count switch
        {
            1 => named[0],
            0 => throw new UnknownModelException($"Unknown model '{nameOrId}'; known: {Known(BuiltInModels.Names.Concat(stored.Select(c => c.Name)))}."),
            _ => throw new UnknownModelException($"Several models are named '{nameOrId}' ({string.Join(", ", named.Select(e => $"version {e.Card.Version}: {e.ModelId}"))}); give the model id."),
        };
    }

    /// <summary>
    /// Finds a model by id; null when unknown. A built-in model is found by its pinned id and only
    /// it is built: building every one would read, edit and hash a few hundred megabytes that the
    /// node never runs, and keep them. Then the store's cards.
    /// </summary>
    public ModelEntry? Find(Bytes32 modelId) =>
        BuiltInModels.Find(modelId)
        ?? Store.ReadCards().Where(c => c.ModelId == modelId).Select(c => new ModelEntry(c, modelId, BuiltIn: false)).FirstOrDefault();

    /// <summary>The ONNX bytes a card names, from the built-in models or the store, checked against the card's hash.</summary>
    /// <exception cref="FileNotFoundException">Neither has the file.</exception>
    public byte[] ReadModelFile(ModelCard card)
    {
        ArgumentNullException.ThrowIfNull(card);
        var hash = card.Model.Keccak256;
        // A stored model's file is read from the store without building the built-in models to look through them first.
        return BuiltInModels.Find(card.ModelId) is null && Store.HasFile(hash)
            ? Store.ReadFile(hash)
            : BuiltInModels.FileBytes(hash) ?? Store.ReadFile(hash);
    }

    /// <summary>A file a card's preprocessing names by hash (a tokenizer vocabulary), from the built-in models or the store.</summary>
    /// <exception cref="FileNotFoundException">Neither has the file.</exception>
    public byte[] ReadAsset(Bytes32 keccak256) => BuiltInModels.AssetBytes(keccak256) ?? Store.ReadAsset(keccak256);

    /// <summary>
    /// Adds an ONNX file and its card to the store, with the files its preprocessing names (a text
    /// card's vocabulary), and returns the entry (with the model id).
    /// </summary>
    /// <exception cref="ModelCardException">The file's hash is not the card's, the card does not describe the graph, its preprocessing does not fit its inputs or lacks a file, or the name is a built-in one.</exception>
    /// <exception cref="Microsoft.ML.OnnxRuntime.OnnxRuntimeException">ONNX Runtime cannot load the file.</exception>
    public ModelEntry Add(byte[] onnx, ModelCard card, IReadOnlyList<byte[]>? assets = null)
    {
        ArgumentNullException.ThrowIfNull(onnx);
        ArgumentNullException.ThrowIfNull(card);
        card.Validate();
        if (BuiltInModels.Names.Contains(card.Name))
        {
            throw new ModelCardException("name", $"\"{card.Name}\" is a built-in model's name; choose another", null);
        }

        var hash = Keccak.Hash(onnx);
        if (hash != card.Model.Keccak256)
        {
            throw new ModelCardException("model.keccak256", $"is {card.Model.Keccak256} but the ONNX file hashes to {hash}", null);
        }

        var (session, _) = SessionFactory.Create(onnx, new SessionSettings(DeviceSpec.Cpu));
        using (session)
        {
            GraphContract.Check(card, session);
        }

        foreach (var asset in assets ?? [])
        {
            Store.WriteAsset(asset);
        }

        CheckPreprocessing(card);
        Store.WriteFile(onnx);
        var id = Store.WriteCard(card);
        return new ModelEntry(card, id, BuiltIn: false);
    }

    /// <summary>A text card must fill exactly its inputs, and its vocabulary must be at hand and build a tokenizer.</summary>
    private void CheckPreprocessing(ModelCard card)
    {
        if (card.Preprocessing.Kind != TextPreprocessing.Kind)
        {
            return;
        }

        try
        {
            TextTokenizer.For(this, card);
        }
        catch (Exception e) when (e is FormatException or FileNotFoundException or InvalidDataException)
        {
            throw new ModelCardException("preprocessing", e.Message, e);
        }
    }

    private static string Known(IEnumerable<string> names) => string.Join(", ", names.Distinct());
}
