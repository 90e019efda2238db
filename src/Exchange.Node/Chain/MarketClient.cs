using System.Numerics;
using Exchange.Chain.Bindings;
using Exchange.Chain.Deployment;
using Exchange.Chain.Transactions;
using Exchange.Core.Eip712;
using Exchange.Core.Jobs;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Web3;

namespace Exchange.Node.Chain;

/// <summary>
/// One account's handle on a deployment: typed reads of the market, vault and token, and
/// transactions through the account's <see cref="TransactionSender"/> (one per account per process).
/// </summary>
public sealed class MarketClient
{
    /// <summary>Role number of a provider in <c>StakingVault.stake</c>.</summary>
    public const byte ProviderRole = 1;

    /// <summary>Role number of a verifier in <c>StakingVault.stake</c>.</summary>
    public const byte VerifierRole = 2;

    /// <summary>Creates the client.</summary>
    public MarketClient(TransactionSender sender, ChainDeployment deployment)
    {
        ArgumentNullException.ThrowIfNull(sender);
        ArgumentNullException.ThrowIfNull(deployment);
        Sender = sender;
        Deployment = deployment;
        Domain = Eip712Domain.ForExchange(deployment.ChainId, deployment.JobMarket);
    }

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

    /// <summary>Calls a view of the market.</summary>
    public Task<TOut> QueryMarketAsync<TFunction, TOut>(TFunction function, CancellationToken cancellationToken)
        where TFunction : FunctionMessage, new()
        where TOut : IFunctionOutputDTO, new() =>
        QueryAsync<TFunction, TOut>(Deployment.JobMarket, function, cancellationToken);

    /// <summary>Calls a view of any contract of the deployment.</summary>
    public Task<TOut> QueryAsync<TFunction, TOut>(string contract, TFunction function, CancellationToken cancellationToken)
        where TFunction : FunctionMessage, new()
        where TOut : IFunctionOutputDTO, new() =>
        Web3.Eth.GetContractQueryHandler<TFunction>().QueryDeserializingToObjectAsync<TOut>(function, contract).WaitAsync(cancellationToken);

    /// <summary>Sends a transaction to the market and waits for its receipt.</summary>
    public Task<TransactionReceipt> SendMarketAsync<TFunction>(TFunction function, CancellationToken cancellationToken)
        where TFunction : FunctionMessage, new() =>
        Sender.SendAsync(Deployment.JobMarket, function, cancellationToken);

    /// <summary>A job's status and its audit and dispute state.</summary>
    public Task<GetJobOutputDTO> GetJobAsync(BigInteger jobId, CancellationToken cancellationToken) =>
        QueryMarketAsync<GetJobFunction, GetJobOutputDTO>(new GetJobFunction { JobId = jobId }, cancellationToken);

    /// <summary>A job's status.</summary>
    public async Task<JobStatus> StatusAsync(BigInteger jobId, CancellationToken cancellationToken) =>
        (JobStatus)(await GetJobAsync(jobId, cancellationToken).ConfigureAwait(false)).Status;

    /// <summary>The audit draw of a submitted job (the contract's one definition).</summary>
    public Task<AuditDrawOutputDTO> AuditDrawAsync(BigInteger jobId, Job job, CancellationToken cancellationToken) =>
        QueryMarketAsync<AuditDrawFunction, AuditDrawOutputDTO>(new AuditDrawFunction { JobId = jobId, Job = job.ToStruct() }, cancellationToken);

    /// <summary>The market's parameters.</summary>
    public async Task<MarketParameters> ParamsAsync(CancellationToken cancellationToken) =>
        MarketParameters.FromStruct((await QueryMarketAsync<ParamsFunction, ParamsOutputDTO>(new ParamsFunction(), cancellationToken).ConfigureAwait(false)).ReturnValue0);

    /// <summary>The internal market balance of <paramref name="account"/>.</summary>
    public async Task<BigInteger> MarketBalanceAsync(string account, CancellationToken cancellationToken) =>
        (await QueryMarketAsync<BalanceOfFunction, BalanceOfOutputDTO>(new BalanceOfFunction { Account = account }, cancellationToken).ConfigureAwait(false)).ReturnValue0;

    /// <summary>The token balance of <paramref name="account"/>.</summary>
    public async Task<BigInteger> TokenBalanceAsync(string account, CancellationToken cancellationToken) =>
        (await QueryAsync<BalanceOfFunction, BalanceOfOutputDTO>(Deployment.ComputeToken, new BalanceOfFunction { Account = account }, cancellationToken).ConfigureAwait(false)).ReturnValue0;

    /// <summary>The vault's view of <paramref name="account"/>: stake, locked, reputation.</summary>
    public async Task<AccountViewStruct> VaultAccountAsync(string account, CancellationToken cancellationToken) =>
        (await QueryAsync<AccountOfFunction, AccountOfOutputDTO>(Deployment.StakingVault, new AccountOfFunction { Account = account }, cancellationToken).ConfigureAwait(false)).ReturnValue0;

    /// <summary>The latest block's number and timestamp.</summary>
    public async Task<(ulong Number, ulong Timestamp)> LatestBlockAsync(CancellationToken cancellationToken)
    {
        var block = await Web3.Eth.Blocks.GetBlockWithTransactionsHashesByNumber.SendRequestAsync(BlockParameter.CreateLatest()).WaitAsync(cancellationToken).ConfigureAwait(false);
        return ((ulong)block.Number.Value, (ulong)block.Timestamp.Value);
    }

    /// <summary>
    /// Stakes in <paramref name="role"/> until the account's stake is at least <paramref name="target"/>
    /// (approving the vault first); does nothing when it already is.
    /// </summary>
    public async Task EnsureStakeAsync(byte role, BigInteger target, CancellationToken cancellationToken)
    {
        var account = await VaultAccountAsync(Address, cancellationToken).ConfigureAwait(false);
        var missing = target - account.Stake;
        if (missing <= 0)
        {
            return;
        }

        await Sender.SendAsync(Deployment.ComputeToken, new ApproveFunction { Spender = Deployment.StakingVault, Value = missing }, cancellationToken).ConfigureAwait(false);
        await Sender.SendAsync(Deployment.StakingVault, new StakeFunction { Role = role, Amount = missing }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The X25519 public key <paramref name="account"/> published in the vault (32 zero bytes when none).</summary>
    public async Task<byte[]> EncryptionKeyAsync(string account, CancellationToken cancellationToken) =>
        (await QueryAsync<EncryptionKeyOfFunction, EncryptionKeyOfOutputDTO>(Deployment.StakingVault, new EncryptionKeyOfFunction { Account = account }, cancellationToken).ConfigureAwait(false)).ReturnValue0;

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
