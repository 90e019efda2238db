namespace Exchange.Api.Accounts;

/// <summary>Stands in when the API runs without <c>--rpc</c>: every write that needs the chain is refused with a 503.</summary>
internal sealed class NoChainMarketReader : IMarketReader
{
    private const string Reason = "The API was started without an RPC endpoint, so it cannot check signers on the chain.";

    public ValueTask<AccountStanding> GetStandingAsync(string address, CancellationToken ct) => throw new ChainUnavailableException(Reason);

    public ValueTask<bool> IsFundedAsync(string address, CancellationToken ct) => throw new ChainUnavailableException(Reason);

    public ValueTask<MarketTerms> GetTermsAsync(CancellationToken ct) => throw new ChainUnavailableException(Reason);

}
