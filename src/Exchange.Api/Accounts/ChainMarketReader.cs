using System.Collections.Concurrent;
using Exchange.Api.Client.Accounts;
using Exchange.Chain.State;

namespace Exchange.Api.Accounts;

/// <summary>Answers <see cref="IMarketReader"/> with view calls to the deployed JobMarket and StakingVault, through <see cref="ContractState"/>.</summary>
internal sealed class ChainMarketReader(ChainConnection chain, TimeProvider time) : IMarketReader
{
    // An upload burst from one client would otherwise cost two view calls per blob. Only "funded"
    // is remembered, briefly: an account that just deposited is never refused from a stale answer.
    private static readonly TimeSpan FundedFor = TimeSpan.FromSeconds(30);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _fundedUntil = new();
    private MarketTerms? _terms;
    private ContractState? _state;

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
        var state = await StateAsync(ct);
        var market = chain.CallAsync(() => state.MarketAccountAsync(address, ct), ct);
        var vault = chain.CallAsync(() => state.VaultAccountAsync(address, ct), ct);
        await Task.WhenAll(market, vault);
        var (inMarket, inVault) = (market.Result, vault.Result);
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
        var state = await StateAsync(ct);
        var parameters = await chain.CallAsync(() => state.ParamsAsync(ct), ct);
        // The market's parameters are immutable after deployment.
        return _terms = new MarketTerms(
            state.Deployment.ChainId, state.Deployment.JobMarket.ToLowerInvariant(), parameters.CollateralMultiplierBps, parameters.MinUnitPrice);
    }

    private async ValueTask<ContractState> StateAsync(CancellationToken ct) =>
        _state ??= new ContractState(chain.Web3, await chain.DeploymentAsync(ct));
}
