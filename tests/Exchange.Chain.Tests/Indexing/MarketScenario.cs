using System.Numerics;
using Exchange.Chain.Bindings;
using Exchange.Chain.Deployment;
using Exchange.Chain.Indexing;
using Exchange.Chain.Wallets;
using Exchange.Core.Eip712;
using Exchange.Core.Hashing;
using Exchange.Core.Jobs;
using Exchange.Storage;
using Exchange.TestSupport;
using Nethereum.Contracts;
using Nethereum.RPC.Eth.DTOs;

namespace Exchange.Chain.Tests.Indexing;

/// <summary>
/// Drives the market through every event the contracts emit: stakes, deposits, offers (made and
/// cancelled), jobs that settle, pass an audit, time out an auditor and lose a dispute, and expire;
/// fees claimed, pause, unstaking, withdrawal. Job records come from an indexer, as a node would get them.
/// </summary>
internal sealed class MarketScenario(ChainFixture chain, ChainIndexer indexer, SqliteConnectionFactory database)
{
    private static readonly BigInteger Token = MarketParameters.Tokens(1);
    private readonly ChainDeployment _d = chain.Deployment;
    private ulong _offerNonce;

    private const int Client = DevAccountsOfTests.IndexerClient;
    private const int Provider = DevAccountsOfTests.IndexerProvider;
    private static readonly int[] Verifiers = [DevAccountsOfTests.IndexerVerifier1, DevAccountsOfTests.IndexerVerifier2, DevAccountsOfTests.IndexerVerifier3, DevAccountsOfTests.IndexerVerifier4];

    private Task<TransactionReceipt> SendAsync<TFunction>(int account, string contract, TFunction function)
        where TFunction : FunctionMessage, new() => chain.Sender(account).SendAsync(contract, function);

    private static int IndexOf(string address) =>
        Enumerable.Range(0, DevAccounts.FundedCount).First(i => string.Equals(DevAccounts.Address(i), address, StringComparison.OrdinalIgnoreCase));

    public async Task RunAsync()
    {
        // Offer nonces are per provider and cancellation raises a floor: start above any earlier run's floor.
        _offerNonce = (ulong)(await ChainState.QueryAsync<JobMarketAccountOfFunction, JobMarketAccountOfOutputDTO>(
            chain, _d.JobMarket, new JobMarketAccountOfFunction { Account = DevAccounts.Address(Provider) })).ReturnValue0.OfferNonceFloor;
        await FundAndStakeAsync();
        var offer = await SignedOfferAsync();
        var now = await NowAsync();
        var settled = await CreateJobAsync(offer, now + 86_400);
        var passed = await CreateJobAsync(offer, now + 86_400);
        var disputed = await CreateJobAsync(offer, now + 86_400);
        var expired = await CreateJobAsync(offer, now + 300);

        foreach (var id in new[] { settled, passed, disputed })
        {
            await SubmitResultAsync(id);
        }

        await SendAsync(Client, _d.JobMarket, new RequestAuditFunction { JobId = passed, Job = await JobAsync(passed) });
        await SendAsync(Client, _d.JobMarket, new RequestAuditFunction { JobId = disputed, Job = await JobAsync(disputed) });
        var auditor = await VerifierOfAsync(passed);
        await SendAsync(auditor, _d.JobMarket, new SubmitVerdictFunction { JobId = passed, Job = await JobAsync(passed), Pass = true, EvidenceHash = Keccak.Hash("ok"u8).ToArray() });

        await chain.IncreaseTimeAsync(1_801);
        await SendAsync(Client, _d.JobMarket, new SettleFunction { JobIds = [settled], Jobs = [await JobAsync(settled)] });
        await SendAsync(Client, _d.JobMarket, new TimeoutAuditFunction { JobId = disputed, Job = await JobAsync(disputed) });
        await SendAsync(Client, _d.JobMarket, new ExpireFunction { JobIds = [expired], Jobs = [await JobAsync(expired)] });

        var challenger = await VerifierOfAsync(disputed);
        await SendAsync(challenger, _d.JobMarket, new SubmitVerdictFunction { JobId = disputed, Job = await JobAsync(disputed), Pass = false, EvidenceHash = Keccak.Hash("bad"u8).ToArray() });
        var committee = (await ChainState.QueryAsync<GetJobFunction, GetJobOutputDTO>(chain, _d.JobMarket, new GetJobFunction { JobId = disputed })).Dispute.Committee;
        for (var i = 0; i < committee.Count; i++)
        {
            await SendAsync(IndexOf(committee[i]), _d.JobMarket, new VoteFunction { JobId = disputed, Job = await JobAsync(disputed), ProviderWrong = i < 2 });
        }

        await SendAsync(Client, _d.JobMarket, new ResolveDisputeFunction { JobId = disputed, Job = await JobAsync(disputed) });

        var cancelled = (await SignedOfferAsync()).Offer;
        await SendAsync(Provider, _d.JobMarket, new CancelOfferFunction { Offer = cancelled.ToStruct() });
        if (!(await ChainState.QueryAsync<OfferCancelledFunction, OfferCancelledOutputDTO>(chain, _d.JobMarket, new OfferCancelledFunction { Offer = offer.Offer.ToStruct() })).ReturnValue0)
        {
            throw new InvalidOperationException("cancelling a later nonce must cancel the earlier offer too");
        }

        await SendAsync(Provider, _d.JobMarket, new ReleaseCollateralFunction { Amount = Token });
        await SendAsync(Client, _d.JobMarket, new ClaimProtocolFeesFunction());
        await SendAsync(DevAccountsOfTests.Deployer, _d.JobMarket, new PauseFunction());
        await SendAsync(DevAccountsOfTests.Deployer, _d.JobMarket, new UnpauseFunction());

        var leaving = Verifiers[^1];
        var stake = (await ChainState.QueryAsync<AccountOfFunction, AccountOfOutputDTO>(chain, _d.StakingVault, new AccountOfFunction { Account = DevAccounts.Address(leaving) })).ReturnValue0;
        await SendAsync(leaving, _d.StakingVault, new RequestUnstakeFunction { Amount = stake.Stake - stake.Locked - stake.Unbonding });
        await chain.IncreaseTimeAsync(chain.Options.UnbondingDelay + 1);
        await SendAsync(leaving, _d.StakingVault, new WithdrawUnstakedFunction());
        await SendAsync(Provider, _d.JobMarket, new WithdrawFunction { Amount = Token });
    }

