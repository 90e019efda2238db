using Exchange.Core;
using Exchange.Core.Models;
using Exchange.Core.Tensors;
using Microsoft.ML.OnnxRuntime;

namespace Exchange.Inference.Runtime;

/// <summary>Checks that a model card describes the ONNX graph it names, and that the engine can batch what it declares.</summary>
internal static class GraphContract
{
    /// <exception cref="ModelCardException">The card and the graph disagree, or the card declares what the engine cannot run.</exception>
    public static void Check(ModelCard card, InferenceSession session)
    {
        Check(card.Inputs, session.InputNames, session.InputMetadata, "inputs");
        Check(card.Outputs, session.OutputNames, session.OutputMetadata, "outputs");
    }

    private static void Check(
        EquatableArray<TensorSpec> specs,
        IReadOnlyList<string> names,
        IReadOnlyDictionary<string, NodeMetadata> metadata,
        string field)
    {
        if (specs.Count != names.Count)
        {
            throw new ModelCardException(field, $"lists {specs.Count} tensors but the ONNX graph has {names.Count}: {string.Join(", ", names)}", null);
        }

        for (var i = 0; i < specs.Count; i++)
        {
            var spec = specs[i];
            var path = $"{field}[{i}]";
            if (spec.Name != names[i])
            {
                throw new ModelCardException($"{path}.name", $"is \"{spec.Name}\" but the ONNX graph's is \"{names[i]}\"", null);
            }

            var node = metadata[names[i]];
            if (!node.IsTensor || ElementTypes.ToDType(node.ElementDataType) is not { } dtype)
            {
                throw new ModelCardException(path, $"'{spec.Name}' is a {node.OnnxValueType} of {node.ElementDataType} in the ONNX graph, which the engine does not run", null);
            }

            if (dtype != spec.DType)
            {
                throw new ModelCardException($"{path}.dtype", $"is {spec.DType.Name()} but the ONNX graph's '{spec.Name}' is {dtype.Name()}", null);
            }

            CheckShape(spec, node.Dimensions, $"{path}.shape");
        }
    }

    private static void CheckShape(TensorSpec spec, int[] graph, string path)
    {
        if (spec.Shape.Count != graph.Length)
        {
            throw new ModelCardException(path, $"has {spec.Shape.Count} dimensions but the ONNX graph's '{spec.Name}' has {graph.Length}", null);
        }

        for (var d = 0; d < graph.Length; d++)
        {
            var declared = spec.Shape[d];
            if (declared == TensorSpec.DynamicDimension && d > 0)
            {
                throw new ModelCardException(path, $"makes dimension {d} of '{spec.Name}' dynamic; the engine batches along the first dimension only, so the others must be fixed", null);
            }

            // A dynamic first dimension over a graph pinned at 1 is what the engine rewrites at load.
            var fits = graph[d] < 0 || declared == graph[d] || (d == 0 && declared == TensorSpec.DynamicDimension && graph[d] == 1);
            if (!fits)
            {
                throw new ModelCardException(path, $"says dimension {d} of '{spec.Name}' is {declared} but the ONNX graph has {graph[d]}", null);
            }
        }
    }
}
