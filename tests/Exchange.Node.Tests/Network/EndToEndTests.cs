using Exchange.Local.Demo;
using Exchange.Node.Provider;
using Exchange.Node.Tests.Support;
using Exchange.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Exchange.Node.Tests.Network;

/// <summary>
/// The demo at small scale on a live Hardhat chain: every job audited on every task, so the cheater
/// is caught with certainty and slashed by a committee; one silent provider whose job expires
/// unaccepted. Money is checked to the wei against the contracts' rules (unit price 1 token, jobs
/// of 8 tasks, fees 11 % + 1 %, audit reward 10 %, collateral 3x, slash split 50 % client / 30 %
/// committee / 20 % treasury, the challenger's bond returned).
/// </summary>
[Trait("Lane", "Slow")]
[Collection(NetworkTestGroup.Name)]
public sealed class EndToEndTests : IDisposable
{
    private const decimal Job = 8m; // price of one job: 8 tasks at 1 token
    private const decimal Collateral = 3 * Job;

    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task The_network_settles_honest_work_slashes_the_cheater_expires_the_silent_job_and_conserves_tokens()
    {
        var options = new DemoOptions
        {
            Providers = 2,
            Verifiers = 3,
            Tasks = 40,
            TasksPerJob = 8,
            CheatRate = 0.3,
            Cheat = CheatMode.Perturb,
            Seed = 11,
            Model = "resnet-preprocess",
            AuditRateBps = 10_000,
            AuditedTasksPerJob = 8,
            ChallengeWindowSeconds = 2,
            JobDeadlineSeconds = 25,
            SilentProvider = true,
            DataDirectory = _folder.Path,
            Timeout = TimeSpan.FromMinutes(4),
        };

        var summary = await new DemoNetwork(options, NullLoggerFactory.Instance).RunAsync(CancellationToken.None);

        // Five jobs dealt in turn to provider1, cheater, silent: 1 and 4 honest, 2 and 5 cheating, 3 silent.
        Assert.Equal(new DemoJobCounts(Settled: 2, Slashed: 2, Expired: 1, Pending: 0), summary.Jobs);
        Assert.Equal(2, summary.CheaterSlashes);
        Assert.True(summary.Conserved);
        Assert.Equal((2, 2), summary.Audits);

        Assert.Equal(2 * Job, Change(summary, "provider1"));
        Assert.Equal(-2 * Collateral, Change(summary, "cheater"));
        // Never accepted: its job expired without penalty.
        Assert.Equal(0m, Change(summary, "silent"));
        // Settled: pays price and fees. Slashed: price back plus half the collateral. Expired unaccepted: everything back.
        Assert.Equal((2 * -1.12m * Job) + (2 * ((-1.12m * Job) + Job + (0.5m * Collateral))), Change(summary, "client"));
        // Audit rewards (10 % of price) for every audit, and per slash the committee's 30 % of the collateral.
        Assert.Equal((4 * 0.1m * Job) + (2 * 0.3m * Collateral),
            Change(summary, "verifier1") + Change(summary, "verifier2") + Change(summary, "verifier3"));
        // The protocol fees of the four jobs that did not expire, and per slash the rest of the collateral.
        Assert.Equal((4 * 0.01m * Job) + (2 * 0.2m * Collateral), Change(summary, "treasury"));
        Assert.True(summary.GasPerTask > 0);
        Assert.True(summary.TasksPerSecond > 0);
    }

    private static decimal Change(DemoSummary summary, string role) => summary.Balances[role].After - summary.Balances[role].Before;
}
