using System.Numerics;
using System.Text;
using Exchange.Chain.Bindings;
using Exchange.Chain.Wallets;
using Exchange.Core.Eip712;
using Exchange.Core.Hashing;
using Exchange.Core.Jobs;
using Exchange.TestSupport;
using Nethereum.Contracts;
using Nethereum.RPC.Eth.DTOs;

namespace Exchange.Api.Tests.Support;

/// <summary>
/// Drives real jobs through the contracts on the fixture's chain: a client with a deposit, a staked
/// provider with free collateral and a signed offer at <paramref name="unitPrice"/> (default one token
/// a task), and jobs left Created, Submitted, Settled and Expired, audited and passed, or slashed by the court.
/// </summary>
public sealed class JobScenario(ChainFixture chain, int client, int provider, BigInteger? unitPrice = null)
{
    private static readonly Bytes32 Model = Keccak.Hash("scenario-model"u8);
    private readonly Eip712Domain _domain = Eip712Domain.ForExchange(chain.ChainId, chain.Deployment.JobMarket);
    private Offer? _offer;
    private byte[]? _offerSignature;

    public string Client => DevAccounts.Address(client).ToLowerInvariant();

    public string Provider => DevAccounts.Address(provider).ToLowerInvariant();

    /// <summary>Funds both sides and signs the provider's offer: its unit price a task, up to 64 tasks.</summary>
    public async Task PrepareAsync()
    {
        await ChainActions.DepositAsync(chain, client, ChainActions.Tokens(1_000));
        await ChainActions.StakeAsync(chain, provider, ChainActions.Tokens(10_000));
        await ChainActions.LockCollateralAsync(chain, provider, ChainActions.Tokens(5_000));
        var now = await ChainTimeAsync();
        _offer = new Offer(DevAccounts.Address(provider), Model, unitPrice ?? ChainActions.Tokens(1), 64, 60, now + 30 * 24 * 3600, Region.Encode("eu-west"), 1);
        _offerSignature = Signatures.Sign(_offer.Digest(_domain), DevAccounts.Key(provider).GetPrivateKeyAsBytes());
    }

    /// <summary>Creates a job of <paramref name="tasks"/> tasks due <paramref name="dueIn"/> seconds from the chain's now.</summary>
    public async Task<(BigInteger Id, Job Job)> CreateAsync(uint tasks, ulong dueIn = 24 * 3600)
    {
        var offer = _offer ?? throw new InvalidOperationException("call PrepareAsync first");
        var deadline = await ChainTimeAsync() + dueIn;
        var tasksRoot = Keccak.Hash(Encoding.UTF8.GetBytes($"tasks {Guid.NewGuid()}"));
        var manifest = Keccak.Hash(Encoding.UTF8.GetBytes($"manifest {Guid.NewGuid()}"));
        var receipt = await chain.Sender(client).SendAsync(chain.Deployment.JobMarket, new CreateJobFunction
        {
            Offer = offer.ToStruct(),
            OfferSig = _offerSignature,
            TaskCount = tasks,
            TasksRoot = tasksRoot.ToArray(),
            ManifestHash = manifest.ToArray(),
            Deadline = deadline,
        });
        var created = receipt.DecodeAllEvents<JobCreatedEventDTO>().Single().Event;
        var job = new Job(DevAccounts.Address(client), offer.Provider, Model, offer.UnitPrice, tasks, deadline, tasksRoot, manifest,
            Bytes32.Zero, Bytes32.Zero, 0, 0);
        return (created.JobId, job);
    }

    /// <summary>Submits the provider's signed result; returns the record as it now stands.</summary>
    public async Task<Job> SubmitAsync(BigInteger id, Job job)
    {
        var resultRoot = Keccak.Hash(Encoding.UTF8.GetBytes($"result {id}"));
        var outputs = Keccak.Hash(Encoding.UTF8.GetBytes($"outputs {id}"));
        var signature = Signatures.Sign(new Result(id, job.TasksRoot, resultRoot, outputs).Digest(_domain), DevAccounts.Key(provider).GetPrivateKeyAsBytes());
        var receipt = await chain.Sender(provider).SendAsync(chain.Deployment.JobMarket, new SubmitResultFunction
        {
            JobId = id,
            Job = job.ToStruct(),
            ResultRoot = resultRoot.ToArray(),
            OutputsHash = outputs.ToArray(),
            Signature = signature,
        });
        var submitted = receipt.DecodeAllEvents<ResultSubmittedEventDTO>().Single().Event;
        return job with { ResultRoot = resultRoot, OutputsHash = outputs, SubmittedAt = submitted.SubmittedAt, SubmitBlock = submitted.SubmitBlock };
    }

