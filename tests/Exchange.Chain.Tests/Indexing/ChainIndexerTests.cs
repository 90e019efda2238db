using System.Diagnostics;
using System.Numerics;
using Dapper;
using Exchange.Chain.Bindings;
using Exchange.Chain.Court;
using Exchange.Chain.Deployment;
using Exchange.Chain.Indexing;
using Exchange.Chain.Wallets;
using Exchange.Core.Jobs;
using Exchange.Chain.Migrations;
using Exchange.Storage;
using Exchange.TestSupport;
using Nethereum.Hex.HexTypes;
using Nethereum.RPC.Eth.DTOs;
using Xunit.Abstractions;

namespace Exchange.Chain.Tests.Indexing;

[Trait("Lane", "Slow")]
[Collection(ChainFixture.Collection)]
public sealed class ChainIndexerTests(ChainFixture chain, ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    private SqliteConnectionFactory NewDatabase(string name = "index.db") => new(_folder.File(name));

    private ChainIndexer NewIndexer(SqliteConnectionFactory database, ChainIndexerOptions? options = null) =>
        new(chain.Web3, chain.Deployment, database, options ?? new ChainIndexerOptions { BatchSize = 50 });

    private async Task<int> LogCountAsync() =>
        (await chain.Web3.Eth.Filters.GetLogs.SendRequestAsync(new NewFilterInput
        {
            Address = [chain.Deployment.ComputeToken, chain.Deployment.StakingVault, chain.Deployment.JobMarket, chain.Deployment.AuditCourt],
            FromBlock = new BlockParameter(new HexBigInteger(chain.Deployment.StartBlock)),
            ToBlock = BlockParameter.CreateLatest(),
        })).Length;

    [Fact]
    public async Task Tables_equal_the_contracts_state_after_every_transaction_of_a_sequence_with_every_event()
    {
        var database = NewDatabase();
        var indexer = NewIndexer(database);
        var checks = 0;
        await indexer.SyncOnceAsync();
        var recordsBefore = await VerifierRecordsAsync(database);
        var balancesBefore = await MarketBalancesAsync();
        var scenario = new MarketScenario(chain, indexer, database, async () =>
        {
            await indexer.SyncOnceAsync();
            await ChainState.AssertTablesEqualChainAsync(chain, database);
            checks++;
        });
        await scenario.RunAsync();
        await indexer.SyncOnceAsync();

        await ChainState.AssertTablesEqualChainAsync(chain, database);
        AssertVerifierRecords(scenario, recordsBefore, await VerifierRecordsAsync(database), balancesBefore, await MarketBalancesAsync());
        output.WriteLine($"the tables equalled the contracts' state after each of {checks} transactions");
        await using var db = await database.OpenAsync();
        var seen = (await db.QueryAsync<string>("SELECT DISTINCT contract || '.' || name FROM chain_events")).ToHashSet();
        var declared = ContractArtifacts.All
            .SelectMany(a => Nethereum.ABI.ABIDeserialisation.ABIDeserialiserFactory.DeserialiseContractABI(a.Abi).Events.Select(e => $"{a.Name}.{e.Name}"))
            .Where(e => !e.EndsWith(".EIP712DomainChanged", StringComparison.Ordinal)); // emitted only if a domain changes, which these contracts never do
        Assert.Empty(declared.Except(seen));
        Assert.Equal(await LogCountAsync(), await db.ExecuteScalarAsync<long>("SELECT count(*) FROM chain_events"));

        var disputed = await db.ExecuteScalarAsync<long>("SELECT min(job_id) FROM disputes");
        var timeline = (await db.QueryAsync<(string Name, string Tx, long Gas)>(
            "SELECT name, tx_hash, gas_used FROM chain_events WHERE job_id = @disputed ORDER BY block_number, log_index", new { disputed })).ToList();
        Assert.Equal("JobCreated", timeline[0].Name);
        Assert.Contains(timeline, t => t.Name == "DisputeResolved");
        Assert.All(timeline, t => Assert.True(t.Gas > 21_000 && t.Tx.Length == 66));

        // The bond and committee formulas of CourtParameters are the court's.
        var collateral = BigInteger.Parse(await db.ExecuteScalarAsync<string>("SELECT collateral FROM jobs WHERE job_id = @disputed", new { disputed }) ?? "0");
        var rounds = (await db.QueryAsync<(long Round, string Bond, long Size)>("SELECT round, bond, size FROM dispute_rounds WHERE job_id = @disputed ORDER BY round", new { disputed })).ToList();
        var court = chain.Options.Court;
        Assert.Equal(2, rounds.Count);
        Assert.Equal(court.ChallengerBond(collateral).ToString(), rounds[0].Bond);
        Assert.Equal(CourtParameters.AppealBond(court.ChallengerBond(collateral), 1).ToString(), rounds[1].Bond);
        Assert.Equal([court.CommitteeSizeOf(0), court.CommitteeSizeOf(1)], rounds.Select(r => (int)r.Size));

        // Every way a job ends is told apart.
        var endings = (await db.QueryAsync<(long Status, string? Settlement, long? Origin)>("SELECT status, settlement, audit_origin FROM jobs")).ToList();
        Assert.Contains(endings, j => j is { Status: (long)JobStatus.Settled, Settlement: "unaudited" });
        Assert.Contains(endings, j => j is { Status: (long)JobStatus.Settled, Settlement: "audited", Origin: (long)AuditOrigin.Drawn });
        Assert.Contains(endings, j => j is { Status: (long)JobStatus.Settled, Settlement: "audited", Origin: (long)AuditOrigin.Lapsed });
        Assert.Contains(endings, j => j is { Status: (long)JobStatus.Settled, Settlement: "unverified", Origin: (long)AuditOrigin.ClientRequested });
        Assert.Contains(endings, j => j is { Status: (long)JobStatus.Slashed, Origin: (long)AuditOrigin.Drawn });
        Assert.Equal(3, endings.Count(j => j.Status == (long)JobStatus.Expired)); // unaccepted, accepted, declined
        var passAppeals = (await db.QueryAsync<(long ProviderWrong, long Status, string? Settlement)>(
            "SELECT d.provider_wrong, j.status, j.settlement FROM disputes d JOIN jobs j ON j.job_id = d.job_id WHERE d.passing_verifier IS NOT NULL")).ToList();
        Assert.Contains(passAppeals, a => a is { ProviderWrong: 1, Status: (long)JobStatus.Slashed });
        Assert.Contains(passAppeals, a => a is { ProviderWrong: 0, Status: (long)JobStatus.Settled, Settlement: "audited" });
    }

    [Fact]
    public async Task A_reorg_is_detected_and_rolled_back()
    {
        var database = NewDatabase();
        var indexer = NewIndexer(database);
        await indexer.SyncOnceAsync();
        var deployer = DevAccountsOfTests.Deployer;
        var snapshot = await chain.SnapshotAsync();
        var orphan = await chain.Sender(deployer).SendAsync(chain.Deployment.ComputeToken, new TransferFunction { To = DevAccounts.Address(16), Value = 111 });
        await chain.Sender(deployer).SendAsync(chain.Deployment.ComputeToken, new TransferFunction { To = DevAccounts.Address(16), Value = 222 });
        Assert.Null((await indexer.SyncOnceAsync()).RolledBackTo);

        await chain.RevertAsync(snapshot);
        await chain.Sender(deployer).SendAsync(chain.Deployment.ComputeToken, new TransferFunction { To = DevAccounts.Address(15), Value = 333 });
        await chain.MineAsync(2);
        var progress = await indexer.SyncOnceAsync();

        Assert.Equal((ulong)orphan.BlockNumber.Value, progress.RolledBackTo);
        await ChainState.AssertTablesEqualChainAsync(chain, database);
        await using var db = await database.OpenAsync();
        Assert.Equal(0L, await db.ExecuteScalarAsync<long>("SELECT count(*) FROM chain_events WHERE tx_hash = @h", new { h = orphan.TransactionHash.ToLowerInvariant() }));
        Assert.Equal(await LogCountAsync(), await db.ExecuteScalarAsync<long>("SELECT count(*) FROM chain_events"));
    }

    [Fact]
    public async Task A_reorg_undoes_the_verdicts_and_earnings_of_the_dropped_blocks()
    {
        var database = NewDatabase();
        var indexer = NewIndexer(database);
        var scenario = new MarketScenario(chain, indexer, database);
        var jobId = await scenario.AuditedJobAsync();
        await indexer.SyncOnceAsync();
        var before = await VerifierRecordsAsync(database);
        var snapshot = await chain.SnapshotAsync();

        var verifier = await scenario.PassAsync(jobId);
        await chain.IncreaseTimeAsync(chain.Options.Court.PassAppealWindow + 1);
        await scenario.FinalizePassAsync(jobId);
        await indexer.SyncOnceAsync();
        var passed = await VerifierRecordsAsync(database);
        var was = before.GetValueOrDefault(verifier) ?? new VerifierRecord(0, 0, 0, 0);
        Assert.Equal(was with { Verdicts = was.Verdicts + 1, Passes = was.Passes + 1, Earned = passed[verifier].Earned }, passed[verifier]);
        Assert.True(passed[verifier].Earned > was.Earned, $"the pass that stood earned {verifier} its reward");

        await chain.RevertAsync(snapshot);
        await chain.Sender(DevAccountsOfTests.Deployer).SendAsync(chain.Deployment.ComputeToken, new TransferFunction { To = DevAccounts.Address(15), Value = 1 });
        await chain.MineAsync(2);
        var progress = await indexer.SyncOnceAsync();

        Assert.NotNull(progress.RolledBackTo);
        Assert.Equal(before, await VerifierRecordsAsync(database));
        await ChainState.AssertTablesEqualChainAsync(chain, database);
    }

    [Fact]
    public async Task A_restart_resumes_where_it_stopped_without_duplicates()
    {
        var database = NewDatabase();
        await NewIndexer(database).SyncOnceAsync();
        await chain.Sender(DevAccountsOfTests.Deployer).SendAsync(chain.Deployment.ComputeToken, new TransferFunction { To = DevAccounts.Address(14), Value = 5 });

        var restarted = NewIndexer(database);
        var progress = await restarted.SyncOnceAsync();
        var again = await restarted.SyncOnceAsync();

        Assert.Equal(1, progress.Events);
        Assert.Equal(0, again.Events);
        await using var db = await database.OpenAsync();
        Assert.Equal(await LogCountAsync(), await db.ExecuteScalarAsync<long>("SELECT count(*) FROM chain_events"));
        await ChainState.AssertTablesEqualChainAsync(chain, database);
    }

    [Fact]
    public async Task Confirmations_hold_back_the_newest_blocks()
    {
        var database = NewDatabase();
        var progress = await NewIndexer(database, new ChainIndexerOptions { Confirmations = 3 }).SyncOnceAsync();
        Assert.Equal(progress.Head - 2, progress.NextBlock);
    }

    [Fact]
    public async Task A_database_of_another_deployment_is_refused()
    {
        var database = NewDatabase();
        await NewIndexer(database).SyncOnceAsync();
        var other = chain.Deployment with { JobMarket = DevAccounts.Address(13) };
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => new ChainIndexer(chain.Web3, other, database).SyncOnceAsync());
        Assert.Contains("use another database", error.Message);
    }

    [Fact]
    public async Task Ingestion_rate_is_measured_over_the_whole_history()
    {
        const int Transfers = 300;
        var sender = chain.Sender(DevAccountsOfTests.Deployer);
        await Task.WhenAll(Enumerable.Range(0, Transfers).Select(i =>
            sender.SendAsync(chain.Deployment.ComputeToken, new TransferFunction { To = DevAccounts.Address(12), Value = i + 1 })));

        var database = NewDatabase("rate.db");
        await SchemaMigrator.MigrateAsync(database, [ChainMigrations.Set]);
        var clock = Stopwatch.StartNew();
        var progress = await NewIndexer(database, new ChainIndexerOptions()).SyncOnceAsync();
        clock.Stop();

        Assert.Equal(await LogCountAsync(), progress.Events);
        Assert.True(progress.Events >= Transfers);
        var rate = progress.Events / clock.Elapsed.TotalSeconds;
        output.WriteLine($"indexer: {progress.Events} events in {clock.Elapsed.TotalSeconds:0.00} s = {rate:0} events/s");
        Console.WriteLine($"[measure] indexer: {progress.Events} events from {progress.NextBlock - chain.Deployment.StartBlock} blocks, {rate:0} events/s ingested");
    }

    private sealed record VerifierRecord(long Verdicts, long Passes, long PassesOverturned, BigInteger Earned);

    /// <summary>Each staked account's record as the indexer projected it: verdicts, passes, passes ruled wrong, earnings.</summary>
    private static async Task<Dictionary<string, VerifierRecord>> VerifierRecordsAsync(SqliteConnectionFactory database)
    {
        await using var db = await database.OpenAsync();
        var rows = await db.QueryAsync<(string Account, long Verdicts, long Passes, long Overturned, string? Earned)>(
            "SELECT s.account, s.verdicts, s.passes, s.passes_overturned, m.earned FROM stakes s LEFT JOIN market_accounts m ON m.account = s.account");
        return rows.ToDictionary(r => r.Account, r => new VerifierRecord(r.Verdicts, r.Passes, r.Overturned, BigInteger.Parse(r.Earned ?? "0")));
    }

    /// <summary>Every dev account's balance in the market, from the contract.</summary>
    private async Task<Dictionary<string, BigInteger>> MarketBalancesAsync()
    {
        var balances = new Dictionary<string, BigInteger>();
        for (var i = 0; i < DevAccounts.FundedCount; i++)
        {
            var account = DevAccounts.Address(i).ToLowerInvariant();
            var slot = await ChainState.QueryAsync<JobMarketAccountOfFunction, JobMarketAccountOfOutputDTO>(
                chain, chain.Deployment.JobMarket, new JobMarketAccountOfFunction { Account = account });
            balances[account] = slot.ReturnValue0.Balance;
        }

        return balances;
    }

    /// <summary>
    /// The verdicts the scenario gave are the ones counted; and every staked account but the
    /// scenario's provider (whose payouts it withdraws) earned what its market balance moved beside
    /// its deposits: such a balance moves only by deposits, court credits and the bonds it posts, and
    /// every dispute of the scenario has ended.
    /// </summary>
    private static void AssertVerifierRecords(
        MarketScenario scenario, Dictionary<string, VerifierRecord> before, Dictionary<string, VerifierRecord> after,
        Dictionary<string, BigInteger> balancesBefore, Dictionary<string, BigInteger> balancesAfter)
    {
        Assert.Contains(scenario.Verdicts, v => v.Value.Passes > 0);
        Assert.Contains(scenario.Verdicts, v => v.Value.Fails > 0);
        Assert.NotEmpty(scenario.Overturned);
        foreach (var (account, record) in after)
        {
            var was = before.GetValueOrDefault(account) ?? new VerifierRecord(0, 0, 0, 0);
            var (passes, fails) = scenario.Verdicts.GetValueOrDefault(account);
            Assert.True(record.Verdicts - was.Verdicts == passes + fails && record.Passes - was.Passes == passes,
                $"{account}: {passes} passes and {fails} fails given, counted {record.Passes - was.Passes} of {record.Verdicts - was.Verdicts}");
            Assert.True(record.PassesOverturned - was.PassesOverturned == scenario.Overturned.GetValueOrDefault(account),
                $"{account}: {scenario.Overturned.GetValueOrDefault(account)} passes ruled wrong, counted {record.PassesOverturned - was.PassesOverturned}");
            if (account == MarketScenario.ProviderAddress)
            {
                continue;
            }

            var moved = balancesAfter.GetValueOrDefault(account) - balancesBefore.GetValueOrDefault(account) - scenario.Deposits.GetValueOrDefault(account);
            Assert.True(record.Earned - was.Earned == moved, $"{account} earned {record.Earned - was.Earned} by the index, its market balance moved {moved} beside its deposits");
        }
    }
}
