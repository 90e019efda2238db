using Exchange.Core.Hashing;
using Exchange.Core.Models;
using Exchange.Core.Tensors;
using Exchange.Inference.Onnx;

namespace Exchange.Inference.Tests.Support;

/// <summary>Builds small ONNX models with <see cref="OnnxProto"/> for tests of graph edits, batching and multi-input cards.</summary>
internal static class TinyOnnx
{
    /// <summary>The inputs of <see cref="MixedInputs"/>, in graph order: one of each dtype the engine runs.</summary>
    public static readonly (string Name, TensorDType DType)[] MixedInputNames =
    [
        ("pixels", TensorDType.Float32),
        ("scale", TensorDType.Float16),
        ("ids", TensorDType.Int64),
        ("counts", TensorDType.Int32),
        ("bytes", TensorDType.UInt8),
        ("flags", TensorDType.Bool),
    ];

    /// <summary>y = Reshape(x, [1, n]): a graph that pins its batch at 1, so it can only run batches as concurrent calls.</summary>
    public static byte[] PinnedReshape(int n) =>
        OnnxProto.Model(
            "tiny",
            [
                OnnxProto.Node("Reshape", ["x", "shape"], ["y"]),
                OnnxProto.Int64Initializer("shape", 1, n),
                OnnxProto.Input("x", TensorDType.Float32, 1, n),
                OnnxProto.Output("y", TensorDType.Float32, 1, n),
            ],
            opset: 13);

    /// <summary>y = x * 2 with a fixed batch of 1 that a rewrite can free.</summary>
    public static byte[] Doubler(int n) =>
        OnnxProto.Model(
            "tiny",
            [
                OnnxProto.Node("Mul", ["x", "two"], ["y"]),
                OnnxProto.FloatInitializer("two", [1], 2f),
                OnnxProto.Input("x", TensorDType.Float32, 1, n),
                OnnxProto.Output("y", TensorDType.Float32, 1, n),
            ],
            opset: 13);

    /// <summary>
    /// Six inputs of <paramref name="n"/> values per row, one of each dtype (<see cref="MixedInputNames"/>),
    /// with a dynamic batch; outputs <c>sum</c> (float32: every input cast to float and added) and
    /// <c>twice</c> (int64: <c>ids + ids</c>).
    /// </summary>
    public static byte[] MixedInputs(int n)
    {
        var graph = new List<Exchange.Inference.Onnx.ProtoField>();
        var terms = new List<string> { "pixels" };
        foreach (var (name, dtype) in MixedInputNames)
        {
            graph.Add(OnnxProto.Input(name, dtype, -1, n));
            if (dtype != TensorDType.Float32)
            {
                graph.Add(OnnxProto.Node("Cast", [name], [name + "_float"], null, OnnxProto.IntAttribute("to", OnnxProto.DataType(TensorDType.Float32))));
                terms.Add(name + "_float");
            }
        }

        for (var i = 1; i < terms.Count; i++)
        {
            graph.Add(OnnxProto.Node("Add", [i == 1 ? terms[0] : $"partial{i - 1}", terms[i]], [i == terms.Count - 1 ? "sum" : $"partial{i}"]));
        }

        graph.Add(OnnxProto.Node("Add", ["ids", "ids"], ["twice"]));
        graph.Add(OnnxProto.Output("sum", TensorDType.Float32, -1, n));
        graph.Add(OnnxProto.Output("twice", TensorDType.Int64, -1, n));
        return OnnxProto.Model("mixed", graph, opset: 13);
    }

    /// <summary>The card of <see cref="MixedInputs"/>: its inputs in graph order, a tolerance policy for both outputs.</summary>
    public static ModelCard MixedInputsCard(string name, byte[] onnx, int n) =>
        new(
            name,
            "1",
            "six inputs of mixed dtypes (tests)",
            new ModelFile(name + ".onnx", Keccak.Hash(onnx)),
            MixedInputNames.Select(i => new TensorSpec(i.Name, i.DType, new long[] { -1, n })).ToArray(),
            new[] { new TensorSpec("sum", TensorDType.Float32, new long[] { -1, n }), new TensorSpec("twice", TensorDType.Int64, new long[] { -1, n }) },
            Preprocessing.None,
            Classifier: false,
            new TolerancePolicy(MaxRelL2: 1e-6, MaxAbs: 1e-5, MinCosine: 0.999999));

    /// <summary>One task of <see cref="MixedInputs"/>: row <c>i</c> of each input holds small values derived from <paramref name="seed"/>.</summary>
    public static Tensor[] MixedTask(int n, int seed)
    {
        var values = Enumerable.Range(0, n).Select(i => (seed + i) % 5).ToArray();
        return
        [
            Tensor.Create<float>(values.Select(v => v + 0.5f).ToArray(), 1, n),
            Tensor.Create<Half>(values.Select(v => (Half)(v * 0.25f)).ToArray(), 1, n),
            Tensor.Create<long>(values.Select(v => (long)v * 10).ToArray(), 1, n),
            Tensor.Create<int>(values.Select(v => -v).ToArray(), 1, n),
            Tensor.Create<byte>(values.Select(v => (byte)(v + 200)).ToArray(), 1, n),
            Tensor.Create<bool>(values.Select(v => v % 2 == 1).ToArray(), 1, n),
        ];
    }

    /// <summary>What <see cref="MixedInputs"/> computes for <see cref="MixedTask"/>, worked out here.</summary>
    public static (float[] Sum, long[] Twice) MixedExpected(int n, int seed)
    {
        var values = Enumerable.Range(0, n).Select(i => (seed + i) % 5).ToArray();
        return (
            values.Select(v => v + 0.5f + (v * 0.25f) + (v * 10) - v + v + 200 + (v % 2 == 1 ? 1 : 0)).ToArray(),
            values.Select(v => (long)v * 20).ToArray());
    }
}
