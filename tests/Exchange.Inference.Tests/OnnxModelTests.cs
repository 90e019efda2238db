using Exchange.Inference.Devices;
using Exchange.Inference.Onnx;
using Exchange.Inference.Runtime;
using Exchange.Inference.Tests.Support;

namespace Exchange.Inference.Tests;

public class OnnxModelTests
{
    private static readonly SessionSettings Cpu = new(DeviceSpec.Cpu);

    [Fact]
    public void Fixed_batch_of_one_is_rewritten_to_a_dynamic_batch()
    {
        using var model = OnnxModel.Load(TinyOnnx.Doubler(3), Cpu);

        Assert.Equal(BatchMode.Stacked, model.Mode);
        Assert.True(model.Session.InputMetadata["x"].Dimensions[0] < 0);
        var outputs = model.Run([[Floats.Bytes(1, 2, 3)], [Floats.Bytes(4, 5, 6)]]);
        Assert.Equal([2f, 4f, 6f], Floats.Of(outputs[0][0]));
        Assert.Equal([8f, 10f, 12f], Floats.Of(outputs[1][0]));
    }

    [Fact]
    public void Graph_that_pins_its_batch_runs_batches_as_concurrent_calls()
    {
        using var model = OnnxModel.Load(TinyOnnx.PinnedReshape(2), Cpu);

        Assert.Equal(BatchMode.Concurrent, model.Mode);
        var tasks = Enumerable.Range(0, 5).Select(i => new ReadOnlyMemory<byte>[] { Floats.Bytes(i, -i) }).ToArray();
        var outputs = model.Run(tasks);
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal([i, -i], Floats.Of(outputs[i][0]));
        }
    }

    [Fact]
    public void Rewrite_leaves_a_model_without_unit_batch_alone()
    {
        var model = TinyOnnx.Doubler(3);
        var rewritten = OnnxModelEditor.MakeBatchDynamic(model, new HashSet<string> { "x" }, new HashSet<string> { "y" })!;

        Assert.Null(OnnxModelEditor.MakeBatchDynamic(rewritten, new HashSet<string> { "x" }, new HashSet<string> { "y" }));
    }

    [Fact]
    public void Unchanged_protobuf_round_trips_to_the_same_bytes()
    {
        var model = File.ReadAllBytes(BuiltInFiles.Preprocess);

        Assert.Equal(model, ProtoMessage.Parse(model).ToBytes());
    }

    [Theory]
    [InlineData(new byte[] { 0x0A, 0x05, 0x01 })]
    [InlineData(new byte[] { 0x08, 0xFF })]
    [InlineData(new byte[] { 0x0B })]
    public void Malformed_protobuf_is_rejected(byte[] bytes)
    {
        Assert.Throws<InvalidDataException>(() => ProtoMessage.Parse(bytes));
    }

    [Fact]
    public void Wrong_payload_size_names_the_input_and_the_expected_size()
    {
        using var model = OnnxModel.Load(TinyOnnx.Doubler(3), Cpu);

        var error = Assert.Throws<ArgumentException>(() => model.Run([[Floats.Bytes(1, 2)]]));
        Assert.Contains("'x'", error.Message);
        Assert.Contains("12", error.Message);
    }
}
