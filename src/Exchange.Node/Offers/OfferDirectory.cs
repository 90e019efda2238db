using System.Globalization;
using System.Numerics;
using System.Text.Json;
using Exchange.Api.Client;
using Exchange.Api.Client.Offers;
using Exchange.Core.Eip712;
using Exchange.Core.Hashing;

namespace Exchange.Node.Offers;

/// <summary>The exchange API's offer book as nodes use it: providers publish signed offers, clients list them.</summary>
public static class OfferDirectory
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Publishes a signed offer on every API.</summary>
    public static Task PublishAsync(ExchangeApiClient api, SignedOffer offer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(api);
        return api.PostJsonAsync("offers/", Submission(offer), Json, cancellationToken);
    }

    /// <summary>The API's wire form of a signed offer.</summary>
    public static OfferSubmission Submission(SignedOffer offer)
    {
        ArgumentNullException.ThrowIfNull(offer);
        var o = offer.Offer;
        return new OfferSubmission
        {
            Provider = o.Provider,
            ModelId = o.ModelId.ToString(),
            UnitPrice = o.UnitPrice.ToString(CultureInfo.InvariantCulture),
            MaxTasks = o.MaxTasks,
            MinTurnaround = o.MinTurnaround,
            Expiry = o.Expiry,
            Region = Region.Decode(o.Region),
            Nonce = o.Nonce,
            Signature = Hex.Format(offer.Signature),
        };
    }

    /// <summary>
    /// The live offers for a model, cheapest first (the API's ranking), optionally in one region and
    /// up to a unit price. Each is checked here: an offer whose signature is not its provider's is
    /// dropped, whatever the API says.
    /// </summary>
    public static async Task<IReadOnlyList<SignedOffer>> ListAsync(
        ExchangeApiClient api, Bytes32 modelId, string? region, BigInteger? maxUnitPrice, Eip712Domain domain, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(api);
        var query = $"offers/?model={modelId}&limit=200"
            + (string.IsNullOrEmpty(region) ? "" : $"&region={Uri.EscapeDataString(region)}")
            + (maxUnitPrice is { } max ? $"&maxUnitPrice={max.ToString(CultureInfo.InvariantCulture)}" : "");
        var booked = await api.GetJsonAsync<List<BookedOffer>>(query, Json, cancellationToken).ConfigureAwait(false);
        var offers = new List<SignedOffer>();
        foreach (var b in booked)
        {
            if (ToSigned(b) is { } signed && signed.Offer.ModelId == modelId && signed.IsValid(domain))
            {
                offers.Add(signed);
            }
        }

        return offers;
    }

    private static SignedOffer? ToSigned(BookedOffer b)
    {
        try
        {
            return new SignedOffer(
                new Offer(
                    b.Provider, Bytes32.Parse(b.ModelId), BigInteger.Parse(b.UnitPrice, NumberStyles.None, CultureInfo.InvariantCulture), b.MaxTasks, b.MinTurnaround, b.Expiry,
                    Region.Encode(b.Region), ulong.Parse(b.Nonce, NumberStyles.None, CultureInfo.InvariantCulture)),
                Hex.Parse(b.Signature));
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
        {
            return null;
        }
    }
}
