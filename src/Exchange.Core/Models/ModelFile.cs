using Exchange.Core.Hashing;

namespace Exchange.Core.Models;

/// <summary>The ONNX file a model card names: its file name and the keccak256 of its exact bytes.</summary>
/// <param name="File">The file name (no directories), e.g. <c>resnet18.onnx</c>.</param>
/// <param name="Keccak256">keccak256 of the ONNX file's bytes; also its blob address.</param>
public sealed record ModelFile(string File, Bytes32 Keccak256);
