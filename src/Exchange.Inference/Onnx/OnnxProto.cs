using System.Buffers.Binary;
using Exchange.Core.Tensors;

namespace Exchange.Inference.Onnx;

/// <summary>
/// Builds the pieces of an ONNX <c>ModelProto</c> on the protobuf wire format (field numbers from
/// onnx.proto): nodes, attributes, initializers, typed graph inputs and outputs, and whole models.
/// With <see cref="OnnxModelEditor"/> it is how graphs are extended here without an ONNX package.
/// </summary>
internal static class OnnxProto
{
    /// <summary>The symbolic name of a dimension given as -1 at position 0.</summary>
    public const string BatchDimension = OnnxModelEditor.BatchDimension;

    public const int ModelIrVersion = 1;
    public const int ModelProducerName = 2;
    public const int ModelGraph = 7;
    public const int ModelOpsetImport = 8;
    public const int GraphNode = 1;
    public const int GraphName = 2;
    public const int GraphInitializer = 5;
    public const int GraphInput = 11;
    public const int GraphOutput = 12;
    public const int GraphValueInfo = 13;
    public const int NodeInput = 1;
    public const int NodeOutput = 2;
    public const int NodeName = 3;
    public const int NodeOpType = 4;
    public const int NodeAttribute = 5;
    public const int AttributeName = 1;
    public const int AttributeFloat = 2;
    public const int AttributeInt = 3;
    public const int AttributeGraph = 6;
    public const int AttributeGraphs = 11;
    public const int AttributeType = 20;
    public const int TensorDims = 1;
    public const int TensorDataType = 2;
    public const int TensorName = 8;
    public const int TensorRawData = 9;
    public const int ValueInfoName = 1;
    public const int ValueInfoType = 2;
    public const int TypeTensor = 1;
    public const int TensorTypeElement = 1;
    public const int TensorTypeShape = 2;
    public const int ShapeDim = 1;
    public const int DimValue = 1;
    public const int DimParam = 2;

    private const int AttributeTypeFloat = 1;
    private const int AttributeTypeInt = 2;

    /// <summary>The IR version written by <see cref="Model"/>: ONNX 1.3's, which every opset used here accepts.</summary>
    private const long DefaultIrVersion = 8;

