using System.Numerics;
using Exchange.Core.Eip712;
using Exchange.Core.Hashing;
using Exchange.Node.Client;

namespace Exchange.Node.Tests.Client;

public sealed class JobSizingTests
{
    private static Offer OfferOf(uint maxTasks, uint minTurnaround) =>
        new("0x0000000000000000000000000000000000000001", default(Bytes32), BigInteger.One, maxTasks, minTurnaround, 0, default(Bytes32), 0);

    [Fact]
    public void Auto_gives_each_offer_one_job_when_that_meets_the_gas_target_and_the_latency()
    {
        var size = JobSizing.Choose(1_024, [OfferOf(1_024, 150), OfferOf(1_024, 150)], 10_000, TimeSpan.FromSeconds(150), null);

        Assert.Equal(512, size.TasksPerJob);
        Assert.Equal(2, size.Jobs);
        Assert.Equal(JobSizing.AuditedJobGas * 2 / 1_024, size.GasPerTask);
        Assert.True(size.GasPerTask <= JobSizing.GasPerTaskTarget);
        Assert.Equal(75, size.SecondsPerJob, 6);
        Assert.StartsWith("2 jobs of 512 tasks (≈722 gas/task, ≈75 s each)", size.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Auto_puts_few_tasks_in_one_job_rather_than_miss_the_gas_target_to_spread_them()
    {
        var size = JobSizing.Choose(200, [OfferOf(1_024, 100), OfferOf(1_024, 100)], 5_000, TimeSpan.FromSeconds(100), null);

        Assert.Equal(1, size.Jobs);
        Assert.Equal(200, size.TasksPerJob);
        Assert.True(size.GasPerTask <= JobSizing.GasPerTaskTarget);
    }

    [Fact]
    public void Auto_cuts_jobs_to_the_latency_at_the_slowest_offers_declared_rate_and_says_the_target_is_missed()
    {
        // 64 tasks per 300 s on the slower offer: 12 tasks fit in 60 s.
        var size = JobSizing.Choose(100, [OfferOf(1_024, 100), OfferOf(64, 300)], 1_500, TimeSpan.FromSeconds(60), null);

        Assert.Equal(12, size.TasksPerJob);
        Assert.Equal(9, size.Jobs);
        Assert.True(size.SecondsPerJob <= 60);
        Assert.True(size.GasPerTask > JobSizing.GasPerTaskTarget);
        Assert.Contains("above the 2,000 gas/task target", size.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Auto_keeps_jobs_within_the_offers_max_tasks()
    {
        var size = JobSizing.Choose(10_000, [OfferOf(1_000, 0)], 0, TimeSpan.FromHours(1), null);

        Assert.Equal(1_000, size.TasksPerJob);
        Assert.Equal(10, size.Jobs);
    }

    [Fact]
    public void A_given_size_is_used_as_it_is_and_reported_with_its_gas()
    {
        var size = JobSizing.Choose(200, [OfferOf(64, 90), OfferOf(64, 90)], 5_000, TimeSpan.FromSeconds(90), 8);

        Assert.Equal(8, size.TasksPerJob);
        Assert.Equal(25, size.Jobs);
        Assert.Equal(JobSizing.GasPerJob(5_000) * 25 / 200, size.GasPerTask);
        Assert.DoesNotContain("target", size.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 1, 10)]
    [InlineData(10, 0, 10)]
    [InlineData(10, 1, 0)]
    public void Bad_counts_sizes_and_latencies_are_refused(int tasks, int perJob, int latencySeconds)
    {
        Assert.ThrowsAny<ArgumentException>(() => JobSizing.Choose(tasks, [OfferOf(64, 90)], 5_000, TimeSpan.FromSeconds(latencySeconds), perJob));
    }

    [Fact]
    public void No_offer_is_refused()
    {
        Assert.Throws<ArgumentException>(() => JobSizing.Choose(10, [], 5_000, TimeSpan.FromSeconds(10), null));
    }
}
