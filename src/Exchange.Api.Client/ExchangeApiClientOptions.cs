namespace Exchange.Api.Client;

/// <summary>Which exchange APIs an <see cref="ExchangeApiClient"/> talks to.</summary>
public sealed class ExchangeApiClientOptions
{
    /// <summary>Base URLs of the exchange APIs, tried in order for reads, all written to; at least one. Empty by default.</summary>
    public IList<Uri> Apis { get; } = [];
}
