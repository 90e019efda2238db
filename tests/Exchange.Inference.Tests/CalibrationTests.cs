using Exchange.Inference.Benchmarks;
using Exchange.Inference.Calibration;
using Exchange.Inference.Devices;
using Exchange.Inference.Engine;
using Exchange.Inference.Tests.Support;

namespace Exchange.Inference.Tests;

[Trait("Lane", "Slow")]
[Collection(EngineGroup.Name)]
public class CalibrationTests(EngineFixture fixture)
{
    [Fact]
    public void ResNet18_policy_passes_every_honest_variant_and_fails_every_cheat_on_real_outputs()
    {
        var report = ModelCalibrator.Calibrate(fixture.Registry, fixture.ResNet18, new CalibrationOptions(Tasks: 2, IncludeCuda: false));

        Assert.Equal(["cpu-1-thread", "cpu-2-threads", "cpu-optimisation-off", "cpu-optimisation-basic", "cpu-batch-2"], report.Honest.Select(h => h.Name));
        Assert.Equal(
            ["random-outputs", "perturbed-10%", "perturbed-3%", "perturbed-1%", "outputs-rounded-to-int8", "output-of-another-input", "model-last-residual-block-skipped", "model-weights-int8"],
            report.Cheats.Select(c => c.Name));
        Assert.All(report.Honest, h => Assert.True(h.Pass, h.Name));
        Assert.All(report.Cheats, c => Assert.False(c.Pass, c.Name));
        Assert.True(report.AllHonestPass);
        Assert.True(report.AllCheatsFail);
        Assert.All(report.Margin.CheatFactor.Values, factor => Assert.True(factor > 1));
        Assert.Equal("outputs-rounded-to-fp16", Assert.Single(report.Margin.InsideNoise).Name);
        Assert.True(report.Margin.InsideNoise[0].Pass);
    }

    [Fact]
    public void MiniLm_policy_passes_every_honest_variant_and_fails_every_cheat_on_real_sentences()
    {
        var report = ModelCalibrator.Calibrate(fixture.Registry, fixture.MiniLm, new CalibrationOptions(Tasks: 4, IncludeCuda: false));

        Assert.Equal(["cpu-1-thread", "cpu-2-threads", "cpu-optimisation-off", "cpu-optimisation-basic", "cpu-batch-4"], report.Honest.Select(h => h.Name));
        Assert.Equal(
            ["random-outputs", "perturbed-10%", "perturbed-3%", "perturbed-1%", "outputs-rounded-to-int8", "output-of-another-input",
             "model-last-residual-block-skipped", "model-weights-int8", "input-tokens-shuffled"],
            report.Cheats.Select(c => c.Name));
        Assert.All(report.Honest, h => Assert.True(h.Pass, h.Name));
        Assert.All(report.Cheats, c => Assert.False(c.Pass, c.Name));
        Assert.True(report.AllHonestPass);
        Assert.True(report.AllCheatsFail);
        Assert.All(report.Margin.HonestFactor.Values, factor => Assert.True(factor > 100, $"honest factor {factor}"));
        Assert.All(report.Margin.CheatFactor.Values, factor => Assert.True(factor > 1, $"cheat factor {factor}"));
        Assert.True(Assert.Single(report.Margin.InsideNoise).Pass);
    }

    [Fact]
    public void Exact_model_calibrates_with_bit_equal_honest_runs()
    {
        var report = ModelCalibrator.Calibrate(fixture.Registry, fixture.Preprocess, new CalibrationOptions(Tasks: 2, IncludeCuda: false));

        Assert.All(report.Honest, h => Assert.Equal(0, h.Metrics.MaxAbs));
        Assert.True(report.AllHonestPass);
        Assert.True(report.AllCheatsFail);
        Assert.Equal("exact", report.Margin.Policy["policy"]);
    }

    [Fact]
    public async Task Bench_runs_a_text_model_on_tokenized_sentences()
    {
        var result = await InferenceBenchmark.RunAsync(fixture.Registry, fixture.MiniLm, 4, new InferenceEngineOptions { Device = DeviceSpec.Cpu }, CancellationToken.None);

        Assert.Equal(4, result.Tasks);
        Assert.True(result.BareTasksPerSec > 0);
        Assert.True(result.EngineTasksPerSec > 0);
    }

    [Fact]
    public async Task Bench_measures_bare_and_engine_on_the_same_device()
    {
        var result = await InferenceBenchmark.RunAsync(fixture.Registry, fixture.Preprocess, 16, new InferenceEngineOptions { Device = DeviceSpec.Cpu }, CancellationToken.None);

        Assert.Equal("cpu", result.Device);
        Assert.Equal(16, result.Tasks);
        Assert.True(result.BareTasksPerSec > 0);
        Assert.True(result.EngineTasksPerSec > 0);
        Assert.Equal(Math.Round(result.EngineTasksPerSec / result.BareTasksPerSec, 3), result.Ratio, 2);
    }
}
