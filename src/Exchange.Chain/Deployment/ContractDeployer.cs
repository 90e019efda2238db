using Exchange.Chain.Bindings;
using Exchange.Chain.Transactions;

namespace Exchange.Chain.Deployment;

/// <summary>
/// Deploys ComputeToken, StakingVault, JobMarket and AuditCourt, then binds the court to the
/// market (<c>setCourt</c>) and the market to the vault (<c>setMarket</c>), in the order of
/// docs/protocol.md: the court reads the market's parameters in its constructor.
/// </summary>
public static class ContractDeployer
{
    /// <summary>Deploys the four contracts from <paramref name="sender"/>'s account, which becomes their owner.</summary>
    /// <exception cref="ContractRevertException">A constructor refused a parameter (the error names it).</exception>
    public static async Task<ChainDeployment> DeployAsync(TransactionSender sender, DeploymentOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sender);
        ArgumentNullException.ThrowIfNull(options);
        var (token, tokenReceipt) = await sender.DeployAsync(new ComputeTokenDeployment { InitialSupply = options.InitialSupply }, cancellationToken).ConfigureAwait(false);
        var (vault, _) = await sender.DeployAsync(
            new StakingVaultDeployment
            {
                Token = token,
                MinProviderStake = options.MinProviderStake,
                MinVerifierStake = options.MinVerifierStake,
                UnbondingDelay = options.UnbondingDelay,
                EpochLength = options.EpochLength,
            },
            cancellationToken).ConfigureAwait(false);
        var (market, _) = await sender.DeployAsync(
            new JobMarketDeployment
            {
                Token = token,
                Vault = vault,
                Treasury = options.Treasury ?? sender.Address,
                P = options.Market.ToStruct(),
            },
            cancellationToken).ConfigureAwait(false);
        var (court, _) = await sender.DeployAsync(
            new AuditCourtDeployment { Market = market, Vault = vault, P = options.Court.ToStruct() },
            cancellationToken).ConfigureAwait(false);
        await sender.SendAsync(market, new SetCourtFunction { Court = court }, cancellationToken).ConfigureAwait(false);
        await sender.SendAsync(vault, new SetMarketFunction { Market = market }, cancellationToken).ConfigureAwait(false);
        return new ChainDeployment(sender.ChainId, token, vault, market, court, sender.Address, (ulong)tokenReceipt.BlockNumber.Value);
    }
}