    private async Task FundAndStakeAsync()
    {
        foreach (var account in Verifiers.Append(Client).Append(Provider))
        {
            await SendAsync(DevAccountsOfTests.Deployer, _d.ComputeToken, new TransferFunction { To = DevAccounts.Address(account), Value = 10_000 * Token });
            await SendAsync(account, _d.ComputeToken, new ApproveFunction { Spender = _d.StakingVault, Value = 3_000 * Token });
            await SendAsync(account, _d.ComputeToken, new ApproveFunction { Spender = _d.JobMarket, Value = 1_000 * Token });
            await SendAsync(account, _d.JobMarket, new DepositFunction { Amount = 500 * Token });
        }

        await SendAsync(Provider, _d.StakingVault, new StakeFunction { Role = 1, Amount = 2_000 * Token });
        await SendAsync(Provider, _d.JobMarket, new LockCollateralFunction { Amount = 100 * Token });
        await SendAsync(Provider, _d.StakingVault, new SetEncryptionKeyFunction { Key = Keccak.Hash("x25519"u8).ToArray() });
        foreach (var verifier in Verifiers)
        {
            await SendAsync(verifier, _d.StakingVault, new StakeFunction { Role = 2, Amount = 2_000 * Token });
        }
    }

    private async Task<(Offer Offer, byte[] Signature)> SignedOfferAsync()
    {
        var offer = new Offer(DevAccounts.Address(Provider), Keccak.Hash("model"u8), Token, 64, 60, await NowAsync() + 10 * 365 * 86_400, Region.Encode("eu-west"), ++_offerNonce);
        var digest = offer.Digest(Eip712Domain.ForExchange(_d.ChainId, _d.JobMarket));
        return (offer, Signatures.Sign(digest, DevAccounts.Key(Provider).GetPrivateKeyAsBytes()));
    }

    private async Task<long> CreateJobAsync((Offer Offer, byte[] Signature) offer, ulong deadline)
    {
        var receipt = await SendAsync(Client, _d.JobMarket, new CreateJobFunction
        {
            Offer = offer.Offer.ToStruct(),
            OfferSig = offer.Signature,
            TaskCount = 4,
            TasksRoot = Keccak.Hash(BitConverter.GetBytes(deadline)).ToArray(),
            ManifestHash = Keccak.Hash("manifest"u8).ToArray(),
            Deadline = deadline,
        });
        return (long)receipt.DecodeAllEvents<JobCreatedEventDTO>().Single().Event.JobId;
    }

    private async Task SubmitResultAsync(long jobId)
    {
        var job = await JobAsync(jobId);
        var resultRoot = Keccak.Hash(BitConverter.GetBytes(jobId));
        var outputsHash = Keccak.Hash("outputs"u8);
        var digest = new Result(jobId, Bytes32.FromBytes(job.TasksRoot), resultRoot, outputsHash).Digest(Eip712Domain.ForExchange(_d.ChainId, _d.JobMarket));
        await SendAsync(Provider, _d.JobMarket, new SubmitResultFunction
        {
            JobId = jobId,
            Job = job,
            ResultRoot = resultRoot.ToArray(),
            OutputsHash = outputsHash.ToArray(),
            Signature = Signatures.Sign(digest, DevAccounts.Key(Provider).GetPrivateKeyAsBytes()),
        });
    }

    /// <summary>The job's record as the indexer rebuilt it from events.</summary>
    private async Task<JobStruct> JobAsync(long jobId)
    {
        await indexer.SyncOnceAsync();
        await using var db = await database.OpenAsync();
        return (await IndexedJobs.GetAsync(db, jobId) ?? throw new InvalidOperationException($"job {jobId} is not indexed")).Record.ToStruct();
    }

    private async Task<int> VerifierOfAsync(long jobId)
    {
        await indexer.SyncOnceAsync();
        await using var db = await database.OpenAsync();
        var job = await IndexedJobs.GetAsync(db, jobId);
        return IndexOf(job!.Verifier!);
    }

    private async Task<ulong> NowAsync() =>
        (ulong)(await chain.Web3.Eth.Blocks.GetBlockWithTransactionsHashesByNumber.SendRequestAsync(BlockParameter.CreateLatest())).Timestamp.Value;
}
