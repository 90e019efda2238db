using System.Numerics;
using Exchange.Api;
using Exchange.Api.Client;
using Exchange.Chain.Bindings;
using Exchange.Chain.Deployment;
using Exchange.Chain.Transactions;
using Exchange.Chain.Wallets;
using Exchange.Local.Hardhat;
using Exchange.Local.Reliability;
using Exchange.Node.Chain;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Nethereum.Signer;
using Nethereum.Web3;

namespace Exchange.Local.Demo;

/// <summary>
/// The shared ground of a network on one machine: a chain (a local Hardhat node unless an RPC URL
/// is given), the contracts deployed by dev account 0 (also the treasury), dev accounts funded
/// with tokens, and the exchange API serving on a free loopback port, in this process or as a
/// process of its own (<c>exchange api run</c>). The demo and the end-to-end tests stand on it;
/// dispose it to stop the API and the chain.
/// </summary>
public sealed class LocalNetwork : IAsyncDisposable
{
    /// <summary>The dev account that deploys the contracts, owns the token supply and is the treasury.</summary>
    public const int DeployerAccount = 0;

    private readonly HardhatNode? _hardhat;
    private readonly string _apiData;
    private readonly Operator? _apiOperator;
    private WebApplication? _api;
    private readonly List<TransactionSender> _senders = [];
    private readonly ServiceProvider _apiClients;

    private LocalNetwork(HardhatNode? hardhat, Uri rpc, Web3 web3, ChainDeployment deployment, string deploymentPath, Uri apiUrl, string apiData, WebApplication? api, Operator? apiOperator, RoleProcess? apiProcess)
    {
        _apiData = apiData;
        _hardhat = hardhat;
        RpcUrl = rpc;
        Web3 = web3;
        Deployment = deployment;
        DeploymentPath = deploymentPath;
        _api = api;
        _apiOperator = apiOperator;
        ApiProcess = apiProcess;
        ApiUrl = apiUrl;
        _apiClients = new ServiceCollection().AddExchangeApiClient([ApiUrl]).Services.BuildServiceProvider();
        Deployer = Market(DevAccounts.Key(DeployerAccount));
    }

    /// <summary>The chain's JSON-RPC endpoint.</summary>
    public Uri RpcUrl { get; }

    /// <summary>The chain's WebSocket endpoint for log subscriptions when this network started the chain; null on a chain given by URL (its nodes poll).</summary>
    public Uri? WsUrl => _hardhat?.WsUrl;

    /// <summary>Web3 for reads.</summary>
    public Web3 Web3 { get; }

    /// <summary>The deployed contracts.</summary>
    public ChainDeployment Deployment { get; }

    /// <summary>The deployment file (under the data folder, so networks never share one).</summary>
    public string DeploymentPath { get; }

    /// <summary>The exchange API's base URL (ending in '/'); its dashboard is the root page.</summary>
    public Uri ApiUrl { get; }

    /// <summary>The API's process when it runs as one of its own; null when it runs in this one.</summary>
    internal RoleProcess? ApiProcess { get; private set; }

    /// <summary>A client of the API, uploading as <paramref name="uploader"/> when given (read-only otherwise); the network disposes its connections.</summary>
    public ExchangeApiClient Api(EthECKey? uploader = null)
    {
        var client = _apiClients.GetRequiredService<ExchangeApiClient>();
        return uploader is null ? client : client.SignedBy(uploader);
    }

    /// <summary>The deployer's (and treasury's) handle.</summary>
    public MarketClient Deployer { get; }

    /// <summary>
    /// Starts the chain (unless <paramref name="rpc"/> is given), deploys, funds dev accounts
    /// <paramref name="funded"/> with tokens, and starts the API; its data and the deployment file
    /// go under <paramref name="dataDirectory"/>.
    /// </summary>
    public static Task<LocalNetwork> StartAsync(
        Uri? rpc, DeploymentOptions deploymentOptions, IReadOnlyDictionary<int, BigInteger> funded, string dataDirectory, CancellationToken cancellationToken) =>
        StartAsync(rpc, deploymentOptions, funded, dataDirectory, apiProgram: null, cancellationToken);

