namespace Exchange.Chain.Court;

/// <summary>Why the court audits a job, numbered as the contracts' <c>AuditOrigin</c> (contracts/JobTypes.sol).</summary>
public enum AuditOrigin : byte
{
    /// <summary>The job's own draw selected it; its seed drew the verifier.</summary>
    Drawn = 0,

    /// <summary>Nobody fixed the draw within the seed horizon: audited for certain, the reward withheld from the provider's payout.</summary>
    Lapsed = 1,

    /// <summary>The client paid for an audit within the challenge window.</summary>
    ClientRequested = 2,
}
