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

    [Fact]
    public async Task A_step_that_handled_its_outcome_wakes_the_loop_once_its_slot_is_free_and_one_that_failed_does_not()
    {
        var wake = new RoundSignal();
        var slots = new JobSlots(1, NullLogger.Instance, wake);
        var finish = new TaskCompletionSource();
        Assert.True(slots.TryStart("1", () => finish.Task));
        var woken = wake.WaitAsync(CancellationToken.None);

        finish.SetResult();
        await woken.WaitAsync(TimeSpan.FromMinutes(1));
        // The round it wakes finds the slot free for the job's next step.
        Assert.Equal(1, slots.Free);

        Assert.True(slots.TryStart("2", () => throw new InvalidOperationException("the work queue is away")));
        await slots.DrainAsync().WaitAsync(TimeSpan.FromMinutes(1));
        using var none = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wake.WaitAsync(none.Token));
    }

    [Fact]
    public async Task A_wake_starts_the_next_round_at_once_instead_of_after_the_interval_and_wakes_coalesce()
    {
        var wake = new RoundSignal();
        var rounds = System.Threading.Channels.Channel.CreateUnbounded<int>();
        var count = 0;
        using var stop = new CancellationTokenSource();
        var loop = NodeLoop.RunAsync(_ => Task.CompletedTask, ct => rounds.Writer.WriteAsync(Interlocked.Increment(ref count), ct).AsTask(), TimeSpan.FromHours(1), TimeProvider.System, NullLogger.Instance, stop.Token, wake);
        Assert.Equal(1, await rounds.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromMinutes(1)));

        wake.Wake();
        wake.Wake();
        Assert.Equal(2, await rounds.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromMinutes(1)));
        await Task.Delay(300);
        Assert.False(rounds.Reader.TryRead(out _), "two wakes before a round start one round, not two");

        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => loop.WaitAsync(TimeSpan.FromMinutes(1)));
    }
}
