using System.Globalization;
using Exchange.Chain.Deployment;
using Exchange.Core.Eip712;

namespace Exchange.Node.Client;

/// <summary>
/// The job size a client chose and what it expects of it, for an honest provider: every job pays a
/// fixed amount of gas (creation, acceptance, submission, settlement or audit) whatever its tasks,
/// so the gas per task falls with the job's size while the time one job takes grows with it.
/// </summary>
/// <param name="TasksPerJob">Largest job of the split, in tasks.</param>
/// <param name="Jobs">Jobs the tasks make.</param>
/// <param name="GasPerTask">Expected gas per task: the jobs' fixed gas over the tasks (an audit's share weighed by the audit rate).</param>
/// <param name="SecondsPerJob">Seconds the largest job takes at the slowest chosen offer's declared rate (<see cref="JobSizing.SecondsPerTask"/>).</param>
/// <param name="Chosen">Whether the size was chosen automatically rather than given.</param>
public sealed record JobSize(int TasksPerJob, int Jobs, long GasPerTask, double SecondsPerJob, bool Chosen)
{
    /// <summary>The one line a client prints: <c>jobs of N tasks (≈G gas/task, ≈L s each)</c>, and why when the gas target is missed.</summary>
    public override string ToString()
    {
        var line = string.Create(CultureInfo.InvariantCulture, $"{Jobs} jobs of {TasksPerJob} tasks (≈{GasPerTask:N0} gas/task, ≈{SecondsPerJob:0} s each)");
        return Chosen && GasPerTask > JobSizing.GasPerTaskTarget
            ? line + string.Create(CultureInfo.InvariantCulture, $": above the {JobSizing.GasPerTaskTarget:N0} gas/task target, held back by the latency asked for, the offers' task limits or too few tasks")
            : line;
    }
}

/// <summary>
/// Picks the job size: large enough that a job's fixed gas comes to at most
/// <see cref="GasPerTaskTarget"/> per task, small enough that a job fits the latency asked for at
/// the offers' declared rate, and within those bounds spread so that every offer gets a job.
/// </summary>
public static class JobSizing
{
    /// <summary>Gas per task that automatic sizing aims at.</summary>
    public const long GasPerTaskTarget = 2_000;

    /// <summary>
    /// Gas of an unaudited job's whole life, one job per transaction: create, relayed submit and
    /// settle (150k, <c>npm run gas</c>, docs/contracts.md) and the provider's accept (about 35k).
    /// </summary>
    public const long UnauditedJobGas = 185_000;

    /// <summary>Gas of an audited job that passes: create, submit, the verdict and <c>finalizePass</c> (333k, <c>npm run gas</c>) and the accept.</summary>
    public const long AuditedJobGas = 370_000;

    /// <summary>Expected fixed gas of one honest job at the market's audit rate.</summary>
    public static long GasPerJob(uint auditRateBps) =>
        UnauditedJobGas + ((AuditedJobGas - UnauditedJobGas) * Math.Min(auditRateBps, MarketParameters.Bps) / MarketParameters.Bps);

    /// <summary>
    /// Seconds a task takes on an offer, by what the offer declares: a job of its <c>maxTasks</c>
    /// done within its <c>minTurnaround</c>.
    /// </summary>
    public static double SecondsPerTask(Offer offer)
    {
        ArgumentNullException.ThrowIfNull(offer);
        return offer.MaxTasks == 0 ? double.PositiveInfinity : (double)offer.MinTurnaround / offer.MaxTasks;
    }

    /// <summary>
    /// The size for <paramref name="taskCount"/> tasks over <paramref name="offers"/>:
    /// <paramref name="tasksPerJob"/> when given; otherwise one job per offer as far as the gas
    /// target allows, more where a job would not fit <paramref name="latency"/> at the slowest
    /// offer's rate or an offer's <c>maxTasks</c>, of even sizes.
    /// </summary>
    /// <exception cref="ArgumentException">No task, no offer, a size below 1 or a latency that is not positive.</exception>
    public static JobSize Choose(int taskCount, IReadOnlyList<Offer> offers, uint auditRateBps, TimeSpan latency, int? tasksPerJob)
    {
        ArgumentNullException.ThrowIfNull(offers);
        ArgumentOutOfRangeException.ThrowIfLessThan(taskCount, 1);
        if (offers.Count == 0)
        {
            throw new ArgumentException("there is no offer to size jobs for", nameof(offers));
        }

        if (tasksPerJob is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(tasksPerJob), tasksPerJob, "a job holds at least 1 task");
        }

        if (latency <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(latency), latency, "the latency must be positive");
        }

        var perJobGas = GasPerJob(auditRateBps);
        var slowest = offers.Max(SecondsPerTask);
        var size = tasksPerJob ?? Auto(taskCount, offers, perJobGas, slowest, latency);
        var jobs = JobSplitter.Split(taskCount, size, [.. offers.Select(o => o.MaxTasks)]);
        var largest = jobs.Max(j => j.TaskCount);
        return new JobSize(largest, jobs.Count, perJobGas * jobs.Count / taskCount, largest * slowest, tasksPerJob is null);
    }

    private static int Auto(int taskCount, IReadOnlyList<Offer> offers, long perJobGas, double secondsPerTask, TimeSpan latency)
    {
        // Counted in jobs, since each job pays the fixed gas: the most jobs the gas target allows,
        // at most one per offer (more would add gas and no provider), but at least as many as keep
        // every job within the latency and the offers' task limits.
        var largest = secondsPerTask > 0 ? Math.Clamp(Math.Floor(latency.TotalSeconds / secondsPerTask), 1, int.MaxValue) : int.MaxValue;
        largest = Math.Min(largest, offers.Max(o => o.MaxTasks));
        var withinGas = Math.Max(1, (long)taskCount * GasPerTaskTarget / perJobGas);
        var withinLatency = (long)Math.Ceiling(taskCount / largest);
        var jobs = Math.Clamp(Math.Max(Math.Min(offers.Count, withinGas), withinLatency), 1, taskCount);

        // Even sizes: a short last job costs as much gas as a full one and ends no sooner.
        return (int)((taskCount + jobs - 1) / jobs);
    }
}
