namespace Exchange.Node.Hosting;

/// <summary>
/// Wakes a node's loop (<see cref="NodeLoop"/>) before its poll interval ends, when a step left work
/// for the next round: a check done leaves a job to accept, an acceptance a job to compute, a
/// computation a result to submit. Without it each hand-over waited out a poll interval, a few
/// tenths of a second per job while the CPU had nothing to do. Wakes coalesce: any number of them
/// before a wait ends it once.
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
