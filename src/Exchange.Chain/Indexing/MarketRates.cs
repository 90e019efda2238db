using System.Numerics;

namespace Exchange.Chain.Indexing;

/// <summary>The immutable market parameters the projection needs to follow money the events do not spell out.</summary>
internal sealed record MarketRates(BigInteger VerificationFeeBps, BigInteger ProtocolFeeBps, BigInteger CollateralMultiplierBps, BigInteger ExpiryPenaltyBps)
{
    private static readonly BigInteger Bps = 10_000;

    public static BigInteger Share(BigInteger amount, BigInteger bps) => amount * bps / Bps;
}
