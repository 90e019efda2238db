using Exchange.Node.Hosting;

namespace Exchange.Node.Tests.Provider;

public sealed class InOrderStepsTests
{
    private static readonly TimeSpan Within = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task The_next_step_starts_while_one_runs_and_steps_finish_in_order_never_more_than_the_depth_at_once()
    {
        var steps = Enumerable.Range(0, 5).Select(_ => new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        var started = new List<int>();
        var finished = new List<int>();
        var maxInFlight = 0;

        var run = InOrderSteps.RunAsync(
            Enumerable.Range(0, 5), 2,
            i =>
            {
                lock (started)
                {
                    started.Add(i);
                    maxInFlight = Math.Max(maxInFlight, started.Count - finished.Count);
                }

                return steps[i].Task;
            },
            (i, result) =>
            {
                Assert.Equal(i * 10, result);
                lock (started)
                {
                    finished.Add(i);
                }

                return Task.CompletedTask;
            },
            CancellationToken.None);

        // Step 1 is started while step 0 has not ended: one runs, the next waits behind it.
        await WaitUntilAsync(() => Count(started) == 2);
        Assert.Empty(finished);

        // Later steps ending first change nothing: the results are taken in order.
        steps[1].SetResult(10);
        await Task.Delay(50);
        Assert.Equal(2, Count(started));
        Assert.Empty(finished);

        steps[0].SetResult(0);
        await WaitUntilAsync(() => Count(started) == 4);
        for (var i = 2; i < 5; i++)
        {
            steps[i].SetResult(i * 10);
        }

        await run.WaitAsync(Within);
        Assert.Equal([0, 1, 2, 3, 4], finished);
        Assert.Equal(2, maxInFlight);
    }

    [Fact]
    public async Task A_failed_step_surfaces_only_once_the_step_in_flight_beside_it_has_ended_and_nothing_more_starts()
    {
        var first = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var second = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new List<int>();

        var run = InOrderSteps.RunAsync(
            Enumerable.Range(0, 4), 2,
            i =>
            {
                lock (started)
                {
                    started.Add(i);
                }

                return i == 0 ? first.Task : second.Task;
            },
            (_, _) => Task.CompletedTask,
            CancellationToken.None);

        await WaitUntilAsync(() => Count(started) == 2);
        first.SetException(new InvalidDataException("step 0 failed"));
        await Task.Delay(50);
        Assert.False(run.IsCompleted, "the failure surfaced while step 1 was still in flight");

        second.SetResult(1);
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => run.WaitAsync(Within));
        Assert.Equal("step 0 failed", error.Message);
        Assert.Equal([0, 1], started);
    }

    [Fact]
    public async Task A_depth_below_one_is_refused() =>
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() =>
            InOrderSteps.RunAsync([1], 0, Task.FromResult, (_, _) => Task.CompletedTask, CancellationToken.None));

    private static int Count(List<int> list)
    {
        lock (list)
        {
            return list.Count;
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(Within);
        while (!condition())
        {
            await Task.Delay(5, timeout.Token);
        }
    }
}
