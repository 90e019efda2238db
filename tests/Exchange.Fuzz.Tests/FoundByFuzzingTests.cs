using System.Text;
using Exchange.Core.Json;
using Exchange.Core.Manifests;
using Exchange.Core.Models;
using Exchange.Inference.Devices;
using Exchange.Inference.Runtime;

namespace Exchange.Fuzz.Tests;

/// <summary>Inputs the fuzzers found crashing a parser, kept so the fixes stay fixed.</summary>
public sealed class FoundByFuzzingTests
{
    private const string LongMin = "-9223372036854775808";

    [Fact]
    public void Canonical_json_refuses_the_most_negative_long_as_out_of_range()
    {
        var error = Assert.Throws<FormatException>(() => CanonicalJson.Canonicalize(Encoding.UTF8.GetBytes(LongMin)));

        Assert.Contains("beyond ±(2^53 − 1)", error.Message);
    }

    [Fact]
    public void A_model_card_dimension_of_the_most_negative_long_is_a_field_error()
    {
        var card = $$$"""
            {"name":"adder","version":"2","model":{"file":"add.onnx","keccak256":"0x1111111111111111111111111111111111111111111111111111111111111111"},
             "inputs":[{"name":"a","dtype":"int64","shape":[4]}],"outputs":[{"name":"sum","dtype":"int64","shape":[{{{LongMin}}}]}],
             "preprocessing":{"kind":"none"},"classifier":false,"verification":{"policy":"exact"}}
            """;

        var error = Assert.Throws<ModelCardException>(() => ModelCard.Parse(card));

        Assert.Equal("", error.Field);
        Assert.Contains(LongMin, error.Message);
    }

    [Fact]
    public void A_job_manifest_task_index_of_the_most_negative_long_is_refused()
    {
        var manifest = $$$"""{"modelId":"0x{{{new string('1', 64)}}}","tasks":[{"index":{{{LongMin}}},"inputs":[{"hash":"0x{{{new string('2', 64)}}}","name":"x"}]}]}""";

        var error = Assert.Throws<ManifestException>(() => JobManifest.Parse(manifest));

        Assert.Contains(LongMin, error.Message);
    }

    [Fact]
    public void A_mutated_doubler_that_once_hung_the_load_is_answered_in_time()
    {
        var model = Convert.FromHexString(
            "0808120865786368616E67653A561207646F8F626C65720A100A01780A0374776F12017922034D756C2A0F08011001420374776F4A04000000405A130A0178120E0A0C080112080A0208010A02080462130A0179120E0A0C080112080A0208010A02080442040A00100D");

        var watch = System.Diagnostics.Stopwatch.StartNew();
        var error = Record.Exception(() => { using var loaded = OnnxModel.Load(model, new SessionSettings(DeviceSpec.Cpu)); });

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}; {error}");
    }

    // A doubler whose graph was mutated so that, once its batch dimension is freed, it no longer gives
    // one output row per task: loading it must fall back to concurrent runs, not throw.
    [Fact]
    public void A_graph_that_cannot_split_its_batched_outputs_loads_without_batching()
    {
        var model = Convert.FromHexString(
            "0808120865786368616E67653A561207646F75626C65720A100A01780A0374776F12017922034D756C2A0F08011001420374776F4A04000000405A130A0178120E0A0C080112080A0208010A02080462130A0179120E0A0C080112080A0208010A02083A42040A00100D");

        using var loaded = OnnxModel.Load(model, new SessionSettings(DeviceSpec.Cpu));

        Assert.Equal(BatchMode.Concurrent, loaded.Mode);
    }
}
