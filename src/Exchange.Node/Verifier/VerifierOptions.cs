using System.ComponentModel.DataAnnotations;

namespace Exchange.Node.Verifier;

/// <summary>A verifier's stake and bond reserve. Section <c>Verifier</c>.</summary>
public sealed class VerifierOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Verifier";

    /// <summary>How the verifier judges; anything but <see cref="VerifierMode.Honest"/> is for tests and the demo. Default honest.</summary>
    public VerifierMode Mode { get; set; } = VerifierMode.Honest;

    /// <summary>Stake to hold in the vault, smallest unit, decimal; topped up at start. Default 10^21 (1,000 tokens).</summary>
    [Required]
    [RegularExpression("^[0-9]{1,78}$", ErrorMessage = "Stake must be a whole number of the token's smallest unit")]
    public string Stake { get; set; } = "1000000000000000000000";

    /// <summary>
    /// How many of the court's least challenger bonds to deposit in the market balance at start.
    /// A fail verdict's bond grows with the job's collateral: the balance is topped up to it from
    /// the verifier's tokens before the verdict is sent, and likewise before an appeal. Default 3.
    /// </summary>
    [Range(0, 1_000)]
    public int BondReserve { get; set; } = 3;

    /// <summary>
    /// Seconds a verifier waits for the provider of an encrypted job to reveal the drawn tasks'
    /// keys (it does on its next round after the draw) before it judges them unverifiable, which
    /// fails them. Default 60.
    /// </summary>
    [Range(1, 3_600)]
    public int KeyRevealWaitSeconds { get; set; } = 60;
}
