using System.Collections.Concurrent;
using System.Numerics;
using Exchange.Api.Accounts;
using Exchange.Api.Client.Accounts;

namespace Exchange.Api.Tests.Support;

/// <summary>
/// Market standing held in memory, for tests of the API's own rules (parsing, hashing, storage,
/// ordering). The chain-backed reader is tested against a live Hardhat chain in ChainMarketReaderTests.
/// </summary>
public sealed class KnownAccountsMarket : IMarketReader
{
    private readonly ConcurrentDictionary<string, AccountStanding> _standing = new();

    public MarketTerms Terms { get; init; } = new(31337, "0x5fbdb2315678afecb367f032d93f642f64180aa3", 20_000, 100);

    /// <summary>Gives an account a deposit and a stake; <paramref name="freeCollateral"/> is what it locked for the market (by default all its stake).</summary>
    public KnownAccountsMarket Fund(string address, BigInteger deposit, BigInteger stake, BigInteger? freeCollateral = null, Reputation? reputation = null)
    {
        _standing[address.ToLowerInvariant()] = new AccountStanding(deposit, stake, freeCollateral ?? stake, 0, reputation ?? Reputation.None);
        return this;
    }

    /// <summary>What cancelOffer does on-chain: the provider's offers up to this nonce are cancelled.</summary>
    public void Cancel(string provider, ulong nonce) =>
        _standing.AddOrUpdate(provider.ToLowerInvariant(), _ => AccountStanding.None with { OfferNonceFloor = nonce + 1 },
            (_, s) => s with { OfferNonceFloor = Math.Max(s.OfferNonceFloor, nonce + 1) });

    public ValueTask<AccountStanding> GetStandingAsync(string address, CancellationToken ct) =>
        ValueTask.FromResult(_standing.GetValueOrDefault(address.ToLowerInvariant(), AccountStanding.None));

    public ValueTask<bool> IsFundedAsync(string address, CancellationToken ct) =>
        ValueTask.FromResult(_standing.GetValueOrDefault(address.ToLowerInvariant(), AccountStanding.None).IsFunded);

    public ValueTask<MarketTerms> GetTermsAsync(CancellationToken ct) => ValueTask.FromResult(Terms);

}
