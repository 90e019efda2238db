using System.Numerics;
using Exchange.Api.Client.Offers;
using Exchange.Api.Offers;
using Exchange.Chain.Bindings;
using Exchange.Chain.Deployment;
using Exchange.Chain.Wallets;
using Exchange.Core.Eip712;
using Exchange.Core.Hashing;
using Exchange.TestSupport;

namespace Exchange.Api.Tests.Support;

/// <summary>What tests do on the live chain: fund accounts from the deployer, stake, lock collateral, deposit, cancel offers.</summary>
public static class ChainActions
{
    public static BigInteger Tokens(long whole) => MarketParameters.Tokens(whole);

    /// <summary>An API wired to the fixture's chain through the real <c>ChainMarketReader</c>.</summary>
    public static ApiFactory Api(ChainFixture chain, IDictionary<string, string?>? settings = null)
    {
        var deployment = DeploymentFile.Write(Path.Combine(Path.GetTempPath(), "exchange-api-deployments", Guid.NewGuid().ToString("N") + ".json"), chain.Deployment);
        var all = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>())
        {
            ["Api:RpcUrl"] = chain.RpcUrl.ToString(),
            ["Api:Deployment"] = deployment,
        };
        return new ApiFactory(null, all);
    }

    public static async Task GiveTokensAsync(ChainFixture chain, int account, BigInteger amount) =>
        await chain.Sender(0).SendAsync(chain.Deployment.ComputeToken,
            new TransferFunction { To = DevAccounts.Address(account), Value = amount });

    public static async Task DepositAsync(ChainFixture chain, int account, BigInteger amount)
    {
        await GiveTokensAsync(chain, account, amount);
        await chain.Sender(account).SendAsync(chain.Deployment.ComputeToken, new ApproveFunction { Spender = chain.Deployment.JobMarket, Value = amount });
        await chain.Sender(account).SendAsync(chain.Deployment.JobMarket, new DepositFunction { Amount = amount });
    }

    public static async Task StakeAsync(ChainFixture chain, int account, BigInteger amount, byte role = 1)
    {
        await GiveTokensAsync(chain, account, amount);
        await chain.Sender(account).SendAsync(chain.Deployment.ComputeToken, new ApproveFunction { Spender = chain.Deployment.StakingVault, Value = amount });
        await chain.Sender(account).SendAsync(chain.Deployment.StakingVault, new StakeFunction { Role = role, Amount = amount });
    }

    /// <summary>Moves <paramref name="amount"/> of a provider's vault stake into its free collateral in the market, which backs its jobs.</summary>
    public static async Task LockCollateralAsync(ChainFixture chain, int account, BigInteger amount) =>
        await chain.Sender(account).SendAsync(chain.Deployment.JobMarket, new LockCollateralFunction { Amount = amount });

    public static async Task CancelOfferAsync(ChainFixture chain, int account, OfferSubmission offer) =>
        await chain.Sender(account).SendAsync(chain.Deployment.JobMarket, new CancelOfferFunction
        {
            Offer = new OfferStruct
            {
                Provider = offer.Provider,
                ModelId = Bytes32.Parse(offer.ModelId).ToArray(),
                UnitPrice = BigInteger.Parse(offer.UnitPrice!, System.Globalization.CultureInfo.InvariantCulture),
                MaxTasks = offer.MaxTasks!.Value,
                MinTurnaround = offer.MinTurnaround!.Value,
                Expiry = offer.Expiry!.Value,
                Region = Region.Encode(offer.Region!).ToArray(),
                Nonce = offer.Nonce!.Value,
            },
        });
}
