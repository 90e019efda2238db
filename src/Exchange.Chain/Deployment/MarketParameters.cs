using System.Numerics;
using Exchange.Chain.Bindings;

namespace Exchange.Chain.Deployment;

/// <summary>
/// The JobMarket's parameters, fixed at deployment (the contract's <c>Params</c>). The defaults are
/// docs/contracts.md's local setting: 10 % audits with 10x collateral, so
/// <c>a·(1 + m) = 1.1 ≥ 1 + margin = 1.05</c>, and a solvent audit pool (<c>a · reward ≤ fee</c>).
/// The contract validates every value; a bad one reverts the deployment with its name.
/// </summary>
public sealed record MarketParameters
{
    /// <summary>Share of jobs audited, in bps. Default 1000 (10 %).</summary>
    public uint AuditRateBps { get; init; } = 1_000;

    /// <summary>Tasks an audit re-runs (k). Default 4.</summary>
    public uint AuditedTasksPerJob { get; init; } = 4;

    /// <summary>Collateral per job as a multiple of its price, in bps (m). Default 100000 (10x).</summary>
    public uint CollateralMultiplierBps { get; init; } = 100_000;

    /// <summary>Margin of the Proof-of-Sampling rule <c>a·(1 + m) ≥ 1 + margin</c>, in bps. Default 500.</summary>
    public uint PosMarginBps { get; init; } = 500;

    /// <summary>Seconds after submission during which a client may ask for an audit. Default 600.</summary>
    public ulong ChallengeWindow { get; init; } = 600;

    /// <summary>Seconds a drawn verifier has for its verdict. Default 1800.</summary>
    public ulong AuditWindow { get; init; } = 1_800;

    /// <summary>Seconds a committee has to vote. Default 3600.</summary>
    public ulong DisputeWindow { get; init; } = 3_600;

    /// <summary>Verification fee a client pays into the pool, bps of price. Default 500.</summary>
    public uint VerificationFeeBps { get; init; } = 500;

    /// <summary>Protocol fee a client pays to the treasury, bps of price. Default 100.</summary>
    public uint ProtocolFeeBps { get; init; } = 100;

    /// <summary>What the pool pays a verifier per audit, bps of price. Default 5000.</summary>
    public uint AuditRewardBps { get; init; } = 5_000;

    /// <summary>What a client pays to ask for an audit, bps of price (at least the reward). Default 5000.</summary>
    public uint ClientAuditFeeBps { get; init; } = 5_000;

    /// <summary>Bond a verifier posts with a fail verdict, in token units. Default 10 tokens.</summary>
    public BigInteger ChallengerBond { get; init; } = Tokens(10);

    /// <summary>Verifiers drawn to decide a dispute. Default 3.</summary>
    public uint CommitteeSize { get; init; } = 3;

    /// <summary>Share of collateral paid to the client of an expired job, bps. Default 1000.</summary>
    public uint ExpiryPenaltyBps { get; init; } = 1_000;

    /// <summary>Stake slashed from a silent verifier, token units. Default 5 tokens.</summary>
    public BigInteger VerifierTimeoutPenalty { get; init; } = Tokens(5);

    /// <summary>Share of slashed collateral to the client, bps. Default 4000.</summary>
    public uint SlashClientBps { get; init; } = 4_000;

    /// <summary>Share of slashed collateral to the challenger, bps. Default 3000.</summary>
    public uint SlashChallengerBps { get; init; } = 3_000;

    /// <summary>Share of slashed collateral to the committee majority, bps (the rest goes to the treasury). Default 2000.</summary>
    public uint SlashCommitteeBps { get; init; } = 2_000;

    /// <summary><paramref name="whole"/> tokens in the smallest unit (18 decimals).</summary>
    public static BigInteger Tokens(long whole) => whole * BigInteger.Pow(10, 18);

    /// <summary>The contract's struct.</summary>
    public ParamsStruct ToStruct() => new()
    {
        AuditRateBps = AuditRateBps,
        AuditedTasksPerJob = AuditedTasksPerJob,
        CollateralMultiplierBps = CollateralMultiplierBps,
        PosMarginBps = PosMarginBps,
        ChallengeWindow = ChallengeWindow,
        AuditWindow = AuditWindow,
        DisputeWindow = DisputeWindow,
        VerificationFeeBps = VerificationFeeBps,
        ProtocolFeeBps = ProtocolFeeBps,
        AuditRewardBps = AuditRewardBps,
        ClientAuditFeeBps = ClientAuditFeeBps,
        ChallengerBond = ChallengerBond,
        CommitteeSize = CommitteeSize,
        ExpiryPenaltyBps = ExpiryPenaltyBps,
        VerifierTimeoutPenalty = VerifierTimeoutPenalty,
        SlashClientBps = SlashClientBps,
        SlashChallengerBps = SlashChallengerBps,
        SlashCommitteeBps = SlashCommitteeBps,
    };

    /// <summary>Reads the contract's struct back (from <c>JobMarket.params()</c>).</summary>
    public static MarketParameters FromStruct(ParamsStruct p)
    {
        ArgumentNullException.ThrowIfNull(p);
        return new()
        {
            AuditRateBps = (uint)p.AuditRateBps,
            AuditedTasksPerJob = (uint)p.AuditedTasksPerJob,
            CollateralMultiplierBps = (uint)p.CollateralMultiplierBps,
            PosMarginBps = (uint)p.PosMarginBps,
            ChallengeWindow = p.ChallengeWindow,
            AuditWindow = p.AuditWindow,
            DisputeWindow = p.DisputeWindow,
            VerificationFeeBps = (uint)p.VerificationFeeBps,
            ProtocolFeeBps = (uint)p.ProtocolFeeBps,
            AuditRewardBps = (uint)p.AuditRewardBps,
            ClientAuditFeeBps = (uint)p.ClientAuditFeeBps,
            ChallengerBond = p.ChallengerBond,
            CommitteeSize = (uint)p.CommitteeSize,
            ExpiryPenaltyBps = (uint)p.ExpiryPenaltyBps,
            VerifierTimeoutPenalty = p.VerifierTimeoutPenalty,
            SlashClientBps = (uint)p.SlashClientBps,
            SlashChallengerBps = (uint)p.SlashChallengerBps,
            SlashCommitteeBps = (uint)p.SlashCommitteeBps,
        };
    }
}
