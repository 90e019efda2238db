using System.Numerics;
using System.Text;
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
/// Drives the four contracts through every event they emit: stakes and draw weights, deposits,
/// collateral, offers made and cancelled; jobs that expire (unaccepted and accepted), settle straight
/// from the draw or after it, pass an audit through the draw or through the verifier's own verdict,
/// each pass standing once its appeal window passed, are audited for certain after a lapsed draw
/// (with a re-anchored ticket), are audited at the client's request and time out both verifiers,
/// lose a dispute over two committee rounds (an appeal, a re-anchored round, a silent and an
/// incoherent member), have a pass appealed by the client and ruled wrong, another ruled right,
/// and find no verifier at all; fees claimed, pause, unstaking, withdrawals. Job records come from the indexer, as a node gets them;
/// <paramref name="afterEachTransaction"/> runs after every transaction.
/// </summary>
internal sealed class MarketScenario(ChainFixture chain, ChainIndexer indexer, SqliteConnectionFactory database, Func<Task>? afterEachTransaction = null)
{
    private const uint Tasks = 4;
    private const int SeedHorizon = 256;
    private static readonly BigInteger Token = MarketParameters.Tokens(1);
    private readonly ChainDeployment _d = chain.Deployment;
    private readonly CourtParameters _court = chain.Options.Court;
    private readonly Dictionary<string, (int Passes, int Fails)> _verdicts = [];
    private readonly Dictionary<string, int> _overturned = [];
    private readonly Dictionary<string, BigInteger> _deposits = [];
    private ulong _offerNonce;
    private int _jobs;

    private const int Client = DevAccountsOfTests.IndexerClient;
    private const int Provider = DevAccountsOfTests.IndexerProvider;
    private static readonly int[] Verifiers = DevAccountsOfTests.IndexerVerifiers;

    /// <summary>The scenario's provider.</summary>
    public static string ProviderAddress => DevAccounts.Address(Provider).ToLowerInvariant();

    /// <summary>The verdicts this scenario delivered, per verifier address.</summary>
    public IReadOnlyDictionary<string, (int Passes, int Fails)> Verdicts => _verdicts;

    /// <summary>Passes this scenario had appealed and ruled wrong, per verifier address.</summary>
    public IReadOnlyDictionary<string, int> Overturned => _overturned;

    /// <summary>What this scenario deposited into the market, per address.</summary>
    public IReadOnlyDictionary<string, BigInteger> Deposits => _deposits;

    public async Task RunAsync()
    {
        var offer = await PrepareAsync();

        var now = await NowAsync();
        var unaccepted = await CreateJobAsync(offer, now + 300);
        var accepted = await CreateJobAsync(offer, now + 300);
        await SendAsync(Provider, _d.JobMarket, new AcceptJobFunction { JobId = accepted, Job = await JobAsync(accepted) });
        var declined = await CreateJobAsync(offer, now + 300);
        await SendAsync(Provider, _d.JobMarket, new DeclineJobsFunction { JobIds = [declined], Jobs = [await JobAsync(declined)] });

        var lapsing = await CreateJobAsync(offer, now + 86_400);
        await SubmitResultAsync(lapsing);

        // Each draw is used within the seed horizon of its submission, and within its challenge window.
        var passed = await NextDrawnJobAsync(offer, audited: true);
        await RecordDrawAsync(passed);
        await SubmitVerdictAsync(await VerifierOfAsync(passed), passed, pass: true);
        var passedByVerdict = await NextDrawnJobAsync(offer, audited: true);
        await SubmitVerdictAsync(await PendingAuditorAsync(passedByVerdict), passedByVerdict, pass: true);
        var disputed = await NextDrawnJobAsync(offer, audited: true);
        await SubmitVerdictAsync(await PendingAuditorAsync(disputed), disputed, pass: false);
        var unaudited = await NextDrawnJobAsync(offer, audited: false);
        await RecordDrawAsync(unaudited);
        var requested = await NextDrawnJobAsync(offer, audited: false);
        await RecordDrawAsync(requested);
        await SendAsync(Client, _d.JobMarket, new RequestAuditFunction { JobId = requested, Job = await JobAsync(requested) });
        var settledFromDraw = await NextDrawnJobAsync(offer, audited: false);

        await chain.IncreaseTimeAsync(chain.Options.Market.ChallengeWindow + 1);
        await SendAsync(Client, _d.JobMarket, new SettleFunction { JobIds = [unaudited, settledFromDraw], Jobs = [await JobAsync(unaudited), await JobAsync(settledFromDraw)] });
        await SendAsync(Client, _d.JobMarket, new ExpireFunction { JobIds = [unaccepted, accepted], Jobs = [await JobAsync(unaccepted), await JobAsync(accepted)] });

        await DisputeAsync(disputed);
        // The dispute outlasted the passes' appeal windows: nobody appealed, they stand.
        await FinalizePassAsync(passed);
        await FinalizePassAsync(passedByVerdict);
        // Members penalised by the ruling are drawn again only in an epoch that begins after it.
        await chain.IncreaseTimeAsync(chain.Options.EpochLength);
        await LapsedDrawAsync(lapsing);
        await TwoSilentVerifiersAsync(requested);
        // The silent verifiers' audit windows outlasted the lapsed draw's pass window: the reward comes out of the payout.
        await FinalizePassAsync(lapsing);
        // The silent verifiers were slashed: a later epoch draws them again.
        await chain.IncreaseTimeAsync(chain.Options.EpochLength);
        await AppealedPassAsync(offer, providerWrong: true);
        await AppealedPassAsync(offer, providerWrong: false);
        await NoVerifierAsync(offer);

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

        await chain.IncreaseTimeAsync(chain.Options.UnbondingDelay + 1);
        await SendAsync(Verifiers[^1], _d.StakingVault, new WithdrawUnstakedFunction());
        await SendAsync(Provider, _d.JobMarket, new WithdrawFunction { Amount = Token });
    }

