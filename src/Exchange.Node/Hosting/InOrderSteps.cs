namespace Exchange.Node.Hosting;

/// <summary>
/// Asynchronous steps over a sequence, several in flight, finished in the sequence's order: a
/// client's uploads (the next group is encoded and sent while the API stores the one before) and a
/// provider's batches (the next waits in the engine's queue while one runs).
/// </summary>
public static class InOrderSteps
{
    /// <summary>
    /// For each item in order: <paramref name="start"/> it (its synchronous part runs at once), and
    /// <paramref name="finish"/> it with its result once it is done, the items in their order.
    /// At most <paramref name="depth"/> items are started and not yet finished. A failure stops the
    /// sequence and surfaces once the steps still in flight have ended.
    /// </summary>
    public static async Task RunAsync<TItem, TResult>(
        IAsyncEnumerable<TItem> items, int depth, Func<TItem, Task<TResult>> start, Func<TItem, TResult, Task> finish, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(finish);
        ArgumentOutOfRangeException.ThrowIfLessThan(depth, 1);
        var running = new Queue<(TItem Item, Task<TResult> Result)>(depth);
        try
        {
            await foreach (var item in items.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                if (running.Count == depth)
                {
                    var (done, result) = running.Dequeue();
                    await finish(done, await result.ConfigureAwait(false)).ConfigureAwait(false);
                }

                running.Enqueue((item, start(item)));
            }

            while (running.TryDequeue(out var last))
            {
                await finish(last.Item, await last.Result.ConfigureAwait(false)).ConfigureAwait(false);
            }
        }
        finally
        {
            // Stopped by a failure or a cancellation: what is still in flight ends before the error
            // surfaces, so that no step runs on after its caller has given up (and its own error is
            // observed here, not lost).
            foreach (var (_, result) in running)
            {
                await result.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The same over an in-memory sequence.</summary>
    public static Task RunAsync<TItem, TResult>(
        IEnumerable<TItem> items, int depth, Func<TItem, Task<TResult>> start, Func<TItem, TResult, Task> finish, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        return RunAsync(items.ToAsyncEnumerable(), depth, start, finish, cancellationToken);
    }
}
