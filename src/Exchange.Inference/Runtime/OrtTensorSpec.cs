using Microsoft.ML.OnnxRuntime.Tensors;

namespace Exchange.Inference.Runtime;

/// <summary>One input or output of a model as one task sees it: name, element type and concrete shape.</summary>
/// <param name="Name">The graph input or output name.</param>
/// <param name="ElementType">The ONNX element type.</param>
/// <param name="Shape">The concrete shape of one task's tensor (a batch dimension, where there is one, is 1).</param>
internal sealed record OrtTensorSpec(string Name, TensorElementType ElementType, long[] Shape)
{
    public long ElementCount => Shape.Aggregate(1L, (a, d) => a * d);

    public long ByteLength => ElementCount * ElementSize(ElementType);

    /// <summary>Whether tasks can be stacked along the first dimension.</summary>
    public bool HasUnitBatch => Shape.Length > 0 && Shape[0] == 1;

    public static int ElementSize(TensorElementType type) => type switch
    {
        TensorElementType.Float or TensorElementType.Int32 or TensorElementType.UInt32 => 4,
        TensorElementType.Double or TensorElementType.Int64 or TensorElementType.UInt64 => 8,
        TensorElementType.Float16 or TensorElementType.BFloat16 or TensorElementType.Int16 or TensorElementType.UInt16 => 2,
        TensorElementType.Int8 or TensorElementType.UInt8 or TensorElementType.Bool => 1,
        _ => throw new NotSupportedException($"Tensor element type {type} is not supported."),
    };

    public long[] BatchShape(int batch)
    {
        var shape = (long[])Shape.Clone();
        shape[0] = batch;
        return shape;
    }
}
