using Exchange.Core.Tensors;
using Exchange.Node.Provider;

namespace Exchange.Node.Tests.Provider;

public sealed class CheckedInputsTests
{
    // 1,000 float32 values: 4,000 bytes.
    private static readonly IReadOnlyList<Tensor> Input = [Tensor.Create(new float[1_000], 1, 1_000)];

    private static readonly ulong Later = (ulong)DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds();

    [Fact]
    public void Inputs_beyond_the_budget_are_not_kept_and_the_first_tasks_stay()
    {
        var kept = new CheckedInputs(10_000, TimeProvider.System);

        Assert.True(kept.TryKeep(1, Later, 0, Input));
        Assert.True(kept.TryKeep(1, Later, 1, Input));
        Assert.False(kept.TryKeep(1, Later, 2, Input));

        Assert.Equal(8_000, kept.Bytes);
        Assert.Same(Input, kept.Take(1, 0));
        Assert.Null(kept.Take(1, 2));
    }

    [Fact]
    public void A_taken_input_is_handed_over_once_and_frees_its_bytes()
    {
        var kept = new CheckedInputs(10_000, TimeProvider.System);
        kept.TryKeep(1, Later, 0, Input);

        Assert.NotNull(kept.Take(1, 0));
        Assert.Null(kept.Take(1, 0));
        Assert.Equal(0, kept.Bytes);
    }

    [Fact]
    public void Forgetting_a_job_frees_only_its_inputs()
    {
        var kept = new CheckedInputs(100_000, TimeProvider.System);
        kept.TryKeep(1, Later, 0, Input);
        kept.TryKeep(1, Later, 1, Input);
        kept.TryKeep(2, Later, 0, Input);

        kept.Forget(1);

        Assert.Equal(4_000, kept.Bytes);
        Assert.Null(kept.Take(1, 1));
        Assert.NotNull(kept.Take(2, 0));
    }

    [Fact]
    public void Inputs_of_a_job_past_its_deadline_make_room_for_new_ones()
    {
        var kept = new CheckedInputs(4_000, TimeProvider.System);
        Assert.True(kept.TryKeep(1, (ulong)DateTimeOffset.UtcNow.AddSeconds(-1).ToUnixTimeSeconds(), 0, Input));

        Assert.True(kept.TryKeep(2, Later, 0, Input));

        Assert.Null(kept.Take(1, 0));
        Assert.NotNull(kept.Take(2, 0));
    }

    [Fact]
    public void A_budget_of_zero_keeps_nothing()
    {
        var kept = new CheckedInputs(0, TimeProvider.System);

        Assert.False(kept.TryKeep(1, Later, 0, Input));
        Assert.Null(kept.Take(1, 0));
    }
}
