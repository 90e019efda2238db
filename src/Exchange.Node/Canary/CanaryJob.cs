using System.Numerics;
using Exchange.Core.Jobs;

namespace Exchange.Node.Canary;

/// <summary>A canary job: posted by the canary's client to its own provider, with wrong outputs on <see cref="Wrong"/>.</summary>
/// <param name="JobId">The job's id.</param>
/// <param name="Record">The job record (with its result once submitted).</param>
/// <param name="Wrong">The task indices given wrong outputs.</param>
/// <param name="Cost">What creating it debited the client: price and fees.</param>
/// <param name="State">posted, submitted, passed, unappealed, appealed or done.</param>
/// <param name="Verifier">The verifier whose verdict judged it, once seen.</param>
/// <param name="Bonds">Bonds its appeals posted.</param>
/// <param name="Penalty">What the passing verifier lost when its pass was ruled wrong.</param>
/// <param name="Slashed">The canary provider's collateral slashed when the canary was ruled wrong.</param>
/// <param name="Outcome">How it ended (<see cref="CanaryOutcome"/>), once done.</param>
public sealed record CanaryJob(
    BigInteger JobId, Job Record, IReadOnlySet<int> Wrong, BigInteger Cost, string State, string? Verifier, BigInteger Bonds, BigInteger? Penalty, BigInteger? Slashed, string? Outcome);

/// <summary>How a canary ended.</summary>
public static class CanaryOutcome
{
    /// <summary>Settled without an audit: it tested nobody.</summary>
    public const string Unaudited = "unaudited";

    /// <summary>Its verifier failed it (the verifier did the work) and its provider was slashed.</summary>
    public const string Failed = "failed";

    /// <summary>Its pass was appealed and ruled wrong: the passing verifier was caught.</summary>
    public const string Caught = "caught";

    /// <summary>Its pass stood unappealed: the audit's sample held none of the wrong tasks.</summary>
    public const string PassStood = "pass-stood";

    /// <summary>A dispute over it was ruled "provider right": its pass appeal lost, or its verifier's fail overturned (the committee did not re-run it either).</summary>
    public const string AppealLost = "appeal-lost";

    /// <summary>Its deadline passed without a result.</summary>
    public const string Expired = "expired";
}
