using System.Numerics;

namespace Exchange.Core.Jobs;

/// <summary>
/// The market's fee rates in basis points (10,000 = 100 %), and the fee arithmetic of
/// docs/protocol.md: every share is <c>price × bps / 10000</c>, rounded down, as Solidity's integer division.
/// </summary>
/// <param name="VerificationFeeBps">Share of the price the client pays into the verification pool.</param>
/// <param name="ProtocolFeeBps">Share of the price the client pays to the treasury.</param>
/// <param name="CollateralMultiplierBps">Collateral locked from the provider, as a multiple of the price in bps (20,000 = 2×).</param>
public sealed record FeeSchedule(uint VerificationFeeBps, uint ProtocolFeeBps, uint CollateralMultiplierBps)
{
    private static readonly BigInteger Uint256Limit = BigInteger.One << 256;

    /// <summary>Price, fees and collateral of a job.</summary>
    /// <param name="unitPrice">Price per task.</param>
    /// <param name="taskCount">Number of tasks.</param>
    /// <returns>The job's money.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The unit price is negative, or an amount would overflow uint256 (the contract would revert).</exception>
    public JobFees For(BigInteger unitPrice, uint taskCount)
    {
        if (unitPrice.Sign < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(unitPrice), unitPrice, "a price cannot be negative");
        }

        var price = Checked(unitPrice * taskCount, "unitPrice × taskCount");
        var fees = new JobFees(
            price,
            Share(price, VerificationFeeBps, "verification fee"),
            Share(price, ProtocolFeeBps, "protocol fee"),
            Share(price, CollateralMultiplierBps, "collateral"));
        Checked(fees.ClientCost, "price + fees");
        return fees;
    }

    /// <summary><c>amount × bps / 10000</c>, rounded down.</summary>
    /// <param name="amount">A non-negative amount.</param>
    /// <param name="bps">Basis points.</param>
    /// <returns>The share.</returns>
    public static BigInteger BpsOf(BigInteger amount, uint bps) => amount * bps / CoreLimits.BpsDenominator;

    private static BigInteger Share(BigInteger price, uint bps, string what)
    {
        Checked(price * bps, $"{what} (price × bps)");
        return BpsOf(price, bps);
    }

    private static BigInteger Checked(BigInteger value, string what) =>
        value < Uint256Limit ? value : throw new ArgumentOutOfRangeException(nameof(value), value, $"{what} overflows uint256; the contract would revert");
}
