using Exchange.Core.Hashing;

namespace Exchange.Core.Manifests;

/// <summary>One task of a job manifest: its index and its input tensors, in the model card's input order.</summary>
/// <param name="Index">The task's position in the job, from 0.</param>
/// <param name="Inputs">One blob per model input, in the card's order.</param>
public sealed record ManifestTask(int Index, EquatableArray<BlobRef> Inputs)
{
    /// <summary>
    /// <c>inputHash_i</c>: the blob hash itself for a single input; for several, keccak256 of the
    /// canonical JSON of the input list (docs/manifests.md).
    /// </summary>
    public Bytes32 InputHash => ManifestJson.BlobListHash(Inputs);
}
