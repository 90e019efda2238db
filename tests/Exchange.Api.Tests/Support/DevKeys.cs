using Exchange.Chain.Wallets;
using Nethereum.Signer;

namespace Exchange.Api.Tests.Support;

/// <summary>Roles played by the standard Hardhat development accounts.</summary>
public static class DevKeys
{
    public static readonly EthECKey Client = DevAccounts.Key(1);
    public static readonly EthECKey Provider = DevAccounts.Key(2);
    public static readonly EthECKey Verifier = DevAccounts.Key(3);
    public static readonly EthECKey Stranger = DevAccounts.Key(9);

    public static string Address(this EthECKey key) => key.GetPublicAddress().ToLowerInvariant();
}
