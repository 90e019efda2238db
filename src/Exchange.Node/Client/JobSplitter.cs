namespace Exchange.Node.Client;

/// <summary>One job of a split: which offer takes it and which of the client's tasks it holds.</summary>
/// <param name="OfferIndex">Index into the offers given to <see cref="JobSplitter.Split"/>.</param>
/// <param name="FirstTask">Index of the job's first task in the client's task list.</param>
/// <param name="TaskCount">How many consecutive tasks the job holds.</param>
public sealed record JobSlice(int OfferIndex, int FirstTask, int TaskCount);

/// <summary>
/// Splits a client's tasks into jobs: consecutive runs of at most <c>tasksPerJob</c> tasks (and at
/// most the offer's <c>maxTasks</c>), dealt to the offers in turn so that the work spreads over
/// the providers the client chose.
/// </summary>
public static class JobSplitter
{
    /// <summary>Splits <paramref name="taskCount"/> tasks over offers whose task limits are <paramref name="offerMaxTasks"/>.</summary>
    /// <param name="taskCount">The client's tasks; at least 1.</param>
    /// <param name="tasksPerJob">Largest job the client wants; at least 1.</param>
    /// <param name="offerMaxTasks">Each offer's <c>maxTasks</c>, in the client's order of preference; at least one offer.</param>
    /// <returns>The jobs, covering every task once, in task order.</returns>
    /// <exception cref="ArgumentException">A count is not positive or there is no offer.</exception>
    public static IReadOnlyList<JobSlice> Split(int taskCount, int tasksPerJob, IReadOnlyList<uint> offerMaxTasks)
    {
        ArgumentNullException.ThrowIfNull(offerMaxTasks);
        ArgumentOutOfRangeException.ThrowIfLessThan(taskCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(tasksPerJob, 1);
        if (offerMaxTasks.Count == 0)
        {
            throw new ArgumentException("there is no offer to give the jobs to", nameof(offerMaxTasks));
        }

        if (offerMaxTasks.Any(m => m == 0))
        {
            throw new ArgumentException("an offer with maxTasks 0 can take no job", nameof(offerMaxTasks));
        }

        var jobs = new List<JobSlice>();
        var next = 0;
        var offer = 0;
        while (next < taskCount)
        {
            var size = (int)Math.Min(Math.Min((uint)tasksPerJob, offerMaxTasks[offer]), (uint)(taskCount - next));
            jobs.Add(new JobSlice(offer, next, size));
            next += size;
            offer = (offer + 1) % offerMaxTasks.Count;
        }

        return jobs;
    }
}
