using Nethereum.Signer;

namespace Exchange.Node.Canary;

/// <summary>The two accounts of the canary service: the client that posts canaries and appeals their passes, and the provider that computes them.</summary>
/// <param name="Client">The client's key.</param>
/// <param name="Provider">The provider's key.</param>
public sealed record CanaryKeys(EthECKey Client, EthECKey Provider);
