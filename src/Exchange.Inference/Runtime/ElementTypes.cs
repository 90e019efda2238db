using Exchange.Core.Tensors;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Exchange.Inference.Runtime;

/// <summary>Maps the core's tensor element types to ONNX Runtime's.</summary>
internal static class ElementTypes
{
    public static TensorDType? ToDType(TensorElementType type) => type switch
    {
        TensorElementType.Float => TensorDType.Float32,
        TensorElementType.Float16 => TensorDType.Float16,
        TensorElementType.Int64 => TensorDType.Int64,
        TensorElementType.Int32 => TensorDType.Int32,
        TensorElementType.UInt8 => TensorDType.UInt8,
        TensorElementType.Bool => TensorDType.Bool,
        _ => null,
    };
}
