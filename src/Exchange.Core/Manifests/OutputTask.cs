using Exchange.Core.Hashing;

namespace Exchange.Core.Manifests;

/// <summary>One task of an output manifest: its index and its output tensors, in the model card's output order.</summary>
/// <param name="Index">The task's position in the job, from 0.</param>
/// <param name="Outputs">One blob per model output, in the card's order.</param>
public sealed record OutputTask(int Index, EquatableArray<BlobRef> Outputs)
{
    /// <summary>
    /// <c>outputHash_i</c>: the blob hash itself for a single output; for several, keccak256 of the
    /// canonical JSON of the output list (docs/manifests.md).
    /// </summary>
    public Bytes32 OutputHash => ManifestJson.BlobListHash(Outputs);
}