    /// <summary>The ONNX <c>TensorProto.DataType</c> of an element type.</summary>
    public static int DataType(TensorDType dtype) => dtype switch
    {
        TensorDType.Float32 => 1,
        TensorDType.UInt8 => 2,
        TensorDType.Int32 => 6,
        TensorDType.Int64 => 7,
        TensorDType.Bool => 9,
        TensorDType.Float16 => 10,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "no ONNX data type"),
    };

    /// <summary>A graph node (field <see cref="GraphNode"/>).</summary>
    public static ProtoField Node(string opType, string[] inputs, string[] outputs, string? name = null, params ProtoField[] attributes)
    {
        var fields = inputs.Select(i => ProtoField.Text(NodeInput, i)).Concat(outputs.Select(o => ProtoField.Text(NodeOutput, o))).ToList();
        if (name is not null)
        {
            fields.Add(ProtoField.Text(NodeName, name));
        }

        fields.Add(ProtoField.Text(NodeOpType, opType));
        fields.AddRange(attributes);
        return ProtoField.Message(GraphNode, new ProtoMessage(fields).ToBytes());
    }

    /// <summary>An integer attribute of a node.</summary>
    public static ProtoField IntAttribute(string name, long value) =>
        ProtoField.Message(NodeAttribute, new ProtoMessage(
        [
            ProtoField.Text(AttributeName, name),
            ProtoField.Integer(AttributeInt, value),
            ProtoField.Integer(AttributeType, AttributeTypeInt),
        ]).ToBytes());

    /// <summary>A float attribute of a node.</summary>
    public static ProtoField FloatAttribute(string name, float value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(bytes, value);
        return ProtoField.Message(NodeAttribute, new ProtoMessage(
        [
            ProtoField.Text(AttributeName, name),
            new ProtoField(AttributeFloat, ProtoField.Fixed32Type, 0, bytes),
            ProtoField.Integer(AttributeType, AttributeTypeFloat),
        ]).ToBytes());
    }

    /// <summary>A constant tensor of the graph (field <see cref="GraphInitializer"/>) from its little-endian bytes.</summary>
    public static ProtoField Initializer(string name, TensorDType dtype, long[] dims, ReadOnlySpan<byte> raw)
    {
        var fields = dims.Select(d => ProtoField.Integer(TensorDims, d)).ToList();
        fields.Add(ProtoField.Integer(TensorDataType, DataType(dtype)));
        fields.Add(ProtoField.Text(TensorName, name));
        fields.Add(ProtoField.Message(TensorRawData, raw.ToArray()));
        return ProtoField.Message(GraphInitializer, new ProtoMessage(fields).ToBytes());
    }

    /// <summary>A one-dimensional int64 constant.</summary>
    public static ProtoField Int64Initializer(string name, params long[] values)
    {
        var raw = new byte[values.Length * sizeof(long)];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(raw.AsSpan(i * sizeof(long)), values[i]);
        }

        return Initializer(name, TensorDType.Int64, [values.Length], raw);
    }

    /// <summary>A float32 constant of the given shape.</summary>
    public static ProtoField FloatInitializer(string name, long[] dims, params float[] values)
    {
        var raw = new byte[values.Length * sizeof(float)];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(raw.AsSpan(i * sizeof(float)), values[i]);
        }

        return Initializer(name, TensorDType.Float32, dims, raw);
    }

    /// <summary>A graph input (field <see cref="GraphInput"/>); -1 as the first dimension is the symbolic batch.</summary>
    public static ProtoField Input(string name, TensorDType dtype, params long[] dims) => ProtoField.Message(GraphInput, ValueInfo(name, dtype, dims));

    /// <summary>A graph output (field <see cref="GraphOutput"/>); -1 as the first dimension is the symbolic batch.</summary>
    public static ProtoField Output(string name, TensorDType dtype, params long[] dims) => ProtoField.Message(GraphOutput, ValueInfo(name, dtype, dims));

    /// <summary>
    /// A model of one graph: <paramref name="graph"/> holds its nodes, initializers, inputs and
    /// outputs as built above, in any order; the default-domain opset is <paramref name="opset"/>.
    /// </summary>
    public static byte[] Model(string name, IEnumerable<ProtoField> graph, long opset)
    {
        var fields = graph.ToList();
        fields.Insert(0, ProtoField.Text(GraphName, name));
        var import = new ProtoMessage([ProtoField.Text(1, ""), ProtoField.Integer(2, opset)]).ToBytes();
        return new ProtoMessage(
        [
            ProtoField.Integer(ModelIrVersion, DefaultIrVersion),
            ProtoField.Text(ModelProducerName, "exchange"),
            ProtoField.Message(ModelGraph, new ProtoMessage(fields).ToBytes()),
            ProtoField.Message(ModelOpsetImport, import),
        ]).ToBytes();
    }

    private static byte[] ValueInfo(string name, TensorDType dtype, long[] dims)
    {
        var shape = new ProtoMessage([.. dims.Select((d, i) => ProtoField.Message(ShapeDim, new ProtoMessage(
        [
            d >= 0 ? ProtoField.Integer(DimValue, d) : ProtoField.Text(DimParam, i == 0 ? BatchDimension : $"dim{i}"),
        ]).ToBytes()))]);
        var tensor = new ProtoMessage([ProtoField.Integer(TensorTypeElement, DataType(dtype)), ProtoField.Message(TensorTypeShape, shape.ToBytes())]);
        var type = new ProtoMessage([ProtoField.Message(TypeTensor, tensor.ToBytes())]);
        return new ProtoMessage([ProtoField.Text(ValueInfoName, name), ProtoField.Message(ValueInfoType, type.ToBytes())]).ToBytes();
    }
}
