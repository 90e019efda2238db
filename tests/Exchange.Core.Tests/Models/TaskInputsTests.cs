using Exchange.Core.Hashing;
using Exchange.Core.Models;
using Exchange.Core.Tensors;

namespace Exchange.Core.Tests.Models;

public sealed class TaskInputsTests
{
    private static readonly TensorSpec Pixels = new("pixels", TensorDType.Float32, new long[] { -1, 3 });
    private static readonly TensorSpec Halves = new("halves", TensorDType.Float16, new long[] { -1, 2 });
    private static readonly TensorSpec Ids = new("ids", TensorDType.Int64, new long[] { -1, -1 });

    private static readonly ModelCard Card = new(
        "mixed", "1", null, new ModelFile("mixed.onnx", Keccak.Hash([1])),
        new[] { Pixels, Ids },
        new[] { new TensorSpec("y", TensorDType.Float32, new long[] { -1, 3 }) },
        Preprocessing.None, Classifier: false, ExactPolicy.Instance);

    [Fact]
    public void Finite_inputs_of_the_card_shape_are_valid()
    {
        Assert.Null(TaskInputs.Problem(Pixels, Tensor.Create<float>([1f, -2f, float.MaxValue, float.MinValue, 0f, -0f], 2, 3)));
        Assert.Null(TaskInputs.Problem(Halves, Tensor.Create<Half>([Half.MaxValue, Half.Epsilon], 1, 2)));
        Assert.Null(TaskInputs.Problem(Card, [Tensor.Create<float>(new float[3], 1, 3), Tensor.Create<long>([long.MaxValue, -1], 1, 2)]));
    }

    [Theory]
    [InlineData(float.NaN, "NaN")]
    [InlineData(float.PositiveInfinity, "+Inf")]
    [InlineData(float.NegativeInfinity, "-Inf")]
    public void A_non_finite_float_is_named_with_its_element(float value, string name)
    {
        var problem = TaskInputs.Problem(Pixels, Tensor.Create<float>([1f, 2f, 3f, 4f, value, 6f], 2, 3));

        Assert.Equal($"'pixels' element 4 is {name}; float32 inputs must be finite", problem);
    }

    [Fact]
    public void A_non_finite_float16_is_refused_too()
    {
        Assert.Equal("'halves' element 1 is NaN; float16 inputs must be finite", TaskInputs.Problem(Halves, Tensor.Create<Half>([Half.One, Half.NaN], 1, 2)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(31)]
    [InlineData(500)]
    [InlineData(1_004)]
    public void A_long_input_names_its_first_non_finite_element_wherever_it_is(int index)
    {
        // Long enough for the vector scan, with a tail that no whole vector covers (1,005 elements).
        var wide = new TensorSpec("wide", TensorDType.Float32, new long[] { -1, 335 });
        var floats = Enumerable.Range(0, 1_005).Select(i => i * 0.5f - 200f).ToArray();
        floats[index] = float.NegativeInfinity;
        floats[^1] = float.NaN;
        var halfSpec = new TensorSpec("wide16", TensorDType.Float16, new long[] { -1, 335 });
        var halves = floats.Select(f => (Half)f).ToArray();
        halves[index] = Half.PositiveInfinity;

        var expected = index == floats.Length - 1 ? "NaN" : "-Inf";
        Assert.Equal($"'wide' element {index} is {expected}; float32 inputs must be finite", TaskInputs.Problem(wide, Tensor.Create<float>(floats, 3, 335)));
        Assert.Equal($"'wide16' element {index} is +Inf; float16 inputs must be finite", TaskInputs.Problem(halfSpec, Tensor.Create<Half>(halves, 3, 335)));
        Assert.Null(TaskInputs.Problem(wide, Tensor.Create<float>(floats.Select(f => float.IsFinite(f) ? f : 1f).ToArray(), 3, 335)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(CoreLimits.MaxTaskRows + 1)]
    public void A_batch_of_no_rows_or_too_many_is_refused(int rows)
    {
        var problem = TaskInputs.Problem(Pixels, Tensor.Create<float>(new float[rows * 3], rows, 3));

        Assert.Equal($"'pixels' has {rows} rows along its batch dimension; a task holds 1 to {CoreLimits.MaxTaskRows}", problem);
    }

    [Fact]
    public void The_largest_batch_is_valid_and_an_empty_inner_dimension_is_not()
    {
        Assert.Null(TaskInputs.Problem(Pixels, Tensor.Create<float>(new float[CoreLimits.MaxTaskRows * 3], CoreLimits.MaxTaskRows, 3)));
        Assert.Equal("'ids' int64[1, 0] has no elements (dimension 1 is 0)", TaskInputs.Problem(Ids, Tensor.Create<long>(ReadOnlySpan<long>.Empty, 1, 0)));
    }

    [Fact]
    public void A_task_needs_every_input_with_the_same_rows_and_says_which_disagrees()
    {
        Assert.Equal(
            "'ids' has 2 rows and 'pixels' 1; every input of a task needs the same number",
            TaskInputs.Problem(Card, [Tensor.Create<float>(new float[3], 1, 3), Tensor.Create<long>(new long[4], 2, 2)]));
        Assert.StartsWith("model 'mixed' takes 2 input(s)", TaskInputs.Problem(Card, [Tensor.Create<float>(new float[3], 1, 3)]), StringComparison.Ordinal);
        Assert.Equal("'pixels' expects float32[?, 3], got float32[1, 4]", TaskInputs.Problem(Card, [Tensor.Create<float>(new float[4], 1, 4), Tensor.Create<long>(new long[2], 1, 2)]));
    }
}
