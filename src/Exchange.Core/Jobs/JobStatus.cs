namespace Exchange.Core.Jobs;

/// <summary>A job's status, numbered as the contract's <c>Status</c> (contracts/JobTypes.sol, docs/protocol.md).</summary>
public enum JobStatus : byte
{
    /// <summary>No such job.</summary>
    None = 0,

    /// <summary>Escrowed; the provider has not accepted it yet (expiry refunds the client and penalises no one).</summary>
    Created = 1,

    /// <summary>The provider accepted the deadline and the data; it owes a result before the deadline (expiry penalises it).</summary>
    Accepted = 2,

    /// <summary>The result root is committed; the audit draw is not fixed yet.</summary>
    Submitted = 3,

    /// <summary>The draw was fixed and did not select the job; it settles after the challenge window.</summary>
    Unaudited = 4,

    /// <summary>The court runs an audit: a verifier is checking drawn tasks.</summary>
    Auditing = 5,

    /// <summary>The court runs a dispute (committee rounds, appeals).</summary>
    Disputed = 6,

    /// <summary>The provider was paid.</summary>
    Settled = 7,

    /// <summary>The provider was found wrong and its collateral slashed.</summary>
    Slashed = 8,

    /// <summary>The deadline passed without a result; the client was refunded.</summary>
    Expired = 9,
}
