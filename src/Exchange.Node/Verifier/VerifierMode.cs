namespace Exchange.Node.Verifier;

/// <summary>
/// How a verifier judges. Only <see cref="Honest"/> is a real verifier; the others are the
/// dishonest verifiers that appealable passes and canary jobs exist to catch, kept for tests and
/// the demo (like the provider's <see cref="Provider.CheatMode"/>).
/// </summary>
public enum VerifierMode
{
    /// <summary>Fetches the drawn tasks' inputs and outputs, proves them, re-runs the tasks and compares.</summary>
    Honest,

    /// <summary>Never fetches or re-runs anything: every audit passes and every committee vote says "provider right".</summary>
    Lazy,

    /// <summary>
    /// Fetches and proves the provider's outputs like an honest verifier (so it fails withheld data)
    /// but re-uses them as its own results instead of re-running: whatever was submitted passes.
    /// </summary>
    Copying,
}
