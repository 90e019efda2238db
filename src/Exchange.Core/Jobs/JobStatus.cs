namespace Exchange.Core.Jobs;

/// <summary>A job's status, numbered as the contract's <c>JobMarket.Status</c> (docs/protocol.md).</summary>
public enum JobStatus : byte
{
    /// <summary>No such job.</summary>
    None = 0,

    /// <summary>Escrowed; the provider owes a result before the deadline.</summary>
    Created = 1,

    /// <summary>The result root is committed; the audit draw and challenge window run.</summary>
    Submitted = 2,

    /// <summary>A verifier is checking drawn tasks.</summary>
    Auditing = 3,

    /// <summary>A verifier said the result is wrong; the committee decides.</summary>
    Disputed = 4,

    /// <summary>The provider was paid.</summary>
    Settled = 5,

    /// <summary>The provider was found wrong and its collateral slashed.</summary>
    Slashed = 6,

    /// <summary>The deadline passed without a result; the client was refunded.</summary>
    Expired = 7,
}
