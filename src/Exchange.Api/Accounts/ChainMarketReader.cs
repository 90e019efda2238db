using System.Collections.Concurrent;
using System.Numerics;
using Exchange.Api.Client.Accounts;
using Exchange.Chain.Bindings;
using Nethereum.ABI.FunctionEncoding.Attributes;

namespace Exchange.Api.Accounts;

/// <summary>Answers <see cref="IMarketReader"/> with view calls to the deployed JobMarket and StakingVault.</summary>
internal sealed class ChainMarketReader(ChainConnection chain, TimeProvider time) : IMarketReader
{
    // An upload burst from one client would otherwise cost two view calls per blob. Only "funded"
    // is remembered, briefly: an account that just deposited is never refused from a stale answer.
    private static readonly TimeSpan FundedFor = TimeSpan.FromSeconds(30);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _fundedUntil = new();
    private MarketTerms? _terms;

    public async ValueTask<bool> IsFundedAsync(string address, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (_fundedUntil.TryGetValue(address, out var until) && until > now)
        {
            return true;
        }
        var funded = (await GetStandingAsync(address, ct)).IsFunded;
        if (funded)
        {
            _fundedUntil[address] = now + FundedFor;
        }
        return funded;
    }

    public async ValueTask<AccountStanding> GetStandingAsync(string address, CancellationToken ct)
    {
        var deployment = await chain.DeploymentAsync(ct);
        var eth = chain.Web3.Eth;
        // JobMarket and StakingVault both have accountOf(address): one selector, two return shapes.
        var market = chain.CallAsync(() => eth.GetContractQueryHandler<AccountOfFunction>()
            .QueryDeserializingToObjectAsync<MarketAccountOutput>(new AccountOfFunction { Account = address }, deployment.JobMarket), ct);
        var vault = chain.CallAsync(() => eth.GetContractQueryHandler<AccountOfFunction>()
            .QueryDeserializingToObjectAsync<VaultAccountOutput>(new AccountOfFunction { Account = address }, deployment.StakingVault), ct);
        await Task.WhenAll(market, vault);
        var (inMarket, inVault) = (market.Result.Account, vault.Result.Account);
        // Only the market's free collateral backs jobs: a job never locks vault stake itself.
        return new AccountStanding(inMarket.Balance, inVault.Stake, inMarket.Collateral, inMarket.OfferNonceFloor,
            new Reputation(inVault.JobsSettled, inVault.AuditsPassed, inVault.AuditsFailed, inVault.Slashes));
    }

    public async ValueTask<MarketTerms> GetTermsAsync(CancellationToken ct)
    {
        if (_terms is { } known)
        {
            return known;
        }
        var deployment = await chain.DeploymentAsync(ct);
        var parameters = await chain.CallAsync(() => chain.Web3.Eth.GetContractQueryHandler<ParamsFunction>()
            .QueryDeserializingToObjectAsync<ParamsOutputDTO>(new ParamsFunction(), deployment.JobMarket), ct);
        // The market's parameters are immutable after deployment.
        return _terms = new MarketTerms(
            deployment.ChainId, deployment.JobMarket.ToLowerInvariant(), parameters.ReturnValue0.CollateralMultiplierBps, parameters.ReturnValue0.MinUnitPrice);
    }

    [FunctionOutput]
    internal sealed class MarketAccountOutput : IFunctionOutputDTO
    {
        [Parameter("tuple", "", 1)]
        public MarketAccount Account { get; set; } = new();
    }

    /// <summary>JobMarket's <c>Account</c>: balance, free collateral, jobs settled, offer nonce floor.</summary>
    internal sealed class MarketAccount
    {
        [Parameter("uint96", "balance", 1)]
        public BigInteger Balance { get; set; }

        [Parameter("uint96", "collateral", 2)]
        public BigInteger Collateral { get; set; }

        [Parameter("uint32", "jobsSettled", 3)]
        public uint JobsSettled { get; set; }

        [Parameter("uint32", "offerNonceFloor", 4)]
        public uint OfferNonceFloor { get; set; }
    }

    [FunctionOutput]
    internal sealed class VaultAccountOutput : IFunctionOutputDTO
    {
        [Parameter("tuple", "", 1)]
        public AccountViewStruct Account { get; set; } = new();
    }
}
