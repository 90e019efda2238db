using Exchange.Chain.Indexing;
using Exchange.Core.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Exchange.Node.Hosting;

/// <summary>
/// The loop every node runs: start, then a round of work per poll interval until stopped, or sooner
/// when the node's <see cref="RoundSignal"/> asks for one: after a step of its own, or, with a log
/// subscription, when a log it waits for is in a block (a job for a provider, an audit for a
/// verifier). A failed round is logged and retried next round (the chain or an API may be briefly
/// away); the work queues make a repeated round harmless.
/// </summary>
public static class NodeLoop
{
    /// <summary>
    /// Runs <paramref name="start"/> (retried until it succeeds) and then <paramref name="round"/>
    /// every <paramref name="interval"/>, or as soon as <paramref name="wake"/> asks after a round.
    /// With <paramref name="subscription"/> (and a <paramref name="wake"/>), the chain's logs that
    /// match its filters wake the loop too, from the start to the end of the loop.
    /// </summary>
    public static async Task RunAsync(
        Func<CancellationToken, Task> start, Func<CancellationToken, Task> round, TimeSpan interval, TimeProvider time, ILogger logger, CancellationToken cancellationToken,
        RoundSignal? wake = null, NodeSubscription? subscription = null)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(round);
        ArgumentNullException.ThrowIfNull(logger);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task watching;
        using (StageMeter.Measure(Stage.Polling))
        {
            // The subscription's reads are the node's polling, done sooner.
            watching = wake is not null && subscription is { } s
                ? LogSubscription.RunAsync(s.Url, s.Filters, wake.Wake, logger, stop.Token)
                : Task.CompletedTask;
        }

        try
        {
            await RetryAsync(start, "start", interval, time, logger, cancellationToken).ConfigureAwait(false);
            while (!cancellationToken.IsCancellationRequested)
            {
                await RetryAsync(round, "round", interval, time, logger, cancellationToken).ConfigureAwait(false);
                await PauseAsync(interval, time, wake, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await watching.ConfigureAwait(false);
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

        await wake.PauseAsync(interval, time, cancellationToken).ConfigureAwait(false);
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
