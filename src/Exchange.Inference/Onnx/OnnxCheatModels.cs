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
    /// Skips the last residual block: its final <c>Add</c> passes the shortcut through and drops the
    /// block's convolutions, which ONNX Runtime then prunes as dead code.
    /// </summary>
    /// <exception cref="InvalidDataException">The graph has no residual <c>Add</c> fed by a <c>BatchNormalization</c>.</exception>
    public static byte[] SkipLastResidualBlock(byte[] model)
    {
        var root = ProtoMessage.Parse(model);
        var graph = root.Child(ModelGraph) ?? throw new InvalidDataException("ONNX model has no graph.");
        var producers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var node in graph.All(GraphNode).Select(n => ProtoMessage.Parse(n.Bytes)))
        {
            foreach (var output in node.All(NodeOutput))
            {
                producers[output.AsText()] = node.Text(NodeOpType) ?? "";
            }
        }

        var index = graph.Fields.FindLastIndex(f => f.Number == GraphNode && ProtoMessage.Parse(f.Bytes).Text(NodeOpType) == "Add");
        if (index < 0)
        {
            throw new InvalidDataException("ONNX model has no Add node: it has no residual block to skip.");
        }

        var add = ProtoMessage.Parse(graph.Fields[index].Bytes);
        var inputs = add.All(NodeInput).Select(f => f.AsText()).ToList();
        var shortcut = inputs.FirstOrDefault(i => producers.GetValueOrDefault(i) != "BatchNormalization");
        if (inputs.Count != 2 || shortcut is null || inputs.All(i => producers.GetValueOrDefault(i) != "BatchNormalization"))
        {
            throw new InvalidDataException("The last Add node is not a residual join of a block and its shortcut.");
        }

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
