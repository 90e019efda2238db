using System.Collections.Concurrent;
using System.Numerics;
using Exchange.Api.Accounts;

namespace Exchange.Api.Tests.Support;

/// <summary>
/// Market standing held in memory, for tests of the API's own rules (parsing, hashing, storage,
/// ordering). The chain-backed reader is tested against a live Hardhat chain in ChainMarketReaderTests.
/// </summary>
public sealed class KnownAccountsMarket : IMarketReader
{
    private readonly ConcurrentDictionary<string, AccountStanding> _standing = new();
    private readonly ConcurrentDictionary<string, bool> _cancelled = new();

    public MarketTerms Terms { get; init; } = new(31337, "0x5fbdb2315678afecb367f032d93f642f64180aa3", 20_000);

    public KnownAccountsMarket Fund(string address, BigInteger deposit, BigInteger stake, BigInteger? freeStake = null, Reputation? reputation = null)
    {
        _standing[address.ToLowerInvariant()] = new AccountStanding(deposit, stake, freeStake ?? stake, reputation ?? Reputation.None);
        return this;
    }

    public void Cancel(string digest) => _cancelled[digest] = true;

    public ValueTask<AccountStanding> GetStandingAsync(string address, CancellationToken ct) =>
        ValueTask.FromResult(_standing.GetValueOrDefault(address.ToLowerInvariant(), AccountStanding.None));

    public ValueTask<MarketTerms> GetTermsAsync(CancellationToken ct) => ValueTask.FromResult(Terms);

    public ValueTask<bool> IsOfferCancelledAsync(Exchange.Core.Eip712.Offer offer, string digest, CancellationToken ct) => ValueTask.FromResult(_cancelled.ContainsKey(digest));
}
