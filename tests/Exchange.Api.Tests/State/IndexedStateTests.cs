using System.Net.Http.Json;
using Dapper;
using Exchange.Api.State;
using Exchange.Api.Tests.Support;
using Exchange.TestSupport;
using Exchange.Chain.Bindings;
using Exchange.Chain.Deployment;
using Exchange.Chain.Wallets;
using Microsoft.Data.Sqlite;

namespace Exchange.Api.Tests.State;

/// <summary>/jobs, /providers, /stats and /events against the indexer running inside the API on a live chain.</summary>
[Trait("Lane", "Slow")]
[Collection(ChainFixture.Collection)]
public sealed class IndexedStateTests(ChainFixture chain)
{
    private static readonly Dictionary<string, string?> FastIndex = new() { ["Api:IndexerPollMilliseconds"] = "100" };

    [Fact]
    public async Task Jobs_in_every_state_read_back_as_the_chain_left_them()
    {
        using var api = ChainActions.Api(chain, FastIndex);
        using var http = api.CreateClient();
        var scenario = new JobScenario(chain, client: 4, provider: 5);
        var ids = await scenario.RunMixAsync();

        var page = await Eventually.GetAsync(
            () => http.GetFromJsonAsync<JobPage>($"/jobs?provider={scenario.Provider}")!,
            p => p!.Items.Count == 4 && p.Items.Any(j => j.Status == "Expired"), "indexing the four jobs");

        var byId = page!.Items.ToDictionary(j => j.Id);
        Assert.Equal("Created", byId[(long)ids["created"]].Status);
        Assert.Equal("Submitted", byId[(long)ids["submitted"]].Status);
        Assert.Equal("Expired", byId[(long)ids["expired"]].Status);
        // settle moves a job the draw selects into Auditing instead; both are the chain's word.
        Assert.Contains(byId[(long)ids["settled"]].Status, new[] { "Settled", "Auditing" });
        Assert.All(page.Items, j => Assert.Equal(scenario.Client, j.Client));
        Assert.Equal([(long)ids["expired"], (long)ids["created"], (long)ids["submitted"], (long)ids["settled"]], page.Items.Select(j => j.Id));
        Assert.All(page.Items, j => Assert.True(j.GasUsed > 0 && j.GasPerTask > 0, $"job {j.Id} has gas"));

        var filtered = await http.GetFromJsonAsync<JobPage>($"/jobs?provider={scenario.Provider}&status=created");
        Assert.Equal((long)ids["created"], Assert.Single(filtered!.Items).Id);
    }

    [Fact]
    public async Task Job_detail_has_the_record_and_the_timeline_of_its_events()
    {
        using var api = ChainActions.Api(chain, FastIndex);
        using var http = api.CreateClient();
        var scenario = new JobScenario(chain, client: 6, provider: 7);
        var ids = await scenario.RunMixAsync();
        var id = ids["submitted"];

        var job = await Eventually.GetAsync(
            () => IndexedJobAsync(http, id), j => j is { Status: "Submitted" }, "indexing the submitted job");

        Assert.Equal(8, job!.TaskCount);
        Assert.NotEqual("0x" + new string('0', 64), job.ResultRoot);
        Assert.Equal(["JobCreated", "ResultSubmitted"], job.Timeline.Where(e => e.Event is "JobCreated" or "ResultSubmitted").Select(e => e.Event));
        Assert.All(job.Timeline, e => Assert.StartsWith("0x", e.TransactionHash));
        Assert.Equal("8000000000000000000", job.Price);

        var expired = await Eventually.GetAsync(() => http.GetFromJsonAsync<JobDetail>($"/jobs/{ids["expired"]}"),
            j => j!.Timeline.Any(e => e.Event == "JobExpired"), "indexing the expiry");
        Assert.Equal("Expired", expired!.Status);
        Assert.NotNull(expired.Refund);
    }