    /// <summary>
    /// Funds and stakes the accounts and returns a submitted job whose own draw audits it, its verdict
    /// not yet given (<see cref="PassAsync"/> gives it).
    /// </summary>
    public async Task<long> AuditedJobAsync() => await NextDrawnJobAsync(await PrepareAsync(), audited: true);

    /// <summary>The job's drawn verifier passes it; returns that verifier's address.</summary>
    public async Task<string> PassAsync(long jobId)
    {
        var verifier = await PendingAuditorAsync(jobId);
        await SubmitVerdictAsync(verifier, jobId, pass: true);
        return DevAccounts.Address(verifier).ToLowerInvariant();
    }

    /// <summary>Funds and stakes the accounts, waits for the stakes to count in draws, and signs an offer.</summary>
    private async Task<(Offer Offer, byte[] Signature)> PrepareAsync()
    {
        // Offer nonces are per provider and cancellation raises a floor: start above any earlier run's floor.
        _offerNonce = (ulong)(await ChainState.QueryAsync<JobMarketAccountOfFunction, JobMarketAccountOfOutputDTO>(
            chain, _d.JobMarket, new JobMarketAccountOfFunction { Account = DevAccounts.Address(Provider) })).ReturnValue0.OfferNonceFloor;
        await FundAndStakeAsync();
        // Stake counts in draws from the next epoch on.
        await chain.IncreaseTimeAsync(chain.Options.EpochLength);
        return await SignedOfferAsync();
    }

    private async Task FundAndStakeAsync()
    {
        foreach (var account in Verifiers.Append(Client).Append(Provider))
        {
            await SendAsync(DevAccountsOfTests.Deployer, _d.ComputeToken, new TransferFunction { To = DevAccounts.Address(account), Value = 10_000 * Token });
            await SendAsync(account, _d.ComputeToken, new ApproveFunction { Spender = _d.StakingVault, Value = 6_000 * Token });
            await SendAsync(account, _d.ComputeToken, new ApproveFunction { Spender = _d.JobMarket, Value = 1_000 * Token });
            await SendAsync(account, _d.JobMarket, new DepositFunction { Amount = 500 * Token });
            var address = DevAccounts.Address(account).ToLowerInvariant();
            _deposits[address] = _deposits.GetValueOrDefault(address) + 500 * Token;
        }

        await SendAsync(Provider, _d.StakingVault, new StakeFunction { Role = (byte)StakeRole.Provider, Amount = 6_000 * Token });
        await SendAsync(Provider, _d.JobMarket, new LockCollateralFunction { Amount = 4_000 * Token });
        await SendAsync(Provider, _d.StakingVault, new SetEncryptionKeyFunction { Key = Keccak.Hash("x25519"u8).ToArray() });
        foreach (var verifier in Verifiers)
        {
            await SendAsync(verifier, _d.StakingVault, new StakeFunction { Role = (byte)StakeRole.Verifier, Amount = 2_000 * Token });
        }
    }

