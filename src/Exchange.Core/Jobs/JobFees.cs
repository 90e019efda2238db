using System.Numerics;

namespace Exchange.Core.Jobs;

/// <summary>The money of one job, as the contract computes it.</summary>
/// <param name="Price">unitPrice × taskCount, paid to the provider on settlement.</param>
/// <param name="VerificationFee">price × verificationFeeBps / 10000 (rounded down), into the verification pool.</param>
/// <param name="ProtocolFee">price × protocolFeeBps / 10000 (rounded down), to the treasury.</param>
/// <param name="Collateral">price × collateralMultiplierBps / 10000 (rounded down), locked from the provider's stake.</param>
public sealed record JobFees(BigInteger Price, BigInteger VerificationFee, BigInteger ProtocolFee, BigInteger Collateral)
{
    /// <summary>What the client's balance is debited: price + verification fee + protocol fee.</summary>
    public BigInteger ClientCost => Price + VerificationFee + ProtocolFee;
}
