using System.Numerics;
using Exchange.Chain.Bindings;
using Exchange.Chain.Deployment;
using Exchange.Chain.State;
using Exchange.Chain.Transactions;
using Exchange.Core.Eip712;
using Exchange.Core.Hashing;
using Exchange.Core.Jobs;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Web3;

namespace Exchange.Node.Chain;

/// <summary>
/// One account's handle on a deployment: the reads of its <see cref="ContractState"/>, and
/// transactions through the account's <see cref="TransactionSender"/> (one per account per process).
/// The job record is passed back on every call after creation (docs/protocol.md "The job record").
/// </summary>
public sealed class MarketClient
{
    /// <summary>Creates the client.</summary>
    public MarketClient(TransactionSender sender, ChainDeployment deployment)
    {
        ArgumentNullException.ThrowIfNull(sender);
        ArgumentNullException.ThrowIfNull(deployment);
        Sender = sender;
        Deployment = deployment;
        Domain = Eip712Domain.ForExchange(deployment.ChainId, deployment.JobMarket);
        State = new ContractState(sender.Web3, deployment);
    }

    /// <summary>The deployment's contract state (every view call goes through it).</summary>
    public ContractState State { get; }

    /// <summary>The account's transaction sender.</summary>
    public TransactionSender Sender { get; }

    /// <summary>The contracts.</summary>
    public ChainDeployment Deployment { get; }

    /// <summary>The market's EIP-712 domain.</summary>
    public Eip712Domain Domain { get; }

    /// <summary>The account's address.</summary>
    public string Address => Sender.Address;

    /// <summary>Web3 for reads.</summary>
    public IWeb3 Web3 => Sender.Web3;

    // ------------------------------------------------------------------ generic calls

    /// <summary>Calls a view of the market.</summary>
    public Task<TOut> QueryMarketAsync<TFunction, TOut>(TFunction function, CancellationToken cancellationToken)
        where TFunction : FunctionMessage, new()
        where TOut : IFunctionOutputDTO, new() =>
        State.QueryMarketAsync<TFunction, TOut>(function, cancellationToken);

    /// <summary>Calls a view of the court.</summary>
    public Task<TOut> QueryCourtAsync<TFunction, TOut>(TFunction function, CancellationToken cancellationToken)
        where TFunction : FunctionMessage, new()
        where TOut : IFunctionOutputDTO, new() =>
        State.QueryCourtAsync<TFunction, TOut>(function, cancellationToken);

    /// <summary>Calls a view of any contract of the deployment.</summary>
    public Task<TOut> QueryAsync<TFunction, TOut>(string contract, TFunction function, CancellationToken cancellationToken)
        where TFunction : FunctionMessage, new()
        where TOut : IFunctionOutputDTO, new() =>
        State.QueryAsync<TFunction, TOut>(contract, function, cancellationToken);

    /// <summary>Sends a transaction to the market and waits for its receipt.</summary>
    public Task<TransactionReceipt> SendMarketAsync<TFunction>(TFunction function, CancellationToken cancellationToken)
        where TFunction : FunctionMessage, new() =>
        Sender.SendAsync(Deployment.JobMarket, function, cancellationToken);

    /// <summary>Sends a transaction to the court and waits for its receipt.</summary>
    public Task<TransactionReceipt> SendCourtAsync<TFunction>(TFunction function, CancellationToken cancellationToken)
        where TFunction : FunctionMessage, new() =>
        Sender.SendAsync(Deployment.AuditCourt, function, cancellationToken);

    /// <summary>Estimates, signs and broadcasts a call to the court without waiting for it, so that the caller can record the hash first.</summary>
    public Task<SentTransaction> SubmitCourtAsync<TFunction>(TFunction function, CancellationToken cancellationToken)
        where TFunction : FunctionMessage, new() =>
        Sender.SubmitAsync(new TransactionRequest(Deployment.AuditCourt, function.GetCallData().ToHex(true), BigInteger.Zero), cancellationToken);

    /// <summary>Estimates, signs and broadcasts a call to the market without waiting for it.</summary>
    public Task<SentTransaction> SubmitMarketAsync<TFunction>(TFunction function, CancellationToken cancellationToken)
        where TFunction : FunctionMessage, new() =>
        Sender.SubmitAsync(new TransactionRequest(Deployment.JobMarket, function.GetCallData().ToHex(true), BigInteger.Zero), cancellationToken);

