using System.Collections.Concurrent;
using System.Numerics;
using Exchange.Chain.Deployment;
using Exchange.Chain.Transactions;
using Exchange.Chain.Wallets;
using Exchange.Local.Hardhat;
using Nethereum.Hex.HexTypes;
using Nethereum.Signer;
using Nethereum.Web3;

namespace Exchange.TestSupport;

/// <summary>
/// One Hardhat node per test assembly with the four contracts deployed by dev account 0 (default parameters).
/// Use it as an xUnit collection fixture: declare in your test project
/// <code>
/// [CollectionDefinition(ChainFixture.Collection)]
/// public sealed class ChainCollectionDefinition : ICollectionFixture&lt;ChainFixture&gt;;
/// </code>
/// and put <c>[Collection(ChainFixture.Collection)]</c> on every class that needs the chain.
/// Tests share the chain: give each test its own accounts or jobs rather than assume a fresh state.
/// </summary>
public sealed class ChainFixture : IAsyncLifetime, IDisposable
{
    /// <summary>The collection name to use in <c>[Collection]</c> and <c>[CollectionDefinition]</c>.</summary>
    public const string Collection = "Hardhat chain";

    private readonly ConcurrentDictionary<int, TransactionSender> _senders = new();
    private HardhatNode? _node;
    private ChainDeployment? _deployment;

    /// <summary>The running node.</summary>
    public HardhatNode Node => _node ?? throw new InvalidOperationException("the chain fixture is not started");

    /// <summary>The node's JSON-RPC endpoint.</summary>
    public Uri RpcUrl => Node.RpcUrl;

    /// <summary>The deployed contracts.</summary>
    public ChainDeployment Deployment => _deployment ?? throw new InvalidOperationException("the chain fixture is not started");

    /// <summary>The chain id (31337).</summary>
    public BigInteger ChainId => Deployment.ChainId;

    /// <summary>A Web3 for reads.</summary>
    public IWeb3 Web3 { get; private set; } = null!;

    /// <summary>The options the contracts were deployed with.</summary>
    public DeploymentOptions Options { get; } = new();

    /// <summary>The shared sender of dev account <paramref name="index"/> (one per account, so nonces never race).</summary>
    public TransactionSender Sender(int index) =>
        _senders.GetOrAdd(index, i => new TransactionSender(Web3, DevAccounts.Key(i), ChainId));

    /// <summary>The key of dev account <paramref name="index"/>.</summary>
    public static EthECKey Key(int index) => DevAccounts.Key(index);

    /// <summary>Takes an <c>evm_snapshot</c>; returns its id for <see cref="RevertAsync"/>.</summary>
    public Task<string> SnapshotAsync() => Node.RequestAsync<string>("evm_snapshot");

    /// <summary>Reverts to a snapshot (which is used up) and makes every sender re-read its nonce.</summary>
    public async Task RevertAsync(string snapshot)
    {
        if (!await Node.RequestAsync<bool>("evm_revert", snapshot).ConfigureAwait(false))
        {
            throw new InvalidOperationException($"evm_revert {snapshot} failed");
        }

        foreach (var sender in _senders.Values)
        {
            await sender.ResetNonceAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Mines <paramref name="blocks"/> empty blocks.</summary>
    public Task MineAsync(int blocks = 1) => Node.RequestAsync<object>("hardhat_mine", new HexBigInteger(blocks).HexValue);

    /// <summary>Moves the chain's clock forward by <paramref name="seconds"/> and mines a block.</summary>
    public async Task IncreaseTimeAsync(ulong seconds)
    {
        await Node.RequestAsync<object>("evm_increaseTime", new HexBigInteger(seconds).HexValue).ConfigureAwait(false);
        await MineAsync().ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        EthECKey.SignRecoverable = true;
        _node = await HardhatNode.StartAsync().ConfigureAwait(false);
        try
        {
            Web3 = new Web3(_node.RpcUrl.ToString());
            var chainId = (await Web3.Eth.ChainId.SendRequestAsync().ConfigureAwait(false)).Value;
            var deployer = _senders.GetOrAdd(0, _ => new TransactionSender(Web3, DevAccounts.Key(0), chainId));
            _deployment = await ContractDeployer.DeployAsync(deployer, Options).ConfigureAwait(false);
        }
        catch
        {
            // A fixture whose start failed may never be disposed: do not leave its node running.
            Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public Task DisposeAsync()
    {
        Dispose();
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _node?.Dispose();
        foreach (var sender in _senders.Values)
        {
            sender.Dispose();
        }

        _senders.Clear();
    }
}
