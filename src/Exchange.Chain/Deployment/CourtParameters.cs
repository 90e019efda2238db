using System.Numerics;
using Exchange.Chain.Bindings;

namespace Exchange.Chain.Deployment;

/// <summary>
/// The AuditCourt's parameters, fixed at deployment (the contract's <c>CourtParams</c>), with the
/// bond and committee formulas of docs/protocol.md. The defaults are the local setting. The
/// contract validates every value (odd committee of at most 15, at most 3 appeals, splits within
/// 100 %, an unbonding delay that outlasts a whole dispute); a bad one reverts the deployment.
/// </summary>
public sealed record CourtParameters
{
    /// <summary>Seconds the drawn verifier has for its verdict. Default 1800.</summary>
    public ulong AuditWindow { get; init; } = 1_800;

    /// <summary>Seconds a committee has to commit its votes once drawn. Default 1800.</summary>
    public ulong CommitWindow { get; init; } = 1_800;

    /// <summary>Seconds after the commit window to reveal the votes. Default 1800.</summary>
    public ulong RevealWindow { get; init; } = 1_800;

    /// <summary>Seconds after a ruling in which it may be appealed. Default 1800.</summary>
    public ulong AppealWindow { get; init; } = 1_800;

    /// <summary>Seconds after a pass verdict in which the client or a staked verifier may appeal it. Default 1800.</summary>
    public ulong PassAppealWindow { get; init; } = 1_800;

    /// <summary>Members of round 0 (odd); round r has <c>(size + 1) · 2^r − 1</c>. Default 5.</summary>
    public uint CommitteeSize { get; init; } = 5;

    /// <summary>Rounds a dispute may have after round 0. Default 2.</summary>
    public uint MaxAppeals { get; init; } = 2;

    /// <summary>Challenger bond, bps of the job's collateral. Default 1000.</summary>
    public uint ChallengerBondBps { get; init; } = 1_000;

    /// <summary>Least challenger bond, token units. Default 10 tokens.</summary>
    public BigInteger MinChallengerBond { get; init; } = MarketParameters.Tokens(10);

    /// <summary>Stake slashed from a silent verifier (at most the audit's reward), token units. Default 5 tokens.</summary>
    public BigInteger VerifierTimeoutPenalty { get; init; } = MarketParameters.Tokens(5);

    /// <summary>Stake slashed from a member whose vote does not match the final ruling, token units. Default 5 tokens.</summary>
    public BigInteger IncoherencePenalty { get; init; } = MarketParameters.Tokens(5);

    /// <summary>
    /// Stake slashed from a verifier whose pass is ruled wrong on appeal, bps of the audit's reward
    /// (at least 10000). Default 500000: fifty rewards, so that a verifier passing without
    /// re-running loses money once more than 1 in 51 of its audits is a canary it cannot tell
    /// apart (docs/contracts.md). The penalty is at most the verifier's stake.
    /// </summary>
    public uint FalsePassPenaltyBps { get; init; } = 500_000;

    /// <summary>Share of a slashed collateral to the client, bps. Default 5000.</summary>
    public uint SlashClientBps { get; init; } = 5_000;

    /// <summary>Share of a slashed collateral to the coherent voters, bps (the rest goes to the treasury). Default 3000.</summary>
    public uint SlashCommitteeBps { get; init; } = 3_000;

    /// <summary>The bond a failing verifier posts: <c>max(minChallengerBond, collateral × challengerBondBps)</c>.</summary>
    public BigInteger ChallengerBond(BigInteger collateral)
    {
        var bond = collateral * ChallengerBondBps / MarketParameters.Bps;
        return bond > MinChallengerBond ? bond : MinChallengerBond;
    }

    /// <summary>
    /// The bond that opens round <paramref name="round"/> (≥ 1) by appeal: round 0's
    /// <paramref name="challengerBond"/> doubled <paramref name="round"/> times.
    /// </summary>
    public static BigInteger AppealBond(BigInteger challengerBond, int round)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(round);
        return challengerBond << round;
    }

    /// <summary>Members of round <paramref name="round"/>: <c>(committeeSize + 1) · 2^round − 1</c> (5, 11, 23 by default).</summary>
    public int CommitteeSizeOf(int round)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(round);
        return (int)((CommitteeSize + 1) << round) - 1;
    }

    /// <summary>What a verifier silent past its deadline loses: <c>min(verifierTimeoutPenalty, auditReward)</c>.</summary>
    public BigInteger TimeoutPenalty(BigInteger auditReward) =>
        VerifierTimeoutPenalty < auditReward ? VerifierTimeoutPenalty : auditReward;

    /// <summary>
    /// What a verifier whose pass is ruled wrong on appeal loses (at most its stake):
    /// <c>auditReward × falsePassPenaltyBps</c>.
    /// </summary>
    public BigInteger FalsePassPenalty(BigInteger auditReward) => auditReward * FalsePassPenaltyBps / MarketParameters.Bps;

    /// <summary>
    /// Seconds the vault's unbonding delay must at least last so a member drawn into the last
    /// round still has its stake when the dispute ends (the court refuses a shorter one):
    /// two audits, a pass's appeal window, every round's windows and an epoch.
    /// </summary>
    public ulong LongestDispute(ulong epochLength) =>
        2 * AuditWindow + PassAppealWindow + (MaxAppeals + 1) * (CommitWindow + RevealWindow + AppealWindow) + epochLength;

    /// <summary>The contract's struct.</summary>
    public CourtParamsStruct ToStruct() => new()
    {
        AuditWindow = AuditWindow,
        CommitWindow = CommitWindow,
        RevealWindow = RevealWindow,
        AppealWindow = AppealWindow,
        PassAppealWindow = PassAppealWindow,
        CommitteeSize = CommitteeSize,
        MaxAppeals = MaxAppeals,
        ChallengerBondBps = ChallengerBondBps,
        MinChallengerBond = MinChallengerBond,
        VerifierTimeoutPenalty = VerifierTimeoutPenalty,
        IncoherencePenalty = IncoherencePenalty,
        FalsePassPenaltyBps = FalsePassPenaltyBps,
        SlashClientBps = SlashClientBps,
        SlashCommitteeBps = SlashCommitteeBps,
    };

    /// <summary>Reads the contract's struct back (from <c>AuditCourt.params()</c>).</summary>
    public static CourtParameters FromStruct(CourtParamsStruct p)
    {
        ArgumentNullException.ThrowIfNull(p);
        return new()
        {
            AuditWindow = p.AuditWindow,
            CommitWindow = p.CommitWindow,
            RevealWindow = p.RevealWindow,
            AppealWindow = p.AppealWindow,
            PassAppealWindow = p.PassAppealWindow,
            CommitteeSize = (uint)p.CommitteeSize,
            MaxAppeals = (uint)p.MaxAppeals,
            ChallengerBondBps = (uint)p.ChallengerBondBps,
            MinChallengerBond = p.MinChallengerBond,
            VerifierTimeoutPenalty = p.VerifierTimeoutPenalty,
            IncoherencePenalty = p.IncoherencePenalty,
            FalsePassPenaltyBps = (uint)p.FalsePassPenaltyBps,
            SlashClientBps = (uint)p.SlashClientBps,
            SlashCommitteeBps = (uint)p.SlashCommitteeBps,
        };
    }
}
