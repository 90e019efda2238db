using Exchange.Core.Eip712;
using Exchange.Core.Hashing;

namespace Exchange.Node.Offers;

/// <summary>A provider's offer with its EIP-712 signature: what a client needs to create jobs against it.</summary>
/// <param name="Offer">The offer.</param>
/// <param name="Signature">65 bytes r ‖ s ‖ v by the offer's provider.</param>
public sealed record SignedOffer(Offer Offer, byte[] Signature)
{
    /// <summary>Signs an offer with the provider's key in the market's domain.</summary>
    public static SignedOffer Sign(Offer offer, Eip712Domain domain, ReadOnlySpan<byte> privateKey)
    {
        ArgumentNullException.ThrowIfNull(offer);
        ArgumentNullException.ThrowIfNull(domain);
        return new SignedOffer(offer, Signatures.Sign(offer.Digest(domain), privateKey));
    }

    /// <summary>Whether the signature is the offer's provider's in <paramref name="domain"/>.</summary>
    public bool IsValid(Eip712Domain domain) => Signatures.IsSignedBy(Offer.Digest(domain), Signature, Offer.Provider);

    /// <summary>The EIP-712 digest, which the market also uses to cancel the offer.</summary>
    public Bytes32 Digest(Eip712Domain domain) => Offer.Digest(domain);
}
