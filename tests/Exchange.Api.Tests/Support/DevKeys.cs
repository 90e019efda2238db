using Nethereum.Signer;

namespace Exchange.Api.Tests.Support;

/// <summary>Keys of the standard Hardhat development accounts.</summary>
public static class DevKeys
{
    public static readonly EthECKey Client = new("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
    public static readonly EthECKey Provider = new("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
    public static readonly EthECKey Verifier = new("0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3ac80bbeb8aa54b6");
    public static readonly EthECKey Stranger = new("0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6");

    public static string Address(this EthECKey key) => key.GetPublicAddress().ToLowerInvariant();
}
