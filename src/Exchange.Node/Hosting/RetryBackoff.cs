namespace Exchange.Node.Hosting;

/// <summary>
/// When a node tries a step of a job again after a transient failure (an API, the chain's RPC or
/// the blob store away): exponential back-off from <see cref="First"/> up to <see cref="Longest"/>,
/// with jitter so that nodes that failed together do not come back together, and never later than
/// the last moment the step can still help (the job's deadline less the time needed to submit).
/// The number of failures only sets the wait; the deadline alone decides when to give up.
/// </summary>
public static class RetryBackoff
{
    /// <summary>The wait after the first failure: 1 s.</summary>
    public static readonly TimeSpan First = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between two attempts: 30 s, so that an outage that ends is noticed within half a minute.</summary>
    public static readonly TimeSpan Longest = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The wait before the next attempt after <paramref name="failures"/> failures in a row: a random
    /// point in the upper half of <c>First × 2^(failures − 1)</c> (capped at <see cref="Longest"/>),
    /// cut to end by chain time <paramref name="lastUseful"/>, and at least <see cref="First"/>.
    /// </summary>
    /// <param name="failures">Failures so far, this one included (1 or more).</param>
    /// <param name="chainNow">The chain's time now, in seconds.</param>
    /// <param name="lastUseful">The chain time by which the step must have been tried again.</param>
    /// <param name="random">The jitter's source.</param>
    public static TimeSpan Delay(int failures, ulong chainNow, ulong lastUseful, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var exponential = First.TotalSeconds * Math.Pow(2, Math.Clamp(failures - 1, 0, 30));
        var jittered = Math.Min(exponential, Longest.TotalSeconds) * (0.5 + (random.NextDouble() * 0.5));
        var remaining = lastUseful > chainNow ? lastUseful - chainNow : 0;
        return TimeSpan.FromSeconds(Math.Max(First.TotalSeconds, Math.Min(jittered, remaining)));
    }

    /// <summary><paramref name="deadline"/> less <paramref name="margin"/> seconds, or 0 when the margin is larger.</summary>
    public static ulong Before(ulong deadline, int margin) => deadline > (ulong)margin ? deadline - (ulong)margin : 0;
}