    /// <summary>Settles submitted jobs whose challenge window passed (a job the draw audits moves to Auditing instead).</summary>
    public Task<TransactionReceipt> SettleAsync(params (BigInteger Id, Job Job)[] jobs) =>
        chain.Sender(provider).SendAsync(chain.Deployment.JobMarket, new SettleFunction
        {
            JobIds = jobs.Select(j => j.Id).ToList(),
            Jobs = jobs.Select(j => j.Job.ToStruct()).ToList(),
        });

    /// <summary>Expires jobs past their deadline without a result.</summary>
    public Task<TransactionReceipt> ExpireAsync(params (BigInteger Id, Job Job)[] jobs) =>
        chain.Sender(client).SendAsync(chain.Deployment.JobMarket, new ExpireFunction
        {
            JobIds = jobs.Select(j => j.Id).ToList(),
            Jobs = jobs.Select(j => j.Job.ToStruct()).ToList(),
        });

    /// <summary>
    /// Four jobs: one Settled (4 tasks), one Submitted (8), one Created (2), one Expired (1). Moves the
    /// chain's clock past the challenge window.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, BigInteger>> RunMixAsync()
    {
        await PrepareAsync();
        var settled = await CreateAsync(4);
        var submitted = await CreateAsync(8);
        var created = await CreateAsync(2, dueIn: 30 * 24 * 3600);
        var expired = await CreateAsync(1, dueIn: 120);
        settled.Job = await SubmitAsync(settled.Id, settled.Job);
        submitted.Job = await SubmitAsync(submitted.Id, submitted.Job);
        await chain.IncreaseTimeAsync(chain.Options.Market.ChallengeWindow + 1);
        await SettleAsync(settled);
        await ExpireAsync(expired);
        return new Dictionary<string, BigInteger>
        {
            ["settled"] = settled.Id,
            ["submitted"] = submitted.Id,
            ["created"] = created.Id,
            ["expired"] = expired.Id,
        };
    }

    /// <summary>
    /// A job the court slashes: the <paramref name="verifiers"/> stake (drawable from the next epoch),
    /// jobs are submitted until one's own draw audits it, its drawn verifier fails it, the committee
    /// votes the provider wrong, and after the appeal window the ruling is final. Returns the job's id.
    /// </summary>
    public async Task<BigInteger> RunDisputeAsync(IReadOnlyList<int> verifiers)
    {
        await StakeVerifiersAsync(verifiers);
        var (id, job) = await DrawnJobAsync(audited: true);
        var challenger = await PendingAuditorAsync(id, job);
        // The fail verdict posts the challenger's bond from its market balance.
        await ChainActions.DepositAsync(chain, challenger, ChainActions.Tokens(100));
        await VerdictAsync(challenger, id, job, pass: false);
        await RuleProviderWrongAsync(id, job);
        return id;
    }

    /// <summary>
    /// A job its drawn verifier passes; nobody appeals, and once the appeal window has passed the pass
    /// stands: the job settles after the audit. Returns the job's id and the verifier.
    /// </summary>
    public async Task<(BigInteger Id, string Verifier)> RunPassAsync(IReadOnlyList<int> verifiers)
    {
        var (id, job, verifier) = await PassedJobAsync(verifiers);
        await FinalizePassAsync(id, job);
        return (id, verifier);
    }

    /// <summary>Waits out a pass's appeal window and lets the pass stand, as the provider's keeper does.</summary>
    public async Task FinalizePassAsync(BigInteger id, Job job)
    {
        await chain.IncreaseTimeAsync(chain.Options.Court.PassAppealWindow + 1);
        await chain.Sender(provider).SendAsync(chain.Deployment.AuditCourt, new FinalizePassFunction { JobId = id, Job = job.ToStruct() });
    }

    /// <summary>
    /// A job its drawn verifier passes without looking, as a lazy verifier passes a canary: the client
    /// appeals the pass with its bond, the committee votes the provider wrong, and after the appeal
    /// window the ruling is final. Returns the job's id and the passing verifier.
    /// </summary>
    public async Task<(BigInteger Id, string Verifier)> RunPassAppealAsync(IReadOnlyList<int> verifiers)
    {
        var (id, job, verifier) = await PassedJobAsync(verifiers);
        await chain.Sender(client).SendAsync(chain.Deployment.AuditCourt, new AppealPassFunction { JobId = id, Job = job.ToStruct() });
        await RuleProviderWrongAsync(id, job);
        return (id, verifier);
    }

    /// <summary>A job its drawn verifier passes, its appeal window still open. Returns the job, its record and the verifier.</summary>
    public async Task<(BigInteger Id, Job Job, string Verifier)> PassedJobAsync(IReadOnlyList<int> verifiers)
    {
        await StakeVerifiersAsync(verifiers);
        var (id, job) = await DrawnJobAsync(audited: true);
        var verifier = await PendingAuditorAsync(id, job);
        await VerdictAsync(verifier, id, job, pass: true);
        return (id, job, DevAccounts.Address(verifier).ToLowerInvariant());
    }

