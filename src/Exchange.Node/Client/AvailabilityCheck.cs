using System.Numerics;
using Exchange.Node.Chain;

namespace Exchange.Node.Client;

/// <summary>
/// What the client found when it fetched a submitted job's output manifest and every output blob
/// within the challenge window and proved each into the signed result root.
/// </summary>
/// <param name="JobId">The job.</param>
/// <param name="Problem">What was missing or did not prove; null when every output was there and proved.</param>
/// <param name="AuditFee">The client audit fee paid for the audit the client asked for because of it, or null when it asked for none.</param>
/// <param name="AuditError">Why the audit request was refused (the window closed first, the job is audited already), or null.</param>
public sealed record AvailabilityCheck(BigInteger JobId, string? Problem, BigInteger? AuditFee, string? AuditError)
{
    /// <summary>Whether every output was available and proved.</summary>
    public bool Available => Problem is null;

    /// <summary>Whether the client asked the court for an audit because of the problem.</summary>
    public bool AuditRequested => AuditFee is not null;

    /// <summary>One line for the client: <c>outputs available and proved</c>, or the problem and what was done about it.</summary>
    public string Describe() => Problem is null ? "outputs available and proved into the result root"
        : AuditFee is { } fee ? $"outputs unavailable ({Problem}); audit requested for {TokenUnits.Format(fee)} tokens"
        : $"outputs unavailable ({Problem}); audit request refused: {AuditError}";
}
