using Exchange.Core.Models;
using Exchange.Core.Tensors;
using Exchange.Inference.Tests.Support;
using Exchange.Inference.Verification;

namespace Exchange.Inference.Tests;

public class OutputComparatorTests
{
    private static readonly TolerancePolicy Policy = new(MaxRelL2: 1e-3, MaxAbs: 1e-2, MinCosine: 0.9999);

    [Fact]
    public void Metrics_of_known_vectors()
    {
        var m = TensorMetrics.Measure([3, 4], [3, 4.05], 0);

        Assert.Equal(0.01, m.RelativeL2, 9);
        Assert.Equal(0.05, m.MaxAbs, 9);
        Assert.Equal((9 + (4 * 4.05)) / (5 * Math.Sqrt(9 + (4.05 * 4.05))), m.Cosine, 12);
        Assert.Null(m.Top1Agreement);
    }

    [Fact]
    public void Zero_tensors_compare_as_identical_and_zero_against_nonzero_fails()
    {
        Assert.Equal(new TensorMetrics(0, 0, 1, null), TensorMetrics.Measure([0, 0], [0, 0], 0));
        var m = TensorMetrics.Measure([0, 0], [0, 1], 0);
        Assert.True(double.IsPositiveInfinity(m.RelativeL2));
        Assert.False(OutputComparator.Satisfies(Policy, m));
    }

    [Fact]
    public void NaN_anywhere_fails_every_bound()
    {
        var m = TensorMetrics.Measure([1, 2, 3], [1, double.NaN, 3], 0);

        Assert.False(OutputComparator.Satisfies(new TolerancePolicy(double.MaxValue, double.MaxValue, -1), m));
    }

    [Fact]
    public void Top1_agreement_counts_rows_whose_argmax_agrees()
    {
        var m = TensorMetrics.Measure([1, 5, 2, 9, 0, 0], [1, 5, 2, 0, 9, 0], classLength: 3);

        Assert.Equal(0.5, m.Top1Agreement);
    }

    [Fact]
    public void Exact_policy_wants_identical_bytes()
    {
        var onnx = TinyOnnx.Doubler(2);
        var card = Cards.Tiny("t", onnx, 2);
        var a = Tensor.Create<float>([1f, 2f], 1, 2);

        Assert.True(OutputComparator.Compare(card, [a], [Tensor.Create<float>([1f, 2f], 1, 2)]).Pass);
        var result = OutputComparator.Compare(card, [a], [Tensor.Create<float>([1f, BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(2f) + 1)], 1, 2)]);
        Assert.False(result.Pass);
        Assert.Contains("exact", result.Outputs[0].Reason);
    }

    [Fact]
    public void Tolerance_policy_passes_small_noise_and_fails_each_bound_it_breaks()
    {
        var card = Cards.Tiny("t", TinyOnnx.Doubler(4), 4) with { Verification = Policy };
        var reference = Tensor.Create<float>([1f, 2f, 3f, 4f], 1, 4);

        Assert.True(OutputComparator.Compare(card, [reference], [Tensor.Create<float>([1.0001f, 2f, 3f, 4f], 1, 4)]).Pass);
        var far = OutputComparator.Compare(card, [reference], [Tensor.Create<float>([1.1f, 2f, 3f, 4f], 1, 4)]);
        Assert.False(far.Pass);
        Assert.StartsWith("output 'y': relative L2", far.Outputs[0].Reason);
        var spike = OutputComparator.Compare(card with { Verification = Policy with { MaxRelL2 = 1 } }, [reference], [Tensor.Create<float>([1.05f, 2f, 3f, 4f], 1, 4)]);
        Assert.StartsWith("output 'y': max abs", spike.Outputs[0].Reason);
    }

    [Fact]
    public void Classifier_cards_check_top1_agreement()
    {
        var card = Cards.Tiny("c", TinyOnnx.Doubler(3), 3) with
        {
            Classifier = true,
            Verification = new TolerancePolicy(10, 10, -1, MinTop1Agreement: 1),
        };
        var reference = Tensor.Create<float>([0.1f, 0.5f, 0.4f], 1, 3);

        Assert.True(OutputComparator.Compare(card, [reference], [Tensor.Create<float>([0.1f, 0.45f, 0.44f], 1, 3)]).Pass);
        var flipped = OutputComparator.Compare(card, [reference], [Tensor.Create<float>([0.1f, 0.44f, 0.45f], 1, 3)]);
        Assert.False(flipped.Pass);
        Assert.Contains("top-1 agreement 0", flipped.Outputs[0].Reason);
    }

    [Fact]
    public void Wrong_shape_dtype_or_count_of_outputs_fails()
    {
        var card = Cards.Tiny("t", TinyOnnx.Doubler(2), 2) with { Verification = Policy };
        var reference = Tensor.Create<float>([1f, 2f], 1, 2);

        Assert.False(OutputComparator.Compare(card, [reference], [Tensor.Create<float>([1f, 2f], 2, 1)]).Pass);
        Assert.False(OutputComparator.Compare(card, [reference], [Tensor.Create<int>([1, 2], 1, 2)]).Pass);
        Assert.False(OutputComparator.Compare(card, [reference], []).Pass);
        Assert.False(OutputComparator.Compare(card, [reference], [reference, reference]).Pass);
    }
}
