using System.Globalization;
using Exchange.Core.Tensors;

namespace Exchange.Core.Models;

/// <summary>A model input or output as a model card declares it: name, element type and shape.</summary>
/// <param name="Name">The ONNX graph's input or output name.</param>
/// <param name="DType">The element type.</param>
/// <param name="Shape">Dimensions; <see cref="DynamicDimension"/> (-1) where any size is accepted (e.g. the batch).</param>
public sealed record TensorSpec(string Name, TensorDType DType, EquatableArray<long> Shape)
{
    /// <summary>The shape entry for a dimension of any size.</summary>
    public const long DynamicDimension = -1;

    /// <summary>Why a tensor does not fit this spec, or null when it does.</summary>
    /// <param name="tensor">The tensor.</param>
    /// <returns>A sentence naming what was expected and what was found, or null.</returns>
    public string? Mismatch(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        var fits = tensor.DType == DType
            && tensor.Shape.Length == Shape.Count
            && Enumerable.Range(0, Shape.Count).All(i => Shape[i] == DynamicDimension || Shape[i] == tensor.Shape[i]);
        return fits ? null : $"'{Name}' expects {this}, got {tensor}";
    }

    /// <summary>Type and shape, with <c>?</c> for dynamic dimensions.</summary>
    /// <returns>For example <c>float32[?, 3, 224, 224]</c>.</returns>
    public override string ToString() =>
        $"{DType.Name()}[{string.Join(", ", Shape.Select(d => d == DynamicDimension ? "?" : d.ToString(CultureInfo.InvariantCulture)))}]";
}
