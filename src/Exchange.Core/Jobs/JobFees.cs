using System.Numerics;

namespace Exchange.Core.Jobs;

/// <summary>The money of one job, as the contract computes it (every share rounded down).</summary>
/// <param name="Price">unitPrice × taskCount, paid to the provider on settlement.</param>
/// <param name="VerificationFee">price × verificationFeeBps / 10000, into the verification pool.</param>
/// <param name="ProtocolFee">price × protocolFeeBps / 10000, to the treasury.</param>
/// <param name="Collateral">price × collateralMultiplierBps / 10000, taken from the provider's free collateral.</param>
/// <param name="AuditReward">price × auditRewardBps / 10000, paid to the verifier of an audit.</param>
/// <param name="ClientAuditFee">price × clientAuditFeeBps / 10000, what the client pays into the pool for <c>requestAudit</c>.</param>
/// <param name="ExpiryPenalty">collateral × expiryPenaltyBps / 10000, paid to the client when the job expires after the provider accepted it.</param>
public sealed record JobFees(
    BigInteger Price,
    BigInteger VerificationFee,
    BigInteger ProtocolFee,
    BigInteger Collateral,
    BigInteger AuditReward,
    BigInteger ClientAuditFee,
    BigInteger ExpiryPenalty)
{
    /// <summary>What the client's balance is debited at creation: price + verification fee + protocol fee.</summary>
    public BigInteger ClientCost => Price + VerificationFee + ProtocolFee;
}
