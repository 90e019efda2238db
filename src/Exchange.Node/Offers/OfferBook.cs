using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Serialization;
using Exchange.Core.Eip712;
using Exchange.Core.Hashing;
using Exchange.Node.Api;

namespace Exchange.Node.Offers;

/// <summary>The exchange API's offer book as seen by nodes: providers publish signed offers, clients list them.</summary>
public static class OfferBook
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Publishes a signed offer on every API.</summary>
    public static Task PublishAsync(ExchangeApiClient api, SignedOffer offer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(api);
        ArgumentNullException.ThrowIfNull(offer);
        return api.PostJsonAsync("offers", OfferJson.From(offer), Json, cancellationToken);
    }

    /// <summary>The offers for a model, checked: a signature that is not the provider's is dropped, whatever the API says.</summary>
    public static async Task<IReadOnlyList<SignedOffer>> ListAsync(ExchangeApiClient api, Bytes32 modelId, Eip712Domain domain, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(api);
        var offers = await api.GetJsonAsync<List<OfferJson>>($"offers?modelId={modelId}", Json, cancellationToken).ConfigureAwait(false);
        return [.. offers.Select(o => o.ToSigned()).Where(o => o is not null && o.Offer.ModelId == modelId && o.IsValid(domain)).Select(o => o!)];
    }

    /// <summary>An offer on the wire: amounts as decimal text, hashes and signature as 0x hex.</summary>
    internal sealed record OfferJson(
        [property: JsonPropertyName("provider")] string Provider,
        [property: JsonPropertyName("modelId")] string ModelId,
        [property: JsonPropertyName("unitPrice")] string UnitPrice,
        [property: JsonPropertyName("maxTasks")] uint MaxTasks,
        [property: JsonPropertyName("expiry")] ulong Expiry,
        [property: JsonPropertyName("region")] string Region,
        [property: JsonPropertyName("nonce")] ulong Nonce,
        [property: JsonPropertyName("signature")] string Signature)
    {
        public static OfferJson From(SignedOffer signed) => new(
            signed.Offer.Provider, signed.Offer.ModelId.ToString(), signed.Offer.UnitPrice.ToString(CultureInfo.InvariantCulture),
            signed.Offer.MaxTasks, signed.Offer.Expiry, signed.Offer.Region.ToString(), signed.Offer.Nonce, Hex.Format(signed.Signature));

        public SignedOffer? ToSigned() =>
            Bytes32.TryParse(ModelId, out var model) && Bytes32.TryParse(Region, out var region)
            && BigInteger.TryParse(UnitPrice, NumberStyles.None, CultureInfo.InvariantCulture, out var price)
                ? new SignedOffer(new Offer(Provider, model, price, MaxTasks, Expiry, region, Nonce), Hex.Parse(Signature))
                : null;
    }
}
