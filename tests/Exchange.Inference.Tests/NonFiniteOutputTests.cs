using Exchange.Core.Models;
using Exchange.Core.Tensors;
using Exchange.Inference.Devices;
using Exchange.Inference.Engine;
using Exchange.Inference.Models;
using Exchange.Inference.Tests.Support;
using Exchange.Inference.Verification;
using Exchange.TestSupport;

namespace Exchange.Inference.Tests;

/// <summary>What equal outputs mean for NaN and infinities (docs/verification.md), and that an honest provider is never judged wrong on an input it accepted.</summary>
public sealed class NonFiniteOutputTests : IAsyncDisposable
{
    private const int Width = 4;
    private static readonly TolerancePolicy Tolerance = new(MaxRelL2: 1e-3, MaxAbs: 1e-2, MinCosine: 0.9999);

    private readonly TempDirectory _folder = new();
    private readonly byte[] _onnx = TinyOnnx.Doubler(Width);
    private readonly ModelCard _exact;
    private readonly ModelCard _tolerant;

    public NonFiniteOutputTests()
    {
        _exact = Cards.Tiny("doubler", _onnx, Width, batch: 1);
        _tolerant = _exact with { Verification = Tolerance };
    }

    public ValueTask DisposeAsync()
    {
        _folder.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public void NaN_equals_NaN_whatever_its_payload_and_an_infinity_the_same_infinity_under_both_policies()
    {
        var quietNaN = float.NaN;
        var otherNaN = BitConverter.Int32BitsToSingle(unchecked((int)0xFFC00001)); // sign bit and payload differ
        var expected = Tensor.Create<float>([quietNaN, float.PositiveInfinity, float.NegativeInfinity, 1.5f], 1, Width);
        var actual = Tensor.Create<float>([otherNaN, float.PositiveInfinity, float.NegativeInfinity, 1.5f], 1, Width);

        foreach (var card in new[] { _exact, _tolerant })
        {
            var result = OutputComparator.Compare(card, [expected], [actual]);
            Assert.True(result.Pass, result.Outputs[0].Reason);
        }

        var metrics = OutputComparator.Compare(_tolerant, [expected], [actual]).Outputs[0].Metrics!;
        Assert.Equal(new TensorMetrics(0, 0, 1, null), metrics);
    }

    [Theory]
    [InlineData(float.NaN, 1f)]
    [InlineData(1f, float.NaN)]
    [InlineData(float.PositiveInfinity, float.NegativeInfinity)]
    [InlineData(float.PositiveInfinity, float.MaxValue)]
    [InlineData(float.NaN, float.PositiveInfinity)]
    public void A_non_finite_value_against_anything_else_fails_naming_the_element(float reference, float provided)
    {
        var expected = Tensor.Create<float>([0f, 0f, reference, 2f], 1, Width);
        var actual = Tensor.Create<float>([0f, 0f, provided, 2f], 1, Width);

        Assert.False(OutputComparator.Compare(_exact, [expected], [actual]).Pass);
        var tolerant = OutputComparator.Compare(_tolerant, [expected], [actual]);
        Assert.False(tolerant.Pass);
        Assert.StartsWith("output 'y' element 2 is ", tolerant.Outputs[0].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Over_many_generated_outputs_an_honest_copy_always_passes_and_a_changed_non_finite_element_always_fails()
    {
        var random = new Random(1234);
        for (var trial = 0; trial < 500; trial++)
        {
            var values = Enumerable.Range(0, Width).Select(_ => Value(random, allowNonFinite: true)).ToArray();
            if (values.All(float.IsFinite))
            {
                values[random.Next(Width)] = NonFinite(random);
            }

            // The honest copy: the same values, each NaN with another payload and sign, as another device may make it.
            var honest = values.Select(v => float.IsNaN(v) ? BitConverter.Int32BitsToSingle(unchecked((int)0x7FC00000 | random.Next(1, 0x3FFFFF) | (random.Next(2) << 31))) : v).ToArray();
            var expected = Tensor.Create<float>(values, 1, Width);
            Assert.True(OutputComparator.Compare(_exact, [expected], [Tensor.Create<float>(honest, 1, Width)]).Pass, $"exact, trial {trial}: {string.Join(", ", values)}");
            Assert.True(OutputComparator.Compare(_tolerant, [expected], [Tensor.Create<float>(honest, 1, Width)]).Pass, $"tolerance, trial {trial}: {string.Join(", ", values)}");

            var index = Array.FindIndex(values, v => !float.IsFinite(v));
            var changed = (float[])honest.Clone();
            changed[index] = float.IsNaN(values[index]) ? (random.Next(2) == 0 ? 0f : float.PositiveInfinity) : -values[index];
            Assert.False(OutputComparator.Compare(_exact, [expected], [Tensor.Create<float>(changed, 1, Width)]).Pass, $"exact, changed trial {trial}");
            Assert.False(OutputComparator.Compare(_tolerant, [expected], [Tensor.Create<float>(changed, 1, Width)]).Pass, $"tolerance, changed trial {trial}");
        }
    }

    [Fact]
    public async Task An_honest_provider_is_never_judged_wrong_on_an_input_it_accepted_and_the_engine_runs_none_it_refused()
    {
        // Two engines over two registries: the provider's and the verifier's own re-run.
        var registry = new ModelRegistry(new ModelStore(_folder.File("provider")));
        var verifierRegistry = new ModelRegistry(new ModelStore(_folder.File("verifier")));
        registry.Add(_onnx, _exact);
        verifierRegistry.Add(_onnx, _exact);
        await using var provider = new InferenceEngine(registry, new InferenceEngineOptions { Device = DeviceSpec.Cpu });
        await using var verifier = new InferenceEngine(verifierRegistry, new InferenceEngineOptions { Device = DeviceSpec.Cpu });
        var random = new Random(99);
        int accepted = 0, refused = 0, nonFiniteOutputs = 0;
        for (var trial = 0; trial < 300; trial++)
        {
            Tensor[] inputs = [Tensor.Create<float>(Enumerable.Range(0, Width).Select(_ => Value(random, allowNonFinite: random.Next(4) == 0)).ToArray(), 1, Width)];
            if (TaskInputs.Problem(_exact, inputs) is not null)
            {
                await Assert.ThrowsAsync<TensorInputException>(() => provider.RunAsync(_exact, inputs, CancellationToken.None));
                refused++;
                continue;
            }

            accepted++;
            var published = await provider.RunAsync(_exact, inputs, CancellationToken.None);
            var rerun = await verifier.RunAsync(_exact, inputs, CancellationToken.None);
            nonFiniteOutputs += published[0].AsFloat32().ToArray().Count(v => !float.IsFinite(v));
            foreach (var card in new[] { _exact, _tolerant })
            {
                var result = OutputComparator.Compare(card, rerun, published);
                Assert.True(result.Pass, $"trial {trial} under {card.Verification.Name}: {result.Outputs[0].Reason}");
            }
        }

        // The generator reached every case: refused inputs, accepted ones, and accepted ones whose honest output overflows.
        Assert.True(refused > 20 && accepted > 200 && nonFiniteOutputs > 20, $"refused {refused}, accepted {accepted}, non-finite outputs {nonFiniteOutputs}");
    }

    /// <summary>A float from a mix of ordinary, huge (whose double overflows), tiny, signed-zero and, when allowed, non-finite values.</summary>
    private static float Value(Random random, bool allowNonFinite) => random.Next(allowNonFinite ? 6 : 5) switch
    {
        0 => (float)((random.NextDouble() * 2) - 1),
        1 => (random.Next(2) == 0 ? 1 : -1) * float.MaxValue * (float)(0.5 + (random.NextDouble() / 2)),
        2 => (random.Next(2) == 0 ? 1 : -1) * float.Epsilon * random.Next(1, 1000),
        3 => random.Next(2) == 0 ? 0f : -0f,
        4 => (float)((random.NextDouble() - 0.5) * 1e6),
        _ => NonFinite(random),
    };

    private static float NonFinite(Random random) => random.Next(3) switch
    {
        0 => float.NaN,
        1 => float.PositiveInfinity,
        _ => float.NegativeInfinity,
    };
}