    [Fact]
    public async Task A_slashed_job_reads_back_with_its_audit_committee_votes_and_ruling()
    {
        using var api = ChainActions.Api(chain, FastIndex);
        using var http = api.CreateClient();
        var scenario = new JobScenario(chain, client: 6, provider: 7);
        var id = await scenario.RunDisputeAsync([1, 2, 3]);

        var job = await Eventually.GetAsync(() => http.GetFromJsonAsync<JobDetail>($"/jobs/{id}"), j => j!.Status == "Slashed", "indexing the ruling");

        Assert.Equal("failed", job!.Audit);
        Assert.Equal("Drawn", job.AuditOrigin);
        Assert.False(job.VerdictPass);
        Assert.NotNull(job.DrawSeed);
        Assert.Equal(job.Collateral, job.Slashed);
        var dispute = job.Dispute!;
        Assert.Equal(job.Verifier, dispute.Challenger);
        Assert.True(dispute.Resolved);
        Assert.True(dispute.ProviderWrong);
        Assert.Equal("0", dispute.Held);
        var round = Assert.Single(dispute.Rounds);
        Assert.Equal("provider-wrong", round.FundedSide);
        Assert.Equal("provider-wrong", round.Ruling);
        Assert.Equal(chain.Options.Court.ChallengerBond(System.Numerics.BigInteger.Parse(job.Collateral)).ToString(), round.Bond);
        Assert.Equal(chain.Options.Court.CommitteeSizeOf(0), round.Size);
        Assert.NotEmpty(round.Members);
        Assert.All(round.Members, m => Assert.Equal("provider-wrong", m.Vote));
        Assert.Equal(round.Members.Count, round.VotesWrong);
        Assert.Contains(job.Timeline, e => e.Event == "DisputeResolved");

        Assert.Equal("fail-verdict", dispute.OpenedBy);
        Assert.Null(dispute.PassingVerifier);
        Assert.Null(job.Settlement);
        Assert.Equal(0, job.Appeals);

        var verifiers = (await http.GetFromJsonAsync<List<VerifierView>>("/verifiers"))!;
        var challenger = verifiers.Single(v => v.Address == dispute.Challenger);
        Assert.True(challenger.Verdicts >= 1 && challenger.Fails >= 1 && challenger.Verdicts == challenger.Passes + challenger.Fails);
        // Proven right, the challenger got its bond back with the audit reward: it earned the reward at least.
        var reward = chain.Options.Market.AuditReward(System.Numerics.BigInteger.Parse(job.Price));
        Assert.True(System.Numerics.BigInteger.Parse(challenger.Earnings) >= reward, $"challenger earned {challenger.Earnings}, the reward is {reward}");
        Assert.All(round.Members, m =>
        {
            var member = verifiers.Single(v => v.Address == m.Member);
            Assert.True(member.Votes >= 1);
            Assert.True(System.Numerics.BigInteger.Parse(member.Earnings) > 0, $"coherent member {m.Member} earned its share");
        });
        Assert.Equal(reward.ToString(), job.AuditReward);
        var stats = (await http.GetFromJsonAsync<NetworkStats>("/stats"))!;
        Assert.True(stats.Disputes >= 1 && stats.Audits >= 1 && stats.Verdicts >= 1 && stats.Votes >= round.Members.Count);
        Assert.True(stats.JobsByStatus["Slashed"] >= 1);
    }

