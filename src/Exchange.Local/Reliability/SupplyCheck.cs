using System.Numerics;
using Exchange.Chain.Bindings;
using Exchange.Chain.Deployment;
using Nethereum.Web3;

namespace Exchange.Local.Reliability;

/// <summary>
/// The token's books from the outside: the supply equals what the accounts and the contracts hold,
/// and the market holds what it owes (the parties' internal balances, the verification pool, the
/// protocol fees, the court hold) once every job has ended, so no escrow is left.
/// </summary>
internal static class SupplyCheck
{
    public static async Task<bool> ConservedAsync(Web3 web3, ChainDeployment deployment, IReadOnlyList<string> accounts, CancellationToken cancellationToken)
    {
        var token = web3.Eth.ERC20.GetContractService(deployment.ComputeToken);
        var supply = await token.TotalSupplyQueryAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        var held = BigInteger.Zero;
        foreach (var holder in accounts.Concat([deployment.JobMarket, deployment.StakingVault, deployment.AuditCourt]))
        {
            held += await token.BalanceOfQueryAsync(holder).WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        var ledger = await web3.Eth.GetContractQueryHandler<LedgerFunction>()
            .QueryDeserializingToObjectAsync<LedgerOutputDTO>(new LedgerFunction(), deployment.JobMarket).WaitAsync(cancellationToken).ConfigureAwait(false);
        var owed = ledger.VerificationPool + ledger.ProtocolFees + ledger.CourtHold;
        foreach (var account in accounts)
        {
            var balance = await web3.Eth.GetContractQueryHandler<BalanceOfFunction>()
                .QueryAsync<BigInteger>(deployment.JobMarket, new BalanceOfFunction { Account = account }).WaitAsync(cancellationToken).ConfigureAwait(false);
            owed += balance;
        }

        return held == supply && owed == await token.BalanceOfQueryAsync(deployment.JobMarket).WaitAsync(cancellationToken).ConfigureAwait(false);
    }
}
