using System.ComponentModel.DataAnnotations;

namespace Exchange.Node.Canary;

/// <summary>
/// What the canary service posts and how often. Section <c>Canary</c>; its provider's offer, stake
/// and model come from section <c>Provider</c> like any provider's (the canary sets the cheat).
/// </summary>
public sealed class CanaryOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Canary";

    /// <summary>
    /// The largest share of all the market's jobs that canaries make up: a canary is posted when
    /// one more keeps canaries at or below this share of the jobs seen (the others' and its own).
    /// A lazy verifier's expected profit is negative above about 2 % at the default penalty (docs/contracts.md, "Verifiers and canaries").
    /// Default 0.05.
    /// </summary>
    [Range(0.0001, 1.0)]
    public double Rate { get; set; } = 0.05;

    /// <summary>Canaries to post before the service stops, once the last one has ended; 0: no limit. Default 0.</summary>
    [Range(0, 1_000_000)]
    public int MaxCanaries { get; set; }

    /// <summary>
    /// Tasks per canary while no other client's job of the model was seen; afterwards the size of a
    /// recent such job is copied (at most the provider's <c>MaxTasks</c>). Default 8.
    /// </summary>
    [Range(1, 100_000)]
    public int Tasks { get; set; } = 8;

    /// <summary>Seconds from creation to a canary's deadline (at least the provider's turnaround plus slack). Default 600.</summary>
    [Range(10, 30 * 24 * 3600)]
    public int DeadlineSeconds { get; set; } = 600;

    /// <summary>
    /// Share of a canary's tasks given wrong outputs (each another task's real outputs), at least
    /// one. An audit re-running k of n tasks hits one of m wrong tasks with probability
    /// 1 − C(n−m, k) / C(n, k): 69/70 for 4 of 8 tasks at 0.5. Default 0.5.
    /// </summary>
    [Range(0.01, 1.0)]
    public double WrongShare { get; set; } = 0.5;

    /// <summary>Seconds between two canaries at least, so that they do not come in bursts. Default 0.</summary>
    [Range(0, 7 * 24 * 3600)]
    public int MinIntervalSeconds { get; set; }

    /// <summary>Seed of the canaries' inputs and of the choice of wrong tasks. Default 1.</summary>
    public int Seed { get; set; } = 1;
}
