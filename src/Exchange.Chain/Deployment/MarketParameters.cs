using System.Numerics;
using Exchange.Chain.Bindings;

namespace Exchange.Chain.Deployment;

/// <summary>
/// The JobMarket's parameters, fixed at deployment (the contract's <c>Params</c>). The defaults are
/// the local setting of docs/contracts.md: 15 % audits, a cheater corrupting at least 20 % of a
/// job's tasks, 10x collateral, so <c>a·(1 − s)·(1 + m) = 1.32 &gt; 1 + margin = 1.05</c>, and a
/// solvent audit pool (<c>a · reward · (1 + poolMargin) ≤ fee</c>).
/// The contract validates every value; a bad one reverts the deployment with its name.
/// </summary>
public sealed record MarketParameters
{
    /// <summary>Basis points in one (10,000 = 100 %).</summary>
    public const uint Bps = 10_000;

    /// <summary>Share of jobs the draw audits (a), in bps. Default 1500 (15 %).</summary>
    public uint AuditRateBps { get; init; } = 1_500;

    /// <summary>Tasks an audit re-runs (k). Default 4.</summary>
    public uint AuditedTasksPerJob { get; init; } = 4;

    /// <summary>Collateral per job as a multiple of its price, in bps (m). Default 100000 (10x).</summary>
    public uint CollateralMultiplierBps { get; init; } = 100_000;

    /// <summary>Least share of a job's tasks a cheater corrupts (s), in bps. Default 2000.</summary>
    public uint CorruptShareBps { get; init; } = 2_000;

    /// <summary>Margin of the Proof-of-Sampling rule <c>a·(1 − s)·(1 + m) &gt; 1 + margin</c>, in bps. Default 500.</summary>
    public uint PosMarginBps { get; init; } = 500;

    /// <summary>Seconds after submission during which a client may ask for an audit and before an unaudited job settles. Default 600.</summary>
    public ulong ChallengeWindow { get; init; } = 600;

    /// <summary>Least unit price of a job, in token units, so that every job has collateral. Default 10^12 (a millionth of a token).</summary>
    public BigInteger MinUnitPrice { get; init; } = BigInteger.Pow(10, 12);

    /// <summary>Verification fee a client pays into the pool, bps of price. Default 800.</summary>
    public uint VerificationFeeBps { get; init; } = 800;

    /// <summary>Protocol fee a client pays into the protocol fee pool, bps of price. Default 100.</summary>
    public uint ProtocolFeeBps { get; init; } = 100;

    /// <summary>What a verifier is paid per audit, bps of price. Default 5000.</summary>
    public uint AuditRewardBps { get; init; } = 5_000;

    /// <summary>Slack of the pool rule <c>a · reward · (1 + margin) ≤ fee</c>, in bps (not zero). Default 500.</summary>
    public uint PoolMarginBps { get; init; } = 500;

    /// <summary>What a client pays to ask for an audit, bps of price (at least the reward). Default 5000.</summary>
    public uint ClientAuditFeeBps { get; init; } = 5_000;

    /// <summary>Share of collateral paid to the client of an accepted job that expired, bps. Default 1000.</summary>
    public uint ExpiryPenaltyBps { get; init; } = 1_000;

    /// <summary><paramref name="whole"/> tokens in the smallest unit (18 decimals).</summary>
    public static BigInteger Tokens(long whole) => whole * BigInteger.Pow(10, 18);

    /// <summary>A job's price: <c>unitPrice × taskCount</c>.</summary>
    public static BigInteger Price(BigInteger unitPrice, uint taskCount) => unitPrice * taskCount;

    /// <summary>The collateral a job of <paramref name="price"/> takes from its provider's free collateral.</summary>
    public BigInteger Collateral(BigInteger price) => price * CollateralMultiplierBps / Bps;

    /// <summary>The verification fee a client pays for a job of <paramref name="price"/>.</summary>
    public BigInteger VerificationFee(BigInteger price) => price * VerificationFeeBps / Bps;

    /// <summary>The protocol fee a client pays for a job of <paramref name="price"/>.</summary>
    public BigInteger ProtocolFee(BigInteger price) => price * ProtocolFeeBps / Bps;

    /// <summary>What a client pays at creation for a job of <paramref name="price"/>: price and both fees.</summary>
    public BigInteger ClientCost(BigInteger price) => price + VerificationFee(price) + ProtocolFee(price);

    /// <summary>The reward of an audit of a job of <paramref name="price"/>.</summary>
    public BigInteger AuditReward(BigInteger price) => price * AuditRewardBps / Bps;

    /// <summary>What a client pays to ask for an audit of a job of <paramref name="price"/>.</summary>
    public BigInteger ClientAuditFee(BigInteger price) => price * ClientAuditFeeBps / Bps;

    /// <summary>What the provider of an accepted job that expired loses to the client, of its <paramref name="collateral"/>.</summary>
    public BigInteger ExpiryPenalty(BigInteger collateral) => collateral * ExpiryPenaltyBps / Bps;

    /// <summary>The contract's struct.</summary>
    public ParamsStruct ToStruct() => new()
    {
        AuditRateBps = AuditRateBps,
        AuditedTasksPerJob = AuditedTasksPerJob,
        CollateralMultiplierBps = CollateralMultiplierBps,
        CorruptShareBps = CorruptShareBps,
        PosMarginBps = PosMarginBps,
        ChallengeWindow = ChallengeWindow,
        MinUnitPrice = MinUnitPrice,
        VerificationFeeBps = VerificationFeeBps,
        ProtocolFeeBps = ProtocolFeeBps,
        AuditRewardBps = AuditRewardBps,
        PoolMarginBps = PoolMarginBps,
        ClientAuditFeeBps = ClientAuditFeeBps,
        ExpiryPenaltyBps = ExpiryPenaltyBps,
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
            CorruptShareBps = (uint)p.CorruptShareBps,
            PosMarginBps = (uint)p.PosMarginBps,
            ChallengeWindow = p.ChallengeWindow,
            MinUnitPrice = p.MinUnitPrice,
            VerificationFeeBps = (uint)p.VerificationFeeBps,
            ProtocolFeeBps = (uint)p.ProtocolFeeBps,
            AuditRewardBps = (uint)p.AuditRewardBps,
            PoolMarginBps = (uint)p.PoolMarginBps,
            ClientAuditFeeBps = (uint)p.ClientAuditFeeBps,
            ExpiryPenaltyBps = (uint)p.ExpiryPenaltyBps,
        };
    }
}
