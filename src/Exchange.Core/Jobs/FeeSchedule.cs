using System.Numerics;

namespace Exchange.Core.Jobs;

/// <summary>
/// The market's price floor and money rates in basis points (10,000 = 100 %), and the fee arithmetic
/// of docs/protocol.md: every share is <c>amount × bps / 10000</c>, rounded down, as Solidity's integer division.
/// </summary>
/// <param name="VerificationFeeBps">Share of the price the client pays into the verification pool.</param>
/// <param name="ProtocolFeeBps">Share of the price the client pays to the treasury.</param>
/// <param name="CollateralMultiplierBps">Collateral taken from the provider, as a multiple of the price in bps (100,000 = 10×).</param>
/// <param name="MinUnitPrice">The market's <c>minUnitPrice</c>: <c>createJob</c> refuses a lower unit price. Zero: no floor.</param>
/// <param name="AuditRewardBps">Share of the price the pool pays a verifier per audit.</param>
/// <param name="ClientAuditFeeBps">Share of the price a client pays into the pool to ask for an audit.</param>
/// <param name="ExpiryPenaltyBps">Share of the collateral the provider of an accepted job that expires pays the client.</param>
public sealed record FeeSchedule(
    uint VerificationFeeBps,
    uint ProtocolFeeBps,
    uint CollateralMultiplierBps,
    BigInteger MinUnitPrice = default,
    uint AuditRewardBps = 0,
    uint ClientAuditFeeBps = 0,
    uint ExpiryPenaltyBps = 0)
{
    private static readonly BigInteger Uint256Limit = BigInteger.One << 256;

    /// <summary>Price, fees and collateral of a job.</summary>
    /// <param name="unitPrice">Price per task.</param>
    /// <param name="taskCount">Number of tasks.</param>
    /// <returns>The job's money.</returns>
    /// <exception cref="ArgumentOutOfRangeException">
    /// The unit price is negative or below <see cref="MinUnitPrice"/>, or an amount would overflow uint256 (the contract would revert).
    /// </exception>
    public JobFees For(BigInteger unitPrice, uint taskCount)
    {
        if (unitPrice.Sign < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(unitPrice), unitPrice, "a price cannot be negative");
        }

        if (unitPrice < MinUnitPrice)
        {
            throw new ArgumentOutOfRangeException(nameof(unitPrice), unitPrice, $"the unit price is below the market's minimum {MinUnitPrice}; the contract would refuse the job");
        }

        var price = Checked(unitPrice * taskCount, "unitPrice × taskCount");
        var collateral = Share(price, CollateralMultiplierBps, "collateral");
        var fees = new JobFees(
            price,
            Share(price, VerificationFeeBps, "verification fee"),
            Share(price, ProtocolFeeBps, "protocol fee"),
            collateral,
            // Only due later (an audit, a client's audit request, an expiry), so they do not decide
            // whether the job can be created: no overflow check here.
            BpsOf(price, AuditRewardBps),
            BpsOf(price, ClientAuditFeeBps),
            BpsOf(collateral, ExpiryPenaltyBps));
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
