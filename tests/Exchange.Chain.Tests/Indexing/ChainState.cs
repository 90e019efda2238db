using System.Numerics;
using Dapper;
using Exchange.Chain.Bindings;
using Exchange.Chain.Indexing;
using Exchange.Core.Hashing;
using Exchange.Core.Jobs;
using Exchange.Storage;
using Exchange.TestSupport;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;

namespace Exchange.Chain.Tests.Indexing;

/// <summary>Compares every row of the indexer's state tables with what the contracts' views say now.</summary>
internal static class ChainState
{
    public static Task<TOutput> QueryAsync<TFunction, TOutput>(ChainFixture chain, string contract, TFunction function)
        where TFunction : FunctionMessage, new()
        where TOutput : IFunctionOutputDTO, new() =>
        chain.Web3.Eth.GetContractQueryHandler<TFunction>().QueryDeserializingToObjectAsync<TOutput>(function, contract);

    public static async Task AssertTablesEqualChainAsync(ChainFixture chain, SqliteConnectionFactory database)
    {
        var d = chain.Deployment;
        await using var db = await database.OpenAsync();

        var accounts = await db.QueryAsync<(string Account, string Balance, string Collateral, long JobsSettled, long Floor)>(
            "SELECT account, balance, collateral, jobs_settled, offer_nonce_floor FROM market_accounts");
        foreach (var a in accounts)
        {
            var m = (await QueryAsync<JobMarketAccountOfFunction, JobMarketAccountOfOutputDTO>(chain, d.JobMarket, new JobMarketAccountOfFunction { Account = a.Account })).ReturnValue0;
            Assert.True($"{a.Balance} {a.Collateral} {a.JobsSettled} {a.Floor}" == $"{m.Balance} {m.Collateral} {m.JobsSettled} {m.OfferNonceFloor}",
                $"market account {a.Account}:\n indexed {a.Balance} {a.Collateral} {a.JobsSettled} {a.Floor}\n chain   {m.Balance} {m.Collateral} {m.JobsSettled} {m.OfferNonceFloor}");
        }

        foreach (var (account, balance) in await db.QueryAsync<(string, string)>("SELECT account, balance FROM token_balances"))
        {
            var onChain = await QueryAsync<BalanceOfFunction, BalanceOfOutputDTO>(chain, d.ComputeToken, new BalanceOfFunction { Account = account });
            Assert.True(onChain.ReturnValue0 == BigInteger.Parse(balance), $"token balance of {account}: indexed {balance}, chain {onChain.ReturnValue0}");
        }

        var stakes = await db.QueryAsync<(string Account, long Role, string Stake, string Locked, string Unbonding, long ReleaseAt, long JobsSettled, long AuditsPassed, long AuditsFailed, long Slashes, string? Key, long Active)>(
            """
            SELECT s.account, role, stake, locked, unbonding, release_at, coalesce(m.jobs_settled, 0), audits_passed, audits_failed, slashes, encryption_key, verifier_active
            FROM stakes s LEFT JOIN market_accounts m ON m.account = s.account
            """);
        foreach (var s in stakes)
        {
            var v = (await QueryAsync<AccountOfFunction, AccountOfOutputDTO>(chain, d.StakingVault, new AccountOfFunction { Account = s.Account })).ReturnValue0;
            var active = await QueryAsync<IsActiveVerifierFunction, IsActiveVerifierOutputDTO>(chain, d.StakingVault, new IsActiveVerifierFunction { Account = s.Account });
            var indexed = $"role {s.Role} stake {s.Stake} locked {s.Locked} unbonding {s.Unbonding} release {s.ReleaseAt} settled {s.JobsSettled} passed {s.AuditsPassed} failed {s.AuditsFailed} slashes {s.Slashes} key {s.Key ?? Bytes32.Zero.ToString()} active {s.Active == 1}";
            var onChain = $"role {v.Role} stake {v.Stake} locked {v.Locked} unbonding {v.Unbonding} release {v.UnbondingReleaseAt} settled {v.JobsSettled} passed {v.AuditsPassed} failed {v.AuditsFailed} slashes {v.Slashes} key {Bytes32.FromBytes(v.EncryptionKey)} active {active.ReturnValue0}";
            Assert.True(indexed == onChain, $"stake of {s.Account}:\n indexed {indexed}\n chain   {onChain}");
        }

        var jobCount = (long)(await QueryAsync<LedgerFunction, LedgerOutputDTO>(chain, d.JobMarket, new LedgerFunction())).JobCount;
        Assert.Equal(jobCount, await db.ExecuteScalarAsync<long>("SELECT count(*) FROM jobs"));
        for (var id = 1L; id <= jobCount; id++)
        {
            var job = (await IndexedJobs.GetAsync(db, id))!;
            var onChain = await QueryAsync<GetJobFunction, GetJobOutputDTO>(chain, d.JobMarket, new GetJobFunction { JobId = id });
            Assert.True((byte)job.Status == onChain.Status, $"job {id}: indexed {job.Status}, chain {(JobStatus)onChain.Status}");
            var expected = job.Status == JobStatus.Settled ? Bytes32.Zero : job.Record.Commitment();
            Assert.True(expected == Bytes32.FromBytes(onChain.Commitment), $"job {id} ({job.Status}): the indexed record does not match the contract's commitment");
        }

        Assert.Equal(0L, await db.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM offers_cancelled o JOIN market_accounts m ON m.account = o.provider WHERE o.nonce >= m.offer_nonce_floor"));

        var ledger = await QueryAsync<LedgerFunction, LedgerOutputDTO>(chain, d.JobMarket, new LedgerFunction());
        var row = await db.QuerySingleAsync<(long JobCount, string Pool, string Fees, long Paused)>("SELECT job_count, verification_pool, protocol_fees, paused FROM market_ledger");
        Assert.Equal($"{ledger.JobCount} {ledger.VerificationPool} {ledger.ProtocolFees} {ledger.Paused}", $"{row.JobCount} {row.Pool} {row.Fees} {row.Paused == 1}");
    }
}