    /// <summary>The receipt of a transaction, or null while it is not mined (or unknown to the node).</summary>
    public Task<TransactionReceipt?> ReceiptAsync(string hash, CancellationToken cancellationToken) =>
        Web3.Eth.Transactions.GetTransactionReceipt.SendRequestAsync(hash).WaitAsync(cancellationToken)!;

    // ------------------------------------------------------------------ market reads

    /// <summary>A job's status and stored commitment (audit and dispute state live in the court).</summary>
    public Task<GetJobOutputDTO> GetJobAsync(BigInteger jobId, CancellationToken cancellationToken) =>
        State.GetJobAsync(jobId, cancellationToken);

    /// <summary>A job's status.</summary>
    public Task<JobStatus> StatusAsync(BigInteger jobId, CancellationToken cancellationToken) =>
        State.StatusAsync(jobId, cancellationToken);

    /// <summary>The audit draw of a submitted job (the contract's one definition): ready, audited, seed.</summary>
    public Task<AuditDrawOutputDTO> AuditDrawAsync(BigInteger jobId, Job job, CancellationToken cancellationToken) =>
        State.AuditDrawAsync(jobId, job, cancellationToken);

    /// <summary>The market's parameters.</summary>
    public Task<MarketParameters> ParamsAsync(CancellationToken cancellationToken) =>
        State.ParamsAsync(cancellationToken);

    /// <summary>The internal market balance of <paramref name="account"/>.</summary>
    public Task<BigInteger> MarketBalanceAsync(string account, CancellationToken cancellationToken) =>
        State.MarketBalanceAsync(account, cancellationToken);

    /// <summary>The market's account of <paramref name="account"/>: balance, free collateral, jobs settled, offer nonce floor.</summary>
    public Task<AccountStruct> MarketAccountAsync(string account, CancellationToken cancellationToken) =>
        State.MarketAccountAsync(account, cancellationToken);

    /// <summary>The market's ledger: jobs created, verification pool, unclaimed protocol fees, court hold.</summary>
    public Task<LedgerOutputDTO> LedgerAsync(CancellationToken cancellationToken) =>
        State.LedgerAsync(cancellationToken);

    /// <summary>The court's parameters.</summary>
    public Task<CourtParameters> CourtParamsAsync(CancellationToken cancellationToken) =>
        State.CourtParamsAsync(cancellationToken);

    /// <summary>A job's audit in the court (phase None when it has no record).</summary>
    public Task<AuditStruct> AuditOfAsync(BigInteger jobId, CancellationToken cancellationToken) =>
        State.AuditOfAsync(jobId, cancellationToken);

    /// <summary>The verifier a submitted job's own draw selects before anyone fixed it, and its seed (zero address when none).</summary>
    public Task<PendingAuditorOutputDTO> PendingAuditorAsync(BigInteger jobId, Job job, CancellationToken cancellationToken) =>
        State.PendingAuditorAsync(jobId, job, cancellationToken);

    /// <summary>The task indices a seed draws for a job of <paramref name="taskCount"/> tasks.</summary>
    public Task<IReadOnlyList<uint>> TaskIndicesOfAsync(Bytes32 seed, uint taskCount, CancellationToken cancellationToken) =>
        State.TaskIndicesOfAsync(seed, taskCount, cancellationToken);

    /// <summary>The task indices the job's assigned verifier must re-run (empty until one is drawn).</summary>
    public Task<IReadOnlyList<uint>> AuditTasksAsync(BigInteger jobId, uint taskCount, CancellationToken cancellationToken) =>
        State.AuditTasksAsync(jobId, taskCount, cancellationToken);

    /// <summary>A job's dispute: challenger, evidence, rounds opened.</summary>
    public Task<DisputeStruct> DisputeOfAsync(BigInteger jobId, CancellationToken cancellationToken) =>
        State.DisputeOfAsync(jobId, cancellationToken);

    /// <summary>Round <paramref name="round"/> of a job's dispute.</summary>
    public Task<RoundStruct> RoundOfAsync(BigInteger jobId, int round, CancellationToken cancellationToken) =>
        State.RoundOfAsync(jobId, round, cancellationToken);