    /// <summary>
    /// Submits jobs until one's own draw audits it (a 15 % chance each) or, with
    /// <paramref name="audited"/> false, does not; returns it two blocks after its submission, when
    /// its draw can be fixed. The others stay submitted.
    /// </summary>
    private async Task<long> NextDrawnJobAsync((Offer Offer, byte[] Signature) offer, bool audited)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var id = await CreateJobAsync(offer, await NowAsync() + 86_400);
            await SendAsync(Provider, _d.JobMarket, new AcceptJobFunction { JobId = id, Job = await JobAsync(id) });
            await SubmitResultAsync(id);
            await chain.MineAsync(2);
            var draw = await ChainState.QueryAsync<AuditDrawFunction, AuditDrawOutputDTO>(chain, _d.JobMarket, new AuditDrawFunction { JobId = id, Job = await JobAsync(id) });
            if (!draw.Ready)
            {
                throw new InvalidOperationException($"the draw of job {id} is not ready two blocks after its submission");
            }

            if (draw.Audited == audited)
            {
                return id;
            }
        }

        throw new InvalidOperationException($"100 draws in a row were {(audited ? "not audited" : "audited")}");
    }

    /// <summary>
    /// The drawn verifier fails the job; round 0's committee votes it wrong with one member against;
    /// the provider appeals; round 1's ticket lapses and is re-anchored; its committee confirms, one
    /// member silent; the ruling is final after the appeal window.
    /// </summary>
    private async Task DisputeAsync(long jobId)
    {
        await chain.MineAsync(2);
        var members = await DrawCommitteeAsync(jobId);
        for (var i = 0; i < members.Count; i++)
        {
            await CommitVoteAsync(jobId, 0, members[i], providerWrong: i != 1);
        }

        for (var i = 0; i < members.Count; i++)
        {
            await RevealVoteAsync(jobId, members[i], providerWrong: i != 1);
        }

        await SendAsync(Client, _d.AuditCourt, new CloseRoundFunction { JobId = jobId });
        await SendAsync(Provider, _d.AuditCourt, new AppealFunction { JobId = jobId, Job = await JobAsync(jobId) });

        await chain.MineAsync(SeedHorizon + 2);
        await SendAsync(Client, _d.AuditCourt, new DrawCommitteeFunction { JobId = jobId, Job = await JobAsync(jobId) });
        await chain.MineAsync(2);
        members = await DrawCommitteeAsync(jobId);
        var voting = members.Count > 1 ? members.SkipLast(1).ToList() : members;
        foreach (var member in voting)
        {
            await CommitVoteAsync(jobId, 1, member, providerWrong: true);
        }

        await chain.IncreaseTimeAsync(_court.CommitWindow + 1);
        foreach (var member in voting)
        {
            await RevealVoteAsync(jobId, member, providerWrong: true);
        }

        await chain.IncreaseTimeAsync(_court.RevealWindow + 1);
        await SendAsync(Client, _d.AuditCourt, new CloseRoundFunction { JobId = jobId });
        await chain.IncreaseTimeAsync(_court.AppealWindow + 1);
        await SendAsync(Client, _d.AuditCourt, new ResolveDisputeFunction { JobId = jobId, Job = await JobAsync(jobId) });
    }

    /// <summary>
    /// The drawn verifier passes a job (fixing its draw); the client appeals the pass with its bond;
    /// round 0's committee rules; after the appeal window the ruling is final. Provider wrong: the
    /// provider is slashed and the passing verifier penalised. Provider right: the pass stands and
    /// is paid, the client's bond is lost.
    /// </summary>
    private async Task AppealedPassAsync((Offer Offer, byte[] Signature) offer, bool providerWrong)
    {
        var jobId = await NextDrawnJobAsync(offer, audited: true);
        var verifier = DevAccounts.Address(await PendingAuditorAsync(jobId)).ToLowerInvariant();
        await PassAsync(jobId);
        await SendAsync(Client, _d.AuditCourt, new AppealPassFunction { JobId = jobId, Job = await JobAsync(jobId) });
        await chain.MineAsync(2);
        var members = await DrawCommitteeAsync(jobId);
        foreach (var member in members)
        {
            await CommitVoteAsync(jobId, 0, member, providerWrong);
        }

        foreach (var member in members)
        {
            await RevealVoteAsync(jobId, member, providerWrong);
        }

        await SendAsync(Client, _d.AuditCourt, new CloseRoundFunction { JobId = jobId });
        await chain.IncreaseTimeAsync(_court.AppealWindow + 1);
        await SendAsync(Client, _d.AuditCourt, new ResolveDisputeFunction { JobId = jobId, Job = await JobAsync(jobId) });
        if (providerWrong)
        {
            _overturned[verifier] = _overturned.GetValueOrDefault(verifier) + 1;
        }
    }

    /// <summary>Lets a pass whose appeal window has passed stand: the verifier is paid and the job settles.</summary>
    public async Task FinalizePassAsync(long jobId) =>
        await SendAsync(Client, _d.AuditCourt, new FinalizePassFunction { JobId = jobId, Job = await JobAsync(jobId) });

    /// <summary>Nobody fixed the draw within the seed horizon: audited for certain; the audit's own ticket lapses too before a verifier passes the job.</summary>
    private async Task LapsedDrawAsync(long jobId)
    {
        await RecordDrawAsync(jobId);
        await chain.MineAsync(SeedHorizon + 2);
        await SendAsync(Client, _d.AuditCourt, new AssignAuditorFunction { JobId = jobId, Job = await JobAsync(jobId) });
        await chain.MineAsync(2);
        await SendAsync(Client, _d.AuditCourt, new AssignAuditorFunction { JobId = jobId, Job = await JobAsync(jobId) });
        await SubmitVerdictAsync(await VerifierOfAsync(jobId), jobId, pass: true);
    }

    /// <summary>The client's audit: its ticket lapsed meanwhile (the dispute and the lapsed draw mined past the horizon); two drawn verifiers stay silent and the job settles unverified.</summary>
    private async Task TwoSilentVerifiersAsync(long jobId)
    {
        await SendAsync(Client, _d.AuditCourt, new AssignAuditorFunction { JobId = jobId, Job = await JobAsync(jobId) });
        for (var silence = 0; silence < 2; silence++)
        {
            await chain.MineAsync(2);
            await SendAsync(Client, _d.AuditCourt, new AssignAuditorFunction { JobId = jobId, Job = await JobAsync(jobId) });
            await chain.IncreaseTimeAsync(_court.AuditWindow + 1);
            await SendAsync(Client, _d.AuditCourt, new TimeoutAuditFunction { JobId = jobId, Job = await JobAsync(jobId) });
        }
    }

    /// <summary>Every verifier asks to unstake all its stake; a client's audit then finds nobody to draw and the job settles.</summary>
    private async Task NoVerifierAsync((Offer Offer, byte[] Signature) offer)
    {
        foreach (var verifier in Verifiers)
        {
            var stake = (await ChainState.QueryAsync<AccountOfFunction, AccountOfOutputDTO>(chain, _d.StakingVault, new AccountOfFunction { Account = DevAccounts.Address(verifier) })).ReturnValue0;
            await SendAsync(verifier, _d.StakingVault, new RequestUnstakeFunction { Amount = stake.Stake - stake.Locked - stake.Unbonding });
        }

        var id = await CreateJobAsync(offer, await NowAsync() + 86_400);
        await SubmitResultAsync(id);
        await SendAsync(Client, _d.JobMarket, new RequestAuditFunction { JobId = id, Job = await JobAsync(id) });
        await chain.MineAsync(2);
        await SendAsync(Client, _d.AuditCourt, new AssignAuditorFunction { JobId = id, Job = await JobAsync(id) });
    }

    private async Task<List<string>> DrawCommitteeAsync(long jobId)
    {
        var receipt = await SendAsync(Client, _d.AuditCourt, new DrawCommitteeFunction { JobId = jobId, Job = await JobAsync(jobId) });
        return receipt.DecodeAllEvents<CommitteeDrawnEventDTO>().Single().Event.Members;
    }

    private async Task CommitVoteAsync(long jobId, int round, string member, bool providerWrong)
    {
        var commitment = await ChainState.QueryAsync<VoteCommitmentFunction, VoteCommitmentOutputDTO>(chain, _d.AuditCourt, new VoteCommitmentFunction
        {
            JobId = jobId, Round = round, Member = member, ProviderWrong = providerWrong, Salt = Salt(member),
        });
        await SendAsync(IndexOf(member), _d.AuditCourt, new CommitVoteFunction { JobId = jobId, Commitment = commitment.ReturnValue0 });
    }

    private async Task RevealVoteAsync(long jobId, string member, bool providerWrong) =>
        await SendAsync(IndexOf(member), _d.AuditCourt, new RevealVoteFunction { JobId = jobId, ProviderWrong = providerWrong, Salt = Salt(member) });

    private static byte[] Salt(string member) => Keccak.Hash(Encoding.UTF8.GetBytes("salt " + member)).ToArray();

    private async Task RecordDrawAsync(long jobId) =>
        await SendAsync(Client, _d.JobMarket, new RecordDrawFunction { JobIds = [jobId], Jobs = [await JobAsync(jobId)] });

    private async Task SubmitVerdictAsync(int verifier, long jobId, bool pass)
    {
        await SendAsync(verifier, _d.AuditCourt, new SubmitVerdictFunction
        {
            JobId = jobId, Job = await JobAsync(jobId), Pass = pass, EvidenceHash = Keccak.Hash(Encoding.UTF8.GetBytes($"evidence {jobId}")).ToArray(),
        });
        var address = DevAccounts.Address(verifier).ToLowerInvariant();
        var (passes, fails) = _verdicts.GetValueOrDefault(address);
        _verdicts[address] = pass ? (passes + 1, fails) : (passes, fails + 1);
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
            TaskCount = Tasks,
            TasksRoot = Keccak.Hash(Encoding.UTF8.GetBytes($"tasks {deadline} {++_jobs}")).ToArray(),
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

    private async Task<TransactionReceipt> SendAsync<TFunction>(int account, string contract, TFunction function)
        where TFunction : FunctionMessage, new()
    {
        var receipt = await chain.Sender(account).SendAsync(contract, function);
        if (afterEachTransaction is not null)
        {
            await afterEachTransaction();
        }

        return receipt;
    }

    /// <summary>The job's record as the indexer rebuilt it from events.</summary>
    private async Task<JobStruct> JobAsync(long jobId) => (await IndexedAsync(jobId)).Record.ToStruct();

    private async Task<IndexedJob> IndexedAsync(long jobId)
    {
        await indexer.SyncOnceAsync();
        await using var db = await database.OpenAsync();
        return await IndexedJobs.GetAsync(db, jobId) ?? throw new InvalidOperationException($"job {jobId} is not indexed");
    }

    private async Task<int> VerifierOfAsync(long jobId)
    {
        var job = await IndexedAsync(jobId);
        return job.Status == JobStatus.Auditing && job.Verifier is { } verifier
            ? IndexOf(verifier)
            : throw new InvalidOperationException($"job {jobId} ({job.Status}) has no drawn verifier");
    }

    private async Task<int> PendingAuditorAsync(long jobId)
    {
        var pending = await ChainState.QueryAsync<PendingAuditorFunction, PendingAuditorOutputDTO>(chain, _d.AuditCourt, new PendingAuditorFunction { JobId = jobId, Job = await JobAsync(jobId) });
        return IndexOf(pending.Verifier);
    }

    private static int IndexOf(string address) =>
        Enumerable.Range(0, DevAccounts.FundedCount).First(i => string.Equals(DevAccounts.Address(i), address, StringComparison.OrdinalIgnoreCase));

    private async Task<ulong> NowAsync() =>
        (ulong)(await chain.Web3.Eth.Blocks.GetBlockWithTransactionsHashesByNumber.SendRequestAsync(BlockParameter.CreateLatest())).Timestamp.Value;
}
