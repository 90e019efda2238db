using System.Numerics;
using System.Text.Json;
using Dapper;
using Exchange.Chain.Bindings;
using Exchange.Chain.Indexing;
using Exchange.Core.Hashing;
using Exchange.Core.Jobs;
using Exchange.Storage;
using Exchange.TestSupport;
using Microsoft.Data.Sqlite;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;

namespace Exchange.Chain.Tests.Indexing;

/// <summary>Compares every row of the indexer's state tables with what the contracts' views say now.</summary>
internal static class ChainState
{
    private const string ZeroAddress = "0x0000000000000000000000000000000000000000";

    public static Task<TOutput> QueryAsync<TFunction, TOutput>(ChainFixture chain, string contract, TFunction function)
        where TFunction : FunctionMessage, new()
        where TOutput : IFunctionOutputDTO, new() =>
        chain.Web3.Eth.GetContractQueryHandler<TFunction>().QueryDeserializingToObjectAsync<TOutput>(function, contract);

    public static async Task AssertTablesEqualChainAsync(ChainFixture chain, SqliteConnectionFactory database)
    {
        await using var db = await database.OpenAsync();
        await AssertMarketAccountsAsync(chain, db);
        await AssertTokenBalancesAsync(chain, db);
        await AssertStakesAsync(chain, db);
        await AssertJobsAndAuditsAsync(chain, db);
        await AssertDisputesAsync(chain, db);

        Assert.Equal(0L, await db.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM offers_cancelled o JOIN market_accounts m ON m.account = o.provider WHERE o.nonce >= m.offer_nonce_floor"));

        var ledger = await QueryAsync<LedgerFunction, LedgerOutputDTO>(chain, chain.Deployment.JobMarket, new LedgerFunction());
        var row = await db.QuerySingleAsync<(long JobCount, string Pool, string Fees, string Hold, long Paused)>(
            "SELECT job_count, verification_pool, protocol_fees, court_hold, paused FROM market_ledger");
        Assert.Equal($"{ledger.JobCount} {ledger.VerificationPool} {ledger.ProtocolFees} {ledger.CourtHold} {ledger.Paused}",
            $"{row.JobCount} {row.Pool} {row.Fees} {row.Hold} {row.Paused == 1}");
    }

    private static async Task AssertMarketAccountsAsync(ChainFixture chain, SqliteConnection db)
    {
        var accounts = await db.QueryAsync<(string Account, string Balance, string Collateral, long JobsSettled, long Floor)>(
            "SELECT account, balance, collateral, jobs_settled, offer_nonce_floor FROM market_accounts");
        foreach (var a in accounts)
        {
            var m = (await QueryAsync<JobMarketAccountOfFunction, JobMarketAccountOfOutputDTO>(chain, chain.Deployment.JobMarket, new JobMarketAccountOfFunction { Account = a.Account })).ReturnValue0;
            Assert.True($"{a.Balance} {a.Collateral} {a.JobsSettled} {a.Floor}" == $"{m.Balance} {m.Collateral} {m.JobsSettled} {m.OfferNonceFloor}",
                $"market account {a.Account}:\n indexed {a.Balance} {a.Collateral} {a.JobsSettled} {a.Floor}\n chain   {m.Balance} {m.Collateral} {m.JobsSettled} {m.OfferNonceFloor}");
        }
    }

    private static async Task AssertTokenBalancesAsync(ChainFixture chain, SqliteConnection db)
    {
        foreach (var (account, balance) in await db.QueryAsync<(string, string)>("SELECT account, balance FROM token_balances"))
        {
            var onChain = await QueryAsync<BalanceOfFunction, BalanceOfOutputDTO>(chain, chain.Deployment.ComputeToken, new BalanceOfFunction { Account = account });
            Assert.True(onChain.ReturnValue0 == BigInteger.Parse(balance), $"token balance of {account}: indexed {balance}, chain {onChain.ReturnValue0}");
        }
    }

    private static async Task AssertStakesAsync(ChainFixture chain, SqliteConnection db)
    {
        var vault = chain.Deployment.StakingVault;
        var epoch = (await QueryAsync<CurrentEpochFunction, CurrentEpochOutputDTO>(chain, vault, new CurrentEpochFunction())).ReturnValue0;
        var stakes = await db.QueryAsync<(string Account, long Role, string Stake, string Locked, string Unbonding, long ReleaseAt, long JobsSettled, long AuditsPassed, long AuditsFailed, long Slashes, string? Key, string Weight, long WeightEpoch, long SlashedAt)>(
            """
            SELECT s.account, role, stake, locked, unbonding, release_at, coalesce(m.jobs_settled, 0), audits_passed, audits_failed, slashes, encryption_key,
                   draw_weight, weight_epoch, slashed_at
            FROM stakes s LEFT JOIN market_accounts m ON m.account = s.account
            """);
        foreach (var s in stakes)
        {
            var v = (await QueryAsync<AccountOfFunction, AccountOfOutputDTO>(chain, vault, new AccountOfFunction { Account = s.Account })).ReturnValue0;
            var active = (await QueryAsync<IsActiveVerifierFunction, IsActiveVerifierOutputDTO>(chain, vault, new IsActiveVerifierFunction { Account = s.Account })).ReturnValue0;
            var slashedAt = (await QueryAsync<LastSlashedAtFunction, LastSlashedAtOutputDTO>(chain, vault, new LastSlashedAtFunction { Account = s.Account })).ReturnValue0;
            var indexed = $"role {s.Role} stake {s.Stake} locked {s.Locked} unbonding {s.Unbonding} release {s.ReleaseAt} settled {s.JobsSettled} passed {s.AuditsPassed} failed {s.AuditsFailed} slashes {s.Slashes} key {s.Key ?? Bytes32.Zero.ToString()} active {s.Weight != "0"} slashed at {s.SlashedAt}";
            var onChain = $"role {v.Role} stake {v.Stake} locked {v.Locked} unbonding {v.Unbonding} release {v.UnbondingReleaseAt} settled {v.JobsSettled} passed {v.AuditsPassed} failed {v.AuditsFailed} slashes {v.Slashes} key {Bytes32.FromBytes(v.EncryptionKey)} active {active} slashed at {slashedAt}";
            Assert.True(indexed == onChain, $"stake of {s.Account}:\n indexed {indexed}\n chain   {onChain}");
            if ((ulong)s.WeightEpoch <= epoch)
            {
                // the latest weight is in force: the current snapshot holds it
                var weight = await QueryAsync<DrawWeightOfFunction, DrawWeightOfOutputDTO>(chain, vault, new DrawWeightOfFunction { Account = s.Account, Epoch = epoch });
                Assert.True(weight.ReturnValue0.ToString() == s.Weight, $"draw weight of {s.Account}: indexed {s.Weight}, chain {weight.ReturnValue0}");
            }
        }
    }

    private static async Task AssertJobsAndAuditsAsync(ChainFixture chain, SqliteConnection db)
    {
        var d = chain.Deployment;
        var jobCount = (long)(await QueryAsync<LedgerFunction, LedgerOutputDTO>(chain, d.JobMarket, new LedgerFunction())).JobCount;
        Assert.Equal(jobCount, await db.ExecuteScalarAsync<long>("SELECT count(*) FROM jobs"));
        for (var id = 1L; id <= jobCount; id++)
        {
            var job = (await IndexedJobs.GetAsync(db, id))!;
            var onChain = await QueryAsync<GetJobFunction, GetJobOutputDTO>(chain, d.JobMarket, new GetJobFunction { JobId = id });
            Assert.True((byte)job.Status == onChain.Status, $"job {id}: indexed {job.Status}, chain {(JobStatus)onChain.Status}");
            var expected = job.Status == JobStatus.Settled ? Bytes32.Zero : job.Record.Commitment();
            Assert.True(expected == Bytes32.FromBytes(onChain.Commitment), $"job {id} ({job.Status}): the indexed record does not match the contract's commitment");

            var audit = (await QueryAsync<AuditOfFunction, AuditOfOutputDTO>(chain, d.AuditCourt, new AuditOfFunction { JobId = id })).ReturnValue0;
            var row = await db.QuerySingleOrDefaultAsync<(string Verifier, long Deadline, long Phase, long Origin, long Attempt, long Ticket, long Epoch, string Seed)?>(
                "SELECT verifier, deadline, phase, origin, attempt, ticket, epoch, seed FROM audits WHERE job_id = @id", new { id });
            var indexed = row is { } a
                ? $"{a.Verifier} {a.Deadline} {a.Phase} {a.Origin} {a.Attempt} {a.Ticket} {a.Epoch} {a.Seed}"
                : $"{ZeroAddress} 0 0 0 0 0 0 {Bytes32.Zero}";
            var court = $"{audit.Verifier.ToLowerInvariant()} {audit.Deadline} {audit.Phase} {audit.Origin} {audit.Attempt} {audit.Ticket} {audit.Epoch} {Bytes32.FromBytes(audit.Seed)}";
            Assert.True(indexed == court, $"audit of job {id}:\n indexed {indexed}\n court   {court}");
        }
    }

    private static async Task AssertDisputesAsync(ChainFixture chain, SqliteConnection db)
    {
        var court = chain.Deployment.AuditCourt;
        foreach (var (jobId, challenger, evidence, rounds, held, passing) in await db.QueryAsync<(long, string, string, long, string, string?)>(
                     "SELECT job_id, challenger, evidence_hash, rounds, held, passing_verifier FROM disputes"))
        {
            var dispute = (await QueryAsync<DisputeOfFunction, DisputeOfOutputDTO>(chain, court, new DisputeOfFunction { JobId = jobId })).ReturnValue0;
            var heldFor = (await QueryAsync<HeldForFunction, HeldForOutputDTO>(chain, court, new HeldForFunction { JobId = jobId })).ReturnValue0;
            Assert.Equal(
                $"{dispute.Challenger.ToLowerInvariant()} {Bytes32.FromBytes(dispute.EvidenceHash)} {dispute.Rounds} {heldFor} {dispute.PassingVerifier.ToLowerInvariant()}",
                $"{challenger} {evidence} {rounds} {held} {passing ?? ZeroAddress}");
        }

        var roundRows = await db.QueryAsync<(long JobId, long Round, string Funder, long FundedWrong, string Bond, long Ticket, long Epoch, long Drawn, string Members, long CommitDeadline, long RevealDeadline, long Committed, long Revealed, long VotesWrong, long Closed, long ProviderWrong, long AppealDeadline)>(
            """
            SELECT job_id, round, funder, funded_wrong, bond, ticket, epoch, drawn, members, commit_deadline, reveal_deadline, committed, revealed, votes_wrong,
                   closed, provider_wrong, appeal_deadline
            FROM dispute_rounds
            """);
        foreach (var r in roundRows)
        {
            var round = (await QueryAsync<RoundOfFunction, RoundOfOutputDTO>(chain, court, new RoundOfFunction { JobId = r.JobId, Round = r.Round })).ReturnValue0;
            var members = JsonSerializer.Deserialize<string[]>(r.Members)!;
            var indexed = $"{r.Funder} {r.FundedWrong == 1} {r.Drawn == 1} {r.Closed == 1} {r.ProviderWrong == 1} {r.Ticket} {r.Epoch} {r.CommitDeadline} {r.RevealDeadline} {r.AppealDeadline} {r.Committed} {r.Revealed} {r.VotesWrong} {r.Bond} [{string.Join(",", members)}]";
            var onChain = $"{round.Funder.ToLowerInvariant()} {round.FundedWrong} {round.Drawn} {round.Closed} {round.ProviderWrong} {round.Ticket} {round.Epoch} {round.CommitDeadline} {round.RevealDeadline} {round.AppealDeadline} {round.Committed} {round.Revealed} {round.VotesWrong} {round.Bond} [{string.Join(",", round.Members.Select(m => m.ToLowerInvariant()))}]";
            Assert.True(indexed == onChain, $"round {r.Round} of job {r.JobId}:\n indexed {indexed}\n court   {onChain}");
        }

        foreach (var (jobId, round, member, committed, revealed) in await db.QueryAsync<(long, long, string, long, long)>(
                     "SELECT job_id, round, member, committed, revealed FROM dispute_votes"))
        {
            var vote = (await QueryAsync<VoteOfFunction, VoteOfOutputDTO>(chain, court, new VoteOfFunction { JobId = jobId, Round = round, Member = member })).ReturnValue0;
            Assert.True((Bytes32.FromBytes(vote.Commitment) != Bytes32.Zero) == (committed == 1) && vote.Revealed == revealed,
                $"vote of {member} in round {round} of job {jobId}: indexed committed {committed} revealed {revealed}, court revealed {vote.Revealed}");
        }
    }
}
