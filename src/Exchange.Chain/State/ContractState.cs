using System.Numerics;
using Exchange.Chain.Bindings;
using Exchange.Chain.Deployment;
using Exchange.Core.Hashing;
using Exchange.Core.Jobs;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Web3;

namespace Exchange.Chain.State;

/// <summary>
/// The one reader of a deployment's contract state: the market's and the court's parameters, jobs,
/// audits and disputes, accounts in the market, the vault and the token, and the chain's clock.
/// Events come from <see cref="Indexing.ChainLogPoller"/>; everything read by a view call comes from here.
/// </summary>
public sealed class ContractState
{
    /// <summary>Creates a reader of <paramref name="deployment"/> through <paramref name="web3"/>.</summary>
    public ContractState(IWeb3 web3, ChainDeployment deployment)
    {
        ArgumentNullException.ThrowIfNull(web3);
        ArgumentNullException.ThrowIfNull(deployment);
        Web3 = web3;
        Deployment = deployment;
    }

    /// <summary>The chain.</summary>
    public IWeb3 Web3 { get; }

    /// <summary>The contracts.</summary>
    public ChainDeployment Deployment { get; }

    /// <summary>Calls a view of the market.</summary>
    public Task<TOut> QueryMarketAsync<TFunction, TOut>(TFunction function, CancellationToken cancellationToken)
        where TFunction : FunctionMessage, new()
        where TOut : IFunctionOutputDTO, new() =>
        QueryAsync<TFunction, TOut>(Deployment.JobMarket, function, cancellationToken);

    /// <summary>Calls a view of the court.</summary>
    public Task<TOut> QueryCourtAsync<TFunction, TOut>(TFunction function, CancellationToken cancellationToken)
        where TFunction : FunctionMessage, new()
        where TOut : IFunctionOutputDTO, new() =>
        QueryAsync<TFunction, TOut>(Deployment.AuditCourt, function, cancellationToken);

    /// <summary>Calls a view of any contract of the deployment.</summary>
    public Task<TOut> QueryAsync<TFunction, TOut>(string contract, TFunction function, CancellationToken cancellationToken)
        where TFunction : FunctionMessage, new()
        where TOut : IFunctionOutputDTO, new() =>
        Web3.Eth.GetContractQueryHandler<TFunction>().QueryDeserializingToObjectAsync<TOut>(function, contract).WaitAsync(cancellationToken);

    // ------------------------------------------------------------------ market

    /// <summary>A job's status and stored commitment (audit and dispute state live in the court).</summary>
    public Task<GetJobOutputDTO> GetJobAsync(BigInteger jobId, CancellationToken cancellationToken) =>
        QueryMarketAsync<GetJobFunction, GetJobOutputDTO>(new GetJobFunction { JobId = jobId }, cancellationToken);

    /// <summary>A job's status.</summary>
    public async Task<JobStatus> StatusAsync(BigInteger jobId, CancellationToken cancellationToken) =>
        (JobStatus)(await GetJobAsync(jobId, cancellationToken).ConfigureAwait(false)).Status;

    /// <summary>A job's status as of block <paramref name="block"/> (the node must keep that block's state).</summary>
    public async Task<JobStatus> StatusAtAsync(BigInteger jobId, ulong block, CancellationToken cancellationToken) =>
        (JobStatus)(await Web3.Eth.GetContractQueryHandler<GetJobFunction>()
            .QueryDeserializingToObjectAsync<GetJobOutputDTO>(new GetJobFunction { JobId = jobId }, Deployment.JobMarket, new BlockParameter(new Nethereum.Hex.HexTypes.HexBigInteger(block)))
            .WaitAsync(cancellationToken).ConfigureAwait(false)).Status;

    /// <summary>The audit draw of a submitted job (the contract's one definition): ready, audited, seed.</summary>
    public Task<AuditDrawOutputDTO> AuditDrawAsync(BigInteger jobId, Job job, CancellationToken cancellationToken) =>
        QueryMarketAsync<AuditDrawFunction, AuditDrawOutputDTO>(new AuditDrawFunction { JobId = jobId, Job = job.ToStruct() }, cancellationToken);

    /// <summary>The market's parameters.</summary>
    public async Task<MarketParameters> ParamsAsync(CancellationToken cancellationToken) =>
        MarketParameters.FromStruct((await QueryMarketAsync<ParamsFunction, ParamsOutputDTO>(new ParamsFunction(), cancellationToken).ConfigureAwait(false)).ReturnValue0);

    /// <summary>The internal market balance of <paramref name="account"/>.</summary>
    public async Task<BigInteger> MarketBalanceAsync(string account, CancellationToken cancellationToken) =>
        (await QueryMarketAsync<BalanceOfFunction, BalanceOfOutputDTO>(new BalanceOfFunction { Account = account }, cancellationToken).ConfigureAwait(false)).ReturnValue0;

