using System.Numerics;
using Exchange.Api.Client.Accounts;

namespace Exchange.Api.Accounts;

/// <summary>
/// What the API needs to know from the chain to refuse anonymous or unbacked writes. The API is a
/// relay, not a trusted party: these answers come from the contracts, never from the API's own records.
/// </summary>
public interface IMarketReader
{
    /// <summary>The account's balance and free collateral on the market, its stake in the vault and its reputation.</summary>
    ValueTask<AccountStanding> GetStandingAsync(string address, CancellationToken ct);

    /// <summary>Whether the account has a deposit or a stake: the bar for storing blobs. May answer from a short-lived cache of positive answers.</summary>
    ValueTask<bool> IsFundedAsync(string address, CancellationToken ct);

    /// <summary>The deployment's terms the offer book checks against.</summary>
    ValueTask<MarketTerms> GetTermsAsync(CancellationToken ct);
}

/// <summary>An account's money and record on the market.</summary>
/// <param name="Deposit">Balance held by the market for the account.</param>
/// <param name="Stake">Stake in the vault, locked collateral included.</param>
/// <param name="FreeCollateral">
/// What new jobs can take as collateral: the provider's free collateral in the market (<c>accountOf(provider).collateral</c>,
/// stake it locked for the market and no job holds). Stake the provider did not lock backs nothing: the market never locks it for a job.
/// </param>
/// <param name="OfferNonceFloor">The provider's offers with a lower nonce are cancelled (<c>cancelOffer</c> raises it).</param>
/// <param name="Reputation">The vault's counters for the account.</param>
public sealed record AccountStanding(BigInteger Deposit, BigInteger Stake, BigInteger FreeCollateral, ulong OfferNonceFloor, Reputation Reputation)
{
    /// <summary>An account the chain knows nothing about.</summary>
    public static AccountStanding None { get; } = new(0, 0, 0, 0, Reputation.None);

    /// <summary>Whether an offer of this provider with <paramref name="nonce"/> was cancelled on-chain.</summary>
    public bool Cancelled(ulong nonce) => nonce < OfferNonceFloor;

    /// <summary>Whether the account has put anything at stake on the market.</summary>
    public bool IsFunded => Deposit > 0 || Stake > 0;
}

/// <summary>The deployment's parameters that signed offers are checked against.</summary>
/// <param name="ChainId">The chain's id, part of the EIP-712 domain.</param>
/// <param name="Market">The JobMarket address, the EIP-712 verifying contract.</param>
/// <param name="CollateralMultiplierBps">Collateral taken per unit of job price, in basis points.</param>
/// <param name="MinUnitPrice">The least unit price of a job: the market refuses jobs of an offer priced lower.</param>
public sealed record MarketTerms(BigInteger ChainId, string Market, BigInteger CollateralMultiplierBps, BigInteger MinUnitPrice)
{
    /// <summary>The collateral a job of <paramref name="tasks"/> tasks at <paramref name="unitPrice"/> takes (JobMarket rounds down).</summary>
    public BigInteger Collateral(BigInteger unitPrice, uint tasks) => unitPrice * tasks * CollateralMultiplierBps / 10_000;
}
