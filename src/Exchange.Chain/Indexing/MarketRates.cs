using System.Numerics;

namespace Exchange.Chain.Indexing;

/// <summary>
/// The immutable market and court parameters the projection needs to follow what the events do not
/// spell out: money moved without an event, and the end of a pass's appeal window.
/// </summary>
internal sealed record MarketRates(
    BigInteger VerificationFeeBps, BigInteger ProtocolFeeBps, BigInteger CollateralMultiplierBps, BigInteger ExpiryPenaltyBps, ulong PassAppealWindow)
{
    private static readonly BigInteger Bps = 10_000;

    public static BigInteger Share(BigInteger amount, BigInteger bps) => amount * bps / Bps;
}
