using Exchange.Core.Hashing;

namespace Exchange.Core.Manifests;

/// <summary>A named tensor of a task: the model input or output name and the address of its <c>.npy</c> blob.</summary>
/// <param name="Name">The model card's input or output name.</param>
/// <param name="Hash">The <see cref="BlobAddress"/> of the <c>.npy</c> file's bytes (sealed bytes in an encrypted job).</param>
public sealed record BlobRef(string Name, Bytes32 Hash);
