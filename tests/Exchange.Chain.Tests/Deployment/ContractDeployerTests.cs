using Exchange.Chain.Bindings;
using Exchange.Chain.Deployment;
using Exchange.Chain.Tests.Indexing;
using Exchange.Chain.Transactions;
using Exchange.TestSupport;

namespace Exchange.Chain.Tests.Deployment;

/// <summary>ContractDeployer deploys and binds the four contracts, and the parameter records round-trip through them.</summary>
[Trait("Lane", "Slow")]
[Collection(ChainFixture.Collection)]
public sealed class ContractDeployerTests(ChainFixture chain)
{
    private static readonly DeploymentOptions Custom = new()
    {
        MinProviderStake = MarketParameters.Tokens(200),
        MinVerifierStake = MarketParameters.Tokens(70),
        UnbondingDelay = 3 * 24 * 3600,
        EpochLength = 120,
        Market = new MarketParameters
        {
            AuditRateBps = 2_000,
            AuditedTasksPerJob = 3,
            CorruptShareBps = 2_500,
            ChallengeWindow = 300,
            MinUnitPrice = 1_000,
            VerificationFeeBps = 1_200,
            ClientAuditFeeBps = 6_000,
            ExpiryPenaltyBps = 500,
        },
        Court = new CourtParameters
        {
            AuditWindow = 600,
            CommitWindow = 700,
            RevealWindow = 800,
            AppealWindow = 900,
            PassAppealWindow = 1_000,
            CommitteeSize = 3,
            MaxAppeals = 1,
            ChallengerBondBps = 500,
            MinChallengerBond = MarketParameters.Tokens(2),
            VerifierTimeoutPenalty = MarketParameters.Tokens(1),
            IncoherencePenalty = MarketParameters.Tokens(3),
            FalsePassPenaltyBps = 200_000,
            SlashClientBps = 6_000,
            SlashCommitteeBps = 2_000,
        },
    };

    [Fact]
    public async Task The_fixtures_deployment_is_bound_and_holds_the_default_parameters()
    {
        var deployed = await ReadBackAsync(chain.Deployment);

        Assert.Equal(chain.Options.Market, deployed.Market);
        Assert.Equal(chain.Options.Court, deployed.Court);
        Assert.Equal((chain.Options.MinProviderStake, chain.Options.MinVerifierStake, chain.Options.UnbondingDelay, chain.Options.EpochLength),
            (deployed.MinProviderStake, deployed.MinVerifierStake, deployed.UnbondingDelay, deployed.EpochLength));
        var court = chain.Deployment.AuditCourt;
        for (var round = 0; round <= (int)chain.Options.Court.MaxAppeals; round++)
        {
            var size = await ChainState.QueryAsync<CommitteeSizeOfFunction, CommitteeSizeOfOutputDTO>(chain, court, new CommitteeSizeOfFunction { Round = round });
            Assert.Equal(chain.Options.Court.CommitteeSizeOf(round), (int)size.ReturnValue0);
        }
    }

    [Fact]
    public async Task Other_parameters_round_trip_through_a_new_deployment()
    {
        var deployment = await ContractDeployer.DeployAsync(chain.Sender(DevAccountsOfTests.Deployer), Custom);

        var deployed = await ReadBackAsync(deployment);

        Assert.Equal(Custom.Market, deployed.Market);
        Assert.Equal(Custom.Court, deployed.Court);
        Assert.Equal((Custom.MinProviderStake, Custom.MinVerifierStake, Custom.UnbondingDelay, Custom.EpochLength),
            (deployed.MinProviderStake, deployed.MinVerifierStake, deployed.UnbondingDelay, deployed.EpochLength));
        Assert.True(deployment.StartBlock > 0);
    }

    [Fact]
    public async Task A_court_parameter_the_court_refuses_reverts_the_deployment_with_its_name()
    {
        var even = Custom with { Court = Custom.Court with { CommitteeSize = 4 } };
        var error = await Assert.ThrowsAsync<ContractRevertException>(() => ContractDeployer.DeployAsync(chain.Sender(DevAccountsOfTests.Deployer), even));
        Assert.Equal("AuditCourtInvalidParameter(name=committeeSize, value=4)", error.Revert.ToString());

        // A member drawn into the last round could leave before the dispute ends.
        var hasty = Custom with { UnbondingDelay = Custom.Court.LongestDispute(Custom.EpochLength) - 1 };
        error = await Assert.ThrowsAsync<ContractRevertException>(() => ContractDeployer.DeployAsync(chain.Sender(DevAccountsOfTests.Deployer), hasty));
        Assert.Equal($"AuditCourtInvalidParameter(name=unbondingDelay, value={hasty.UnbondingDelay})", error.Revert.ToString());
    }

    /// <summary>What the deployed contracts report, with their bindings checked on the way.</summary>
    private async Task<DeploymentOptions> ReadBackAsync(ChainDeployment deployment)
    {
        var market = await ChainState.QueryAsync<ParamsFunction, ParamsOutputDTO>(chain, deployment.JobMarket, new ParamsFunction());
        var court = await ChainState.QueryAsync<AuditCourtParamsFunction, AuditCourtParamsOutputDTO>(chain, deployment.AuditCourt, new AuditCourtParamsFunction());
        var limits = await ChainState.QueryAsync<LimitsFunction, LimitsOutputDTO>(chain, deployment.StakingVault, new LimitsFunction());
        var epoch = await ChainState.QueryAsync<EpochLengthFunction, EpochLengthOutputDTO>(chain, deployment.StakingVault, new EpochLengthFunction());
        var contracts = await ChainState.QueryAsync<ContractsFunction, ContractsOutputDTO>(chain, deployment.JobMarket, new ContractsFunction());
        var terms = await ChainState.QueryAsync<TermsFunction, TermsOutputDTO>(chain, deployment.AuditCourt, new TermsFunction());
        var vaultMarket = await ChainState.QueryAsync<MarketFunction, MarketOutputDTO>(chain, deployment.StakingVault, new MarketFunction());

        Assert.Equal(
            [deployment.ComputeToken, deployment.StakingVault, deployment.AuditCourt, deployment.JobMarket, deployment.StakingVault, deployment.JobMarket],
            new[] { contracts.Token, contracts.Vault, contracts.Court, terms.Market, terms.Vault, vaultMarket.ReturnValue0 }, StringComparer.OrdinalIgnoreCase);
        Assert.Equal(deployment.Deployer, contracts.Treasury, ignoreCase: true);
        return new DeploymentOptions
        {
            MinProviderStake = limits.MinProviderStake,
            MinVerifierStake = limits.MinVerifierStake,
            UnbondingDelay = limits.UnbondingDelay,
            EpochLength = epoch.ReturnValue0,
            Market = MarketParameters.FromStruct(market.ReturnValue0),
            Court = CourtParameters.FromStruct(court.ReturnValue0),
        };
    }
}