    /// <summary>A member's vote in a round.</summary>
    public Task<VoteStruct> VoteOfAsync(BigInteger jobId, int round, string member, CancellationToken cancellationToken) =>
        State.VoteOfAsync(jobId, round, member, cancellationToken);

    /// <summary>The commitment that seals a member's vote (the court's one definition).</summary>
    public Task<Bytes32> VoteCommitmentAsync(BigInteger jobId, int round, string member, bool providerWrong, Bytes32 salt, CancellationToken cancellationToken) =>
        State.VoteCommitmentAsync(jobId, round, member, providerWrong, salt, cancellationToken);

    // ------------------------------------------------------------------ market transactions

    /// <summary>Locks <paramref name="amount"/> more of the account's vault stake as free collateral for its jobs.</summary>
    public Task<TransactionReceipt> LockCollateralAsync(BigInteger amount, CancellationToken cancellationToken) =>
        SendMarketAsync(new LockCollateralFunction { Amount = amount }, cancellationToken);

    /// <summary>Returns <paramref name="amount"/> of the account's free collateral to its vault stake.</summary>
    public Task<TransactionReceipt> ReleaseCollateralAsync(BigInteger amount, CancellationToken cancellationToken) =>
        SendMarketAsync(new ReleaseCollateralFunction { Amount = amount }, cancellationToken);

    /// <summary>The <c>acceptJobs</c> call for these jobs (only their provider may send it).</summary>
    public static AcceptJobsFunction AcceptJobs(IReadOnlyList<(BigInteger JobId, Job Record)> jobs) => new()
    {
        JobIds = [.. jobs.Select(j => j.JobId)],
        Jobs = [.. jobs.Select(j => j.Record.ToStruct())],
    };

    /// <summary>Declines jobs the account (their provider) has not accepted: each ends refunded, its collateral freed.</summary>
    public Task<TransactionReceipt> DeclineJobsAsync(IReadOnlyList<(BigInteger JobId, Job Record)> jobs, CancellationToken cancellationToken) =>
        SendMarketAsync(new DeclineJobsFunction { JobIds = [.. jobs.Select(j => j.JobId)], Jobs = [.. jobs.Select(j => j.Record.ToStruct())] }, cancellationToken);

    /// <summary>Fixes the audit draw of submitted jobs whose seed exists (anyone).</summary>
    public Task<TransactionReceipt> RecordDrawAsync(IReadOnlyList<(BigInteger JobId, Job Record)> jobs, CancellationToken cancellationToken) =>
        SendMarketAsync(new RecordDrawFunction { JobIds = [.. jobs.Select(j => j.JobId)], Jobs = [.. jobs.Select(j => j.Record.ToStruct())] }, cancellationToken);

    /// <summary>Settles submitted or unaudited jobs past their challenge window (anyone).</summary>
    public Task<TransactionReceipt> SettleAsync(IReadOnlyList<(BigInteger JobId, Job Record)> jobs, CancellationToken cancellationToken) =>
        SendMarketAsync(new SettleFunction { JobIds = [.. jobs.Select(j => j.JobId)], Jobs = [.. jobs.Select(j => j.Record.ToStruct())] }, cancellationToken);

    /// <summary>Ends created or accepted jobs past their deadline (anyone).</summary>
    public Task<TransactionReceipt> ExpireAsync(IReadOnlyList<(BigInteger JobId, Job Record)> jobs, CancellationToken cancellationToken) =>
        SendMarketAsync(new ExpireFunction { JobIds = [.. jobs.Select(j => j.JobId)], Jobs = [.. jobs.Select(j => j.Record.ToStruct())] }, cancellationToken);

    /// <summary>The client asks for an audit of its submitted or unaudited job within the challenge window (paying the client audit fee).</summary>
    public Task<TransactionReceipt> RequestAuditAsync(BigInteger jobId, Job job, CancellationToken cancellationToken) =>
        SendMarketAsync(new RequestAuditFunction { JobId = jobId, Job = job.ToStruct() }, cancellationToken);

    // ------------------------------------------------------------------ court transactions

    /// <summary>The drawn verifier's verdict (fixes a submitted job's draw when it is the first to observe it).</summary>
    public static SubmitVerdictFunction SubmitVerdict(BigInteger jobId, Job job, bool pass, Bytes32 evidenceHash) => new()
    {
        JobId = jobId, Job = job.ToStruct(), Pass = pass, EvidenceHash = evidenceHash.ToArray(),
    };

