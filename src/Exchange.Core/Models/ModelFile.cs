using Exchange.Core.Hashing;

namespace Exchange.Core.Models;

/// <summary>
/// A file a model card names (its ONNX graph, a vocabulary): its file name and the keccak256 of its
/// exact bytes. Model files are not blobs: they live in each node's model store, never in the blob
/// store, and this hash is part of the card whose keccak256 is the on-chain model id, so it stays
/// keccak256 while blob addresses are <see cref="BlobAddress"/>.
/// </summary>
/// <param name="File">The file name (no directories), e.g. <c>resnet18.onnx</c>.</param>
/// <param name="Keccak256">keccak256 of the file's bytes.</param>
public sealed record ModelFile(string File, Bytes32 Keccak256);
