using Microsoft.Extensions.Logging;

namespace Exchange.Node.Hosting;

/// <summary>
/// The long steps of a node's jobs (a provider's checks and computations, a verifier's judging) run
/// in the background, at most <c>capacity</c> at once and one per job, so that a round of the node
/// never waits for them: a job that is slow or waits out an API keeps only its own slot, and the
/// others go on. The steps write their outcome to the node's work queue, which stays the only
/// record of where a job stands: a step lost with the process is simply run again after a restart.
/// </summary>
/// <param name="capacity">Steps in flight at most.</param>
/// <param name="logger">Where a step's unexpected failure is logged (its own handling comes first).</param>
/// <param name="done">Woken when a step ends having handled its outcome, so that the next round takes up what it left without waiting out the poll interval.</param>
public sealed class JobSlots(int capacity, ILogger logger, RoundSignal? done = null)
{
    private readonly Dictionary<string, Task> _running = [];

    /// <summary>Slots free now.</summary>
    public int Free
    {
        get
        {
            lock (_running)
            {
                return capacity - _running.Count;
            }
        }
    }

    /// <summary>Whether a step of <paramref name="key"/> is in flight.</summary>
    public bool IsRunning(string key)
    {
        lock (_running)
        {
            return _running.ContainsKey(key);
        }
    }

    /// <summary>
    /// Starts <paramref name="step"/> for <paramref name="key"/> in the background when a slot is
    /// free and no step of that key is in flight.
    /// </summary>
    /// <returns>False when it was not started (no slot free, or that key busy).</returns>
    public bool TryStart(string key, Func<Task> step)
    {
        ArgumentNullException.ThrowIfNull(step);
        lock (_running)
        {
            if (_running.Count >= capacity || _running.ContainsKey(key))
            {
                return false;
            }

            // Registered before it runs, so that the key is busy from this moment; Task.Run keeps
            // the step's synchronous start off the round's thread.
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _running[key] = Task.Run(async () =>
            {
                await started.Task.ConfigureAwait(false);
                var handled = false;
                try
                {
                    await step().ConfigureAwait(false);
                    handled = true;
                }
                catch (OperationCanceledException)
                {
                    // The node stops: the job's row stays as it was, for the next run.
                }
                catch (Exception e)
                {
                    // A step handles its job's failures itself; what escapes (the node stopping,
                    // the work queue away) leaves the job's row as it was, for the next round.
                    logger.StepFailed(key, 1, e.Message);
                }
                finally
                {
                    lock (_running)
                    {
                        _running.Remove(key);
                    }

                    // Once the slot is free, and not after an escaped failure: a round started at
                    // once would only fail again.
                    if (handled)
                    {
                        done?.Wake();
                    }
                }
            });
            started.SetResult();
            return true;
        }
    }

    /// <summary>Waits until every step in flight has ended (a node that stops, a test that reads the queue).</summary>
    public Task DrainAsync()
    {
        lock (_running)
        {
            return Task.WhenAll(_running.Values);
        }
    }
}
