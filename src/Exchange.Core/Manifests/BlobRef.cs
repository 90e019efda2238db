using Exchange.Core.Hashing;

namespace Exchange.Core.Manifests;

/// <summary>A named tensor of a task: the model input or output name and the keccak256 of its <c>.npy</c> blob.</summary>
/// <param name="Name">The model card's input or output name.</param>
/// <param name="Hash">keccak256 of the <c>.npy</c> file's bytes (its blob address).</param>
public sealed record BlobRef(string Name, Bytes32 Hash);