    /// <summary>A member's sealed vote.</summary>
    public static CommitVoteFunction CommitVote(BigInteger jobId, Bytes32 commitment) => new() { JobId = jobId, Commitment = commitment.ToArray() };

    /// <summary>A member's opened vote.</summary>
    public static RevealVoteFunction RevealVote(BigInteger jobId, bool providerWrong, Bytes32 salt) => new() { JobId = jobId, ProviderWrong = providerWrong, Salt = salt.ToArray() };

    /// <summary>Draws the verifier of an audit waiting for its seed (anyone).</summary>
    public Task<TransactionReceipt> AssignAuditorAsync(BigInteger jobId, Job job, CancellationToken cancellationToken) =>
        SendCourtAsync(new AssignAuditorFunction { JobId = jobId, Job = job.ToStruct() }, cancellationToken);

    /// <summary>Handles a verifier silent past its deadline (anyone).</summary>
    public Task<TransactionReceipt> TimeoutAuditAsync(BigInteger jobId, Job job, CancellationToken cancellationToken) =>
        SendCourtAsync(new TimeoutAuditFunction { JobId = jobId, Job = job.ToStruct() }, cancellationToken);

    /// <summary>Appeals a pass within its appeal window (the job's client or a staked verifier), posting the challenger bond from the market balance.</summary>
    public Task<TransactionReceipt> AppealPassAsync(BigInteger jobId, Job job, CancellationToken cancellationToken) =>
        SendCourtAsync(new AppealPassFunction { JobId = jobId, Job = job.ToStruct() }, cancellationToken);

    /// <summary>Lets an unappealed pass stand after its appeal window: pays the verifier and settles the job (anyone).</summary>
    public Task<TransactionReceipt> FinalizePassAsync(BigInteger jobId, Job job, CancellationToken cancellationToken) =>
        SendCourtAsync(new FinalizePassFunction { JobId = jobId, Job = job.ToStruct() }, cancellationToken);

    /// <summary>Draws the committee of the dispute's open round once its seed exists (anyone).</summary>
    public Task<TransactionReceipt> DrawCommitteeAsync(BigInteger jobId, Job job, CancellationToken cancellationToken) =>
        SendCourtAsync(new DrawCommitteeFunction { JobId = jobId, Job = job.ToStruct() }, cancellationToken);

    /// <summary>Closes the open round once every member revealed or the reveal deadline passed (anyone).</summary>
    public Task<TransactionReceipt> CloseRoundAsync(BigInteger jobId, CancellationToken cancellationToken) =>
        SendCourtAsync(new CloseRoundFunction { JobId = jobId }, cancellationToken);

    /// <summary>Appeals the last ruling, posting its doubled bond from the market balance.</summary>
    public Task<TransactionReceipt> AppealAsync(BigInteger jobId, Job job, CancellationToken cancellationToken) =>
        SendCourtAsync(new AppealFunction { JobId = jobId, Job = job.ToStruct() }, cancellationToken);

    /// <summary>Ends a dispute on its final ruling once the last appeal window passed (anyone).</summary>
    public Task<TransactionReceipt> ResolveDisputeAsync(BigInteger jobId, Job job, CancellationToken cancellationToken) =>
        SendCourtAsync(new ResolveDisputeFunction { JobId = jobId, Job = job.ToStruct() }, cancellationToken);

    // ------------------------------------------------------------------ vault and token

    /// <summary>The token balance of <paramref name="account"/>.</summary>
    public Task<BigInteger> TokenBalanceAsync(string account, CancellationToken cancellationToken) =>
        State.TokenBalanceAsync(account, cancellationToken);

    /// <summary>The vault's view of <paramref name="account"/>: stake, locked, reputation.</summary>
    public Task<AccountViewStruct> VaultAccountAsync(string account, CancellationToken cancellationToken) =>
        State.VaultAccountAsync(account, cancellationToken);

    /// <summary>The vault's stake of <paramref name="account"/> that is neither locked nor unbonding.</summary>
    public Task<BigInteger> FreeStakeAsync(string account, CancellationToken cancellationToken) =>
        State.FreeStakeAsync(account, cancellationToken);

