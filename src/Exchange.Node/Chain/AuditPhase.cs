namespace Exchange.Node.Chain;

/// <summary>Where a job's audit stands in the court, numbered as <c>AuditCourt.Phase</c>.</summary>
public enum AuditPhase : byte
{
    /// <summary>No audit record (never audited, or passed by the verdict that fixed its draw).</summary>
    None = 0,

    /// <summary>The verifier is drawn from the audit's seed ticket once its seed exists (<c>assignAuditor</c>).</summary>
    AwaitingDraw = 1,

    /// <summary>The drawn verifier owes a verdict by the audit's deadline (<c>timeoutAudit</c> after it).</summary>
    Assigned = 2,

    /// <summary>A fail verdict opened a dispute.</summary>
    Disputed = 3,

    /// <summary>The audit ended.</summary>
    Done = 4,
}