    /// <summary>The market's account of <paramref name="account"/>: balance, free collateral, jobs settled, offer nonce floor.</summary>
    public async Task<AccountStruct> MarketAccountAsync(string account, CancellationToken cancellationToken) =>
        (await QueryMarketAsync<JobMarketAccountOfFunction, JobMarketAccountOfOutputDTO>(new JobMarketAccountOfFunction { Account = account }, cancellationToken).ConfigureAwait(false)).ReturnValue0;

    /// <summary>The market's ledger: jobs created, verification pool, unclaimed protocol fees, court hold.</summary>
    public Task<LedgerOutputDTO> LedgerAsync(CancellationToken cancellationToken) =>
        QueryMarketAsync<LedgerFunction, LedgerOutputDTO>(new LedgerFunction(), cancellationToken);

    // ------------------------------------------------------------------ court

    /// <summary>The court's parameters.</summary>
    public async Task<CourtParameters> CourtParamsAsync(CancellationToken cancellationToken) =>
        CourtParameters.FromStruct((await QueryCourtAsync<AuditCourtParamsFunction, AuditCourtParamsOutputDTO>(new AuditCourtParamsFunction(), cancellationToken).ConfigureAwait(false)).ReturnValue0);

    /// <summary>A job's audit in the court (phase None when it has no record).</summary>
    public async Task<AuditStruct> AuditOfAsync(BigInteger jobId, CancellationToken cancellationToken) =>
        (await QueryCourtAsync<AuditOfFunction, AuditOfOutputDTO>(new AuditOfFunction { JobId = jobId }, cancellationToken).ConfigureAwait(false)).ReturnValue0;

    /// <summary>The verifier a submitted job's own draw selects before anyone fixed it, and its seed (zero address when none).</summary>
    public Task<PendingAuditorOutputDTO> PendingAuditorAsync(BigInteger jobId, Job job, CancellationToken cancellationToken) =>
        QueryCourtAsync<PendingAuditorFunction, PendingAuditorOutputDTO>(new PendingAuditorFunction { JobId = jobId, Job = job.ToStruct() }, cancellationToken);

    /// <summary>The task indices a seed draws for a job of <paramref name="taskCount"/> tasks.</summary>
    public async Task<IReadOnlyList<uint>> TaskIndicesOfAsync(Bytes32 seed, uint taskCount, CancellationToken cancellationToken) =>
        (await QueryCourtAsync<TaskIndicesOfFunction, TaskIndicesOfOutputDTO>(new TaskIndicesOfFunction { Seed = seed.ToArray(), TaskCount = taskCount }, cancellationToken).ConfigureAwait(false)).Indices;

    /// <summary>The task indices the job's assigned verifier must re-run (empty until one is drawn).</summary>
    public async Task<IReadOnlyList<uint>> AuditTasksAsync(BigInteger jobId, uint taskCount, CancellationToken cancellationToken) =>
        (await QueryCourtAsync<AuditTasksFunction, AuditTasksOutputDTO>(new AuditTasksFunction { JobId = jobId, TaskCount = taskCount }, cancellationToken).ConfigureAwait(false)).ReturnValue0;

    /// <summary>A job's dispute: challenger, evidence, rounds opened.</summary>
    public async Task<DisputeStruct> DisputeOfAsync(BigInteger jobId, CancellationToken cancellationToken) =>
        (await QueryCourtAsync<DisputeOfFunction, DisputeOfOutputDTO>(new DisputeOfFunction { JobId = jobId }, cancellationToken).ConfigureAwait(false)).ReturnValue0;

    /// <summary>Round <paramref name="round"/> of a job's dispute.</summary>
    public async Task<RoundStruct> RoundOfAsync(BigInteger jobId, int round, CancellationToken cancellationToken) =>
        (await QueryCourtAsync<RoundOfFunction, RoundOfOutputDTO>(new RoundOfFunction { JobId = jobId, Round = round }, cancellationToken).ConfigureAwait(false)).ReturnValue0;

    /// <summary>A member's vote in a round.</summary>
    public async Task<VoteStruct> VoteOfAsync(BigInteger jobId, int round, string member, CancellationToken cancellationToken) =>
        (await QueryCourtAsync<VoteOfFunction, VoteOfOutputDTO>(new VoteOfFunction { JobId = jobId, Round = round, Member = member }, cancellationToken).ConfigureAwait(false)).ReturnValue0;

