using Exchange.Core.Hashing;
using Exchange.Core.Models;
using Exchange.Core.Tensors;
using Exchange.Inference.Devices;
using Exchange.Inference.Models;
using Exchange.Inference.Onnx;
using Exchange.Inference.Runtime;
using Exchange.TestSupport;
using Microsoft.ML.OnnxRuntime;
using Xunit.Abstractions;

namespace Exchange.Fuzz.Tests;

/// <summary>Mutated bytes of small real ONNX models, given to the graph edits and to <c>model add</c>.</summary>
public sealed class OnnxFuzzTests(ITestOutputHelper output)
{
    private const int Width = 4;

    private static readonly HashSet<string> Inputs = ["x"];
    private static readonly HashSet<string> Outputs = ["y"];

    private static readonly byte[][] Seeds =
    [
        // y = x * 2, batch pinned at 1.
        OnnxProto.Model("doubler", [
            OnnxProto.Node("Mul", ["x", "two"], ["y"]),
            OnnxProto.FloatInitializer("two", [1], 2f),
            OnnxProto.Input("x", TensorDType.Float32, 1, Width),
            OnnxProto.Output("y", TensorDType.Float32, 1, Width),
        ], opset: 13),

        // y = x + relu(x * w): one residual block for the cheaper-model edit to skip.
        OnnxProto.Model("residual", [
            OnnxProto.Node("Mul", ["x", "w"], ["scaled"]),
            OnnxProto.Node("Relu", ["scaled"], ["branch"]),
            OnnxProto.Node("Add", ["x", "branch"], ["y"]),
            OnnxProto.FloatInitializer("w", [1, Width], 0.5f, -1f, 2f, 0.25f),
            OnnxProto.Input("x", TensorDType.Float32, 1, Width),
            OnnxProto.Output("y", TensorDType.Float32, 1, Width),
        ], opset: 13),
    ];

    [Fact]
    public void Graph_edits_of_mutated_models_succeed_or_refuse_with_InvalidDataException()
    {
        var ran = ParserFuzz.Run(ByteMutations.Of(Seeds), FuzzBudget.OnnxEdits, model =>
        {
            OnnxModelEditor.MakeBatchDynamic(model, Inputs, Outputs);
            OnnxModelEditor.FixDimension(model, Inputs, axis: 1, Width);
            CheaperModels.Derive(model);
        }, e => e is InvalidDataException, FuzzInput.Show);

        output.WriteLine($"{ran} mutated ONNX models edited");
        Assert.True(ran >= FuzzBudget.OnnxEdits, $"ran {ran} cases");
    }

    [Fact]
    public void Model_add_of_mutated_models_loads_them_or_refuses_with_a_typed_error()
    {
        using var folder = new TempDirectory();
        var registry = new ModelRegistry(new ModelStore(folder.Path));

        var ran = ParserFuzz.Run(ByteMutations.Of(Seeds, maxMutations: 3), FuzzBudget.OnnxModelAdds, model =>
        {
            var entry = registry.Add(model, Card(model));
            using var loaded = OnnxModel.Load(registry.ReadModelFile(entry.Card), new SessionSettings(DeviceSpec.Cpu));
        }, e => e is ModelCardException or OnnxRuntimeException or InvalidDataException, FuzzInput.Show);

        output.WriteLine($"{ran} mutated ONNX models added");
        Assert.True(ran >= FuzzBudget.OnnxModelAdds, $"ran {ran} cases");
    }

    private static ModelCard Card(byte[] onnx) => new(
        "fuzzed",
        "1",
        null,
        new ModelFile("fuzzed.onnx", Keccak.Hash(onnx)),
        new[] { new TensorSpec("x", TensorDType.Float32, new long[] { 1, Width }) },
        new[] { new TensorSpec("y", TensorDType.Float32, new long[] { 1, Width }) },
        Preprocessing.None,
        Classifier: false,
        ExactPolicy.Instance);
}
