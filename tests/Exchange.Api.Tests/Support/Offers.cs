using System.Globalization;
using System.Numerics;
using Exchange.Api.Accounts;
using Exchange.Api.Client.Offers;
using Exchange.Api.Offers;
using Exchange.Core.Eip712;
using Exchange.Core.Hashing;
using Nethereum.Signer;

namespace Exchange.Api.Tests.Support;

/// <summary>Builds offers signed the way a provider signs them.</summary>
public static class SignedOffers
{
    public static readonly Bytes32 ModelA = Keccak.Hash("model-a"u8);
    public static readonly Bytes32 ModelB = Keccak.Hash("model-b"u8);

    public static OfferSubmission Create(
        EthECKey provider, MarketTerms terms, BigInteger? unitPrice = null, ulong nonce = 1, Bytes32? model = null,
        string region = "eu-west", ulong? expiry = null, uint maxTasks = 16, EthECKey? signer = null, uint minTurnaround = 300)
    {
        var offer = new Offer(provider.GetPublicAddress(), model ?? ModelA, unitPrice ?? 1_000, maxTasks, minTurnaround,
            expiry ?? (ulong)DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds(), Region.Encode(region), nonce);
        var digest = offer.Digest(Eip712Domain.ForExchange(terms.ChainId, terms.Market));
        var signature = Signatures.Sign(digest, (signer ?? provider).GetPrivateKeyAsBytes());
        return new OfferSubmission
        {
            Provider = offer.Provider,
            ModelId = offer.ModelId.ToString(),
            UnitPrice = offer.UnitPrice.ToString(CultureInfo.InvariantCulture),
            MaxTasks = offer.MaxTasks,
            MinTurnaround = offer.MinTurnaround,
            Expiry = offer.Expiry,
            Region = region,
            Nonce = offer.Nonce,
            Signature = Hex.Format(signature),
        };
    }

    public static string DigestOf(OfferSubmission submission, MarketTerms terms) =>
        new Offer(submission.Provider!, Bytes32.Parse(submission.ModelId), BigInteger.Parse(submission.UnitPrice!, CultureInfo.InvariantCulture),
            submission.MaxTasks!.Value, submission.MinTurnaround!.Value, submission.Expiry!.Value, Region.Encode(submission.Region!), submission.Nonce!.Value)
            .Digest(Eip712Domain.ForExchange(terms.ChainId, terms.Market)).ToString();
}
