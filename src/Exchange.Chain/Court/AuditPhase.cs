namespace Exchange.Chain.Court;

/// <summary>Where a job's audit stands in the court, numbered as <c>AuditCourt.Phase</c>.</summary>
public enum AuditPhase : byte
{
    /// <summary>No audit record (never audited).</summary>
    None = 0,

    /// <summary>The verifier is drawn once the audit's seed ticket is ready.</summary>
    AwaitingDraw = 1,

    /// <summary>The drawn verifier owes a verdict by its deadline.</summary>
    Assigned = 2,

    /// <summary>A fail verdict or an appealed pass opened a dispute.</summary>
    Disputed = 3,

    /// <summary>The audit ended (a pass finalized, settled without a verifier, or the dispute resolved).</summary>
    Done = 4,

    /// <summary>The verifier passed the job; the pass may be appealed until the audit's deadline, then finalized.</summary>
    Passed = 5,
}