    [Fact]
    public async Task A_pass_reads_appealable_until_its_window_ends_then_settled_after_the_audit()
    {
        using var api = ChainActions.Api(chain, FastIndex);
        using var http = api.CreateClient();
        var scenario = new JobScenario(chain, client: 6, provider: 7);
        var (id, record, verifier) = await scenario.PassedJobAsync([1, 2, 3]);

        var pending = await Eventually.GetAsync(() => IndexedJobAsync(http, id), j => j?.VerdictPass == true, "indexing the pass");
        Assert.Equal("Auditing", pending!.Status);
        Assert.Equal("pass-appealable", pending.Audit);
        Assert.Null(pending.Settlement);
        Assert.Null(pending.AuditReward);
        var passedAt = pending.Timeline.Single(e => e.Event == "VerdictSubmitted").Timestamp;
        Assert.Equal(passedAt + (long)chain.Options.Court.PassAppealWindow, pending.PassDeadline);

        await scenario.FinalizePassAsync(id, record);
        var settled = await Eventually.GetAsync(() => http.GetFromJsonAsync<JobDetail>($"/jobs/{id}"), j => j!.Status == "Settled", "indexing the pass that stood");
        Assert.Equal("passed", settled!.Audit);
        Assert.Equal("audited", settled.Settlement);
        Assert.Equal(0, settled.Appeals);
        Assert.Null(settled.Dispute);
        var reward = System.Numerics.BigInteger.Parse(settled.AuditReward!);
        Assert.True(reward > 0 && reward <= chain.Options.Market.AuditReward(System.Numerics.BigInteger.Parse(settled.Price)));
        var credited = settled.Timeline.Single(e => e.Event == "Credited");
        Assert.Equal(verifier, credited.Args["account"]!.GetValue<string>());
        Assert.Equal(settled.AuditReward, credited.Args["amount"]!.GetValue<string>());
        var row = (await http.GetFromJsonAsync<List<VerifierView>>("/verifiers"))!.Single(v => v.Address == verifier);
        Assert.True(row.Passes >= 1 && System.Numerics.BigInteger.Parse(row.Earnings) >= reward);
    }

    [Fact]
    public async Task A_pass_appealed_and_ruled_wrong_reads_back_as_a_caught_pass()
    {
        using var api = ChainActions.Api(chain, FastIndex);
        using var http = api.CreateClient();
        var scenario = new JobScenario(chain, client: 15, provider: 19);
        var (id, verifier) = await scenario.RunPassAppealAsync([1, 2, 3]);

        var job = await Eventually.GetAsync(() => IndexedJobAsync(http, id), j => j?.Status == "Slashed", "indexing the ruling");

        Assert.Equal("failed", job!.Audit);
        Assert.True(job.VerdictPass);
        Assert.Equal(1, job.Appeals);
        Assert.Null(job.Settlement);
        var dispute = job.Dispute!;
        Assert.Equal("pass-appeal", dispute.OpenedBy);
        Assert.Equal(scenario.Client, dispute.Challenger);
        Assert.Equal(verifier, dispute.PassingVerifier);
        Assert.Equal("0x" + new string('0', 64), dispute.EvidenceHash);
        Assert.Equal("provider-wrong", Assert.Single(dispute.Rounds).Ruling);
        var penalty = System.Numerics.BigInteger.Parse(dispute.FalsePassPenalty!);
        Assert.True(penalty > 0);
        Assert.Equal("0", dispute.Held);
        Assert.Contains(job.Timeline, e => e.Event == "PassAppealed");

        var row = (await http.GetFromJsonAsync<List<VerifierView>>("/verifiers"))!.Single(v => v.Address == verifier);
        Assert.True(row.PassesOverturned >= 1 && System.Numerics.BigInteger.Parse(row.Penalised) >= penalty && row.Slashes >= 1);
        var stats = (await http.GetFromJsonAsync<NetworkStats>("/stats"))!;
        Assert.True(stats.PassAppeals >= 1 && stats.PassesOverturned >= 1);
    }