    /// <summary>A job the draw passes over, settled unaudited after its challenge window. Returns its id.</summary>
    public async Task<BigInteger> RunUnauditedAsync()
    {
        await PrepareAsync();
        var drawn = await DrawnJobAsync(audited: false);
        await chain.IncreaseTimeAsync(chain.Options.Market.ChallengeWindow + 1);
        await SettleAsync(drawn);
        return drawn.Id;
    }

    private async Task StakeVerifiersAsync(IReadOnlyList<int> verifiers)
    {
        await PrepareAsync();
        foreach (var verifier in verifiers)
        {
            await ChainActions.StakeAsync(chain, verifier, ChainActions.Tokens(1_000), role: 2);
        }

        // Stake counts in draws from the next epoch on.
        await chain.IncreaseTimeAsync(chain.Options.EpochLength);
    }

    private Task<TransactionReceipt> VerdictAsync(int verifier, BigInteger id, Job job, bool pass) =>
        chain.Sender(verifier).SendAsync(chain.Deployment.AuditCourt, new SubmitVerdictFunction
        {
            JobId = id, Job = job.ToStruct(), Pass = pass, EvidenceHash = Keccak.Hash(pass ? "outputs agree"u8 : "bad outputs"u8).ToArray(),
        });

    private async Task<int> PendingAuditorAsync(BigInteger id, Job job) =>
        IndexOf((await QueryAsync<PendingAuditorFunction, PendingAuditorOutputDTO>(
            chain.Deployment.AuditCourt, new PendingAuditorFunction { JobId = id, Job = job.ToStruct() })).Verifier);

    /// <summary>Round 0's committee votes the provider wrong, unanimously; after the appeal window the ruling is final.</summary>
    private async Task RuleProviderWrongAsync(BigInteger id, Job job)
    {
        var court = chain.Deployment.AuditCourt;
        await chain.MineAsync(2);
        var drawn = await chain.Sender(client).SendAsync(court, new DrawCommitteeFunction { JobId = id, Job = job.ToStruct() });
        var members = drawn.DecodeAllEvents<CommitteeDrawnEventDTO>().Single().Event.Members;
        var salt = Keccak.Hash("salt"u8).ToArray();
        foreach (var member in members)
        {
            var commitment = await QueryAsync<VoteCommitmentFunction, VoteCommitmentOutputDTO>(court, new VoteCommitmentFunction
            {
                JobId = id, Round = 0, Member = member, ProviderWrong = true, Salt = salt,
            });
            await chain.Sender(IndexOf(member)).SendAsync(court, new CommitVoteFunction { JobId = id, Commitment = commitment.ReturnValue0 });
        }

        foreach (var member in members)
        {
            await chain.Sender(IndexOf(member)).SendAsync(court, new RevealVoteFunction { JobId = id, ProviderWrong = true, Salt = salt });
        }

        await chain.Sender(client).SendAsync(court, new CloseRoundFunction { JobId = id });
        await chain.IncreaseTimeAsync(chain.Options.Court.AppealWindow + 1);
        await chain.Sender(client).SendAsync(court, new ResolveDisputeFunction { JobId = id, Job = job.ToStruct() });
    }

    /// <summary>
    /// Submits jobs until one's own draw audits it (15 % each) or, with <paramref name="audited"/> false,
    /// does not; returns it once its draw can be read. The others stay submitted.
    /// </summary>
    private async Task<(BigInteger Id, Job Job)> DrawnJobAsync(bool audited)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var (id, job) = await CreateAsync(2);
            job = await SubmitAsync(id, job);
            await chain.MineAsync(2);
            var draw = await QueryAsync<AuditDrawFunction, AuditDrawOutputDTO>(chain.Deployment.JobMarket, new AuditDrawFunction { JobId = id, Job = job.ToStruct() });
            if (draw.Audited == audited)
            {
                return (id, job);
            }
        }

        throw new InvalidOperationException($"100 draws in a row were {(audited ? "not audited" : "audited")}");
    }

    private Task<TOutput> QueryAsync<TFunction, TOutput>(string contract, TFunction function)
        where TFunction : FunctionMessage, new()
        where TOutput : Nethereum.ABI.FunctionEncoding.Attributes.IFunctionOutputDTO, new() =>
        chain.Web3.Eth.GetContractQueryHandler<TFunction>().QueryDeserializingToObjectAsync<TOutput>(function, contract);

    private static int IndexOf(string address) =>
        Enumerable.Range(0, DevAccounts.FundedCount).First(i => string.Equals(DevAccounts.Address(i), address, StringComparison.OrdinalIgnoreCase));

    private async Task<ulong> ChainTimeAsync()
    {
        var block = await chain.Web3.Eth.Blocks.GetBlockWithTransactionsHashesByNumber.SendRequestAsync(BlockParameter.CreateLatest());
        return (ulong)block.Timestamp.Value;
    }
}
