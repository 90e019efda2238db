using Exchange.Core.Hashing;
using Exchange.Core.Models;

namespace Exchange.Inference.Models;

/// <summary>A model the registry knows: its card, its id and where its ONNX file lives.</summary>
/// <param name="Card">The model card.</param>
/// <param name="ModelId">keccak256 of the card's canonical JSON.</param>
/// <param name="BuiltIn">Whether it ships with the program.</param>
public sealed record ModelEntry(ModelCard Card, Bytes32 ModelId, bool BuiltIn)
{
    /// <summary>The card's name.</summary>
    public string Name => Card.Name;
}