    /// <summary>Seconds per epoch of the vault's draw-weight snapshots.</summary>
    public Task<ulong> EpochLengthAsync(CancellationToken cancellationToken) =>
        State.EpochLengthAsync(cancellationToken);

    /// <summary>What <paramref name="account"/> holds in the system: tokens, market balance and vault stake (locked collateral included).</summary>
    public Task<BigInteger> HoldingsAsync(string account, CancellationToken cancellationToken) =>
        State.HoldingsAsync(account, cancellationToken);

    /// <summary>The latest block's number and timestamp.</summary>
    public Task<(ulong Number, ulong Timestamp)> LatestBlockAsync(CancellationToken cancellationToken) =>
        State.LatestBlockAsync(cancellationToken);

    /// <summary>The latest block's number and timestamp, and the chain time a transaction sent now is mined at (see <see cref="ContractState.ChainNowAsync"/>).</summary>
    public Task<(ulong Number, ulong Timestamp, ulong Now)> ChainNowAsync(CancellationToken cancellationToken) =>
        State.ChainNowAsync(cancellationToken);

    /// <summary>
    /// Stakes in <paramref name="role"/> until the account's stake is at least <paramref name="target"/>
    /// (approving the vault first); does nothing when it already is.
    /// </summary>
    public async Task EnsureStakeAsync(StakeRole role, BigInteger target, CancellationToken cancellationToken)
    {
        var account = await VaultAccountAsync(Address, cancellationToken).ConfigureAwait(false);
        var missing = target - account.Stake;
        if (missing <= 0)
        {
            return;
        }

        await Sender.SendAsync(Deployment.ComputeToken, new ApproveFunction { Spender = Deployment.StakingVault, Value = missing }, cancellationToken).ConfigureAwait(false);
        await Sender.SendAsync(Deployment.StakingVault, new StakeFunction { Role = (byte)role, Amount = missing }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Locks collateral until the account's free collateral in the market is at least
    /// <paramref name="target"/>, as far as its free vault stake allows. Returns what it locked.
    /// </summary>
    public async Task<BigInteger> EnsureCollateralAsync(BigInteger target, CancellationToken cancellationToken)
    {
        var free = (await MarketAccountAsync(Address, cancellationToken).ConfigureAwait(false)).Collateral;
        var missing = BigInteger.Min(target - free, await FreeStakeAsync(Address, cancellationToken).ConfigureAwait(false));
        if (missing <= 0)
        {
            return BigInteger.Zero;
        }

        await LockCollateralAsync(missing, cancellationToken).ConfigureAwait(false);
        return missing;
    }

    /// <summary>The X25519 public key <paramref name="account"/> published in the vault (32 zero bytes when none).</summary>
    public Task<byte[]> EncryptionKeyAsync(string account, CancellationToken cancellationToken) =>
        State.EncryptionKeyAsync(account, cancellationToken);

    /// <summary>
    /// Publishes <paramref name="publicKey"/> (32 bytes) as the account's X25519 key in the vault unless
    /// the vault already holds it, so a restart sends no transaction. Returns whether it sent one.
    /// </summary>
    public async Task<bool> EnsureEncryptionKeyAsync(byte[] publicKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        if (publicKey.Length != 32)
        {
            throw new ArgumentException($"an X25519 public key is 32 bytes, not {publicKey.Length}", nameof(publicKey));
        }

        if ((await EncryptionKeyAsync(Address, cancellationToken).ConfigureAwait(false)).AsSpan().SequenceEqual(publicKey))
        {
            return false;
        }

        await Sender.SendAsync(Deployment.StakingVault, new SetEncryptionKeyFunction { Key = publicKey }, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Tops the account's market balance up to <paramref name="target"/> from its tokens (approve and deposit).</summary>
    public async Task EnsureMarketBalanceAsync(BigInteger target, CancellationToken cancellationToken)
    {
        var missing = target - await MarketBalanceAsync(Address, cancellationToken).ConfigureAwait(false);
        if (missing <= 0)
        {
            return;
        }

        await Sender.SendAsync(Deployment.ComputeToken, new ApproveFunction { Spender = Deployment.JobMarket, Value = missing }, cancellationToken).ConfigureAwait(false);
        await SendMarketAsync(new DepositFunction { Amount = missing }, cancellationToken).ConfigureAwait(false);
    }
}
