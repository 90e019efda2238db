using System.Numerics;
using Exchange.Chain.Deployment;

namespace Exchange.Chain.Tests.Deployment;

/// <summary>The bond and committee formulas of docs/protocol.md (the court's own numbers are checked against a live court by the indexer's scenario).</summary>
public sealed class CourtParametersTests
{
    private static readonly CourtParameters Defaults = new();

    [Fact]
    public void The_challenger_bond_is_a_share_of_the_collateral_but_never_below_the_minimum()
    {
        Assert.Equal(Defaults.MinChallengerBond, Defaults.ChallengerBond(MarketParameters.Tokens(40)));
        Assert.Equal(MarketParameters.Tokens(10), Defaults.ChallengerBond(MarketParameters.Tokens(100)));
        Assert.Equal(MarketParameters.Tokens(25), Defaults.ChallengerBond(MarketParameters.Tokens(250)));
        Assert.Equal(BigInteger.Parse("25000000000000000001"), Defaults.ChallengerBond(BigInteger.Parse("250000000000000000019")));
    }

    [Fact]
    public void Appeals_double_the_bond_each_round()
    {
        var bond = MarketParameters.Tokens(10);
        Assert.Equal(MarketParameters.Tokens(20), CourtParameters.AppealBond(bond, 1));
        Assert.Equal(MarketParameters.Tokens(40), CourtParameters.AppealBond(bond, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => CourtParameters.AppealBond(bond, 0));
    }

    [Fact]
    public void Committees_grow_from_five_to_eleven_to_twenty_three()
    {
        Assert.Equal([5, 11, 23], Enumerable.Range(0, 3).Select(Defaults.CommitteeSizeOf));
        Assert.Equal([3, 7], Enumerable.Range(0, 2).Select((Defaults with { CommitteeSize = 3 }).CommitteeSizeOf));
    }

    [Fact]
    public void A_silent_verifier_loses_the_penalty_or_the_reward_whichever_is_less()
    {
        Assert.Equal(MarketParameters.Tokens(5), Defaults.TimeoutPenalty(MarketParameters.Tokens(8)));
        Assert.Equal(MarketParameters.Tokens(2), Defaults.TimeoutPenalty(MarketParameters.Tokens(2)));
        Assert.Equal(BigInteger.Zero, Defaults.TimeoutPenalty(BigInteger.Zero));
    }

    [Fact]
    public void The_longest_dispute_covers_two_audits_a_pass_appeal_every_round_and_an_epoch()
    {
        Assert.Equal(2UL * 1_800 + 1_800 + 3 * 5_400 + 3_600, Defaults.LongestDispute(3_600));
        Assert.True(Defaults.LongestDispute(new DeploymentOptions().EpochLength) <= new DeploymentOptions().UnbondingDelay);
    }

    [Fact]
    public void A_false_pass_costs_fifty_rewards_by_default()
    {
        Assert.Equal(MarketParameters.Tokens(250), Defaults.FalsePassPenalty(MarketParameters.Tokens(5)));
        Assert.Equal(new BigInteger(3), (Defaults with { FalsePassPenaltyBps = 15_000 }).FalsePassPenalty(2));
    }

    [Fact]
    public void The_parameters_round_trip_through_the_contract_struct()
    {
        var custom = Defaults with { AuditWindow = 1, MaxAppeals = 3, MinChallengerBond = 7, SlashCommitteeBps = 1, PassAppealWindow = 11, FalsePassPenaltyBps = 12_345 };
        Assert.Equal(custom, CourtParameters.FromStruct(custom.ToStruct()));
        var market = new MarketParameters { CorruptShareBps = 1, MinUnitPrice = 5, PoolMarginBps = 9 };
        Assert.Equal(market, MarketParameters.FromStruct(market.ToStruct()));
    }
}
