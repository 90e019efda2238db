using Exchange.Local.Benchmarks;

namespace Exchange.Node.Tests.Benchmarks;

/// <summary>The warm-up job of <c>exchange bench e2e --warm-up</c>: as large as each of the measured run's jobs.</summary>
public sealed class EndToEndOptionsTests
{
    [Theory]
    [InlineData(4096, null, 1024)] // the client chooses the run's job sizes: a warm-up of 1,024 at most
    [InlineData(256, null, 256)] // a run smaller than that: one job of the run's size
    [InlineData(4096, 64, 64)] // --tasks-per-job sets it
    [InlineData(16, 64, 16)]
    public void The_warm_up_job_has_as_many_tasks_as_each_job_of_the_run(int tasks, int? perJob, int expected)
    {
        var options = new EndToEndOptions { Tasks = tasks, TasksPerJob = perJob, WarmUp = true };

        Assert.Equal(expected, options.WarmUpTasks);
    }

    [Fact]
    public void Without_warm_up_there_is_no_warm_up_job()
    {
        var options = new EndToEndOptions { Tasks = 4096 };

        Assert.Equal(0, options.WarmUpTasks);
    }
}
