using Exchange.Inference.Devices;
using Exchange.Inference.Runtime;
using Exchange.Inference.Tests.Support;

namespace Exchange.Inference.Tests;

public class DeviceTests
{
    [Theory]
    [InlineData("auto", DeviceKind.Auto, 0)]
    [InlineData("CPU", DeviceKind.Cpu, 0)]
    [InlineData("cuda", DeviceKind.Cuda, 0)]
    [InlineData("cuda:3", DeviceKind.Cuda, 3)]
    public void Device_names_parse(string text, DeviceKind kind, int id)
    {
        Assert.Equal(new DeviceSpec(kind, id), DeviceSpec.Parse(text));
    }

    [Theory]
    [InlineData("gpu")]
    [InlineData("cuda:")]
    [InlineData("cuda:-1")]
    [InlineData("cuda:x")]
    [InlineData("")]
    public void Unknown_device_names_are_rejected_with_the_choices(string text)
    {
        var error = Assert.Throws<FormatException>(() => DeviceSpec.Parse(text));
        Assert.Contains("auto, cpu, cuda or cuda:N", error.Message);
    }

    [Fact]
    public void Cuda_without_a_usable_gpu_is_a_clear_error_and_auto_falls_back_to_the_cpu_saying_why()
    {
        var model = TinyOnnx.Doubler(2);
        OnnxModel? onCuda = null;
        try
        {
            onCuda = OnnxModel.Load(model, new SessionSettings(new DeviceSpec(DeviceKind.Cuda)));
        }
        catch (CudaUnavailableException error)
        {
            Assert.StartsWith("CUDA device 0 was requested but cannot be used: ", error.Message);
            using var auto = OnnxModel.Load(model, new SessionSettings(DeviceSpec.Auto));
            Assert.Equal(DeviceKind.Cpu, auto.Device.Kind);
            Assert.False(string.IsNullOrWhiteSpace(auto.Device.FallbackReason));
            Assert.Equal([2f, 4f], Floats.Of(auto.Run([[Floats.Bytes(1, 2)]])[0][0]));
            return;
        }

        // A machine with a working GPU: both requests get CUDA and compute the same.
        using (onCuda)
        {
            using var auto = OnnxModel.Load(model, new SessionSettings(DeviceSpec.Auto));
            Assert.Equal(DeviceKind.Cuda, onCuda.Device.Kind);
            Assert.Equal(DeviceKind.Cuda, auto.Device.Kind);
            Assert.Null(auto.Device.FallbackReason);
            Assert.Equal([2f, 4f], Floats.Of(onCuda.Run([[Floats.Bytes(1, 2)]])[0][0]));
        }
    }
}
