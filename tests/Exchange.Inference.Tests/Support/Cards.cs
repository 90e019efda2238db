using Exchange.Core.Hashing;
using Exchange.Core.Models;
using Exchange.Core.Tensors;

namespace Exchange.Inference.Tests.Support;

internal static class Cards
{
    /// <summary>A card for a TinyOnnx model with input x and output y of n floats.</summary>
    public static ModelCard Tiny(string name, byte[] onnx, int n, string version = "1", long batch = -1) =>
        new(
            name,
            version,
            null,
            new ModelFile(name + ".onnx", Keccak.Hash(onnx)),
            new[] { new TensorSpec("x", TensorDType.Float32, new[] { batch, n }) },
            new[] { new TensorSpec("y", TensorDType.Float32, new[] { batch, n }) },
            Preprocessing.None,
            Classifier: false,
            ExactPolicy.Instance);
}
