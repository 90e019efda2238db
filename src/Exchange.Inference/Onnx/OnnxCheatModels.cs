using System.Buffers.Binary;

namespace Exchange.Inference.Onnx;

/// <summary>
/// Cheaper variants of a model that a dishonest provider could run instead of the real one; the
/// calibration checks that the verification policy rejects their outputs.
/// </summary>
internal static class OnnxCheatModels
{
    private const int ModelGraph = 7;
    private const int GraphNode = 1;
    private const int GraphInitializer = 5;
    private const int NodeInput = 1;
    private const int NodeOutput = 2;
    private const int NodeOpType = 4;
    private const int TensorDataType = 2;
    private const int TensorFloatData = 4;
    private const int TensorRawData = 9;
    private const int FloatType = 1;

    /// <summary>
    /// Skips the last residual block: its final <c>Add</c> of a shortcut and a branch computed from
    /// that shortcut passes the shortcut through and drops the branch (the convolutions of a ResNet
    /// block, the feed-forward layers of a transformer layer), which ONNX Runtime then prunes as dead code.
    /// </summary>
    /// <exception cref="InvalidDataException">The graph has no <c>Add</c> of a tensor and a branch computed from it.</exception>
    public static byte[] SkipLastResidualBlock(byte[] model)
    {
        var root = ProtoMessage.Parse(model);
        var graph = root.Child(ModelGraph) ?? throw new InvalidDataException("ONNX model has no graph.");
        var nodes = graph.All(GraphNode).Select(n => ProtoMessage.Parse(n.Bytes)).ToList();
        var producers = new Dictionary<string, ProtoMessage>(StringComparer.Ordinal);
        foreach (var node in nodes)
        {
            foreach (var output in node.All(NodeOutput))
            {
                producers[output.AsText()] = node;
            }
        }

        // A residual join adds two computed tensors (not weights, not constants) where one feeds the other.
        bool Computed(string tensor) => producers.TryGetValue(tensor, out var producer) && producer.Text(NodeOpType) != "Constant";
        string? Shortcut(ProtoMessage add)
        {
            var inputs = add.All(NodeInput).Select(f => f.AsText()).ToList();
            if (add.Text(NodeOpType) != "Add" || inputs.Count != 2 || !inputs.All(Computed))
            {
                return null;
            }

            return FeedsInto(inputs[0], inputs[1], producers) ? inputs[0] : FeedsInto(inputs[1], inputs[0], producers) ? inputs[1] : null;
        }

        var index = graph.Fields.FindLastIndex(f => f.Number == GraphNode && Shortcut(ProtoMessage.Parse(f.Bytes)) is not null);
        if (index < 0)
        {
            throw new InvalidDataException("ONNX model has no residual Add (a tensor plus a branch computed from it): it has no residual block to skip.");
        }

        var add = ProtoMessage.Parse(graph.Fields[index].Bytes);
        var shortcut = Shortcut(add)!;
        add.Map(NodeOpType, _ => ProtoField.Text(NodeOpType, "Identity"));
        add.Map(NodeInput, f => f.AsText() == shortcut ? f : null);
        graph.Fields[index] = ProtoField.Message(GraphNode, add.ToBytes());
        root.Map(ModelGraph, _ => ProtoField.Message(ModelGraph, graph.ToBytes()));
        return root.ToBytes();
    }

    /// <summary>Rounds every float weight to 8 bits (symmetric, one scale per tensor), as a quantised model would.</summary>
    public static byte[] QuantizeWeightsToInt8(byte[] model)
    {
        var root = ProtoMessage.Parse(model);
        var graph = root.Child(ModelGraph) ?? throw new InvalidDataException("ONNX model has no graph.");
        graph.Map(GraphInitializer, field =>
        {
            var tensor = ProtoMessage.Parse(field.Bytes);
            if (tensor.First(TensorDataType) is not { Varint: FloatType })
            {
                return field;
            }

            tensor.Map(TensorRawData, raw => ProtoField.Message(TensorRawData, Quantize(raw.Bytes.ToArray())));
            tensor.Map(TensorFloatData, packed => ProtoField.Message(TensorFloatData, Quantize(packed.Bytes.ToArray())));
            return ProtoField.Message(GraphInitializer, tensor.ToBytes());
        });
        root.Map(ModelGraph, _ => ProtoField.Message(ModelGraph, graph.ToBytes()));
        return root.ToBytes();
    }

    /// <summary>Whether <paramref name="source"/> is among the tensors <paramref name="target"/> is computed from.</summary>
    private static bool FeedsInto(string source, string target, Dictionary<string, ProtoMessage> producers)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([target]);
        while (pending.TryPop(out var tensor))
        {
            if (tensor == source)
            {
                return true;
            }

            if (seen.Add(tensor) && producers.TryGetValue(tensor, out var producer))
            {
                foreach (var input in producer.All(NodeInput))
                {
                    pending.Push(input.AsText());
                }
            }
        }

        return false;
    }

    private static byte[] Quantize(byte[] littleEndianFloats)
    {
        var count = littleEndianFloats.Length / 4;
        var max = 0f;
        for (var i = 0; i < count; i++)
        {
            max = Math.Max(max, Math.Abs(BinaryPrimitives.ReadSingleLittleEndian(littleEndianFloats.AsSpan(4 * i))));
        }

        if (max == 0)
        {
            return littleEndianFloats;
        }

        var scale = max / 127f;
        for (var i = 0; i < count; i++)
        {
            var span = littleEndianFloats.AsSpan(4 * i);
            BinaryPrimitives.WriteSingleLittleEndian(span, MathF.Round(BinaryPrimitives.ReadSingleLittleEndian(span) / scale) * scale);
        }

        return littleEndianFloats;
    }
}