    [Fact]
    public async Task Providers_stats_and_live_events_follow_the_chain()
    {
        using var api = ChainActions.Api(chain, FastIndex);
        using var http = api.CreateClient();
        var scenario = new JobScenario(chain, client: 8, provider: 16);
        await scenario.PrepareAsync();

        var provider = await Eventually.GetAsync(
            async () => (await http.GetAsync($"/providers/{scenario.Provider}")).IsSuccessStatusCode
                ? await http.GetFromJsonAsync<ProviderView>($"/providers/{scenario.Provider}") : null,
            p => p is not null, "indexing the provider's stake");
        Assert.Equal("10000000000000000000000", provider!.Stake);
        Assert.Contains((await http.GetFromJsonAsync<List<ProviderView>>("/providers"))!, p => p.Address == scenario.Provider);

        using var stream = await http.GetStreamAsync("/events");
        using var reader = new StreamReader(stream);
        Assert.Equal("event: ready", await reader.ReadLineAsync());
        var (id, _) = await scenario.CreateAsync(3);
        string? line;
        var seen = false;
        while (!seen && (line = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30))) is not null)
        {
            seen = line.StartsWith("data: ", StringComparison.Ordinal) && line.Contains($"\"jobId\":{id}", StringComparison.Ordinal)
                && line.Contains("\"event\":\"JobCreated\"", StringComparison.Ordinal) && line.Contains("\"status\":\"Created\"", StringComparison.Ordinal);
        }
        Assert.True(seen, "the JobCreated event arrived on /events");

        var stats = await http.GetFromJsonAsync<NetworkStats>("/stats");
        Assert.True(stats!.Jobs >= 1);
        Assert.True(stats.JobsByStatus["Created"] >= 1);
        Assert.Equal(60, stats.Throughput.Count);
        Assert.True(stats.Providers >= 1);
    }

    [Fact]
    public async Task An_api_disposed_without_a_stop_indexes_what_was_mined_since_its_last_poll()
    {
        // As the demo runs it: built and disposed by the caller, which then stops the chain. A poll a
        // minute: within the test only the first poll and the end can index.
        using var data = new TempDirectory();
        var deployment = DeploymentFile.Write(data.File("deployment.json"), chain.Deployment);
        var database = data.File("exchange.db");
        var app = ApiApplication.Create([
            "--urls=http://127.0.0.1:0", $"--Api:DataDirectory={data.Path}", $"--Api:RpcUrl={chain.RpcUrl}", $"--Api:Deployment={deployment}",
            "--Api:IndexerPollMilliseconds=60000", "--Logging:LogLevel:Default=Warning",
        ]);
        await app.StartAsync();
        var head = (long)(await chain.Web3.Eth.Blocks.GetBlockNumber.SendRequestAsync()).Value;
        await Eventually.GetAsync(() => Task.FromResult(NextBlock(database)), next => next > head, "the first poll");

        var receipt = await chain.Sender(0).SendAsync(chain.Deployment.ComputeToken, new TransferFunction { To = DevAccounts.Address(15), Value = 1 });
        Assert.True(NextBlock(database) <= (long)receipt.BlockNumber.Value, "the poll did not run again");
        await app.DisposeAsync();

        Assert.True(NextBlock(database) > (long)receipt.BlockNumber.Value, "the end indexed the transfer's block");
        using var connection = new SqliteConnection($"Data Source={database}");
        Assert.Equal(1L, connection.ExecuteScalar<long>("SELECT count(*) FROM chain_events WHERE tx_hash = @h", new { h = receipt.TransactionHash.ToLowerInvariant() }));
    }

    private static long NextBlock(string database)
    {
        using var connection = new SqliteConnection($"Data Source={database}");
        return connection.ExecuteScalar<long?>("SELECT next_block FROM log_cursors WHERE name = 'indexer'") ?? 0;
    }

    /// <summary>The job as the API reads it, or null while the index has not reached it.</summary>
    private static async Task<JobDetail?> IndexedJobAsync(HttpClient http, System.Numerics.BigInteger id) =>
        (await http.GetAsync($"/jobs/{id}")).IsSuccessStatusCode ? await http.GetFromJsonAsync<JobDetail>($"/jobs/{id}") : null;
}
