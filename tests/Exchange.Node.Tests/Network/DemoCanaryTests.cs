using Exchange.Local.Demo;
using Exchange.Node.Provider;
using Exchange.Node.Tests.Support;
using Exchange.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Exchange.Node.Tests.Network;

/// <summary>
/// The demo with a lazy verifier and canaries on a live Hardhat chain: every job audited on every
/// task, so each canary the lazy verifier is drawn for (it stakes ten times an honest verifier,
/// about three draws in four) is a wrong pass that the canary appeals and wins. With five canaries
/// the chance that none meets it is below one in a thousand.
/// </summary>
[Trait("Lane", "Slow")]
[Collection(NetworkTestGroup.Name)]
public sealed class DemoCanaryTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task The_demo_s_canaries_catch_its_lazy_verifier_and_the_supply_is_conserved()
    {
        var options = new DemoOptions
        {
            Providers = 2,
            Verifiers = 3,
            LazyVerifier = true,
            // Five client jobs: five canaries keep them at half of all jobs.
            CanaryRate = 0.5,
            Tasks = 40,
            TasksPerJob = 8,
            // No cheating provider: its failed jobs would put the lazy verifier on committees, where
            // its wrong vote is penalised, and a verifier penalised in an epoch is drawn for no job
            // of it, canaries included: the committee would catch it before any canary could.
            CheatRate = 0,
            // Short epochs, for the same reason: a canary's own dispute (an honest verifier drew it)
            // bars the lazy verifier until the next epoch only.
            EpochSeconds = 10,
            Seed = 11,
            Model = "resnet-preprocess",
            AuditRateBps = 10_000,
            AuditedTasksPerJob = 8,
            ChallengeWindowSeconds = 2,
            JobDeadlineSeconds = 90,
            DataDirectory = _folder.Path,
            Timeout = TimeSpan.FromMinutes(5),
        };

        var summary = await new DemoNetwork(options, NullLoggerFactory.Instance).RunAsync(CancellationToken.None);

        Assert.Equal(0, summary.Jobs.Pending);
        Assert.True(summary.Conserved);
        Assert.Equal(5, summary.Canaries);
        Assert.True(summary.LazyCaught is >= 1 and <= 5, $"{summary.Canary} {summary.Audits}");
        Assert.Equal(["lazy"], summary.Canary!.CaughtVerifiers);
        Assert.Empty(summary.Uncaught);
        Assert.InRange(summary.Canary.PassesAppealed, summary.LazyCaught, 5);
        // Each catch costs the lazy verifier fifty audit rewards (40 tokens): more than all its rewards
        // (0.8 token a pass) and committee earnings in this run.
        var lazy = summary.Balances["lazy"].After - summary.Balances["lazy"].Before;
        Assert.True(lazy < 0, $"lazy verifier: {lazy}");
        Assert.Equal(0m, summary.Canary.Open);
    }
}
