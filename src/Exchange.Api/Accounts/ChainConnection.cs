using Exchange.Api.Infrastructure;
using Exchange.Chain.Deployment;
using Microsoft.Extensions.Options;
using Nethereum.Contracts;
using Nethereum.JsonRpc.Client;
using Nethereum.Web3;

namespace Exchange.Api.Accounts;

/// <summary>
/// The API's link to the chain: the RPC client and the deployment (read from the deployment file
/// for the node's chain id). Resolved on first use, so the API starts while the node is still coming up.
/// </summary>
public sealed class ChainConnection : IDisposable
{
    private readonly Uri _rpc;
    private readonly string? _deploymentFile;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private ChainDeployment? _deployment;

    /// <summary>Creates the connection from the API's options; requires <see cref="ApiOptions.RpcUrl"/>.</summary>
    public ChainConnection(IOptions<ApiOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _rpc = options.Value.RpcUrl ?? throw new InvalidOperationException("Api:RpcUrl is not set");
        _deploymentFile = options.Value.Deployment;
        Web3 = new Web3(_rpc.ToString());
    }

    /// <summary>The RPC client.</summary>
    public IWeb3 Web3 { get; }

    /// <summary>The contracts' addresses on the node's chain.</summary>
    /// <exception cref="ChainUnavailableException">The node does not answer, or no deployment file matches its chain.</exception>
    public async ValueTask<ChainDeployment> DeploymentAsync(CancellationToken ct)
    {
        if (_deployment is { } known)
        {
            return known;
        }
        await _gate.WaitAsync(ct);
        try
        {
            if (_deployment is null)
            {
                var chainId = await CallAsync(() => Web3.Eth.ChainId.SendRequestAsync(), ct);
                try
                {
                    _deployment = DeploymentFile.Read(_deploymentFile, chainId.Value);
                }
                catch (InvalidDataException e)
                {
                    throw new ChainUnavailableException($"the chain at {_rpc} has no usable deployment: {e.Message}", e);
                }
            }
            return _deployment;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Runs one RPC call, turning the ways a node fails to answer into <see cref="ChainUnavailableException"/>.</summary>
    public async Task<T> CallAsync<T>(Func<Task<T>> call, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(call);
        try
        {
            return await call().WaitAsync(ct);
        }
        catch (Exception e) when (e is RpcClientUnknownException or RpcClientTimeoutException or HttpRequestException or RpcResponseException)
        {
            throw new ChainUnavailableException($"the chain node at {_rpc} did not answer: {e.Message}", e);
        }
        catch (Exception e) when (e is Nethereum.ABI.FunctionEncoding.SmartContractRevertException or SmartContractCustomErrorRevertException)
        {
            // A view that reverts means the deployment file names contracts that are not (or no longer) these.
            throw new ChainUnavailableException($"the contracts in {DeploymentFile.PathFor(_deploymentFile, _deployment?.ChainId ?? 0)} reverted a view call on {_rpc}: {e.Message}", e);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _gate.Dispose();
}
