namespace Exchange.Chain.Court;

/// <summary>Where a job's audit stands in the court, numbered as <c>AuditCourt.Phase</c>.</summary>
public enum AuditPhase : byte
{
    /// <summary>No audit record (never audited, or passed by the verifier that fixed the draw).</summary>
    None = 0,

    /// <summary>The verifier is drawn once the audit's seed ticket is ready.</summary>
    AwaitingDraw = 1,

    /// <summary>The drawn verifier owes a verdict by its deadline.</summary>
    Assigned = 2,

    /// <summary>A fail verdict opened a dispute.</summary>
    Disputed = 3,

    /// <summary>The audit ended (pass, settled without a verifier, or the dispute resolved).</summary>
    Done = 4,
}
