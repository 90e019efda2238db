using System.Globalization;
using System.Numerics;
using Exchange.Api.Infrastructure;
using Exchange.Core.Eip712;
using Exchange.Core.Hashing;

namespace Exchange.Api.Offers;

/// <summary>
/// A signed offer as clients post it: the EIP-712 <c>Offer</c> fields, the region as text, the
/// unit price as a decimal string (a uint256 does not fit a JSON number), and the provider's signature.
/// </summary>
public sealed record OfferSubmission
{
    // JobMarket keeps offer nonces as a uint32 sequence and refuses 2^32 - 1.
    private const ulong MaxNonce = uint.MaxValue;

    /// <summary>The provider's address, the offer's signer.</summary>
    public string? Provider { get; init; }

    /// <summary>The model card's id, 0x and 64 hex digits.</summary>
    public string? ModelId { get; init; }

    /// <summary>Price per task in the token's smallest unit, decimal.</summary>
    public string? UnitPrice { get; init; }

    /// <summary>Most tasks one job under this offer may have.</summary>
    public uint? MaxTasks { get; init; }

    /// <summary>Seconds the provider needs at least: the market refuses a job due sooner after its creation.</summary>
    public uint? MinTurnaround { get; init; }

    /// <summary>UNIX seconds after which the offer cannot be used.</summary>
    public ulong? Expiry { get; init; }

    /// <summary>Region name, at most 32 UTF-8 bytes.</summary>
    public string? Region { get; init; }

    /// <summary>The provider's nonce for this offer.</summary>
    public ulong? Nonce { get; init; }

    /// <summary>The provider's EIP-712 signature, 0x and 130 hex digits (r ‖ s ‖ v).</summary>
    public string? Signature { get; init; }

    /// <summary>Checks every field; returns the Core offer and signature, or the errors per field.</summary>
    internal (Offer? Offer, byte[]? Signature, Dictionary<string, string[]> Errors) Validate()
    {
        var errors = new Dictionary<string, string[]>();
        void Fail(string field, string message) => errors[field] = [message];

        if (!HexText.TryParseAddress(Provider, out var provider))
        {
            Fail("provider", "provider must be an address: 0x and 40 hex digits.");
        }
        if (!Bytes32.TryParse(ModelId, out var modelId))
        {
            Fail("modelId", "modelId must be 0x and 64 hex digits.");
        }
        if (!BigInteger.TryParse(UnitPrice, NumberStyles.None, CultureInfo.InvariantCulture, out var unitPrice) || unitPrice.IsZero
            || unitPrice.GetBitLength() > 256)
        {
            Fail("unitPrice", "unitPrice must be a positive uint256 in decimal digits.");
        }
        if (MaxTasks is null or 0)
        {
            Fail("maxTasks", "maxTasks must be a positive uint32.");
        }
        if (MinTurnaround is null)
        {
            Fail("minTurnaround", "minTurnaround (seconds, a uint32) is required.");
        }
        if (Expiry is null)
        {
            Fail("expiry", "expiry (UNIX seconds) is required.");
        }
        if (Nonce is null or >= MaxNonce)
        {
            Fail("nonce", $"nonce is required and below {MaxNonce} (the market's per-provider sequence).");
        }
        var region = Bytes32.Zero;
        try
        {
            region = Exchange.Core.Eip712.Region.Encode(Region ?? throw new ArgumentException("region is required."));
        }
        catch (ArgumentException e)
        {
            Fail("region", e.Message);
        }
        byte[]? signature = null;
        try
        {
            signature = Hex.Parse(Signature, Signatures.Length);
        }
        catch (FormatException)
        {
            Fail("signature", "signature must be 0x and 130 hex digits (r ‖ s ‖ v).");
        }

        return errors.Count > 0
            ? (null, null, errors)
            : (new Offer(provider!, modelId, unitPrice, MaxTasks!.Value, MinTurnaround!.Value, Expiry!.Value, region, Nonce!.Value), signature, errors);
    }
}
