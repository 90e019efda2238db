using System.Numerics;

namespace Exchange.Chain.Deployment;

/// <summary>Where the four contracts of one deployment live.</summary>
/// <param name="ChainId">The chain's id.</param>
/// <param name="ComputeToken">The token's address.</param>
/// <param name="StakingVault">The vault's address.</param>
/// <param name="JobMarket">The market's address.</param>
/// <param name="AuditCourt">The court's address (bound to the market with <c>setCourt</c>).</param>
/// <param name="Deployer">The account that deployed them (the owner).</param>
/// <param name="StartBlock">The block of the first deployment transaction: indexers start here.</param>
public sealed record ChainDeployment(
    BigInteger ChainId, string ComputeToken, string StakingVault, string JobMarket, string AuditCourt, string Deployer, ulong StartBlock);
