using System.CommandLine;
using System.Numerics;
using Exchange.Chain.Deployment;
using Exchange.Chain.Transactions;
using Nethereum.JsonRpc.Client;
using Nethereum.Web3;

namespace Exchange.Cli.Infrastructure;

/// <summary>Connecting to the chain the way every chain command does: <c>--rpc</c>, the deployment file, an optional signing account.</summary>
internal static class ChainConnect
{
    /// <summary>How long the first request may take before the node counts as unreachable.</summary>
    private static readonly TimeSpan FirstAnswer = TimeSpan.FromSeconds(30);

    /// <summary>A read-only Web3 for <paramref name="rpc"/>.</summary>
    public static IWeb3 Web3(Uri rpc) => new Web3(rpc.ToString());

    /// <summary>The chain id of the node at <paramref name="rpc"/>; a node that does not answer is a one-line error naming it.</summary>
    public static async Task<BigInteger> ChainIdAsync(IWeb3 web3, Uri rpc, CancellationToken cancellationToken)
    {
        try
        {
            return (await web3.Eth.ChainId.SendRequestAsync().WaitAsync(FirstAnswer, cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (Exception e) when (e is RpcClientUnknownException or RpcClientTimeoutException or HttpRequestException or TimeoutException)
        {
            throw new CliException($"cannot reach the chain node at {rpc}: {CliRunner.Innermost(e)}", e);
        }
    }

    /// <summary>The chain id of the node at <paramref name="rpc"/> and the deployment on it, read from <paramref name="deployment"/> or the default place.</summary>
    public static async Task<ChainDeployment> DeploymentAsync(IWeb3 web3, Uri rpc, FileInfo? deployment, CancellationToken cancellationToken) =>
        DeploymentFile.Read(deployment?.FullName, await ChainIdAsync(web3, rpc, cancellationToken).ConfigureAwait(false));

    /// <summary>A transaction sender for the account chosen by <paramref name="account"/>, on the chain at <paramref name="rpc"/>.</summary>
    public static async Task<TransactionSender> SenderAsync(ParseResult parsed, Uri rpc, AccountOptions account, CancellationToken cancellationToken)
    {
        var key = account.Resolve(parsed);
        var web3 = Web3(rpc);
        return new TransactionSender(web3, key, await ChainIdAsync(web3, rpc, cancellationToken).ConfigureAwait(false));
    }
}
