using Exchange.Node.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace Exchange.Node.Tests.Provider;

public sealed class JobSlotsTests
{
    [Fact]
    public async Task A_step_that_never_ends_holds_one_slot_while_another_job_runs_to_its_end()
    {
        var slots = new JobSlots(2, NullLogger.Instance);
        var hang = new TaskCompletionSource();
        var done = new TaskCompletionSource();

        Assert.True(slots.TryStart("1", () => hang.Task));
        Assert.True(slots.TryStart("2", () => { done.SetResult(); return Task.CompletedTask; }));

        await done.Task.WaitAsync(TimeSpan.FromMinutes(1));
        Assert.True(slots.IsRunning("1"));
        hang.SetResult();
        await slots.DrainAsync().WaitAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(2, slots.Free);
    }

    [Fact]
    public async Task A_job_has_one_step_in_flight_and_no_more_steps_run_than_slots()
    {
        var slots = new JobSlots(2, NullLogger.Instance);
        var hang = new TaskCompletionSource();

        Assert.True(slots.TryStart("1", () => hang.Task));
        Assert.False(slots.TryStart("1", () => Task.CompletedTask));
        Assert.True(slots.TryStart("2", () => hang.Task));
        Assert.False(slots.TryStart("3", () => Task.CompletedTask));
        Assert.Equal(0, slots.Free);

        hang.SetResult();
        await slots.DrainAsync().WaitAsync(TimeSpan.FromMinutes(1));
        Assert.False(slots.IsRunning("1"));
    }

    [Fact]
    public async Task A_failing_step_frees_its_slot()
    {
        var slots = new JobSlots(1, NullLogger.Instance);

        Assert.True(slots.TryStart("1", () => throw new InvalidOperationException("the queue is away")));
        await slots.DrainAsync().WaitAsync(TimeSpan.FromMinutes(1));

        Assert.Equal(1, slots.Free);
        Assert.True(slots.TryStart("1", () => Task.CompletedTask));
    }
}
