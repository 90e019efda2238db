using System.Numerics;

namespace Exchange.Api.Accounts;

/// <summary>
/// What the API needs to know from the chain to refuse anonymous or unbacked writes. The API is a
/// relay, not a trusted party: these answers come from the contracts, never from the API's own records.
/// </summary>
public interface IMarketReader
{
    /// <summary>The account's balance deposited on the market and its stake in the vault.</summary>
    ValueTask<AccountStanding> GetStandingAsync(string address, CancellationToken ct);

    /// <summary>The market's terms the offer book checks against.</summary>
    ValueTask<MarketTerms> GetTermsAsync(CancellationToken ct);

    /// <summary>Whether the provider cancelled the offer with this nonce on-chain.</summary>
    ValueTask<bool> IsOfferCancelledAsync(string provider, ulong nonce, CancellationToken ct);
}

/// <summary>An account's money on the market.</summary>
/// <param name="Deposit">Balance held by the market for the account.</param>
/// <param name="Stake">Stake in the vault, locked collateral included.</param>
/// <param name="FreeStake">Stake not locked as collateral for jobs in flight.</param>
public sealed record AccountStanding(BigInteger Deposit, BigInteger Stake, BigInteger FreeStake)
{
    /// <summary>Whether the account has put anything at stake on the market.</summary>
    public bool IsFunded => Deposit > 0 || Stake > 0;
}

/// <summary>The deployment's parameters that signed messages and offers are checked against.</summary>
/// <param name="ChainId">The chain's id, part of the EIP-712 domain.</param>
/// <param name="Market">The JobMarket address, the EIP-712 verifying contract.</param>
/// <param name="CollateralMultiplierBps">Collateral locked per unit of job price, in basis points.</param>
public sealed record MarketTerms(BigInteger ChainId, string Market, BigInteger CollateralMultiplierBps);
