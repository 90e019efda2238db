using System.CommandLine;
using Exchange.Chain.Transactions;
using Nethereum.Web3;

namespace Exchange.Cli.Cli;

/// <summary>Connecting to the chain the way every chain command does: <c>--rpc</c> plus an optional signing account.</summary>
internal static class ChainConnect
{
    /// <summary>A read-only Web3 for <paramref name="rpc"/>.</summary>
    public static IWeb3 Web3(Uri rpc) => new Web3(rpc.ToString());

    /// <summary>A transaction sender for the account chosen by <paramref name="account"/>, on the chain at <paramref name="rpc"/>.</summary>
    public static Task<TransactionSender> SenderAsync(ParseResult parsed, Uri rpc, AccountOptions account, CancellationToken cancellationToken) =>
        TransactionSender.ConnectAsync(rpc, account.Resolve(parsed), cancellationToken: cancellationToken);
}