    /// <summary>The commitment that seals a member's vote (the court's one definition).</summary>
    public async Task<Bytes32> VoteCommitmentAsync(BigInteger jobId, int round, string member, bool providerWrong, Bytes32 salt, CancellationToken cancellationToken) =>
        Bytes32.FromBytes((await QueryCourtAsync<VoteCommitmentFunction, VoteCommitmentOutputDTO>(
            new VoteCommitmentFunction { JobId = jobId, Round = round, Member = member, ProviderWrong = providerWrong, Salt = salt.ToArray() }, cancellationToken).ConfigureAwait(false)).ReturnValue0);

    // ------------------------------------------------------------------ vault, token, blocks

    /// <summary>The token balance of <paramref name="account"/>.</summary>
    public async Task<BigInteger> TokenBalanceAsync(string account, CancellationToken cancellationToken) =>
        (await QueryAsync<BalanceOfFunction, BalanceOfOutputDTO>(Deployment.ComputeToken, new BalanceOfFunction { Account = account }, cancellationToken).ConfigureAwait(false)).ReturnValue0;

    /// <summary>The vault's view of <paramref name="account"/>: stake, locked, reputation.</summary>
    public async Task<AccountViewStruct> VaultAccountAsync(string account, CancellationToken cancellationToken) =>
        (await QueryAsync<AccountOfFunction, AccountOfOutputDTO>(Deployment.StakingVault, new AccountOfFunction { Account = account }, cancellationToken).ConfigureAwait(false)).ReturnValue0;

    /// <summary>The vault's stake of <paramref name="account"/> that is neither locked nor unbonding.</summary>
    public async Task<BigInteger> FreeStakeAsync(string account, CancellationToken cancellationToken) =>
        (await QueryAsync<FreeStakeFunction, FreeStakeOutputDTO>(Deployment.StakingVault, new FreeStakeFunction { Account = account }, cancellationToken).ConfigureAwait(false)).ReturnValue0;

    /// <summary>Seconds per epoch of the vault's draw-weight snapshots.</summary>
    public async Task<ulong> EpochLengthAsync(CancellationToken cancellationToken) =>
        (await QueryAsync<EpochLengthFunction, EpochLengthOutputDTO>(Deployment.StakingVault, new EpochLengthFunction(), cancellationToken).ConfigureAwait(false)).ReturnValue0;

    /// <summary>What <paramref name="account"/> holds in the system: tokens, market balance and vault stake (locked collateral included).</summary>
    public async Task<BigInteger> HoldingsAsync(string account, CancellationToken cancellationToken) =>
        await TokenBalanceAsync(account, cancellationToken).ConfigureAwait(false)
        + await MarketBalanceAsync(account, cancellationToken).ConfigureAwait(false)
        + (await VaultAccountAsync(account, cancellationToken).ConfigureAwait(false)).Stake;

    /// <summary>The latest block's number and timestamp.</summary>
    public async Task<(ulong Number, ulong Timestamp)> LatestBlockAsync(CancellationToken cancellationToken)
    {
        var block = await Web3.Eth.Blocks.GetBlockWithTransactionsHashesByNumber.SendRequestAsync(BlockParameter.CreateLatest()).WaitAsync(cancellationToken).ConfigureAwait(false);
        return ((ulong)block.Number.Value, (ulong)block.Timestamp.Value);
    }

    /// <summary>
    /// The latest block's number and timestamp, and the chain time a transaction sent now is mined
    /// at: the later of the latest and the pending block's timestamps. A chain that mines only on
    /// transactions keeps its latest block's time until someone sends one; its pending block tells
    /// the time the next block gets. Deadlines and windows are compared with <c>Now</c>.
    /// </summary>
    public async Task<(ulong Number, ulong Timestamp, ulong Now)> ChainNowAsync(CancellationToken cancellationToken)
    {
        var (number, timestamp) = await LatestBlockAsync(cancellationToken).ConfigureAwait(false);
        ulong pending;
        try
        {
            var block = await Web3.Eth.Blocks.GetBlockWithTransactionsHashesByNumber.SendRequestAsync(BlockParameter.CreatePending()).WaitAsync(cancellationToken).ConfigureAwait(false);
            pending = block?.Timestamp is { } time ? (ulong)time.Value : 0;
        }
        catch (Nethereum.JsonRpc.Client.RpcResponseException)
        {
            // A node without a pending block: its latest block is as near as it tells.
            pending = 0;
        }

        return (number, timestamp, Math.Max(timestamp, pending));
    }

    /// <summary>The X25519 public key <paramref name="account"/> published in the vault (32 zero bytes when none).</summary>
    public async Task<byte[]> EncryptionKeyAsync(string account, CancellationToken cancellationToken) =>
        (await QueryAsync<EncryptionKeyOfFunction, EncryptionKeyOfOutputDTO>(Deployment.StakingVault, new EncryptionKeyOfFunction { Account = account }, cancellationToken).ConfigureAwait(false)).ReturnValue0;
}
