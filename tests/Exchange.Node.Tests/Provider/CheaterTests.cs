using System.Numerics;
using Exchange.Core.Models;
using Exchange.Core.Tensors;
using Exchange.Inference.Verification;
using Exchange.Node.Provider;

namespace Exchange.Node.Tests.Provider;

public sealed class CheaterTests
{
    private static readonly Tensor Honest = Tensor.Create<float>(Enumerable.Range(0, 512).Select(i => MathF.Sin(i)).ToArray(), 1, 512);

    [Fact]
    public void An_honest_provider_falsifies_nothing()
    {
        var cheater = new Cheater(CheatMode.None, 0, 1);

        Assert.True(cheater.IsHonest);
        Assert.Empty(cheater.TasksToFalsify(5, 100));
    }

    [Fact]
    public void The_choice_of_tasks_follows_the_rate_is_deterministic_and_never_empty()
    {
        var cheater = new Cheater(CheatMode.Random, 0.3, 7);
        var chosen = Enumerable.Range(1, 200).Select(job => cheater.TasksToFalsify(job, 10)).ToList();

        Assert.All(chosen, c => Assert.NotEmpty(c));
        Assert.InRange(chosen.Average(c => c.Count) / 10, 0.25, 0.4);
        Assert.Equal(chosen[3], new Cheater(CheatMode.Random, 0.3, 7).TasksToFalsify(4, 10));
        Assert.Equal(10, new Cheater(CheatMode.Random, 1, 7).TasksToFalsify(9, 10).Count);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void A_rate_outside_0_to_1_is_refused(double rate) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new Cheater(CheatMode.Perturb, rate, 1));

    [Theory]
    [InlineData(CheatMode.Random)]
    [InlineData(CheatMode.Perturb)]
    [InlineData(CheatMode.Reuse)]
    public void Every_falsification_keeps_the_shape_and_fails_a_tight_tolerance(CheatMode mode)
    {
        var cheater = new Cheater(mode, 1, 3);
        var other = Tensor.Create<float>(Enumerable.Range(0, 512).Select(i => MathF.Cos(i * 0.3f)).ToArray(), 1, 512);
        cheater.Remember([other]);

        var fake = cheater.Falsify(BigInteger.One, 0, [Honest]);

        Assert.Equal(Honest.Shape.ToArray(), fake[0].Shape.ToArray());
        var card = Card(new TolerancePolicy(MaxRelL2: 0.01, MaxAbs: 0.05, MinCosine: 0.999));
        Assert.False(OutputComparator.Compare(card, [Honest], fake).Pass);
    }

    private static ModelCard Card(VerificationPolicy policy) => new(
        "test", "1", null, new ModelFile("m.onnx", Exchange.Core.Hashing.Keccak.Hash([9])),
        new[] { new TensorSpec("x", TensorDType.Float32, new long[] { -1, 512 }) },
        new[] { new TensorSpec("y", TensorDType.Float32, new long[] { -1, 512 }) },
        Preprocessing.Parse("{\"kind\":\"none\"}"), false, policy);
}
