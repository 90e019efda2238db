using System.Text;
using Exchange.Core.Hashing;

namespace Exchange.Core.Models;

/// <summary>
/// A model card: the ONNX file by hash, its inputs and outputs, preprocessing, and the
/// verification policy. <see cref="ModelId"/> = keccak256(<see cref="ToCanonicalJson"/>), so one id
/// commits to the model and to how its results are checked. The JSON shape is in docs/manifests.md.
/// </summary>
/// <param name="Name">Short name, e.g. <c>resnet18</c>.</param>
/// <param name="Version">The card's version, e.g. <c>1</c>; a new version is a new model id.</param>
/// <param name="Description">Free text, or null to leave it out.</param>
/// <param name="Model">The ONNX file.</param>
/// <param name="Inputs">The model's inputs, in the graph's order; names unique.</param>
/// <param name="Outputs">The model's outputs, in the graph's order; names unique.</param>
/// <param name="Preprocessing">How raw inputs become input tensors.</param>
/// <param name="Classifier">Whether each output row holds class scores (enables top-1 agreement).</param>
/// <param name="Verification">The policy a verifier applies to every output tensor.</param>
public sealed record ModelCard(
    string Name,
    string Version,
    string? Description,
    ModelFile Model,
    EquatableArray<TensorSpec> Inputs,
    EquatableArray<TensorSpec> Outputs,
    Preprocessing Preprocessing,
    bool Classifier,
    VerificationPolicy Verification)
{
    /// <summary>keccak256 of the canonical JSON bytes: the id the chain knows the model by.</summary>
    /// <exception cref="ModelCardException">The card is invalid.</exception>
    public Bytes32 ModelId => Keccak.Hash(ToCanonicalJson());

    /// <summary>Parses and validates a model card.</summary>
    /// <param name="utf8Json">UTF-8 JSON text.</param>
    /// <returns>The card.</returns>
    /// <exception cref="ModelCardException">The text is not JSON or the card is invalid; <see cref="ModelCardException.Field"/> names the field.</exception>
    public static ModelCard Parse(ReadOnlySpan<byte> utf8Json) => ModelCardJson.Read(utf8Json);

    /// <summary>Parses and validates a model card.</summary>
    /// <param name="json">JSON text.</param>
    /// <returns>The card.</returns>
    /// <exception cref="ModelCardException">The text is not JSON or the card is invalid; <see cref="ModelCardException.Field"/> names the field.</exception>
    public static ModelCard Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return Parse(Encoding.UTF8.GetBytes(json));
    }

    /// <summary>The canonical JSON bytes (sorted keys, no whitespace; see <see cref="Json.CanonicalJson"/>).</summary>
    /// <returns>The bytes whose keccak256 is the model id.</returns>
    /// <exception cref="ModelCardException">The card is invalid (the same checks as <see cref="Parse(string)"/>).</exception>
    public byte[] ToCanonicalJson()
    {
        var bytes = ModelCardJson.Write(this);
        ModelCardJson.Read(bytes);
        return bytes;
    }

    /// <summary>Checks the card as <see cref="Parse(string)"/> would.</summary>
    /// <exception cref="ModelCardException">The card is invalid; <see cref="ModelCardException.Field"/> names the field.</exception>
    public void Validate() => ToCanonicalJson();
}
