using Exchange.Core.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Exchange.Node.Hosting;

/// <summary>
/// The loop every node runs: start, then a round of work per poll interval until stopped, or sooner
/// when the node's <see cref="RoundSignal"/> asks for one. A failed round is logged and retried next
/// round (the chain or an API may be briefly away); the work queues make a repeated round harmless.
/// </summary>
public static class NodeLoop
{
    /// <summary>
    /// Runs <paramref name="start"/> (retried until it succeeds) and then <paramref name="round"/>
    /// every <paramref name="interval"/>, or as soon as <paramref name="wake"/> asks after a round.
    /// </summary>
    public static async Task RunAsync(
        Func<CancellationToken, Task> start, Func<CancellationToken, Task> round, TimeSpan interval, TimeProvider time, ILogger logger, CancellationToken cancellationToken,
        RoundSignal? wake = null)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(round);
        ArgumentNullException.ThrowIfNull(logger);
        await RetryAsync(start, "start", interval, time, logger, cancellationToken).ConfigureAwait(false);
        while (!cancellationToken.IsCancellationRequested)
        {
            await RetryAsync(round, "round", interval, time, logger, cancellationToken).ConfigureAwait(false);
            await PauseAsync(interval, time, wake, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Waits the interval, or until a wake; throws when stopped.</summary>
    private static async Task PauseAsync(TimeSpan interval, TimeProvider time, RoundSignal? wake, CancellationToken cancellationToken)
    {
        if (wake is null)
        {
            await Task.Delay(interval, time, cancellationToken).ConfigureAwait(false);
            return;
        }

        using var pause = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var delay = Task.Delay(interval, time, pause.Token);
        var woken = wake.WaitAsync(pause.Token);
        await Task.WhenAny(delay, woken).ConfigureAwait(false);
        await pause.CancelAsync().ConfigureAwait(false);
        // Both end here, the one that lost cancelled: its cancellation is expected, not an error.
        await Task.WhenAll(delay, woken).ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
    }

    private static async Task RetryAsync(Func<CancellationToken, Task> step, string name, TimeSpan interval, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        using var _ = StageMeter.Measure(Stage.Polling);
        for (var failures = 0; ; failures++)
        {
            try
            {
                await step(cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                logger.StepFailed(name, failures + 1, e.Message);
                if (name == "round")
                {
                    return;
                }

                await Task.Delay(interval * Math.Min(20, failures + 1), time, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
