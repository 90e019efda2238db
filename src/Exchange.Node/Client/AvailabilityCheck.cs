using System.Numerics;

namespace Exchange.Node.Client;

/// <summary>
/// What the client found when it fetched a submitted job's output manifest and every output blob
/// within the challenge window and proved each into the signed result root.
/// </summary>
/// <param name="JobId">The job.</param>
/// <param name="Problem">What was missing or did not prove; null when every output was there and proved.</param>
/// <param name="AuditRequested">Whether the client asked the court for an audit because of it.</param>
/// <param name="AuditError">Why the audit request was refused (the window closed first, the job is audited already), or null.</param>
public sealed record AvailabilityCheck(BigInteger JobId, string? Problem, bool AuditRequested, string? AuditError)
{
    /// <summary>Whether every output was available and proved.</summary>
    public bool Available => Problem is null;

    /// <summary>One line for the client: <c>outputs available and proved</c>, or the problem and what was done about it.</summary>
    public string Describe() => Problem is null ? "outputs available and proved into the result root"
        : AuditRequested ? $"outputs unavailable ({Problem}); audit requested"
        : $"outputs unavailable ({Problem}); audit request refused: {AuditError}";
}
