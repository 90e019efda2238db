using System.Runtime.InteropServices;
using Exchange.Inference.Calibration;
using Exchange.Inference.Devices;
using Exchange.Inference.Images;
using Exchange.Inference.Onnx;
using Exchange.Inference.Runtime;
using Exchange.Inference.Tests.Support;
using Exchange.Inference.Verification;
using Xunit.Abstractions;

namespace Exchange.Inference.Tests;

public class ScratchTests(ITestOutputHelper output)
{
    [Fact]
    public void Measure()
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var chained = OnnxModelEditor.Chain(File.ReadAllBytes(BuiltInFiles.Preprocess), "PreprocessedInput", File.ReadAllBytes(BuiltInFiles.ResNet18), "Input247");
        using var model = OnnxModel.Load(chained, new SessionSettings(DeviceSpec.Cpu));
        output.WriteLine($"load {sw.ElapsedMilliseconds}");
        var tasks = SyntheticImages.Png(8, 42).Select(png => new ReadOnlyMemory<byte>[] { MemoryMarshal.AsBytes(ImageTensorizer.ToRgbPlanes(png, 224, 224, "x").AsSpan()).ToArray() }).ToList();
        var runner = new VariantRunner(model, tasks, 7);
        var r = runner.Reference;
        var f = MemoryMarshal.Cast<byte, float>(r[0][0].AsSpan()).ToArray();
        output.WriteLine($"ref {sw.ElapsedMilliseconds} min {f.Min()} max {f.Max()} mean {f.Average()}");
        foreach (var v in runner.Honest(false).Concat(runner.Cheats()).Append(runner.Float16Rounding()))
        {
            var m = MetricsAggregate.Worst(v.Outputs.SelectMany((task, t) => task.Select((o, i) => TensorMetrics.Measure(D(r[t][i]), D(o), 0))));
            output.WriteLine($"{v.Name}: {m} at {sw.ElapsedMilliseconds}");
        }
    }

    private static double[] D(byte[] b) => MemoryMarshal.Cast<byte, float>(b.AsSpan()).ToArray().Select(x => (double)x).ToArray();
}
