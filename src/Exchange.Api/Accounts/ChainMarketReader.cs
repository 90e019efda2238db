using System.Collections.Concurrent;
using System.Numerics;
using Exchange.Chain.Bindings;
using Exchange.Core.Hashing;

namespace Exchange.Api.Accounts;

/// <summary>Answers <see cref="IMarketReader"/> with view calls to the deployed JobMarket and StakingVault.</summary>
internal sealed class ChainMarketReader(ChainConnection chain) : IMarketReader
{
    // Cancellation is final on-chain, so a cancelled digest is remembered; a live one is asked again.
    private readonly ConcurrentDictionary<string, bool> _cancelled = new();
    private MarketTerms? _terms;

    public async ValueTask<AccountStanding> GetStandingAsync(string address, CancellationToken ct)
    {
        var deployment = await chain.DeploymentAsync(ct);
        var eth = chain.Web3.Eth;
        var deposit = chain.CallAsync(() => eth.GetContractQueryHandler<BalanceOfFunction>()
            .QueryAsync<BigInteger>(deployment.JobMarket, new BalanceOfFunction { Account = address }), ct);
        var account = chain.CallAsync(() => eth.GetContractQueryHandler<AccountOfFunction>()
            .QueryDeserializingToObjectAsync<AccountOfOutputDTO>(new AccountOfFunction { Account = address }, deployment.StakingVault), ct);
        var free = chain.CallAsync(() => eth.GetContractQueryHandler<FreeStakeFunction>()
            .QueryAsync<BigInteger>(deployment.StakingVault, new FreeStakeFunction { Account = address }), ct);
        await Task.WhenAll(deposit, account, free);
        var view = account.Result.ReturnValue0;
        return new AccountStanding(deposit.Result, view.Stake, free.Result,
            new Reputation(view.JobsSettled, view.AuditsPassed, view.AuditsFailed, view.Slashes));
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
        return _terms = new MarketTerms(deployment.ChainId, deployment.JobMarket.ToLowerInvariant(), parameters.ReturnValue0.CollateralMultiplierBps);
    }

    public async ValueTask<bool> IsOfferCancelledAsync(Exchange.Core.Eip712.Offer offer, string digest, CancellationToken ct)
    {
        if (_cancelled.ContainsKey(digest))
        {
            return true;
        }
        var deployment = await chain.DeploymentAsync(ct);
        var cancelled = await chain.CallAsync(() => chain.Web3.Eth.GetContractQueryHandler<OfferCancelledFunction>()
            .QueryAsync<bool>(deployment.JobMarket, new OfferCancelledFunction { Offer = offer.ToStruct() }), ct);
        if (cancelled)
        {
            _cancelled[digest] = true;
        }
        return cancelled;
    }
}
