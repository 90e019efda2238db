using System.Numerics;

namespace Exchange.Chain.Deployment;

/// <summary>Everything a deployment of the four contracts is parameterised by; the defaults are docs/contracts.md's local ones.</summary>
public sealed record DeploymentOptions
{
    /// <summary>ComputeToken minted to the deployer. Default 1,000,000,000 tokens.</summary>
    public BigInteger InitialSupply { get; init; } = MarketParameters.Tokens(1_000_000_000);

    /// <summary>Least stake of an active provider. Default 100 tokens.</summary>
    public BigInteger MinProviderStake { get; init; } = MarketParameters.Tokens(100);

    /// <summary>Least stake of a verifier that can be drawn. Default 50 tokens.</summary>
    public BigInteger MinVerifierStake { get; init; } = MarketParameters.Tokens(50);

    /// <summary>
    /// Seconds between asking to unstake and withdrawing, during which stake stays slashable. Default 7 days.
    /// The court refuses one shorter than <see cref="CourtParameters.LongestDispute"/>.
    /// </summary>
    public ulong UnbondingDelay { get; init; } = 7 * 24 * 3600;

    /// <summary>Seconds per epoch of the vault's draw-weight snapshots: stake counts in draws from the next epoch. Default 3600.</summary>
    public ulong EpochLength { get; init; } = 3_600;

    /// <summary>Receiver of protocol fees and the court's remainders; the deployer when null.</summary>
    public string? Treasury { get; init; }

    /// <summary>The market's parameters.</summary>
    public MarketParameters Market { get; init; } = new();

    /// <summary>The court's parameters.</summary>
    public CourtParameters Court { get; init; } = new();
}
