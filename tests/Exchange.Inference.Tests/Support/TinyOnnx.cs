using System.Buffers.Binary;
using Exchange.Inference.Onnx;

namespace Exchange.Inference.Tests.Support;

/// <summary>Builds small ONNX models byte by byte (field numbers from onnx.proto) for tests of graph edits and batching.</summary>
internal static class TinyOnnx
{
    /// <summary>y = Reshape(x, [1, n]): a graph that pins its batch at 1, so it can only run batches as concurrent calls.</summary>
    public static byte[] PinnedReshape(int n) =>
        Model(
            [Node("Reshape", ["x", "shape"], ["y"])],
            [Int64Initializer("shape", [1, n])],
            [ValueInfo("x", [1, n])],
            [ValueInfo("y", [1, n])]);

    /// <summary>y = x * 2 with a fixed batch of 1 that a rewrite can free.</summary>
    public static byte[] Doubler(int n) =>
        Model(
            [Node("Mul", ["x", "two"], ["y"])],
            [FloatInitializer("two", [1], [2f])],
            [ValueInfo("x", [1, n])],
            [ValueInfo("y", [1, n])]);

    private static byte[] Model(ProtoField[] nodes, ProtoField[] initializers, ProtoField[] inputs, ProtoField[] outputs)
    {
        var graph = new List<ProtoField>();
        graph.AddRange(nodes.Select(n => ProtoField.Message(1, n.Bytes)));
        graph.Add(ProtoField.Text(2, "tiny"));
        graph.AddRange(initializers.Select(i => ProtoField.Message(5, i.Bytes)));
        graph.AddRange(inputs.Select(i => ProtoField.Message(11, i.Bytes)));
        graph.AddRange(outputs.Select(o => ProtoField.Message(12, o.Bytes)));
        var opset = new ProtoMessage([ProtoField.Text(1, ""), ProtoField.Integer(2, 13)]).ToBytes();
        return new ProtoMessage(
        [
            ProtoField.Integer(1, 8),
            ProtoField.Text(2, "exchange-tests"),
            ProtoField.Message(7, new ProtoMessage(graph).ToBytes()),
            ProtoField.Message(8, opset),
        ]).ToBytes();
    }

    private static ProtoField Node(string op, string[] inputs, string[] outputs)
    {
        var fields = inputs.Select(i => ProtoField.Text(1, i)).Concat(outputs.Select(o => ProtoField.Text(2, o))).ToList();
        fields.Add(ProtoField.Text(4, op));
        return ProtoField.Message(0, new ProtoMessage(fields).ToBytes());
    }

    private static ProtoField ValueInfo(string name, long[] dims)
    {
        var shape = new ProtoMessage(dims.Select(d => ProtoField.Message(1, new ProtoMessage([ProtoField.Integer(1, d)]).ToBytes())).ToList());
        var tensor = new ProtoMessage([ProtoField.Integer(1, 1), ProtoField.Message(2, shape.ToBytes())]);
        var type = new ProtoMessage([ProtoField.Message(1, tensor.ToBytes())]);
        return ProtoField.Message(0, new ProtoMessage([ProtoField.Text(1, name), ProtoField.Message(2, type.ToBytes())]).ToBytes());
    }

    private static ProtoField Int64Initializer(string name, long[] values)
    {
        var raw = new byte[values.Length * 8];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(raw.AsSpan(8 * i), values[i]);
        }

        return Initializer(name, 7, [values.Length], raw);
    }

    private static ProtoField FloatInitializer(string name, long[] dims, float[] values)
    {
        var raw = new byte[values.Length * 4];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(raw.AsSpan(4 * i), values[i]);
        }

        return Initializer(name, 1, dims, raw);
    }

    private static ProtoField Initializer(string name, int dataType, long[] dims, byte[] raw)
    {
        var fields = dims.Select(d => ProtoField.Integer(1, d)).ToList();
        fields.Add(ProtoField.Integer(2, dataType));
        fields.Add(ProtoField.Text(8, name));
        fields.Add(ProtoField.Message(9, raw));
        return ProtoField.Message(0, new ProtoMessage(fields).ToBytes());
    }
}
