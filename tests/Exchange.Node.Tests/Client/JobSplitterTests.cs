using Exchange.Node.Client;

namespace Exchange.Node.Tests.Client;

public sealed class JobSplitterTests
{
    [Fact]
    public void Split_covers_every_task_once_in_order_and_deals_jobs_to_offers_in_turn()
    {
        var jobs = JobSplitter.Split(23, 8, [64, 64]);

        Assert.Equal([8, 8, 7], jobs.Select(j => j.TaskCount));
        Assert.Equal([0, 8, 16], jobs.Select(j => j.FirstTask));
        Assert.Equal([0, 1, 0], jobs.Select(j => j.OfferIndex));
    }

    [Fact]
    public void Split_never_exceeds_an_offers_max_tasks()
    {
        var jobs = JobSplitter.Split(10, 8, [3, 8]);

        Assert.All(jobs, j => Assert.True(j.TaskCount <= (j.OfferIndex == 0 ? 3 : 8)));
        Assert.Equal(10, jobs.Sum(j => j.TaskCount));
    }

    [Theory]
    [InlineData(0, 8)]
    [InlineData(5, 0)]
    public void Split_refuses_non_positive_counts(int tasks, int perJob) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => JobSplitter.Split(tasks, perJob, [8]));

    [Fact]
    public void Split_refuses_no_offers_and_offers_that_take_nothing()
    {
        Assert.Throws<ArgumentException>(() => JobSplitter.Split(5, 2, []));
        Assert.Throws<ArgumentException>(() => JobSplitter.Split(5, 2, [4, 0]));
    }
}
