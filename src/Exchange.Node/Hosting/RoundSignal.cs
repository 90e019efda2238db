namespace Exchange.Node.Hosting;

/// <summary>
/// Wakes a node's loop (<see cref="NodeLoop"/>) before its poll interval ends, when a step left work
/// for the next round: a check done leaves a job to accept, an acceptance a job to compute, a
/// computation a result to submit. Without it each hand-over waited out a poll interval, a few
/// tenths of a second per job while the CPU had nothing to do. Wakes coalesce: any number of them
/// before a wait ends it once. A node with a log subscription (<see cref="NodeOptions.WsUrl"/>) is
/// also woken by the chain when a log it waits for is in a block.
/// </summary>
public sealed class RoundSignal
{
    private readonly Lock _gate = new();
    private TaskCompletionSource _pending = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Asks for a round as soon as the current one (if any) ends.</summary>
    public void Wake()
    {
        lock (_gate)
        {
            _pending.TrySetResult();
        }
    }

    /// <summary>Waits <paramref name="interval"/>, or less when a wake comes first (and takes it); throws when <paramref name="cancellationToken"/> is cancelled.</summary>
    public async Task PauseAsync(TimeSpan interval, TimeProvider time, CancellationToken cancellationToken)
    {
        using var pause = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var delay = Task.Delay(interval, time, pause.Token);
        var woken = WaitAsync(pause.Token);
        await Task.WhenAny(delay, woken).ConfigureAwait(false);
        await pause.CancelAsync().ConfigureAwait(false);
        // Both end here, the one that lost cancelled: its cancellation is expected, not an error.
        await Task.WhenAll(delay, woken).ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>Completes when a wake is pending (and takes it), or is cancelled (and leaves it).</summary>
    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        Task pending;
        lock (_gate)
        {
            pending = _pending.Task;
        }

        await pending.WaitAsync(cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            if (_pending.Task == pending)
            {
                _pending = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }
}