    /// <summary>
    /// The same, with the API as a process of its own (<c>exchange api run</c>, as an operator runs
    /// it) started from <paramref name="apiProgram"/>, so that its memory and CPU are its own; in
    /// this process when it is null.
    /// </summary>
    public static async Task<LocalNetwork> StartAsync(
        Uri? rpc, DeploymentOptions deploymentOptions, IReadOnlyDictionary<int, BigInteger> funded, string dataDirectory, ExchangeProgram? apiProgram, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(funded);
        EthECKey.SignRecoverable = true;
        // A block a second as well as one per transaction: challenge windows and draws then move on without traffic.
        var hardhat = rpc is null ? await HardhatNode.StartAsync(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false) : null;
        WebApplication? api = null;
        RoleProcess? process = null;
        try
        {
            var url = rpc ?? hardhat!.RpcUrl;
            var web3 = new Web3(url.ToString());
            var chainId = (await web3.Eth.ChainId.SendRequestAsync().WaitAsync(cancellationToken).ConfigureAwait(false)).Value;
            using var deployer = new TransactionSender(web3, DevAccounts.Key(DeployerAccount), chainId);
            var deployment = await ContractDeployer.DeployAsync(deployer, deploymentOptions, cancellationToken).ConfigureAwait(false);
            foreach (var (account, amount) in funded)
            {
                await deployer.SendAsync(deployment.ComputeToken, new TransferFunction { To = DevAccounts.Address(account), Value = amount }, cancellationToken).ConfigureAwait(false);
            }

            var deploymentPath = DeploymentFile.Write(Path.Combine(dataDirectory, "deployment.json"), deployment);
            var apiData = Path.Combine(dataDirectory, "api");
            var port = HardhatNode.FreePort();
            if (apiProgram is not null)
            {
                var apiUrl = new Uri($"http://127.0.0.1:{port}/");
                var op = new Operator(apiProgram, Path.Combine(dataDirectory, "api-home"), url, apiUrl);
                process = await StartApiProcessAsync(op, deploymentPath, apiData, cancellationToken).ConfigureAwait(false);
                return new LocalNetwork(hardhat, url, web3, deployment, deploymentPath, apiUrl, apiData, null, op, process);
            }

            api = await StartApiAsync(url, deploymentPath, apiData, port, cancellationToken).ConfigureAwait(false);
            return new LocalNetwork(hardhat, url, web3, deployment, deploymentPath, new Uri(api.Urls.First() + "/"), apiData, api, null, null);
        }
        catch
        {
            if (api is not null)
            {
                await api.DisposeAsync().ConfigureAwait(false);
            }

            process?.Dispose();

            hardhat?.Dispose();
            throw;
        }
    }

    /// <summary>A handle for <paramref name="key"/>'s account with its own sender (one per account: nonces never race).</summary>
    public MarketClient Market(EthECKey key)
    {
        var sender = new TransactionSender(Web3, key, Deployment.ChainId);
        lock (_senders)
        {
            _senders.Add(sender);
        }

        return new MarketClient(sender, Deployment);
    }

    /// <summary>
    /// Moves the chain's clock on to the start of the vault's next epoch and mines a block
    /// (<c>evm_increaseTime</c>, <c>evm_mine</c>: Hardhat's, also on a given dev chain), so that
    /// verifiers staked before are in the current epoch's draw snapshot: stake counts in draws
    /// only from the epoch after it was added. To the start, not one epoch length on: a clock moved
    /// by a whole epoch keeps its place in the epoch, and from near the end of one the wall clock
    /// would carry it into the epoch after within seconds, under a caller that counts on a whole epoch.
    /// </summary>
    public async Task AdvanceEpochAsync(CancellationToken cancellationToken)
    {
        var epoch = await Deployer.EpochLengthAsync(cancellationToken).ConfigureAwait(false);
        var (_, now) = await Deployer.LatestBlockAsync(cancellationToken).ConfigureAwait(false);
        var next = ((now / epoch) + 1) * epoch;
        await Web3.Client.SendRequestAsync<object>("evm_increaseTime", null, (long)(next - now)).WaitAsync(cancellationToken).ConfigureAwait(false);
        await Web3.Client.SendRequestAsync<object>("evm_mine", null).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops the API (an outage: its address refuses connections) until <see cref="StartApiAgainAsync"/>.</summary>
    public async Task StopApiAsync(CancellationToken cancellationToken)
    {
        if (_api is not null)
        {
            await _api.StopAsync(cancellationToken).ConfigureAwait(false);
            await _api.DisposeAsync().ConfigureAwait(false);
            _api = null;
        }

        ApiProcess?.Dispose();
    }

    /// <summary>Starts the API stopped by <see cref="StopApiAsync"/> again, at the same address over the same data.</summary>
    public async Task StartApiAgainAsync(CancellationToken cancellationToken)
    {
        if (_apiOperator is not null)
        {
            ApiProcess = await StartApiProcessAsync(_apiOperator, DeploymentPath, _apiData, cancellationToken).ConfigureAwait(false);
            return;
        }

        _api = await StartApiAsync(RpcUrl, DeploymentPath, _apiData, ApiUrl.Port, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops the API and the chain.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_api is not null)
        {
            await _api.DisposeAsync().ConfigureAwait(false);
        }

        ApiProcess?.Dispose();
        await _apiClients.DisposeAsync().ConfigureAwait(false);
        _hardhat?.Dispose();
        lock (_senders)
        {
            _senders.ForEach(s => s.Dispose());
            _senders.Clear();
        }
    }

    private static async Task<WebApplication> StartApiAsync(Uri rpc, string deploymentPath, string data, int port, CancellationToken ct)
    {
        var app = ApiApplication.Create(
        [
            $"--urls=http://127.0.0.1:{port}",
            $"--Api:DataDirectory={data}",
            $"--Api:RpcUrl={rpc}",
            $"--Api:Deployment={deploymentPath}",
            "--Logging:LogLevel:Default=Warning",
            // stdout belongs to the caller (the demo's summary or JSON); the API's own log goes to stderr.
            "--Logging:Console:LogToStandardErrorThreshold=Trace",
        ]);
        await app.StartAsync(ct).ConfigureAwait(false);
        return app;
    }

    /// <summary>The API as an operator starts it, on the operator's API address; ready once it says it listens.</summary>
    private static Task<RoleProcess> StartApiProcessAsync(Operator op, string deploymentPath, string data, CancellationToken ct) =>
        op.StartAsync("api", ["api", "run", "--urls", op.Api.ToString().TrimEnd('/'), "--data", data, "--deployment", deploymentPath], "exchange api listening on", ApiProcessReadyWithin, ct);

    private static readonly TimeSpan ApiProcessReadyWithin = TimeSpan.FromMinutes(2);
}
